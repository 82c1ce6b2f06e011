/**
 * P5: one month's statistics over ten million orders, from the rollup, against a full-scan
 * recompute of the same month measured in the same run (target ≤ 20 ms warm and ≥ 25×, stretch
 * ≤ 5 ms).
 *
 * In a throw-away database on the resolved PostgreSQL server (or BENCH_DATABASE, kept and reused
 * when it already holds BENCH_ORDERS orders: building ten million takes minutes):
 * - `statistics_daily` (the product's table, migrated) is filled with the facts of BENCH_ORDERS
 *   orders (default 10,000,000) over a year: ~27k orders a day across 30 units × 6 categories,
 *   14 measures per (day, unit, category), counts drawn around realistic shares;
 * - `bench_orders`, a narrow work_orders-like table of BENCH_ORDERS rows (the columns a recompute
 *   needs: unit, category, instants of receipt, acceptance, reply and callback, their deadlines,
 *   the rating, excluded), UNLOGGED so filling it takes a few minutes on 2 cores.
 *   Filling the daily rollup fills `statistics_monthly` through its triggers, as ingestion does.
 * The rollup side is the product's read (`rollupRows`: a whole month's units × categories ×
 * measures rows from the monthly rollup, then `summarizeStatistics` by unit); beside it the same
 * counts summed from the month's daily rows (the read before the monthly rollup), and the
 * baseline that computes them with one GROUP BY over the whole table. All warm, median of
 * BENCH_RUNS (rollup reads) and BENCH_SCAN_RUNS (scan).
 *
 *   npm run bench:statistics            (BENCH_ORDERS=1000000 for a quick run;
 *                                        BENCH_DATABASE=hotline_bench_p5_keep to keep the data)
 */
import { writeResult } from './bench-result';
import { performance } from 'node:perf_hooks';
import {
  summarizeStatistics,
  type Category,
  type FactMeasure,
  type StatisticsFormula,
} from '@hotline/core';
import { createDataSource, migrate } from '@hotline/persistence';
import type { DataSource } from 'typeorm';
import { rollupRows } from '@hotline/persistence/statistics';
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
const UNITS = 30;
const CATEGORIES = ['consultation', 'help', 'complaint', 'report', 'suggestion', 'praise'];
const DAYS = 366; // 2024
const MONTH = { fromOn: '2024-06-01', toOn: '2024-06-30' };
const ZONE = 'Asia/Shanghai';

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

  await dataSource.query(`CREATE TABLE bench_meta (orders bigint NOT NULL)`);
  await dataSource.query(`INSERT INTO bench_meta (orders) VALUES ($1)`, [ORDERS]);
}

/** Whether the database already holds this size's data (a kept BENCH_DATABASE). */
async function filledWith(dataSource: DataSource, orders: number): Promise<boolean> {
  const [found] = await dataSource.query<{ meta: string | null }[]>(
    `SELECT to_regclass('bench_meta')::text AS meta`,
  );
  if (found?.meta == null) return false;
  const [meta] = await dataSource.query<{ orders: string }[]>(
    `SELECT max(orders)::text AS orders FROM bench_meta`,
  );
  return meta?.orders === String(orders);
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
  const dataSource = createDataSource({ url: databaseUrl(admin.url, name), poolSize: 2 });
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
    const fromRollup = async () =>
      summarizeStatistics(await rollupRows(dataSource, MONTH.fromOn, MONTH.toOn), formula, 'unit');
    // The same month summed from its daily rows (the read before the monthly rollup).
    const fromDays = async () => {
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
      );
    };
    const fullScan = () =>
      dataSource.query<{ received: string }[]>(
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

    // Warm all three (buffers, hint bits, plans), then measure.
    await fromRollup();
    await fromDays();
    await fullScan();
    const rollupTimes: number[] = [];
    const dayTimes: number[] = [];
    let received = 0;
    let daysReceived = 0;
    for (let run = 0; run < RUNS; run += 1) {
      const { ms, value } = await timed(fromRollup);
      rollupTimes.push(ms);
      received = value.total.received;
      const days = await timed(fromDays);
      dayTimes.push(days.ms);
      daysReceived = days.value.total.received;
    }
    if (daysReceived !== received) {
      throw new Error(`the monthly rollup says ${received} received, the days ${daysReceived}`);
    }
    const scanTimes: number[] = [];
    let scanReceived = 0;
    for (let run = 0; run < SCAN_RUNS; run += 1) {
      const { ms, value } = await timed(fullScan);
      scanTimes.push(ms);
      scanReceived = value.reduce((a, r) => a + Number(r.received), 0);
    }
    const rollupMs = median(rollupTimes);
    const daysMs = median(dayTimes);
    const scanMs = median(scanTimes);
    const ratio = scanMs / rollupMs;
    out(
      `  ${MONTH.fromOn.slice(0, 7)} from the rollup: ${rollupMs.toFixed(1)} ms median of ${RUNS} ` +
        `(${received.toLocaleString('en')} received) — target ≤ ${TARGET_MS} ms: ` +
        `${rollupMs <= TARGET_MS ? 'met' : 'MISSED'}, stretch ≤ ${STRETCH_MS} ms: ` +
        `${rollupMs <= STRETCH_MS ? 'met' : 'missed'}`,
    );
    out(
      `  ${MONTH.fromOn.slice(0, 7)} summed from the daily rollup: ${daysMs.toFixed(1)} ms median of ${RUNS}`,
    );
    out(
      `  ${MONTH.fromOn.slice(0, 7)} by full scan: ${scanMs.toFixed(1)} ms median of ${SCAN_RUNS} ` +
        `(${scanReceived.toLocaleString('en')} received)`,
    );
    out(
      `  ratio: ${ratio.toFixed(1)}× — target ≥ ${TARGET_RATIO}×: ${ratio >= TARGET_RATIO ? 'met' : 'MISSED'}`,
    );
    out(
      `  written ${writeResult('statistics', {
        p5: {
          orders: ORDERS,
          month: MONTH.fromOn.slice(0, 7),
          rollupMs,
          dailyRollupMs: daysMs,
          fullScanMs: scanMs,
          ratio,
          targetMs: TARGET_MS,
          stretchMs: STRETCH_MS,
          targetRatio: TARGET_RATIO,
        },
      })}`,
    );
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
