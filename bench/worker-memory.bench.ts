/**
 * P6: the worker's resident memory with a million open orders. The compiled worker (plain node, no
 * TypeScript compiler in the process) consumes simulated traffic and sweeps for ~10 s with the open
 * orders' next due instants spread over the coming weeks; then its VmRSS and VmHWM. Beside it, in
 * the same run, the naive design: one pending `setTimeout` per open order in a node process. The
 * worker runs with its production node options (config/node-options/worker, as arguments);
 * beside the total, where the memory is: V8's heap and new space, external, anonymous and
 * file-backed resident pages.
 *
 *   npm run bench:memory      (BENCH_OPEN_ORDERS=1000000, BENCH_EVENTS=50000, BENCH_SWEEP_SECONDS=10)
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createDataSource } from '@hotline/persistence';
import { createKafka, createProducer, loadConfig } from '@hotline/platform';
import { loadSimulationData, publishEvents, simulateYear } from '@hotline/simulator';
import {
  createFreshDatabase,
  createFreshTopics,
  deleteTopics,
  kafkaBrokers,
  waitFor,
} from '@hotline/testing';
import { writeResult } from './bench-result';
import { fillOpenOrders, residentMemory, startCompiledApp } from './fixtures';

const OPEN_ORDERS = Number(process.env.BENCH_OPEN_ORDERS ?? 1_000_000);
const EVENTS = Number(process.env.BENCH_EVENTS ?? 50_000);
const SWEEP_SECONDS = Number(process.env.BENCH_SWEEP_SECONDS ?? 10);
const TARGET_MB = 256;
const STRETCH_MB = 160;

const out = (line = '') => process.stdout.write(`${line}\n`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const seconds = (since: number) => `${((Date.now() - since) / 1000).toFixed(1)} s`;

/**
 * The naive scheduler: a timer per open order, kept by order id so an event can cancel it, due
 * 7 to ~19 days ahead (under setTimeout's 24.8-day ceiling). Prints its VmRSS/VmHWM in MiB.
 */
const TIMERS_BASELINE = `
const timers = new Map();
const count = Number(process.argv[1]);
for (let g = 1; g <= count; g += 1) {
  const id = 'BG' + String(g).padStart(8, '0');
  timers.set(id, setTimeout(() => timers.delete(id), 7 * 86400e3 + (g % 100000) * 10e3));
}
setTimeout(() => {
  const status = require('fs').readFileSync('/proc/self/status', 'utf8');
  const kib = (f) => Number(new RegExp('^' + f + ':\\\\s+(\\\\d+) kB', 'm').exec(status)[1]);
  process.stdout.write(JSON.stringify({ timers: timers.size, rssMiB: kib('VmRSS') / 1024, peakMiB: kib('VmHWM') / 1024 }));
  process.exit(0);
}, 1000);
`;

function timersBaseline(count: number): { timers: number; rssMiB: number; peakMiB: number } {
  const run = spawnSync(process.execPath, ['-e', TIMERS_BASELINE, String(count)], {
    encoding: 'utf8',
    timeout: 120_000,
  });
  if (run.status !== 0) throw new Error(`timer baseline failed: ${run.stderr}`);
  return JSON.parse(run.stdout) as { timers: number; rssMiB: number; peakMiB: number };
}

function build(): void {
  if (process.env.BENCH_SKIP_BUILD === '1') return;
  const started = Date.now();
  const run = spawnSync('npm', ['run', '--silent', 'build'], { stdio: 'inherit' });
  if (run.status !== 0) throw new Error('npm run build failed');
  out(`built dist/ in ${seconds(started)}`);
}

/**
 * Where the worker's resident memory is, in MiB: V8's heap (reserved and used, and the new
 * space's share of it), memory outside the heap (Buffers, native), and the kernel's split of the
 * resident pages into anonymous (heap, malloc) and file-backed (code, mapped libraries).
 */
async function memoryBreakdown(
  app: Awaited<ReturnType<typeof startCompiledApp>>,
): Promise<Record<string, number>> {
  const text = await (await fetch(`${app.base}/metrics`)).text();
  const sample = (pattern: RegExp) =>
    text
      .split('\n')
      .filter((line) => pattern.test(line))
      .reduce((sum, line) => sum + Number(line.split(' ').pop()), 0) /
    2 ** 20;
  const rollup = readFileSync(`/proc/${app.pid}/smaps_rollup`, 'utf8');
  const kib = (field: string) =>
    Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(rollup)?.[1] ?? NaN) / 1024;
  return {
    heapTotal: sample(/^nodejs_heap_size_total_bytes /),
    heapUsed: sample(/^nodejs_heap_size_used_bytes /),
    newSpace: sample(/^nodejs_heap_space_size_total_bytes\{space="new"\}/),
    oldSpaceUsed: sample(/^nodejs_heap_space_size_used_bytes\{space="old"\}/),
    codeSpace: sample(/^nodejs_heap_space_size_total_bytes\{space="code"\}/),
    external: sample(/^nodejs_external_memory_bytes /),
    rssAnon: kib('Anonymous'),
    rssFile: kib('Rss') - kib('Anonymous'),
  };
}

async function main(): Promise<void> {
  build();
  const config = loadConfig();
  const simulated = simulateYear({
    seed: 20250101,
    year: 2025,
    // Five to six events an order: enough orders for EVENTS, the last ones cut mid-life (open).
    orders: Math.ceil(EVENTS / 4),
    ...loadSimulationData(config.files),
  }).events.slice(0, EVENTS);

  const db = await createFreshDatabase('hotline_bench_mem');
  const [events, dlq, escalations] = await createFreshTopics(
    ['bench-mem.events', 'bench-mem.dlq', 'bench-mem.escalations'],
    2,
  );
  const ds = createDataSource({ url: db.url, poolSize: 2 });
  await ds.initialize();
  let worker: Awaited<ReturnType<typeof startCompiledApp>> | undefined;
  try {
    const fillStart = Date.now();
    await fillOpenOrders(ds, OPEN_ORDERS);
    await ds.query('VACUUM ANALYZE work_orders');
    out(`filled ${OPEN_ORDERS} open orders in ${seconds(fillStart)}`);

    worker = await startCompiledApp('worker', {
      DATABASE_URL: db.url,
      KAFKA_BROKERS: kafkaBrokers().join(','),
      EVENTS_TOPIC: events!,
      DLQ_TOPIC: dlq!,
      ESCALATIONS_TOPIC: escalations!,
      KAFKA_GROUP_ID: `bench-mem-${db.name}`,
      LOG_LEVEL: 'warn',
    });
    const started = worker;
    const idle = residentMemory(started.pid);
    await waitFor(
      'the worker to join its group',
      async () => {
        const body = (await (await fetch(`${started.base}/health`)).json()) as {
          consumer?: { status?: string };
        };
        return body.consumer?.status === 'joined' ? true : undefined;
      },
      60_000,
    );

    const kafka = createKafka({
      brokers: kafkaBrokers(),
      clientId: 'bench-mem-producer',
      security: config.kafka.security,
    });
    const producer = createProducer(kafka);
    await producer.connect();
    const publishStart = Date.now();
    await publishEvents(simulated, { producer, topic: events!, batchSize: 2000 });
    await producer.disconnect();
    await waitFor(
      `the worker to consume ${simulated.length} events\n${started.output()}`,
      async () =>
        (await started.metric('hotline_events_consumed_total')) >= simulated.length
          ? true
          : undefined,
      120_000,
      250,
    );
    out(
      `published and consumed ${simulated.length} simulated events in ${seconds(publishStart)} ` +
        `(worker node options: ${started.nodeOptions.join(' ') || 'none'}; environment: ${
          Object.entries(started.nodeEnv)
            .map(([name, value]) => `${name}=${value}`)
            .join(' ') || 'none'
        })`,
    );
    const consumed = residentMemory(started.pid);
    await sleep(SWEEP_SECONDS * 1000);
    const swept = residentMemory(started.pid);
    // How much of it is live JavaScript: V8 keeps pages it grew into for the next batch.
    const heapUsedMb = (await started.metric('nodejs_heap_size_used_bytes')) / 2 ** 20;
    const breakdown = await memoryBreakdown(started);
    const [escalated] = await ds.query<{ n: number }[]>(
      'SELECT count(*)::int AS n FROM escalations',
    );
    const nodeOptions = worker.nodeOptions.join(' ');
    const nodeEnv = worker.nodeEnv;
    await worker.stop();
    worker = undefined;

    const baseline = timersBaseline(OPEN_ORDERS);
    const workerRssMb = swept.rssMiB;
    const results = {
      openOrders: OPEN_ORDERS,
      events: simulated.length,
      sweepSeconds: SWEEP_SECONDS,
      escalations: escalated?.n ?? 0,
      p6: {
        workerRssMb,
        workerPeakMb: swept.peakMiB,
        workerIdleRssMb: idle.rssMiB,
        workerAfterConsumeRssMb: consumed.rssMiB,
        workerHeapUsedMb: heapUsedMb,
        workerBreakdown: breakdown,
        workerNodeOptions: nodeOptions,
        workerNodeEnv: nodeEnv,
        baselineRssMb: baseline.rssMiB,
        baselinePeakMb: baseline.peakMiB,
        baselineTimers: baseline.timers,
        ratio: baseline.rssMiB / workerRssMb,
        targetMb: TARGET_MB,
        stretchMb: STRETCH_MB,
      },
    };
    const mb = (value: number) => `${value.toFixed(0)} MB`;
    out('');
    out('| measure | figure | baseline | ratio | target |');
    out('|---|---:|---:|---:|---|');
    out(
      `| P6 worker resident memory, ${OPEN_ORDERS} open orders, after ${simulated.length} events and ${SWEEP_SECONDS} s of sweeps | VmRSS ${mb(workerRssMb)} (peak VmHWM ${mb(swept.peakMiB)}; ${mb(idle.rssMiB)} at start; JS heap in use ${mb(heapUsedMb)}) | ${mb(baseline.rssMiB)} (node, one setTimeout per open order; peak ${mb(baseline.peakMiB)}) | ${results.p6.ratio.toFixed(1)}× | ≤ ${TARGET_MB} MB (stretch ≤ ${STRETCH_MB} MB) |`,
    );
    out(
      `\nworker memory after the sweeps (MiB): ${Object.entries(breakdown)
        .map(([k, v]) => `${k} ${v.toFixed(1)}`)
        .join(', ')}`,
    );
    out(`\nwritten ${writeResult('memory', results)}`);
  } finally {
    await worker?.stop();
    await ds.destroy();
    await db.drop();
    await deleteTopics([events!, dlq!, escalations!]);
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${String((error as Error).stack ?? error)}\n`);
  process.exit(1);
});
