/**
 * `npm run bench`: every benchmark on the real broker and database, one after another (they would
 * disturb each other on 2 cores), then one table of every figure beside its naive baseline and
 * its target (performance-and-reliability.md), written to bench-results/summary.json.
 *
 * Sizes follow the targets by default; BENCH_QUICK=1 shrinks them for a smoke run.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { machine, writeResult } from './bench-result';

const ROOT = resolve(__dirname, '..');
const quick = process.env.BENCH_QUICK === '1';
const out = (line = '') => process.stdout.write(`${line}\n`);

const RUNS: { name: string; script: string; env: Record<string, string> }[] = [
  {
    name: 'ingest',
    script: 'bench/ingest.bench.ts',
    env: { BENCH_EVENTS: quick ? '50000' : '200000' },
  },
  {
    name: 'deadlines',
    script: 'bench/deadlines.bench.ts',
    env: quick ? { BENCH_ORDERS: '100000' } : {},
  },
  {
    name: 'escalation',
    script: 'bench/escalation.bench.ts',
    env: quick ? { BENCH_OPEN_ORDERS: '100000', BENCH_RATE_SECONDS: '5' } : {},
  },
  {
    name: 'statistics',
    script: 'bench/statistics.bench.ts',
    env: quick ? { BENCH_ORDERS: '1000000' } : {},
  },
  {
    name: 'memory',
    script: 'bench/worker-memory.bench.ts',
    env: quick ? { BENCH_OPEN_ORDERS: '100000' } : {},
  },
  {
    name: 'api',
    script: 'bench/api-latency.bench.ts',
    env: quick ? { BENCH_OPEN_ORDERS: '100000' } : {},
  },
  {
    name: 'notifications',
    script: 'bench/notifications.bench.ts',
    env: quick ? { BENCH_NOTICES: '500', BENCH_ROBOT_MESSAGES: '12' } : {},
  },
];

type Json = Record<string, unknown>;
function read(name: string): Json | null {
  const path = join(ROOT, 'bench-results', `${name}.json`);
  return existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8')) as Json) : null;
}
function at(json: Json | null, path: string): number | null {
  let value: unknown = json;
  for (const key of path.split('.')) value = (value as Json | null)?.[key];
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}
const n = (value: number | null, digits = 0, unit = '') =>
  value === null
    ? '—'
    : `${value.toLocaleString('en-US', { maximumFractionDigits: digits })}${unit}`;
const met = (ok: boolean | null) => (ok === null ? '—' : ok ? 'met' : 'MISSED');

function main(): void {
  const failed: string[] = [];
  for (const run of RUNS) {
    out(
      `\n=== ${run.name}: ${run.script} ${Object.entries(run.env)
        .map(([k, v]) => `${k}=${v}`)
        .join(' ')}`,
    );
    const result = spawnSync(
      process.execPath,
      ['-r', 'ts-node/register/transpile-only', '-r', 'tsconfig-paths/register', run.script],
      { cwd: ROOT, env: { ...process.env, ...run.env }, stdio: 'inherit' },
    );
    if (result.status !== 0) failed.push(run.name);
  }

  const ingest = read('ingest');
  const escalation = read('escalation');
  const statistics = read('statistics');
  const memory = read('memory');
  const api = read('api');
  const deadlines = read('deadlines');
  const notifications = read('notifications');
  const p1 = at(ingest, 'p1.eventsPerSecond');
  const p1Ratio = at(ingest, 'p1.ratioToOrm');
  const orm = at(ingest, 'ormBaseline.eventsPerSecond');
  const p2 = at(ingest, 'p2.eventsPerSecond');
  const p3 = at(escalation, 'p3.p99Ms');
  const p4 = at(escalation, 'p4.allEscalatedMs');
  const p5 = at(statistics, 'p5.rollupMs');
  const p5Scan = at(statistics, 'p5.fullScanMs');
  const p5Ratio = at(statistics, 'p5.ratio');
  const p6 = at(memory, 'p6.workerRssMb');
  const p6Base = at(memory, 'p6.baselineRssMb');
  const p7 = at(api, 'p7.overall.p95Ms');
  const p7Base = at(api, 'p7.baseline.p95Ms');
  const rows: [string, string, string, string, string, string, string][] = [
    [
      'P1',
      'ingest, topic → PostgreSQL',
      `${n(p1)} events/s`,
      `${n(orm)} events/s (TypeORM save per message)`,
      `${n(p1Ratio, 1)}×`,
      '≥ 20,000/s, ≥ 50×',
      met(p1 === null || p1Ratio === null ? null : p1 >= 20000 && p1Ratio >= 50),
    ],
    [
      'P2',
      're-delivery (no state change)',
      `${n(p2)} events/s`,
      `${n(orm)} events/s`,
      `${n(p2 !== null && orm ? p2 / orm : null, 1)}×`,
      '≥ 40,000/s',
      met(
        p2 === null
          ? null
          : p2 >= 40000 && ingest?.['p2'] !== undefined && !(ingest['p2'] as Json)['stateChanged'],
      ),
    ],
    [
      'P3',
      'escalation lateness p99, 1 M open, 100/s',
      `${n(p3)} ms (p50 ${n(at(escalation, 'p3.p50Ms'))} ms)`,
      `a full-scan poll: ${n(at(escalation, 'findDue.fullScanMs'), 1)} ms vs ${n(at(escalation, 'findDue.indexedMs'), 2)} ms indexed`,
      `${n(at(escalation, 'findDue.ratio'))}×`,
      'p99 ≤ 1,000 ms',
      met(p3 === null ? null : p3 <= 1000),
    ],
    [
      'P4',
      '10,000 deadlines at one instant',
      `${n(p4)} ms`,
      '',
      '',
      '≤ 3,000 ms',
      met(p4 === null ? null : p4 <= 3000),
    ],
    [
      'P5',
      'one month, 10 M orders (warm)',
      `${n(p5, 1)} ms`,
      `${n(p5Scan, 0)} ms (full scan)`,
      `${n(p5Ratio, 1)}×`,
      '≤ 200 ms, ≥ 25×',
      met(p5 === null || p5Ratio === null ? null : p5 <= 200 && p5Ratio >= 25),
    ],
    [
      'P6',
      'worker RSS, 1 M open orders',
      `${n(p6)} MB`,
      `${n(p6Base)} MB (a timer per order)`,
      `${n(p6 && p6Base ? p6Base / p6 : null, 1)}×`,
      '≤ 512 MB',
      met(p6 === null ? null : p6 <= 512),
    ],
    [
      'P7',
      'API p95 at 50 requests/s',
      `${n(p7, 1)} ms`,
      `${n(p7Base, 1)} ms (naive query)`,
      `${n(p7 && p7Base ? p7Base / p7 : null, 1)}×`,
      'p95 ≤ 100 ms',
      met(p7 === null ? null : p7 <= 100),
    ],
    [
      '—',
      'notices: escalation message → request at the channel',
      `${n(at(notifications, 'webhook.deliveriesPerSecond'))}/s, p50 ${n(at(notifications, 'webhook.latencyP50Ms'))} ms, p99 ${n(at(notifications, 'webhook.latencyP99Ms'))} ms`,
      `robot: busiest minute ${n(at(notifications, 'robot.busiestMinuteRequests'))} requests`,
      '',
      `robot limit ${n(at(notifications, 'robot.limitPerMinute'))}/min`,
      met(
        notifications === null
          ? null
          : (at(notifications, 'robot.busiestMinuteRequests') ?? Infinity) <=
              (at(notifications, 'robot.limitPerMinute') ?? 0),
      ),
    ],
    [
      '—',
      'deadlines for 1 M orders',
      `${n(at(deadlines, 'deadlines.ordersPerSecond'))} orders/s`,
      '',
      '',
      '',
      '',
    ],
  ];
  const m = machine();
  out(
    `\nBenchmarks on ${m.cpus} × ${m.cpuModel}, ${m.memoryGiB} GiB, Node ${m.node}${quick ? ' (BENCH_QUICK sizes)' : ''}`,
  );
  out('| # | measure | figure | naive baseline | ratio | target | |');
  out('|---|---|---:|---|---:|---|---|');
  for (const row of rows) out(`| ${row.join(' | ')} |`);
  const path = writeResult('summary', { quick, failed, rows });
  out(`\nwritten ${path}`);
  if (failed.length > 0) {
    out(`failed: ${failed.join(', ')}`);
    process.exitCode = 1;
  }
}

main();
