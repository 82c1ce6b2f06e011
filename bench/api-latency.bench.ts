/**
 * P7: the supervisors' API at 50 requests/s with a million orders. A year of simulated traffic
 * (~20,000 orders, ingested for real, so details have events, deadlines and escalations) among a
 * million filler orders copied from one of them; the compiled API on loopback, driven open-loop (each
 * request at its slot on a fixed timetable, whatever the earlier ones are doing; latency counted
 * from the slot) with a mix of list, unit list, detail and open-escalation requests. Beside it, in
 * the same run, the naive list: the same first-page query without the read indexes.
 *
 *   npm run bench:api      (BENCH_ORDERS=1000000, BENCH_REAL_ORDERS=20000, BENCH_SECONDS=20)
 */
import { randomBytes } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { DEFAULT_SUPERVISION_POLICY, DEFAULT_WATERMARK_POLICY } from '@hotline/core';
import { createDataSource, listWorkOrders } from '@hotline/persistence';
import {
  loadConfig,
  loadHandlingRules,
  loadOrganisation,
  loadStatisticsFormula,
  recipientsResolver,
  signAccessToken,
} from '@hotline/platform';
import { loadSimulationData, simulateYear } from '@hotline/simulator';
import { createFreshDatabase } from '@hotline/testing';
import type { DataSource } from 'typeorm';
import {
  IngestBatchService,
  type RawMessage,
} from '../apps/worker/src/ingestion/ingest-batch.service';
import { writeResult } from './bench-result';
import { BENCH_UNITS, fillOrderHistory, startCompiledApp, templateOrder } from './fixtures';

const ORDERS = Number(process.env.BENCH_ORDERS ?? process.env.BENCH_OPEN_ORDERS ?? 1_000_000);
const REAL_ORDERS = Number(process.env.BENCH_REAL_ORDERS ?? 20_000);
const RATE_PER_SECOND = 50;
const SECONDS = Number(process.env.BENCH_SECONDS ?? 20);
const NAIVE_RUNS = 20;
const TARGET_P95_MS = 100;
const YEAR = 2025;
const TOPIC = 'bench.events';
const READ_INDEXES = [
  'work_orders_received_idx',
  'work_orders_unit_received_idx',
  'work_orders_status_received_idx',
];

const out = (line = '') => process.stdout.write(`${line}\n`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const seconds = (since: number) => `${((Date.now() - since) / 1000).toFixed(1)} s`;

interface Percentiles {
  count: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  maxMs: number;
}

function percentiles(values: number[]): Percentiles {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (p: number) =>
    sorted.length === 0
      ? NaN
      : sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
  return {
    count: sorted.length,
    p50Ms: at(50),
    p95Ms: at(95),
    p99Ms: at(99),
    maxMs: sorted[sorted.length - 1] ?? NaN,
  };
}

function build(): void {
  if (process.env.BENCH_SKIP_BUILD === '1') return;
  const started = Date.now();
  const run = spawnSync('npm', ['run', '--silent', 'build'], { stdio: 'inherit' });
  if (run.status !== 0) throw new Error('npm run build failed');
  out(`built dist/ in ${seconds(started)}`);
}

/** A simulated year through the worker's own ingestion, in batches; returns the order ids. */
async function ingestSimulatedYear(ds: DataSource, orders: number): Promise<string[]> {
  const config = loadConfig();
  const { events } = simulateYear({
    seed: 20250101,
    year: YEAR,
    orders,
    ...loadSimulationData(config.files),
  });
  const service = new IngestBatchService(
    ds,
    loadHandlingRules(config.files),
    {
      escalationsTopic: 'bench.escalations',
      policy: DEFAULT_SUPERVISION_POLICY,
      recipients: recipientsResolver(loadOrganisation(config.files.organisation)),
      watermark: DEFAULT_WATERMARK_POLICY,
    },
    loadStatisticsFormula(config.files),
  );
  const messages: RawMessage[] = events.map((event, offset) => ({
    topic: TOPIC,
    partition: 0,
    offset: String(offset),
    key: Buffer.from(event.workOrderId),
    value: Buffer.from(JSON.stringify(event)),
    headers: {},
  }));
  for (let i = 0; i < messages.length; i += 5000) {
    const last = i + 5000 >= messages.length;
    await service.ingest(messages.slice(i, i + 5000), { caughtUp: last, receivedAt: new Date() });
  }
  return [...new Set(events.map((e) => e.workOrderId))];
}

type Route = 'list' | 'list by unit' | 'detail' | 'open escalations';

/** The mix, by slot: 6 in 20 list pages 1–5, 4 a unit's list, 7 details, 3 open escalations. */
function requestFor(slot: number, ids: string[]): { route: Route; path: string } {
  const turn = slot % 20;
  if (turn < 6) return { route: 'list', path: `/work-orders?page=${(slot % 5) + 1}` };
  if (turn < 10) {
    return { route: 'list by unit', path: `/work-orders?unitId=${BENCH_UNITS[slot % 10]}` };
  }
  if (turn < 17) {
    return { route: 'detail', path: `/work-orders/${ids[(slot * 7919) % ids.length]}` };
  }
  return { route: 'open escalations', path: '/escalations?status=open' };
}

/** The list's first page straight through the read function, `runs` times; latencies in ms. */
async function timeListPage(ds: DataSource, runs: number): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < runs; i += 1) {
    const start = performance.now();
    await listWorkOrders(ds, {}, { page: 1, pageSize: 20 }, new Date());
    times.push(performance.now() - start);
  }
  return times;
}

async function main(): Promise<void> {
  build();
  const db = await createFreshDatabase('hotline_bench_api');
  const ds = createDataSource({ url: db.url, poolSize: 2 });
  await ds.initialize();
  // One connection: session state (a transaction) covers every query issued through it.
  const direct = createDataSource({ url: db.url, poolSize: 1 });
  await direct.initialize();
  let api: Awaited<ReturnType<typeof startCompiledApp>> | undefined;
  try {
    let started = Date.now();
    const ids = await ingestSimulatedYear(ds, REAL_ORDERS);
    const [real] = await ds.query<{ orders: number; events: number; escalations: number }[]>(
      `SELECT (SELECT count(*)::int FROM work_orders) AS orders,
              (SELECT count(*)::int FROM work_order_events) AS events,
              (SELECT count(*)::int FROM escalations) AS escalations`,
    );
    out(
      `ingested ${real?.events} simulated events (${real?.orders} orders, ${real?.escalations} escalations) in ${seconds(started)}`,
    );
    started = Date.now();
    await fillOrderHistory(
      ds,
      ORDERS,
      new Date(`${YEAR + 1}-01-01T00:00:00+08:00`),
      await templateOrder(ds, ids[0]!),
    );
    await ds.query('VACUUM ANALYZE');
    out(`filled ${ORDERS} orders in ${seconds(started)}`);

    const secret = randomBytes(32).toString('hex');
    api = await startCompiledApp('api', { DATABASE_URL: db.url, JWT_SECRET: secret });
    const base = api.base;
    const authorization = `Bearer ${await signAccessToken(
      { subject: 'bench-supervisor', role: 'supervisor', ttlSeconds: 3600, now: new Date() },
      secret,
    )}`;
    const get = async (path: string) => {
      const res = await fetch(`${base}${path}`, { headers: { authorization } });
      await res.arrayBuffer();
      return res.status;
    };
    // Warm-up, sequential: each route's plan and code paths once or twice.
    for (let slot = 0; slot < 40; slot += 1) {
      const { path } = requestFor(slot, ids);
      const status = await get(path);
      if (status !== 200) throw new Error(`GET ${path}: ${status}\n${api.output()}`);
    }

    // Open loop: request i leaves at t0 + i × 20 ms, measured from that instant.
    const total = RATE_PER_SECOND * SECONDS;
    const latencies = new Map<Route, number[]>();
    const failures: string[] = [];
    const inFlight: Promise<void>[] = [];
    const t0 = performance.now() + 200;
    for (let slot = 0; slot < total; slot += 1) {
      const at = t0 + (slot * 1000) / RATE_PER_SECOND;
      const wait = at - performance.now();
      if (wait > 0) await sleep(wait);
      const { route, path } = requestFor(slot + 40, ids);
      inFlight.push(
        get(path).then(
          (status) => {
            const ms = performance.now() - at;
            if (status !== 200) failures.push(`${path}: ${status}`);
            const list = latencies.get(route);
            if (list) list.push(ms);
            else latencies.set(route, [ms]);
          },
          (error: unknown) => void failures.push(`${path}: ${String(error)}`),
        ),
      );
    }
    await Promise.all(inFlight);
    const drivenSeconds = (performance.now() - t0) / 1000;
    await api.stop();
    api = undefined;

    // The same first page through the read function on one connection: with the read indexes,
    // then with them dropped inside a transaction that is rolled back (the plan before them).
    const indexed = percentiles(await timeListPage(direct, NAIVE_RUNS));
    await direct.query('BEGIN');
    for (const index of READ_INDEXES) await direct.query(`DROP INDEX ${index}`);
    const naive = percentiles(await timeListPage(direct, NAIVE_RUNS));
    await direct.query('ROLLBACK');
    // What an exact total cost (the list's count before it was capped).
    const exactCount = percentiles(
      await (async () => {
        const times: number[] = [];
        for (let i = 0; i < 5; i += 1) {
          const start = performance.now();
          await direct.query('SELECT count(*) FROM work_orders');
          times.push(performance.now() - start);
        }
        return times;
      })(),
    );

    const byRoute = Object.fromEntries(
      [...latencies].map(([route, values]) => [route, percentiles(values)]),
    );
    const overall = percentiles([...latencies.values()].flat());
    const results = {
      orders: ORDERS + (real?.orders ?? 0),
      simulated: real,
      ratePerSecond: RATE_PER_SECOND,
      requests: total,
      drivenSeconds,
      failures: failures.length,
      p7: {
        overall,
        byRoute,
        baseline: { ...naive, what: 'first list page without the read indexes' },
        listQuery: { indexed, naive, ratio: naive.p95Ms / indexed.p95Ms },
        exactCount,
        ratio: naive.p95Ms / overall.p95Ms,
        targetP95Ms: TARGET_P95_MS,
      },
    };
    const ms = (value: number) => `${value.toFixed(1)} ms`;
    const row = (what: string, p: Percentiles, baseline = '', ratio = '', target = '') =>
      out(
        `| ${what} (${p.count}) | p50 ${ms(p.p50Ms)}, p95 ${ms(p.p95Ms)}, p99 ${ms(p.p99Ms)} | ${baseline} | ${ratio} | ${target} |`,
      );
    out('');
    out(
      `${total} requests at ${RATE_PER_SECOND}/s in ${drivenSeconds.toFixed(1)} s over ${results.orders} orders, ${failures.length} failed${failures.length ? `: ${failures.slice(0, 3).join('; ')}` : ''}`,
    );
    out('');
    out('| measure | figure | baseline | ratio | target |');
    out('|---|---:|---:|---:|---|');
    for (const [route, p] of Object.entries(byRoute)) row(`GET ${route}`, p);
    row(
      'P7 all routes',
      overall,
      `first list page without the read indexes: p50 ${ms(naive.p50Ms)}, p95 ${ms(naive.p95Ms)}`,
      `${results.p7.ratio.toFixed(0)}×`,
      `p95 ≤ ${TARGET_P95_MS} ms`,
    );
    row(
      'first list page, read function on one connection, with the read indexes',
      indexed,
      `without them: p95 ${ms(naive.p95Ms)}`,
      `${results.p7.listQuery.ratio.toFixed(0)}×`,
    );
    row('exact count(*) of the orders (the total before the cap)', exactCount);
    out(`\nwritten ${writeResult('api', results)}`);
    if (failures.length > 0) process.exitCode = 1;
  } finally {
    await api?.stop();
    await direct.destroy();
    await ds.destroy();
    await db.drop();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${String((error as Error).stack ?? error)}\n`);
  process.exit(1);
});
