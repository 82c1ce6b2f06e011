/**
 * P5: one month's statistics over ten million orders as GET /statistics/monthly serves a live
 * month (`monthReport`: the rollup, the escalations fired in the month, the orders overdue and open
 * now), against a full-scan recompute of the same month measured in the same run (target ≤ 20 ms
 * warm and ≥ 25×, stretch ≤ 5 ms).
 *
 * In a throw-away database on the resolved PostgreSQL server (or BENCH_DATABASE, kept and reused
 * when it already holds BENCH_ORDERS orders of this layout: building ten million takes minutes):
 * - `statistics_daily` (the product's table, migrated) is filled with the facts of BENCH_ORDERS
 *   orders (default 10,000,000) over a year: ~27k orders a day across 30 units × 6 categories,
 *   14 measures per (day, unit, category), counts drawn around realistic shares;
 * - `work_orders` (the product's table and indexes) holds BENCH_ORDERS orders received from the
 *   year's start to NOW, in the live month: most accepted within hours and replied within days,
 *   closed after a callback up to a month later; a tail of ~3% kept open for months, some never
 *   accepted or replied; ~1% of the open ones returned to the hotline; 1 in 200 excluded. So
 *   about a tenth are open at NOW, some past their acceptance or completion deadline, and some
 *   closed after the previous month's end;
 * - `escalations` holds the warnings and overdue escalations those orders' instants imply;
 * - `bench_orders`, a narrow work_orders-like table of BENCH_ORDERS rows (the columns a recompute
 *   needs: unit, category, instants of receipt, acceptance, reply and callback, their deadlines,
 *   the rating, excluded), UNLOGGED so filling it takes a few minutes on 2 cores.
 *   Filling the daily rollup fills `statistics_monthly` through its triggers, as ingestion does.
 * The served read is the product's `monthReport` (its three reads in parallel on the pool, then
 * the figures by unit); each read is also timed alone (`p5.parts`), in the same rounds as the
 * served month (one of each per round, after three rounds not counted), with the previous
 * month's overdue count at its end (what a month close reads) and the overdue count by the scan
 * it replaced (whose result must be the same). Beside them the month summed from its daily rows
 * (the read before the monthly rollup), and the baseline that computes the rollup's counts with
 * one GROUP BY over the whole narrow table. All warm, median of BENCH_RUNS (reads) and
 * BENCH_SCAN_RUNS (scans). The product's reads are timed first, after a CHECKPOINT when the data
 * was just built: the checks and baselines scan gigabytes and leave the caches, and the fill
 * leaves gigabytes to flush, as no request to the API does.
 *
 *   npm run bench:statistics            (BENCH_ORDERS=1000000 for a quick run;
 *                                        BENCH_DATABASE=hotline_bench_p5_keep to keep the data)
 */
import { writeResult } from './bench-result';
import { performance } from 'node:perf_hooks';
import {
  monthDays,
  summarizeStatistics,
  type Category,
  type FactMeasure,
  type StatisticsFormula,
} from '@hotline/core';
import { createDataSource, migrate } from '@hotline/persistence';
import type { DataSource } from 'typeorm';
import {
  escalationCounts,
  escalationCountsByScan,
  foldStatisticsCounts,
  monthReport,
  overdueOpenCounts,
  overdueOpenCountsByScan,
  rollupRows,
  type EscalationCount,
  type OverdueCount,
} from '@hotline/persistence/statistics';
import {
  createDatabase,
  databaseUrl,
  dropDatabase,
  resolvePostgresAdminUrl,
} from '@hotline/platform/postgres';

const ORDERS = Number(process.env.BENCH_ORDERS ?? 10_000_000);
const KEEP = process.env.BENCH_DATABASE || undefined;
const TARGET_MS = 20;
const STRETCH_MS = 5;
const TARGET_RATIO = 25;
const RUNS = Number(process.env.BENCH_RUNS ?? 9);
const SCAN_RUNS = Number(process.env.BENCH_SCAN_RUNS ?? 3);
/** Rounds of the served reads run before the counted ones. */
const WARM_ROUNDS = 3;
const UNITS = 30;
const CATEGORIES = ['consultation', 'help', 'complaint', 'report', 'suggestion', 'praise'];
const DAYS = 366; // 2024
/** The live month: the orders were received from the year's start up to NOW. */
const MONTH = monthDays('2024-12');
const NOW = new Date('2024-12-20T12:00:00+08:00');
/** The previous month's end, where its close counts overdue and open. */
const PREVIOUS_MONTH_END = new Date('2024-12-01T00:00:00+08:00');
const ZONE = 'Asia/Shanghai';
/** Bumped when the data's layout changes, so a kept database is rebuilt. */
const LAYOUT = 'served-month-2';

const formula: StatisticsFormula = {
  id: 'bench',
  version: '1',
  satisfied: ['satisfied', 'basically_satisfied'],
  outsideDenominator: ['unreachable', 'declined'],
  leaveOutExcludedOrders: true,
  ratingAfterRework: 'latest',
  ratingPeriod: 'callback',
  rounding: { decimals: 2, mode: 'half_up' },
  source: 'bench',
};

function out(line: string): void {
  process.stdout.write(`${line}\n`);
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[mid] ?? 0)
    : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

async function timed<T>(work: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const start = performance.now();
  const value = await work();
  return { ms: performance.now() - start, value };
}

/** Measures and their share of a cell's orders (rates around 93–96 %, a few returns, …). */
const MEASURE_SHARES: [string, number][] = [
  ['received', 1],
  ['rated_satisfied', 0.62],
  ['rated_basically_satisfied', 0.2],
  ['rated_dissatisfied', 0.05],
  ['rated_unreachable', 0.08],
  ['rated_declined', 0.02],
  ['accept_finished', 1],
  ['accept_on_time', 0.96],
  ['complete_finished', 0.98],
  ['complete_on_time', 0.93],
  ['returned', 0.03],
  ['extended', 0.04],
  ['rework', 0.02],
  ['false_completion', 0.002],
];

/** Fills the daily rollup (and so the monthly one) and `bench_orders` for ORDERS orders. */
async function fill(dataSource: DataSource): Promise<void> {
  await dataSource.query(`DROP TABLE IF EXISTS bench_meta, bench_orders`);
  await dataSource.query(`DELETE FROM statistics_daily`);
  await dataSource.query(`DELETE FROM statistics_monthly`);
  const perCell = ORDERS / (DAYS * UNITS * CATEGORIES.length);

  const rollupFill = await timed(() =>
    dataSource.query(
      `INSERT INTO statistics_daily (day_on, unit_id, category, measure, count)
     SELECT d::date, 'unit-' || lpad(u::text, 2, '0'), c, m.measure,
            round($1::float8 * m.share * (0.85 + 0.3 * random()))::bigint
       FROM generate_series('2024-01-01'::date, '2024-01-01'::date + ($2::int - 1), interval '1 day') AS d,
            generate_series(1, $3::int) AS u,
            unnest($4::text[]) AS c,
            jsonb_to_recordset($5::jsonb) AS m(measure text, share float8)`,
      [
        perCell,
        DAYS,
        UNITS,
        CATEGORIES,
        JSON.stringify(MEASURE_SHARES.map(([measure, share]) => ({ measure, share }))),
      ],
    ),
  );
  await dataSource.query(`VACUUM ANALYZE statistics_daily`);
  await dataSource.query(`VACUUM ANALYZE statistics_monthly`);
  const [{ rows: rollupRowCount } = { rows: 0 }] = await dataSource.query<{ rows: number }[]>(
    `SELECT count(*)::int AS rows FROM statistics_daily`,
  );
  out(
    `  filled statistics_daily: ${rollupRowCount.toLocaleString('en')} rows in ${(rollupFill.ms / 1000).toFixed(1)} s`,
  );

  // One row per order: received on a day of the year, accepted within hours, replied within
  // days, rated a day later; deadlines 1 and 7 days after receipt. Instants as +08:00 wall time.
  await dataSource.query(`
    CREATE UNLOGGED TABLE bench_orders (
    work_order_id   bigint NOT NULL,
    unit_id         text NOT NULL,
    category        text NOT NULL,
    excluded        boolean NOT NULL,
    received_at     timestamptz NOT NULL,
    accept_due_at   timestamptz NOT NULL,
    accepted_at     timestamptz,
    complete_due_at timestamptz NOT NULL,
    replied_at      timestamptz,
    callback_at     timestamptz,
    rating          text
    )`);
  const scanFill = await timed(() =>
    dataSource.query(
      `INSERT INTO bench_orders
     SELECT i, 'unit-' || lpad((1 + i % $2)::text, 2, '0'), ($3::text[])[(1 + (i / $2) % 6)::int],
            i % 200 = 0, r, r + interval '1 day', r + (random() * 30)::int * interval '1 hour',
            r + interval '7 days', r + (random() * 8 * 24)::int * interval '1 hour',
            r + (random() * 9 * 24 + 24)::int * interval '1 hour',
            (ARRAY['satisfied','satisfied','satisfied','basically_satisfied','dissatisfied','unreachable','declined'])[(1 + (i * 7919) % 7)::int]
       FROM (SELECT i, timestamptz '2024-01-01 00:00+08' + (i::float8 / $1 * $4) * interval '1 day' AS r
               FROM generate_series(0, $1::bigint - 1) AS i) AS s`,
      [ORDERS, UNITS, CATEGORIES, DAYS],
    ),
  );
  await dataSource.query(`VACUUM ANALYZE bench_orders`);
  const [{ size } = { size: '?' }] = await dataSource.query<{ size: string }[]>(
    `SELECT pg_size_pretty(pg_table_size('bench_orders')) AS size`,
  );
  out(
    `  filled bench_orders: ${ORDERS.toLocaleString('en')} rows (${size}) in ${(scanFill.ms / 1000).toFixed(1)} s`,
  );

  await fillWorkOrders(dataSource);
  await fillEscalations(dataSource);
  // What the worker does every second: the counts take in the changes the fills appended.
  await foldStatisticsCounts(dataSource);
  await dataSource.query(
    `VACUUM ANALYZE escalation_counts_daily, escalation_counts_monthly, overdue_pending_counts, overdue_pending_totals`,
  );

  // Gigabytes were just written: flushed now, not while the reads are timed.
  await dataSource.query(`CHECKPOINT`).catch((error: unknown) => {
    out(`  no CHECKPOINT (${String(error)}): the fill's writes may still be flushing`);
  });
  await dataSource.query(`CREATE TABLE bench_meta (orders bigint NOT NULL, layout text NOT NULL)`);
  await dataSource.query(`INSERT INTO bench_meta (orders, layout) VALUES ($1, $2)`, [
    ORDERS,
    LAYOUT,
  ]);
}

/**
 * Runs `work` with `table`'s secondary indexes dropped and builds them again after it (a build
 * is many times faster than ten million inserts into each), then vacuums and analyzes the table.
 */
async function withIndexesRebuilt(
  dataSource: DataSource,
  table: string,
  work: () => Promise<unknown>,
): Promise<void> {
  const indexes = await dataSource.query<{ name: string; definition: string }[]>(
    `SELECT i.indexrelid::regclass::text AS name, pg_get_indexdef(i.indexrelid) AS definition
       FROM pg_index i
      WHERE i.indrelid = $1::regclass AND NOT i.indisprimary AND NOT i.indisunique`,
    [table],
  );
  for (const index of indexes) await dataSource.query(`DROP INDEX ${index.name}`);
  await work();
  await dataSource.query(`SET maintenance_work_mem = '512MB'`);
  for (const index of indexes) await dataSource.query(index.definition);
  await dataSource.query(`VACUUM ANALYZE ${table}`);
}

/**
 * BENCH_ORDERS orders received evenly from the year's start to NOW. Acceptance within 26 h
 * (most within a few: cubed uniform; due after 24 h), reply within 7.5 days of it (squared; due
 * 7 days after receipt), close 1–30 days after the reply. A tail of 3% stays open: 15% of it
 * never accepted, 40% never replied, the rest closed up to 300 days after the reply. What would
 * happen after NOW has not happened; open orders keep their next due instant after NOW.
 */
async function fillWorkOrders(dataSource: DataSource): Promise<void> {
  await dataSource.query(`TRUNCATE work_orders, work_order_due, escalations CASCADE`);
  const filled = await timed(() =>
    withIndexesRebuilt(dataSource, 'work_orders', () =>
      dataSource.query(
        `INSERT INTO work_orders (work_order_id, status, unit_id, category, received_at, dispatched_at,
                                  accepted_at, replied_at, closed_at, excluded, accept_due_at,
                                  complete_due_at, state, event_count, last_event_at)
         SELECT 'WO' || lpad(i::text, 9, '0'),
                CASE WHEN c IS NOT NULL THEN 'closed' WHEN returned THEN 'returned'
                     WHEN p IS NOT NULL THEN 'replied' WHEN a IS NOT NULL THEN 'accepted'
                     ELSE 'dispatched' END,
                unit_id, category, r, r + interval '10 minutes', a, p, c, i % 200 = 0,
                r + interval '1 day', r + interval '7 days',
                jsonb_build_object('workOrderId', 'WO' || i, 'unitId', unit_id, 'category', category,
                                   'receivedAt', r, 'returnedAt', CASE WHEN returned THEN r + interval '2 hours' END,
                                   'subject', repeat('市民反映噪音扰民', 12)),
                2 + (a IS NOT NULL)::int + (p IS NOT NULL)::int + 2 * (c IS NOT NULL)::int,
                greatest(r, a, p, c)
           FROM (SELECT i, timestamptz '2024-01-01 00:00+08' + (i::float8 / $1) * ($2::timestamptz - timestamptz '2024-01-01 00:00+08') AS r,
                        random() AS x1, random() AS x2, random() AS x3, random() AS x4,
                        random() AS x5, random() < 0.03 AS tail
                   FROM generate_series(0, $1::bigint - 1) AS i) AS g,
                LATERAL (SELECT 'unit-' || lpad((1 + i % $3)::text, 2, '0') AS unit_id,
                                ($4::text[])[(1 + (i / $3) % 6)::int] AS category,
                                CASE WHEN NOT (tail AND x2 >= 0.85)
                                     THEN r + x1 * x1 * x1 * interval '26 hours' END AS a0) AS sa,
                LATERAL (SELECT CASE WHEN a0 IS NOT NULL AND NOT (tail AND x2 < 0.4)
                                     THEN a0 + x3 * x3 * interval '180 hours' END AS p0) AS sp,
                LATERAL (SELECT CASE WHEN p0 IS NULL THEN NULL
                                     WHEN tail THEN p0 + x4 * interval '300 days'
                                     ELSE p0 + (1 + x4 * 29) * interval '1 day' END AS c0) AS sq,
                LATERAL (SELECT CASE WHEN a0 < $2 THEN a0 END AS a,
                                CASE WHEN a0 < $2 AND p0 < $2 THEN p0 END AS p,
                                CASE WHEN a0 < $2 AND p0 < $2 AND c0 < $2 THEN c0 END AS c,
                                (c0 IS NULL OR c0 >= $2) AND x5 < 0.01 AS returned) AS sc`,
        [ORDERS, NOW, UNITS, CATEGORIES],
      ),
    ),
  );
  // The open orders' next due instant after NOW, in the sweep's schedule.
  await dataSource.query(
    `INSERT INTO work_order_due (work_order_id, next_due_at)
     SELECT work_order_id, due FROM work_orders,
            LATERAL (SELECT CASE WHEN accepted_at IS NULL AND accept_due_at > $1 THEN accept_due_at
                                 WHEN replied_at IS NULL AND complete_due_at > $1 THEN complete_due_at
                            END AS due) AS d
      WHERE closed_at IS NULL AND status <> 'returned' AND due IS NOT NULL`,
    [NOW],
  );
  const [shares] = await dataSource.query<{ open: string; overdue: string; size: string }[]>(
    `SELECT (count(*) FILTER (WHERE closed_at IS NULL))::text AS open,
            (count(*) FILTER (WHERE closed_at IS NULL AND status <> 'returned'
               AND ((accepted_at IS NULL AND accept_due_at < $1) OR (replied_at IS NULL AND complete_due_at < $1))))::text AS overdue,
            pg_size_pretty(pg_total_relation_size('work_orders')) AS size
       FROM work_orders`,
    [NOW],
  );
  out(
    `  filled work_orders: ${ORDERS.toLocaleString('en')} rows (${shares?.size ?? '?'} with indexes), ` +
      `${Number(shares?.open).toLocaleString('en')} open and ${Number(shares?.overdue).toLocaleString('en')} ` +
      `of them overdue at ${NOW.toISOString()}, in ${(filled.ms / 1000).toFixed(1)} s`,
  );
}

/**
 * The escalations the orders' instants imply: a warning 4 hours before acceptance is due and a
 * day before completion is due when the stage was not done by then, an overdue escalation when it
 * was not done by its deadline; fired at those instants up to NOW, 1% of them withdrawn.
 */
async function fillEscalations(dataSource: DataSource): Promise<void> {
  const filled = await timed(() =>
    withIndexesRebuilt(dataSource, 'escalations', () =>
      dataSource.query(
        `INSERT INTO escalations (escalation_id, escalation_key, work_order_id, unit_id, kind, segment,
                                  round, level, status, reason, due_at, fired_at, fired_on,
                                  level_changed_at, recipients, withdrawal)
         SELECT gen_random_uuid(), w.work_order_id || '|' || e.kind || '|s1|r0', w.work_order_id,
                w.unit_id, e.kind, 1, 0, 1,
                CASE WHEN withdrawn THEN 'withdrawn' WHEN w.closed_at IS NULL THEN 'open' ELSE 'resolved' END,
                'bench', e.due_at, e.fired_at, (e.fired_at AT TIME ZONE $2)::date, e.fired_at, '[]',
                CASE WHEN withdrawn THEN '{"reason": "done_in_time"}'::jsonb END
           FROM work_orders w,
                LATERAL (VALUES
                  ('accept_warning', w.accept_due_at, w.accept_due_at - interval '4 hours', w.accepted_at),
                  ('accept_overdue', w.accept_due_at, w.accept_due_at, w.accepted_at),
                  ('complete_warning', w.complete_due_at, w.complete_due_at - interval '1 day', w.replied_at),
                  ('complete_overdue', w.complete_due_at, w.complete_due_at, w.replied_at)
                ) AS e(kind, due_at, fired_at, done_at),
                LATERAL (SELECT hashtext(w.work_order_id || e.kind) % 100 = 0 AS withdrawn) AS x
          WHERE e.fired_at < $1 AND (e.done_at IS NULL OR e.done_at > e.fired_at)
            AND (w.closed_at IS NULL OR w.closed_at > e.fired_at)`,
        [NOW, ZONE],
      ),
    ),
  );
  const [count] = await dataSource.query<{ all: string; month: string }[]>(
    `SELECT count(*)::text AS all, count(*) FILTER (WHERE fired_at >= $1)::text AS month FROM escalations`,
    [new Date('2024-12-01T00:00:00+08:00')],
  );
  out(
    `  filled escalations: ${Number(count?.all).toLocaleString('en')} rows ` +
      `(${Number(count?.month).toLocaleString('en')} in ${MONTH.fromOn.slice(0, 7)}) in ${(filled.ms / 1000).toFixed(1)} s`,
  );
}

/** Whether the database already holds this size's data (a kept BENCH_DATABASE). */
async function filledWith(dataSource: DataSource, orders: number): Promise<boolean> {
  const [found] = await dataSource.query<{ layout: string | null }[]>(
    `SELECT (SELECT 1 FROM pg_attribute
              WHERE attrelid = to_regclass('bench_meta') AND attname = 'layout')::text AS layout`,
  );
  if (found?.layout == null) return false;
  const [meta] = await dataSource.query<{ orders: string; layout: string }[]>(
    `SELECT max(orders)::text AS orders, max(layout) AS layout FROM bench_meta`,
  );
  return meta?.orders === String(orders) && meta.layout === LAYOUT;
}

/** Median time of `runs` runs of `work` after one warming run, and its last value. */
async function medianOf<T>(
  runs: number,
  work: () => Promise<T>,
): Promise<{ ms: number; value: T }> {
  let value: T = await work();
  const times: number[] = [];
  for (let run = 0; run < runs; run += 1) {
    const t = await timed(work);
    times.push(t.ms);
    value = t.value;
  }
  return { ms: median(times), value };
}

/** Fails the run when the maintained escalation counts and a count of the rows disagree. */
async function checkEscalations(dataSource: DataSource): Promise<number> {
  const key = (counts: EscalationCount[]) =>
    JSON.stringify(counts.map((c) => `${c.unitId}|${c.category}|${c.kind}|${c.count}`).sort());
  const counted = await escalationCounts(dataSource, MONTH.fromOn, MONTH.toOn, ZONE);
  const scanned = await escalationCountsByScan(dataSource, MONTH.fromOn, MONTH.toOn, ZONE);
  const sum = (counts: EscalationCount[]) => counts.reduce((n, c) => n + c.count, 0);
  if (key(counted) !== key(scanned)) {
    throw new Error(`escalations: counted ${sum(counted)}, by scan ${sum(scanned)}`);
  }
  return sum(counted);
}

const canonical = (counts: OverdueCount[]) =>
  JSON.stringify(counts.map((c) => `${c.unitId}|${c.category}|${c.stage}|${c.count}`).sort());
const total = (counts: OverdueCount[]) => counts.reduce((n, c) => n + c.count, 0);

/** Fails the run when the indexed overdue read and the scan disagree at `at`. */
async function checkOverdue(dataSource: DataSource, at: Date): Promise<number> {
  const indexed = await overdueOpenCounts(dataSource, at, formula.leaveOutExcludedOrders);
  const scanned = await overdueOpenCountsByScan(dataSource, at, formula.leaveOutExcludedOrders);
  if (canonical(indexed) !== canonical(scanned)) {
    throw new Error(
      `overdue at ${at.toISOString()}: indexed ${total(indexed)}, by scan ${total(scanned)}`,
    );
  }
  return total(indexed);
}

/**
 * The month as served (`monthReport`) and each of its reads alone, taken in rounds (one of each
 * per round, after WARM_ROUNDS rounds not counted) so that all four see the same state of the
 * machine and of the caches: a figure taken in a block of its own moved with whatever ran just
 * before it. Then the previous month's close, apart (it reads every order closed late since).
 */
async function measureServed(dataSource: DataSource) {
  const month = MONTH.fromOn.slice(0, 7);
  const reads = {
    served: () =>
      monthReport(dataSource, month, {
        groupBy: 'unit',
        unitId: null,
        formula,
        timeZone: ZONE,
        now: NOW,
      }),
    rollup: () => rollupRows(dataSource, MONTH.fromOn, MONTH.toOn),
    escalations: () => escalationCounts(dataSource, MONTH.fromOn, MONTH.toOn, ZONE),
    overdue: () => overdueOpenCounts(dataSource, NOW, formula.leaveOutExcludedOrders),
  };
  const times: Record<keyof typeof reads, number[]> = {
    served: [],
    rollup: [],
    escalations: [],
    overdue: [],
  };
  let served = await reads.served();
  let escalations = await reads.escalations();
  let overdue = await reads.overdue();
  for (let round = 0; round < WARM_ROUNDS + RUNS; round += 1) {
    const t = {
      served: await timed(reads.served),
      rollup: await timed(reads.rollup),
      escalations: await timed(reads.escalations),
      overdue: await timed(reads.overdue),
    };
    served = t.served.value;
    escalations = t.escalations.value;
    overdue = t.overdue.value;
    if (round < WARM_ROUNDS) continue;
    for (const name of Object.keys(times) as (keyof typeof reads)[]) times[name].push(t[name].ms);
  }
  if (served.overdueAt.getTime() !== NOW.getTime() || served.closed !== null) {
    throw new Error(`the month ${month} is not served live at ${NOW.toISOString()}`);
  }
  const atMonthEnd = await medianOf(RUNS, () =>
    overdueOpenCounts(dataSource, PREVIOUS_MONTH_END, formula.leaveOutExcludedOrders),
  );
  return {
    servedMs: median(times.served),
    received: served.total.received,
    parts: {
      rollupMs: median(times.rollup),
      escalationsMs: median(times.escalations),
      overdueMs: median(times.overdue),
    },
    escalations: escalations.reduce((n, e) => n + e.count, 0),
    overdue: total(overdue),
    overdueAtMonthEndMs: atMonthEnd.ms,
    overdueAtMonthEnd: total(atMonthEnd.value),
  };
}

/** The same month summed from its daily rows (the read before the monthly rollup). */
async function fromDays(dataSource: DataSource): Promise<number> {
  const rows = await dataSource.query<
    { unit_id: string; category: Category; measure: FactMeasure; count: string }[]
  >(
    `SELECT unit_id, category, measure, sum(count)::bigint AS count
       FROM statistics_daily WHERE day_on BETWEEN $1::date AND $2::date
      GROUP BY unit_id, category, measure`,
    [MONTH.fromOn, MONTH.toOn],
  );
  return summarizeStatistics(
    rows.map((r) => ({
      dayOn: MONTH.fromOn,
      unitId: r.unit_id,
      category: r.category,
      measure: r.measure,
      count: Number(r.count),
    })),
    formula,
    'unit',
  ).total.received;
}

/** The baseline: the rollup's counts of the month by one GROUP BY over every order. */
async function fullScan(dataSource: DataSource): Promise<number> {
  const rows = await dataSource.query<{ received: string }[]>(
    `WITH b AS (SELECT ($1::date)::timestamp AT TIME ZONE $3 AS s,
                       ($2::date + 1)::timestamp AT TIME ZONE $3 AS e)
     SELECT o.unit_id, o.category,
            count(*) FILTER (WHERE o.received_at >= b.s AND o.received_at < b.e) AS received,
            count(*) FILTER (WHERE o.callback_at >= b.s AND o.callback_at < b.e AND o.rating = 'satisfied') AS satisfied,
            count(*) FILTER (WHERE o.callback_at >= b.s AND o.callback_at < b.e AND o.rating = 'basically_satisfied') AS basically,
            count(*) FILTER (WHERE o.callback_at >= b.s AND o.callback_at < b.e AND o.rating = 'dissatisfied') AS dissatisfied,
            count(*) FILTER (WHERE o.callback_at >= b.s AND o.callback_at < b.e AND o.rating = 'unreachable') AS unreachable,
            count(*) FILTER (WHERE o.callback_at >= b.s AND o.callback_at < b.e AND o.rating = 'declined') AS declined,
            count(*) FILTER (WHERE o.accepted_at >= b.s AND o.accepted_at < b.e) AS accept_finished,
            count(*) FILTER (WHERE o.accepted_at >= b.s AND o.accepted_at < b.e AND o.accepted_at < o.accept_due_at) AS accept_on_time,
            count(*) FILTER (WHERE o.replied_at >= b.s AND o.replied_at < b.e) AS complete_finished,
            count(*) FILTER (WHERE o.replied_at >= b.s AND o.replied_at < b.e AND o.replied_at < o.complete_due_at) AS complete_on_time
       FROM bench_orders o, b
      WHERE NOT o.excluded
      GROUP BY o.unit_id, o.category`,
    [MONTH.fromOn, MONTH.toOn, ZONE],
  );
  return rows.reduce((a, r) => a + Number(r.received), 0);
}

/** Every figure of the run, printed as it comes; the result file's `p5`. */
async function measure(dataSource: DataSource) {
  const label = MONTH.fromOn.slice(0, 7);
  const ms = (value: number) => `${value.toFixed(1)} ms`;
  // The product's reads first: the checks and baselines below scan gigabytes, and would leave
  // the caches as no request to the API does.
  const served = await measureServed(dataSource);
  // The indexed overdue read must count what the scan counts, live and at a month's end.
  const overdueNow = await checkOverdue(dataSource, NOW);
  const overdueAtEnd = await checkOverdue(dataSource, PREVIOUS_MONTH_END);
  const escalationsInMonth = await checkEscalations(dataSource);
  out(
    `  escalations in ${label}: ${escalationsInMonth.toLocaleString('en')} (maintained counts = a count of the rows)`,
  );
  out(
    `  overdue and open: ${overdueNow.toLocaleString('en')} at ${NOW.toISOString()}, ` +
      `${overdueAtEnd.toLocaleString('en')} at ${PREVIOUS_MONTH_END.toISOString()} (indexed read = scan)`,
  );
  const days = await medianOf(RUNS, () => fromDays(dataSource));
  const scan = await medianOf(SCAN_RUNS, () => fullScan(dataSource));
  const overdueScan = await medianOf(SCAN_RUNS, () =>
    overdueOpenCountsByScan(dataSource, NOW, formula.leaveOutExcludedOrders),
  );
  const escalationScan = await medianOf(SCAN_RUNS, () =>
    escalationCountsByScan(dataSource, MONTH.fromOn, MONTH.toOn, ZONE),
  );
  const ratio = scan.ms / served.servedMs;
  out(
    `  ${label} as served (monthReport, live at ${NOW.toISOString()}): ${ms(served.servedMs)} median of ` +
      `${RUNS} (${served.received.toLocaleString('en')} received) — target ≤ ${TARGET_MS} ms: ` +
      `${served.servedMs <= TARGET_MS ? 'met' : 'MISSED'}, stretch ≤ ${STRETCH_MS} ms: ` +
      `${served.servedMs <= STRETCH_MS ? 'met' : 'missed'}`,
  );
  out(
    `    its reads alone: rollup ${ms(served.parts.rollupMs)}, escalations ${ms(served.parts.escalationsMs)} ` +
      `(${served.escalations.toLocaleString('en')}; by the join it replaced ${ms(escalationScan.ms)}), overdue and open ${ms(served.parts.overdueMs)} ` +
      `(${served.overdue.toLocaleString('en')}; by the scan it replaced ${ms(overdueScan.ms)})`,
  );
  out(
    `    overdue and open at the previous month's end (a month close): ${ms(served.overdueAtMonthEndMs)} ` +
      `(${served.overdueAtMonthEnd.toLocaleString('en')})`,
  );
  out(`  ${label} summed from the daily rollup: ${ms(days.ms)} median of ${RUNS}`);
  if (days.value !== served.received) {
    throw new Error(`the monthly rollup says ${served.received} received, the days ${days.value}`);
  }
  out(
    `  ${label} by full scan: ${ms(scan.ms)} median of ${SCAN_RUNS} ` +
      `(${scan.value.toLocaleString('en')} received)`,
  );
  out(
    `  ratio: ${ratio.toFixed(1)}× — target ≥ ${TARGET_RATIO}×: ${ratio >= TARGET_RATIO ? 'met' : 'MISSED'}`,
  );
  return {
    orders: ORDERS,
    month: label,
    now: NOW.toISOString(),
    /** The whole month as served. */
    rollupMs: served.servedMs,
    parts: served.parts,
    overdueOpen: served.overdue,
    escalations: served.escalations,
    overdueScanMs: overdueScan.ms,
    escalationScanMs: escalationScan.ms,
    overdueAtMonthEndMs: served.overdueAtMonthEndMs,
    dailyRollupMs: days.ms,
    fullScanMs: scan.ms,
    ratio,
    targetMs: TARGET_MS,
    stretchMs: STRETCH_MS,
    targetRatio: TARGET_RATIO,
  };
}

async function main(): Promise<void> {
  const admin = await resolvePostgresAdminUrl({
    databaseUrl: process.env.DATABASE_URL || undefined,
  });
  const name = KEEP ?? `hotline_bench_stats_${Date.now().toString(36)}`;
  await createDatabase(admin.url, name).catch((error: unknown) => {
    // A kept database is reused.
    if (KEEP === undefined || !/already exists/.test(String(error))) throw error;
  });
  // The API's pool runs the report's three reads at once.
  const dataSource = createDataSource({ url: databaseUrl(admin.url, name), poolSize: 4 });
  try {
    await dataSource.initialize();
    await migrate(dataSource);
    out(
      `P5 statistics: ${ORDERS.toLocaleString('en')} orders over ${DAYS} days, ${UNITS} units × ` +
        `${CATEGORIES.length} categories (${Math.round(ORDERS / DAYS).toLocaleString('en')} orders/day), ` +
        `server ${admin.source}`,
    );
    if (await filledWith(dataSource, ORDERS)) out(`  reusing the data in ${name}`);
    else await fill(dataSource);
    const result = await measure(dataSource);
    out(`  written ${writeResult('statistics', { p5: result })}`);
  } finally {
    if (dataSource.isInitialized) await dataSource.destroy();
    if (KEEP === undefined) {
      await dropDatabase(admin.url, name);
      out(`  dropped database ${name}`);
    } else out(`  kept database ${name} (drop it when done)`);
    await admin.stop();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(
    `${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
});
