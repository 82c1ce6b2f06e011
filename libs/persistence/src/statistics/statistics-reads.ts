/**
 * The statistics' reads: the rollup summed over a period, escalations by kind, orders overdue and
 * open at an instant, closed months and their restatements. Periods are calendar days
 * `[fromOn, toOn]` inclusive, named in the calendar's zone (the rollup's days are already named
 * so); instants are compared half-open: a period ends at the start of the day after `toOn`.
 */
import {
  ESCALATION_KINDS,
  monthChunks,
  monthDays,
  type Category,
  type EscalationKind,
  type FactMeasure,
  type RollupRow,
} from '@hotline/core';

/** A DataSource or a QueryRunner: reads run on either. */
export interface Queryable {
  query(sql: string, parameters?: unknown[]): Promise<unknown>;
}

/**
 * The rollup over `[fromOn, toOn]`, optionally for one unit, summed per month: each row's `dayOn`
 * is the first day of its month (so a grouping by month still works) and a month's statistics
 * cross the wire as units × categories × measures rows, not one per day. A whole month is read
 * from `statistics_monthly` (kept equal to the sum of its days by triggers on the daily rollup,
 * migration 1733700000000): a primary-key range of ~31 times fewer rows and no aggregate. A part
 * of a month sums its days. One select per month with the month as a constant (a UNION ALL).
 */
export async function rollupRows(
  q: Queryable,
  fromOn: string,
  toOn: string,
  unitId?: string,
): Promise<RollupRow[]> {
  const parameters: unknown[] = [unitId ?? null];
  const selects = monthSelects(
    fromOn,
    toOn,
    parameters,
    ($, month) => {
      const m = $(month);
      return `SELECT ${m}::text AS day_on, unit_id, category, measure, count
                FROM statistics_monthly
               WHERE month_on = ${m}::date AND ($1::text IS NULL OR unit_id = $1)`;
    },
    ($, month, from, to) => `SELECT ${$(month)}::text AS day_on, unit_id, category, measure,
                                    sum(count)::bigint AS count
                               FROM statistics_daily
                              WHERE day_on BETWEEN ${$(from)}::date AND ${$(to)}::date
                                AND ($1::text IS NULL OR unit_id = $1)
                              GROUP BY unit_id, category, measure`,
  );
  if (selects.length === 0) return [];
  const rows = (await q.query(selects.join('\n UNION ALL \n'), parameters)) as {
    day_on: string;
    unit_id: string;
    category: string;
    measure: string;
    count: string;
  }[];
  return rows.map((r) => ({
    dayOn: r.day_on,
    unitId: r.unit_id,
    category: r.category as Category,
    measure: r.measure as FactMeasure,
    count: Number(r.count),
  }));
}

/**
 * One select per month of `[fromOn, toOn]`: `whole` for a whole month (read from a monthly
 * table), `part` for a part of one (summed from its days). Each gets its values through `$`,
 * which appends a value to `parameters` and returns its placeholder.
 */
function monthSelects(
  fromOn: string,
  toOn: string,
  parameters: unknown[],
  whole: ($: Placeholder, month: string) => string,
  part: ($: Placeholder, month: string, from: string, to: string) => string,
): string[] {
  const $: Placeholder = (value) => `$${parameters.push(value)}`;
  return monthChunks(fromOn, toOn).map(([month, from, to]) =>
    from === month && to === monthDays(month.slice(0, 7)).toOn
      ? whole($, month)
      : part($, month, from, to),
  );
}

type Placeholder = (value: string) => string;

/** Escalations fired in a period, per unit, the order's current category, and kind. */
export interface EscalationCount {
  unitId: string;
  /** Null when the order's row is missing (never in practice: escalations come from orders). */
  category: string | null;
  kind: EscalationKind;
  count: number;
}

interface EscalationCountRow {
  unit_id: string;
  category: string | null;
  kind: string;
  count: string;
}

function escalationCountsOf(rows: readonly EscalationCountRow[]): EscalationCount[] {
  return rows
    .filter((r) => (ESCALATION_KINDS as readonly string[]).includes(r.kind))
    .map((r) => ({
      unitId: r.unit_id,
      category: r.category,
      kind: r.kind as EscalationKind,
      count: Number(r.count),
    }));
}

/**
 * Escalations fired on the days `[fromOn, toOn]`: each escalation row is one (order, kind,
 * segment, round), so a level raised later is not counted again. Credited to the unit the
 * escalation names and its order's current category. Withdrawn ones are not counted: the event
 * log proved them false.
 *
 * Read from `escalation_counts_monthly` for whole months and `escalation_counts_daily` for parts
 * of one, with the changes not yet folded into them (migration 1733900000000: kept by triggers,
 * by the day `fired_on` the product names a firing in the calendar's zone): at most units ×
 * categories × kinds rows a month. Escalations without a `fired_on` (written before that column)
 * are counted from their rows, their day taken in `timeZone` (the calendar's: the API passes it),
 * through a partial index that holds only them.
 */
export async function escalationCounts(
  q: Queryable,
  fromOn: string,
  toOn: string,
  timeZone: string,
  unitId?: string,
): Promise<EscalationCount[]> {
  const parameters: unknown[] = [fromOn, toOn, timeZone, unitId ?? null];
  const counted = monthSelects(
    fromOn,
    toOn,
    parameters,
    ($, month) => `SELECT unit_id, category, kind, count FROM escalation_counts_monthly
                    WHERE month_on = ${$(month)}::date AND ($4::text IS NULL OR unit_id = $4)`,
    ($, _, from, to) => `SELECT unit_id, category, kind, count FROM escalation_counts_daily
                          WHERE day_on BETWEEN ${$(from)}::date AND ${$(to)}::date
                            AND ($4::text IS NULL OR unit_id = $4)`,
  );
  const rows = (await q.query(
    `SELECT unit_id, nullif(category, '') AS category, kind, sum(count)::bigint AS count
       FROM (${counted.map((select) => `${select}\n UNION ALL\n`).join('')}
             SELECT unit_id, category, kind, delta
               FROM escalation_count_changes
              WHERE day_on BETWEEN $1::date AND $2::date
                AND ($4::text IS NULL OR unit_id = $4)
             UNION ALL
             SELECT e.unit_id, coalesce(w.category, ''), e.kind, 1
               FROM escalations e
               LEFT JOIN work_orders w ON w.work_order_id = e.work_order_id
              WHERE e.fired_on IS NULL
                AND e.fired_at >= ($1::date)::timestamp AT TIME ZONE $3
                AND e.fired_at < ($2::date + 1)::timestamp AT TIME ZONE $3
                AND ($4::text IS NULL OR e.unit_id = $4)
                AND e.status <> 'withdrawn') AS c
      GROUP BY unit_id, category, kind
     HAVING sum(count) <> 0`,
    parameters,
  )) as EscalationCountRow[];
  return escalationCountsOf(rows);
}

/**
 * The same counts as `escalationCounts` from the escalation rows alone, each joined to its order:
 * the reference the maintained counts are checked against (their int-spec, the P5 benchmark).
 */
export async function escalationCountsByScan(
  q: Queryable,
  fromOn: string,
  toOn: string,
  timeZone: string,
  unitId?: string,
): Promise<EscalationCount[]> {
  const rows = (await q.query(
    `SELECT e.unit_id, w.category, e.kind, count(*)::bigint AS count
       FROM escalations e
       LEFT JOIN work_orders w ON w.work_order_id = e.work_order_id
      WHERE e.fired_at >= ($1::date)::timestamp AT TIME ZONE $3
        AND e.fired_at < ($2::date + 1)::timestamp AT TIME ZONE $3
        AND ($4::text IS NULL OR e.unit_id = $4)
        AND e.status <> 'withdrawn'
      GROUP BY e.unit_id, w.category, e.kind`,
    [fromOn, toOn, timeZone, unitId ?? null],
  )) as EscalationCountRow[];
  return escalationCountsOf(rows);
}

/** A day × unit × category × kind whose maintained escalation count differs from its rows. */
export interface EscalationCountDrift {
  dayOn: string;
  unitId: string;
  category: string;
  kind: string;
  counted: number;
  rows: number;
}

/**
 * Where `escalation_counts_daily` with its changes not yet folded differs from a recount of the
 * escalation rows that carry a `fired_on` (nowhere, while the triggers keep them): what the tests
 * hold after real deliveries.
 */
export async function escalationCountsDrift(q: Queryable): Promise<EscalationCountDrift[]> {
  const rows = (await q.query(
    `SELECT to_char(coalesce(c.day_on, r.day_on), 'YYYY-MM-DD') AS day_on,
            coalesce(c.unit_id, r.unit_id) AS unit_id, coalesce(c.category, r.category) AS category,
            coalesce(c.kind, r.kind) AS kind, coalesce(c.count, 0) AS counted, coalesce(r.count, 0) AS rows
       FROM (SELECT day_on, unit_id, category, kind, sum(count) AS count
               FROM (SELECT day_on, unit_id, category, kind, count FROM escalation_counts_daily
                     UNION ALL
                     SELECT day_on, unit_id, category, kind, delta FROM escalation_count_changes) AS k
              GROUP BY 1, 2, 3, 4
             HAVING sum(count) <> 0) AS c
       FULL JOIN (SELECT e.fired_on AS day_on, e.unit_id, coalesce(w.category, '') AS category,
                         e.kind, count(*)::bigint AS count
                    FROM escalations e
                    LEFT JOIN work_orders w ON w.work_order_id = e.work_order_id
                   WHERE e.fired_on IS NOT NULL AND e.status <> 'withdrawn'
                   GROUP BY 1, 2, 3, 4) AS r
         ON (r.day_on, r.unit_id, r.category, r.kind) = (c.day_on, c.unit_id, c.category, c.kind)
      WHERE coalesce(c.count, 0) <> coalesce(r.count, 0)
      ORDER BY 1, 2, 3, 4`,
  )) as {
    day_on: string;
    unit_id: string;
    category: string;
    kind: string;
    counted: string;
    rows: string;
  }[];
  return rows.map((r) => ({
    dayOn: r.day_on,
    unitId: r.unit_id,
    category: r.category,
    kind: r.kind,
    counted: Number(r.counted),
    rows: Number(r.rows),
  }));
}

/** Orders overdue and open at an instant, per current unit, category and the stage that is overdue. */
export interface OverdueCount {
  unitId: string;
  category: string;
  stage: 'accept' | 'complete';
  count: number;
}

/**
 * 期末超期未办结: the orders that, at instant `at`, were overdue and still open, from the order
 * rows' columns. An order counts (once) when all of these hold:
 * - it had been received: `received_at < at`;
 * - it was not closed by then: `closed_at` null or `>= at`;
 * - it was not with the hotline after a return by then: not (`status = returned` and the state's
 *   `returnedAt < at`);
 * - a stage was past its deadline and not done by then: acceptance `accept_due_at < at` and
 *   `accepted_at` null or `>= at` (stage `accept`), else completion `complete_due_at < at` and
 *   `replied_at` null or `>= at` (stage `complete`);
 * - and, when the formula leaves excluded orders out (不计考核), it is not excluded.
 * Credited to the order's current unit and category. The columns are the order's current segment
 * and round: for a period long past, an order re-dispatched or reworked since is judged on its
 * current deadlines. That is why a month close freezes this figure at the month's end.
 *
 * Read without visiting every overdue order. An open order with a stage not done stops depending
 * on the instant once its own instants have passed (its `settles` instant, migration
 * 1734000000000): those settled before the UTC day of `at` are counted ahead, per unit, category,
 * excluded and stage, as the totals minus the days from that day on (plus the changes not yet
 * folded into them). The rest are counted from their rows, each case a range of a small partial
 * index (migrations 1733800000000, 1734000000000), summed as a UNION ALL:
 * - open, a stage not done, the earliest deadline of its not-done stages between the day's start
 *   and `at` (`work_orders_pending_due_idx`), counted from the index's columns but for the
 *   returned ones, whose state is read;
 * - open, a stage not done, a deadline passed before the day, yet settling that day or later
 *   (`work_orders_settles_late_idx`: an acceptance after the completion deadline, a return);
 * - open, a stage done late, its acceptance or reply at or after `at`, and not in the cases above
 *   (`work_orders_open_done_late_idx`): an instant before that work;
 * - closed at or after `at` and once overdue before closing (`work_orders_closed_late_idx`).
 * Each case then applies every condition above, so the counts equal the plain scan's (the
 * int-spec keeps that scan and compares them on random orders and instants over several days).
 */
export async function overdueOpenCounts(
  q: Queryable,
  at: Date,
  leaveOutExcludedOrders: boolean,
  unitId?: string,
): Promise<OverdueCount[]> {
  const dayStart = new Date(Math.floor(at.getTime() / DAY_MS) * DAY_MS);
  const rows = (await q.query(OVERDUE_OPEN_SQL, [
    at,
    leaveOutExcludedOrders,
    unitId ?? null,
    dayStart,
    dayStart.toISOString().slice(0, 10),
  ])) as {
    unit_id: string;
    category: string;
    stage: 'accept' | 'complete';
    count: string;
  }[];
  return rows.map((r) => ({
    unitId: r.unit_id,
    category: r.category,
    stage: r.stage,
    count: Number(r.count),
  }));
}

const DAY_MS = 86_400_000;

/**
 * The earliest deadline among an order's stages not done: the key of
 * `work_orders_pending_due_idx`, spelled as in the index so the planner matches it.
 */
const PENDING_DUE = `least(CASE WHEN accepted_at IS NULL THEN accept_due_at END,
                           CASE WHEN replied_at IS NULL THEN complete_due_at END)`;
/** When an open order's count stops depending on the instant: the key of `work_orders_settles_late_idx`. */
const SETTLES = `CASE WHEN status = 'returned'
                      THEN greatest(received_at, accept_due_at, accepted_at, complete_due_at,
                                    replied_at, work_order_returned_at(state))
                      WHEN accepted_at IS NULL AND accept_due_at IS NOT NULL
                      THEN greatest(received_at, accept_due_at)
                      ELSE greatest(received_at, accept_due_at, accepted_at, complete_due_at, replied_at) END`;
/** The predicates of the partial indexes, spelled as in the migrations. */
const PENDING = `closed_at IS NULL AND (accepted_at IS NULL OR replied_at IS NULL)`;
const OPEN_DONE_LATE = `closed_at IS NULL AND (accepted_at > accept_due_at OR replied_at > complete_due_at)`;
const CLOSED_LATE = `closed_at IS NOT NULL
   AND ((accept_due_at < closed_at AND (accepted_at IS NULL OR accepted_at > accept_due_at))
     OR (complete_due_at < closed_at AND (replied_at IS NULL OR replied_at > complete_due_at)))`;
/**
 * Every condition of an order that counts but the stage's (`$1` the instant, `$2`, `$3`). The
 * returned order's condition reads the state, so it is left out where `status <> 'returned'`
 * already decides it: that case is then counted from the index alone.
 */
const countsAt = (returned: 'status' | 'state') => `received_at < $1
   AND unit_id IS NOT NULL AND category IS NOT NULL
   AND (closed_at IS NULL OR closed_at >= $1)
   ${returned === 'state' ? `AND NOT (status = 'returned' AND (state->>'returnedAt')::timestamptz < $1)` : ''}
   AND NOT ($2::boolean AND excluded)
   AND ($3::text IS NULL OR unit_id = $3)
   AND (accept_due_at < $1 OR complete_due_at < $1)`;
const OVERDUE_COLUMNS = `unit_id, category, accept_due_at, accepted_at, complete_due_at, replied_at`;

/** `$4` the start of `$1`'s UTC day, `$5` that day. */
const OVERDUE_OPEN_SQL = `
  SELECT unit_id, category, stage, sum(count)::bigint AS count
    FROM (
      SELECT unit_id, category, stage, sum(n) AS count
        FROM (SELECT unit_id, category, excluded, stage, count AS n FROM overdue_pending_totals
              UNION ALL
              SELECT unit_id, category, excluded, stage, -count FROM overdue_pending_counts
               WHERE settles_on >= $5::date
              UNION ALL
              SELECT unit_id, category, excluded, stage, delta FROM overdue_pending_changes
               WHERE settles_on < $5::date) AS settled
       WHERE NOT ($2::boolean AND excluded) AND ($3::text IS NULL OR unit_id = $3)
       GROUP BY unit_id, category, stage
      UNION ALL
      SELECT unit_id, category, stage, count(*)
        FROM (
          SELECT w.unit_id, w.category,
                 CASE WHEN w.accept_due_at < $1 AND (w.accepted_at IS NULL OR w.accepted_at >= $1)
                      THEN 'accept'
                      WHEN w.complete_due_at < $1 AND (w.replied_at IS NULL OR w.replied_at >= $1)
                      THEN 'complete' END AS stage
            FROM (
              SELECT ${OVERDUE_COLUMNS} FROM work_orders
               WHERE ${PENDING} AND ${PENDING_DUE} >= $4 AND ${PENDING_DUE} < $1
                 AND status <> 'returned' AND ${countsAt('status')}
              UNION ALL
              SELECT ${OVERDUE_COLUMNS} FROM work_orders
               WHERE ${PENDING} AND ${PENDING_DUE} >= $4 AND ${PENDING_DUE} < $1
                 AND status = 'returned' AND ${countsAt('state')}
              UNION ALL
              SELECT ${OVERDUE_COLUMNS} FROM work_orders
               WHERE ${PENDING} AND ${SETTLES} > ${PENDING_DUE} AND ${SETTLES} >= $4
                 AND ${PENDING_DUE} < $4 AND ${countsAt('state')}
              UNION ALL
              SELECT ${OVERDUE_COLUMNS} FROM work_orders
               WHERE ${OPEN_DONE_LATE} AND greatest(accepted_at, replied_at) >= $1
                 AND ((accepted_at IS NULL OR replied_at IS NULL) AND ${PENDING_DUE} < $1) IS NOT TRUE
                 AND ${countsAt('state')}
              UNION ALL
              SELECT ${OVERDUE_COLUMNS} FROM work_orders
               WHERE ${CLOSED_LATE} AND closed_at >= $1
                 AND ${countsAt('state')}
            ) w
        ) o
       WHERE stage IS NOT NULL
       GROUP BY unit_id, category, stage
    ) c
   GROUP BY unit_id, category, stage
  HAVING sum(count) <> 0`;

/**
 * The same counts as `overdueOpenCounts` by one pass over every order: the reference the indexed
 * read is checked against (its int-spec on random orders, the P5 benchmark on ten million).
 */
export async function overdueOpenCountsByScan(
  q: Queryable,
  at: Date,
  leaveOutExcludedOrders: boolean,
  unitId?: string,
): Promise<OverdueCount[]> {
  const rows = (await q.query(
    `SELECT unit_id, category, stage, count(*)::bigint AS count
       FROM (
         SELECT w.unit_id, w.category,
                CASE WHEN w.accept_due_at < $1 AND (w.accepted_at IS NULL OR w.accepted_at >= $1)
                     THEN 'accept'
                     WHEN w.complete_due_at < $1 AND (w.replied_at IS NULL OR w.replied_at >= $1)
                     THEN 'complete' END AS stage
           FROM work_orders w
          WHERE w.received_at < $1
            AND w.unit_id IS NOT NULL AND w.category IS NOT NULL
            AND (w.closed_at IS NULL OR w.closed_at >= $1)
            AND NOT (w.status = 'returned' AND (w.state->>'returnedAt')::timestamptz < $1)
            AND NOT ($2::boolean AND w.excluded)
            AND ($3::text IS NULL OR w.unit_id = $3)
            AND (w.accept_due_at < $1 OR w.complete_due_at < $1)
       ) o
      WHERE stage IS NOT NULL
      GROUP BY unit_id, category, stage`,
    [at, leaveOutExcludedOrders, unitId ?? null],
  )) as { unit_id: string; category: string; stage: 'accept' | 'complete'; count: string }[];
  return rows.map((r) => ({
    unitId: r.unit_id,
    category: r.category,
    stage: r.stage,
    count: Number(r.count),
  }));
}

/** A restatement: a change that reached a closed month after it was closed. */
export interface Restatement {
  id: string;
  month: string;
  workOrderId: string;
  measure: FactMeasure;
  unitId: string;
  category: string;
  delta: number;
  /** The event type that caused it, or `recompute`. */
  cause: string;
  at: Date;
}

/** A month's restatements in the order they were recorded, optionally for one unit. */
export async function listRestatements(
  q: Queryable,
  month: string,
  unitId?: string,
): Promise<Restatement[]> {
  const rows = (await q.query(
    `SELECT id, month, work_order_id, measure, unit_id, category, delta, cause, at
       FROM statistics_restatements
      WHERE month = $1 AND ($2::text IS NULL OR unit_id = $2)
      ORDER BY id`,
    [month, unitId ?? null],
  )) as {
    id: string;
    month: string;
    work_order_id: string;
    measure: string;
    unit_id: string;
    category: string;
    delta: number;
    cause: string;
    at: Date;
  }[];
  return rows.map((r) => ({
    id: String(r.id),
    month: r.month,
    workOrderId: r.work_order_id,
    measure: r.measure as FactMeasure,
    unitId: r.unit_id,
    category: r.category,
    delta: r.delta,
    cause: r.cause,
    at: r.at,
  }));
}
