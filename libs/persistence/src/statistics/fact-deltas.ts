/**
 * The rollup's write path, called inside the ingestion transaction after the touched orders'
 * rows are upserted: for each order, the difference between the facts stored on its row and the
 * facts of its new state goes into `statistics_daily`, the new facts onto the row, and a change
 * that lands in a closed month also into `statistics_restatements`.
 */
import type { QueryRunner } from 'typeorm';
import {
  diffFacts,
  factKeyText,
  type Category,
  type FactDelta,
  type FactKey,
  type FactMeasure,
} from '@hotline/core';
import {
  bigintArray,
  column,
  dateArray,
  textArray,
  unnestRows,
  type ArrayColumn,
} from '../array-params';

/** A change of the daily rollup: a key and how much its count moves. */
interface RollupDelta {
  key: FactKey;
  delta: number;
}

const ROLLUP_COLUMNS: readonly ArrayColumn<RollupDelta>[] = [
  column('day_on', 'date', dateArray, (r: RollupDelta) => r.key.dayOn),
  column('unit_id', 'text', textArray, (r: RollupDelta) => r.key.unitId),
  column('category', 'text', textArray, (r: RollupDelta) => r.key.category),
  column('measure', 'text', textArray, (r: RollupDelta) => r.key.measure),
  column('delta', 'bigint', bigintArray, (r: RollupDelta) => r.delta),
];

/** One order's change of facts; `cause` is the event type that caused it, or `recompute`. */
export interface OrderFactChange {
  workOrderId: string;
  before: readonly FactKey[];
  after: readonly FactKey[];
  cause: string;
}

export interface FactDeltaOutcome {
  /** Rollup rows changed (distinct keys). */
  rowsChanged: number;
  /** Orders whose stored facts changed. */
  ordersChanged: number;
  /** Restatement rows written for closed months. */
  restatements: number;
}

/** How facts are stored on `work_orders.facts`: compact tuples, the row is hot. */
type StoredFact = [dayOn: string, unitId: string, category: string, measure: string];

/**
 * Taken shared by every fact-applying transaction and exclusively by a month close, so a close
 * sees every committed delta and a delta committed after it sees the month closed: no change
 * falls between the frozen figures and the restatements.
 */
export const STATISTICS_MONTHS_LOCK = 1_732_700_000;

/** The form `work_orders.facts` holds, for a caller that writes it with the order's row. */
export function storedFactsOf(facts: readonly FactKey[]): StoredFact[] {
  return toStored(facts);
}

function toStored(facts: readonly FactKey[]): StoredFact[] {
  return facts.map((f) => [f.dayOn, f.unitId, f.category, f.measure]);
}

export function fromStored(stored: unknown): FactKey[] {
  if (!Array.isArray(stored)) return [];
  return (stored as StoredFact[]).map(([dayOn, unitId, category, measure]) => ({
    dayOn,
    unitId,
    category: category as Category,
    measure: measure as FactMeasure,
  }));
}

/** The facts stored on each order's row (an order without a row or without facts: absent). */
export async function loadStoredFacts(
  runner: QueryRunner,
  workOrderIds: readonly string[],
): Promise<Map<string, FactKey[]>> {
  const byOrder = new Map<string, FactKey[]>();
  if (workOrderIds.length === 0) return byOrder;
  const rows = (await runner.query(
    `SELECT work_order_id, facts FROM work_orders
      WHERE work_order_id = ANY($1::text[]) AND facts IS NOT NULL`,
    [workOrderIds],
  )) as { work_order_id: string; facts: unknown }[];
  for (const row of rows) byOrder.set(row.work_order_id, fromStored(row.facts));
  return byOrder;
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Applies the orders' fact changes in the caller's transaction:
 * - `statistics_daily`: the deltas of every order, summed per key, as one upsert whose rows are
 *   sorted by key, so concurrent transactions (two partitions) lock rollup rows in the same order
 *   and cannot deadlock on them;
 * - `work_orders.facts`: the new facts of each order whose facts changed (the row must exist:
 *   call this after upserting the orders);
 * - `statistics_restatements`: one row per (order, key) delta whose day falls in a closed month.
 *   The live rollup still changes; the closed month keeps its frozen figures and lists these.
 *
 * A change whose `before` and `after` are the same multiset writes nothing, so re-applying an
 * identical state (a re-delivered batch) is a no-op.
 */
export async function applyFactDeltas(
  runner: QueryRunner,
  changes: readonly OrderFactChange[],
  options: { factsWrittenWithOrders?: boolean } = {},
): Promise<FactDeltaOutcome> {
  const totals = new Map<string, { key: FactKey; delta: number }>();
  const perOrder: { change: OrderFactChange; deltas: FactDelta[] }[] = [];
  const months = new Set<string>();
  const changedOrders = new Map<string, readonly FactKey[]>();
  for (const change of changes) {
    const deltas = diffFacts(change.before, change.after);
    if (deltas.length === 0) continue;
    perOrder.push({ change, deltas });
    // The last change of an order in the list wins for the stored facts.
    changedOrders.set(change.workOrderId, change.after);
    for (const { key, delta } of deltas) {
      months.add(key.dayOn.slice(0, 7));
      // The order of the rows sent is the statement's own ORDER BY, not this text's.
      const text = factKeyText(key);
      const total = totals.get(text);
      if (total === undefined) totals.set(text, { key, delta });
      else total.delta += delta;
    }
  }
  if (changedOrders.size === 0) return { rowsChanged: 0, ordersChanged: 0, restatements: 0 };

  await runner.query(`SELECT pg_advisory_xact_lock_shared($1)`, [STATISTICS_MONTHS_LOCK]);

  const rollup = [...totals.entries()]
    .filter(([, total]) => total.delta !== 0)
    .sort(([a], [b]) => compareText(a, b))
    .map(([, { key, delta }]) => ({ key, delta }));
  if (rollup.length > 0) {
    const rows = unnestRows(ROLLUP_COLUMNS, rollup);
    // The daily upsert's triggers move the months (migration 1733700000000): its inserted rows'
    // months first, then its updated rows', each in order, but not in one order together, so two
    // transactions could lock two months in opposite orders. The months' rows are locked (or
    // created at zero) here first, in one order for every transaction; `WHERE false` locks
    // without writing. ORDER BY then gives every transaction the same lock order over the days.
    await runner.query(
      `INSERT INTO statistics_monthly AS m (month_on, unit_id, category, measure, count)
       SELECT DISTINCT date_trunc('month', r.day_on)::date, r.unit_id, r.category, r.measure, 0
         FROM ${rows.from}
        ORDER BY 1, 2, 3, 4
       ON CONFLICT (month_on, unit_id, category, measure) DO UPDATE SET count = m.count WHERE false`,
      rows.params,
    );
    await runner.query(
      `INSERT INTO statistics_daily AS s (day_on, unit_id, category, measure, count)
       SELECT r.day_on, r.unit_id, r.category, r.measure, r.delta
         FROM ${rows.from}
        ORDER BY r.day_on, r.unit_id, r.category, r.measure
       ON CONFLICT (day_on, unit_id, category, measure)
       DO UPDATE SET count = s.count + EXCLUDED.count`,
      rows.params,
    );
  }

  // The ingestion path writes `facts` in its order upsert (one statement instead of two).
  if (!options.factsWrittenWithOrders) {
    const facts = [...changedOrders.entries()]
      .sort(([a], [b]) => compareText(a, b))
      .map(([workOrderId, after]) => ({ work_order_id: workOrderId, facts: toStored(after) }));
    await runner.query(
      `UPDATE work_orders AS w SET facts = r.facts
       FROM (SELECT * FROM jsonb_to_recordset($1::jsonb) AS x(work_order_id text, facts jsonb)
              ORDER BY x.work_order_id) AS r
      WHERE w.work_order_id = r.work_order_id`,
      [JSON.stringify(facts)],
    );
  }

  // Read after the shared lock: a close that committed before it is seen here.
  const closed = new Set(
    (
      (await runner.query(`SELECT month FROM statistics_months WHERE month = ANY($1::text[])`, [
        [...months],
      ])) as { month: string }[]
    ).map((row) => row.month),
  );
  const restatements = [];
  if (closed.size > 0) {
    for (const { change, deltas } of perOrder) {
      for (const { key, delta } of deltas) {
        const month = key.dayOn.slice(0, 7);
        if (!closed.has(month)) continue;
        restatements.push({
          month,
          work_order_id: change.workOrderId,
          measure: key.measure,
          unit_id: key.unitId,
          category: key.category,
          delta,
          cause: change.cause,
        });
      }
    }
  }
  if (restatements.length > 0) {
    await runner.query(
      `INSERT INTO statistics_restatements (month, work_order_id, measure, unit_id, category, delta, cause)
       SELECT r.month, r.work_order_id, r.measure, r.unit_id, r.category, r.delta, r.cause
         FROM jsonb_to_recordset($1::jsonb) AS r(
           month text, work_order_id text, measure text, unit_id text, category text, delta integer, cause text)`,
      [JSON.stringify(restatements)],
    );
  }
  return {
    rowsChanged: rollup.length,
    ordersChanged: changedOrders.size,
    restatements: restatements.length,
  };
}
