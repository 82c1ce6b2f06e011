/**
 * P3/P4: escalation lateness, from a due instant to its escalation committed, with one million
 * open orders in the table; and a burst of 10,000 deadlines at the same instant, timed until every
 * escalation is committed and acknowledged by the broker on the escalations topic. The sweep and
 * the outbox relay run as the worker runs them (two loops, the relay woken by each sweep that
 * queued messages). Beside them, in the same run: the naive way of finding what is due (a full
 * scan instead of the schedule's index), and the burst swept one escalation per transaction.
 *
 * Each figure comes with what explains it: the sweep's time per step, and the CPU the worker and
 * PostgreSQL spent on the burst (on a shared machine the wall clock is noisy, CPU spent is not).
 * The process starts with the worker's node options (config/node-options/worker), as the worker.
 *
 *   npm run bench:escalation   (BENCH_OPEN_ORDERS=1000000, BENCH_RATE_SECONDS=20, BENCH_BURST=10000,
 *                               BENCH_BASELINE_BURST=1000, BENCH_SWEEP_BATCH, BENCH_OUTBOX_BATCH;
 *                               BENCH_PROFILE_DIR=dir writes a CPU profile of the burst alone,
 *                               BENCH_PROFILE_HEAP=1 an allocation profile too; BENCH_EXPLAIN=file
 *                               the plans of one sweep's statements)
 *
 * It also times the relay's record encoding alone, kafkajs's against the worker's
 * (bench/record-encoding.ts), over messages like the burst's.
 */
import { Session } from 'node:inspector/promises';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeResult } from './bench-result';
import { fillOpenOrders, statCpuMs } from './fixtures';
import { compareRecordEncoders } from './record-encoding';
import {
  DEFAULT_SUPERVISION_POLICY,
  DEFAULT_WATERMARK_POLICY,
  emptyPartitionClock,
  escalationKey,
  observeChunk,
  type WorkOrderEvent,
} from '@hotline/core';
import {
  appendEvents,
  confirmPartitionsRead,
  createDataSource,
  escalationIdOf,
  migrate,
  savePartitionClock,
  upsertWorkOrders,
  withTransaction,
} from '@hotline/persistence';
import {
  createKafka,
  createLogger,
  createProducer,
  loadConfig,
  loadHandlingRules,
  loadOrganisation,
  recipientsResolver,
} from '@hotline/platform';
import { createFreshDatabase, createFreshTopics, deleteTopics } from '@hotline/testing';
import type { DataSource } from 'typeorm';
import {
  DueInstantsSweeper,
  SWEEP_LOOPS,
  sweepAgain,
} from '../apps/worker/src/supervision/due-instants.sweeper';
import { OutboxRelay } from '../apps/worker/src/supervision/outbox.relay';
import { PeriodicTask } from '../apps/worker/src/supervision/periodic-task';
import { projectWorkOrder } from '../apps/worker/src/ingestion/project-work-order';

const OPEN_ORDERS = Number(process.env.BENCH_OPEN_ORDERS ?? 1_000_000);
const RATE_SECONDS = Number(process.env.BENCH_RATE_SECONDS ?? 20);
const RATE_PER_SECOND = 100;
const BURST = Number(process.env.BENCH_BURST ?? 10_000);
/** The naive sweep (one escalation per transaction) is timed over this many, then scaled. */
const BASELINE_BURST = Number(process.env.BENCH_BASELINE_BURST ?? 1_000);
const PROFILE_DIR = process.env.BENCH_PROFILE_DIR;
/** With BENCH_PROFILE_DIR: BENCH_PROFILE_HEAP=1 samples allocations too (slows the burst down). */
const PROFILE_HEAP = process.env.BENCH_PROFILE_HEAP === '1';
/** BENCH_EXPLAIN=file: one more burst of SWEEP_BATCH orders swept once with its plans logged. */
const EXPLAIN_FILE = process.env.BENCH_EXPLAIN;
const TOPIC = 'bench.events';
const config = loadConfig();
const rules = loadHandlingRules(config.files);
// Orders claimed per sweep transaction (the worker's SWEEP_BATCH).
const SWEEP_BATCH = Number(process.env.BENCH_SWEEP_BATCH ?? config.supervision.sweepBatch);
const OUTBOX_BATCH = Number(process.env.BENCH_OUTBOX_BATCH ?? config.supervision.outboxBatch);
const SWEEP_IDLE_MS = Number(process.env.BENCH_SWEEP_IDLE_MS ?? config.supervision.sweepIdleMs);
const OUTBOX_IDLE_MS = Number(process.env.BENCH_OUTBOX_IDLE_MS ?? config.supervision.outboxIdleMs);
const logger = createLogger('warn', 'bench-escalation');
const settings = {
  escalationsTopic: 'bench.escalations',
  policy: DEFAULT_SUPERVISION_POLICY,
  recipients: recipientsResolver(loadOrganisation(config.files.organisation)),
  // Lateness measured from the due instant itself: the live watermark is the wall clock.
  watermark: { ...DEFAULT_WATERMARK_POLICY, latenessMs: 0 },
};

const out = (line = '') => process.stdout.write(`${line}\n`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

/**
 * Orders that become due at the given instants: a life-safety dispatch 15 minutes before, never
 * accepted, so `accept_overdue` falls exactly on the instant.
 */
async function addDueOrders(ds: DataSource, prefix: string, dueAt: Date[]): Promise<void> {
  for (let i = 0; i < dueAt.length; i += 2000) {
    const slice = dueAt.slice(i, i + 2000);
    await withTransaction(ds, async (runner) => {
      const events: WorkOrderEvent[] = slice.map((due, j) => ({
        eventId: `${prefix}-${i + j}`,
        type: 'dispatched',
        workOrderId: `${prefix}${String(i + j).padStart(7, '0')}`,
        occurredAt: new Date(due.getTime() - 15 * 60_000).toISOString(),
        sequence: 1,
        data: { unitId: 'teda-enforcement', category: 'help', urgency: 'life_safety' },
      }));
      await appendEvents(
        runner,
        events.map((event) => ({ event, topic: TOPIC, partition: 0, offset: '0' })),
      );
      const projections = events.map((event) =>
        projectWorkOrder(event.workOrderId, [event], {
          calendar: rules.calendar,
          profile: rules.profile,
        }),
      );
      await upsertWorkOrders(
        runner,
        projections.map(({ record }) => ({
          ...record,
          // Warnings are already past: the next instant the sweep looks at is the deadline itself.
          nextDueAt: record.acceptDueAt,
          sourcePartition: 0,
        })),
      );
      // The warnings as the worker fired them (same key, id and instants) and acknowledged.
      const warnings = projections.map(({ record, deadlines }) => {
        const key = escalationKey(record.workOrderId, 'accept_warning', 1, 0);
        return {
          id: escalationIdOf(key),
          key,
          order: record.workOrderId,
          due: deadlines?.accept?.dueAt,
          warned: deadlines?.accept?.warningAt,
        };
      });
      await runner.query(
        `INSERT INTO escalations (escalation_id, escalation_key, work_order_id, unit_id, kind, segment, round, level,
                                  status, reason, due_at, fired_at, level_changed_at, acknowledged_at, recipients)
         SELECT w.id, w.key, w.work_order_id, 'teda-enforcement', 'accept_warning', 1, 0, 1,
                'acknowledged', 'bench', w.due_at, w.fired_at, w.fired_at, w.fired_at, '[]'::jsonb
           FROM jsonb_to_recordset($1::jsonb)
             AS w(id uuid, key text, work_order_id text, due_at timestamptz, fired_at timestamptz)`,
        [
          JSON.stringify(
            warnings.map((w) => ({
              id: w.id,
              key: w.key,
              work_order_id: w.order,
              due_at: w.due,
              fired_at: w.warned,
            })),
          ),
        ],
      );
    });
  }
  // Current statistics, as a long-running table has them (a fresh one would be planned as empty).
  await ds.query('ANALYZE work_order_events, escalations');
}

/** Phase times summed over the sweeps of one measurement. */
type Phases = Record<string, number>;

/**
 * The worker's supervision loops over one database: the sweep (confirming the live partition read
 * to its end before each round, as the worker's confirmations do) and the outbox relay. Records
 * when each escalation created was committed and when the relay had the broker's acknowledgement.
 */
class Loops {
  readonly committedAt: { dueMs: number; atMs: number }[] = [];
  published = 0;
  /** Messages queued by the sweeps (each change queues one). */
  created = 0;
  lastPublishedMs = 0;
  phases: Phases = {};
  sweeps = 0;
  private readonly tasks: PeriodicTask[];

  constructor(
    ds: DataSource,
    sweeper: DueInstantsSweeper,
    relay: OutboxRelay,
    options: { batch: number; loops: number },
  ) {
    const relayTask = new PeriodicTask('outbox', () => relay.step(), OUTBOX_IDLE_MS, logger);
    const sweep = async () => {
      await confirmPartitionsRead(ds, TOPIC, [0], new Date());
      const now = new Date();
      const outcome = await sweeper.sweep(now);
      const atMs = Date.now();
      for (const firedAt of outcome.firedAt) {
        this.committedAt.push({ dueMs: firedAt.getTime(), atMs });
      }
      if (outcome.claimed > 0) this.sweeps += 1;
      for (const [phase, ms] of Object.entries(outcome.phaseMs)) {
        this.phases[phase] = (this.phases[phase] ?? 0) + ms;
      }
      const queued = outcome.created + outcome.advanced + outcome.resolved + outcome.withdrawn;
      this.created += queued;
      if (queued > 0) relayTask.wake();
      return sweepAgain(outcome, options.batch, new Date());
    };
    this.tasks = [
      ...Array.from(
        { length: options.loops },
        (_, i) => new PeriodicTask(`sweep-${i + 1}`, sweep, SWEEP_IDLE_MS, logger),
      ),
      relayTask,
    ];
  }

  onPublished(count: number): void {
    this.published += count;
    if (count > 0) this.lastPublishedMs = Date.now();
  }

  start(): void {
    for (const task of this.tasks) task.start();
  }

  async stop(): Promise<void> {
    for (const task of this.tasks) await task.stop();
  }

  reset(): void {
    this.committedAt.length = 0;
    this.phases = {};
    this.sweeps = 0;
  }
}

async function until(done: () => boolean, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!done() && Date.now() < end) await sleep(5);
}

async function timeQuery(
  ds: DataSource,
  sql: string,
  params: unknown[],
  runs: number,
): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < runs; i += 1) {
    const start = process.hrtime.bigint();
    await ds.query(sql, params);
    times.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  return times.sort((a, b) => a - b)[Math.floor(times.length / 2)]!;
}

/** CPU milliseconds used so far by this process, and by each of the database's server processes for it. */
interface CpuSample {
  worker: number;
  database: Map<number, number>;
}

/** From /proc (PostgreSQL on this machine); a server process that ended meanwhile is not counted. */
async function cpuSample(ds: DataSource): Promise<CpuSample> {
  const usage = process.cpuUsage();
  const rows = await ds.query<{ pid: number }[]>(
    `SELECT pid FROM pg_stat_activity WHERE datname = current_database()`,
  );
  const database = new Map<number, number>();
  for (const { pid } of rows) {
    try {
      database.set(pid, statCpuMs(readFileSync(`/proc/${pid}/stat`, 'utf8')));
    } catch {
      // Ended just now, or on another machine.
    }
  }
  return { worker: (usage.user + usage.system) / 1000, database };
}

/**
 * CPU spent between two samples: on a shared machine the wall clock is noisy, CPU spent is not.
 * A server process started meanwhile counts in full.
 */
function cpuSpent(before: CpuSample, after: CpuSample): { worker: number; database: number } {
  let database = 0;
  for (const [pid, ms] of after.database) database += ms - (before.database.get(pid) ?? 0);
  return { worker: Math.round(after.worker - before.worker), database: Math.round(database) };
}

interface BurstResult {
  deadlines: number;
  escalated: number;
  committedMs: number;
  onTopicMs: number;
  sweeps: number;
  phases: Phases;
  cpuMs: { worker: number; database: number };
}

/**
 * `count` deadlines at one instant 4 s ahead: waits until every escalation is committed and the
 * relay has published as many messages, timing both from the instant.
 */
async function burst(
  ds: DataSource,
  loops: Loops,
  prefix: string,
  count: number,
  profile: boolean,
): Promise<BurstResult> {
  const at = new Date(Date.now() + 4000);
  await addDueOrders(
    ds,
    prefix,
    Array.from({ length: count }, () => at),
  );
  // Everything before the burst is on the topic; the clocks start just before its instant.
  await until(() => loops.published >= loops.created, 10_000);
  await sleep(Math.max(0, at.getTime() - Date.now() - 100));
  loops.reset();
  const publishedBefore = loops.published;
  const cpuBefore = await cpuSample(ds);
  const session = profile ? new Session() : null;
  if (session) {
    session.connect();
    await session.post('Profiler.enable');
    await session.post('Profiler.start');
    if (PROFILE_HEAP)
      await session.post('HeapProfiler.startSampling', {
        samplingInterval: 16_384,
        includeObjectsCollectedByMajorGC: true,
        includeObjectsCollectedByMinorGC: true,
      });
  }
  await until(
    () => loops.committedAt.length >= count && loops.published - publishedBefore >= count,
    120_000,
  );
  const cpuAfter = await cpuSample(ds);
  if (session && PROFILE_DIR) {
    const { profile: cpu } = await session.post('Profiler.stop');
    mkdirSync(PROFILE_DIR, { recursive: true });
    writeFileSync(join(PROFILE_DIR, `p4-burst-${Date.now()}.cpuprofile`), JSON.stringify(cpu));
    if (PROFILE_HEAP) {
      const { profile: heap } = await session.post('HeapProfiler.stopSampling');
      writeFileSync(join(PROFILE_DIR, `p4-burst-${Date.now()}.heapprofile`), JSON.stringify(heap));
    }
    session.disconnect();
  }
  const committed = Math.max(...loops.committedAt.map((c) => c.atMs));
  return {
    deadlines: count,
    escalated: loops.committedAt.length,
    committedMs: committed - at.getTime(),
    onTopicMs: loops.lastPublishedMs - at.getTime(),
    sweeps: loops.sweeps,
    cpuMs: cpuSpent(cpuBefore, cpuAfter),
    phases: Object.fromEntries(Object.entries(loops.phases).map(([k, v]) => [k, Math.round(v)])),
  };
}

/** The client of the pool a data source draws from (pg's Pool, behind TypeORM's driver). */
interface PgPool {
  on(event: 'acquire', listener: (client: PgClient) => void): void;
}
interface PgClient {
  on(event: 'notice', listener: (notice: { message?: string }) => void): void;
  query(sql: string): Promise<unknown>;
}

/**
 * Sweeps one batch of `count` due orders through a pool whose sessions log every statement's
 * EXPLAIN ANALYZE (auto_explain, sent back as notices); writes the plans and the phase times.
 */
async function explainSweep(ds: DataSource, url: string, count: number, file: string) {
  const explained = createDataSource({ url, poolSize: 1 });
  await explained.initialize();
  const plans: string[] = [];
  const hooked = new WeakSet<PgClient>();
  const pool = (explained.driver as unknown as { master: PgPool }).master;
  pool.on('acquire', (client) => {
    if (hooked.has(client)) return;
    hooked.add(client);
    client.on('notice', (notice) => plans.push(notice.message ?? ''));
    void client.query(
      `LOAD 'auto_explain'; SET auto_explain.log_min_duration = 0; SET auto_explain.log_analyze = on;
       SET auto_explain.log_buffers = on; SET auto_explain.log_timing = on; SET auto_explain.log_triggers = on; SET client_min_messages = log`,
    );
  });
  try {
    const at = new Date(Date.now() + 1500);
    await addDueOrders(
      ds,
      'EXPLAIN',
      Array.from({ length: count }, () => at),
    );
    await sleep(Math.max(0, at.getTime() - Date.now() + 50));
    await confirmPartitionsRead(ds, TOPIC, [0], new Date());
    const sweeper = new DueInstantsSweeper(explained, rules, settings, TOPIC, count);
    const outcome = await sweeper.sweep(new Date());
    writeFileSync(
      file,
      `one sweep of ${outcome.claimed} due orders, phases (ms): ${JSON.stringify(outcome.phaseMs)}\n\n${plans.join('\n\n')}\n`,
    );
    out(`plans of one sweep of ${outcome.claimed} written to ${file}`);
  } finally {
    await explained.destroy();
  }
}

async function main(): Promise<void> {
  const db = await createFreshDatabase('hotline_bench_esc');
  const ds = createDataSource({ url: db.url, poolSize: 4 });
  const kafka = createKafka({
    brokers: config.kafka.brokers,
    clientId: 'bench-escalation',
    security: config.kafka.security,
  });
  const [escalationsTopic] = await createFreshTopics(['bench.escalations'], 3, kafka);
  const producer = createProducer(kafka, { compression: config.kafka.compression });
  await ds.initialize();
  await producer.connect();
  try {
    await migrate(ds);
    // A live partition: its one event was received as it happened, so the wall clock drives it.
    const liveSince = Date.now();
    await withTransaction(ds, (runner) =>
      savePartitionClock(
        runner,
        TOPIC,
        0,
        observeChunk(
          emptyPartitionClock(),
          { occurredMs: [liveSince], receivedMs: liveSince, caughtUp: true },
          settings.watermark,
        ),
      ),
    );
    const fillStart = Date.now();
    await fillOpenOrders(ds, OPEN_ORDERS);
    out(`filled ${OPEN_ORDERS} open orders in ${((Date.now() - fillStart) / 1000).toFixed(1)} s`);

    // Finding what is due: the sweep's indexed claim versus a full scan, same table, same instant.
    const findDue = `SELECT work_order_id FROM work_order_due WHERE next_due_at <= $1
                      ORDER BY next_due_at LIMIT 500`;
    const indexedMs = await timeQuery(ds, findDue, [new Date()], 21);
    await ds.query('SET enable_indexscan = off');
    await ds.query('SET enable_bitmapscan = off');
    const scanMs = await timeQuery(ds, findDue, [new Date()], 5);
    await ds.query('RESET enable_indexscan');
    await ds.query('RESET enable_bitmapscan');

    const output = { ...settings, escalationsTopic: escalationsTopic! };
    const start = (batch: number, loopCount: number): Loops => {
      const sweeper = new DueInstantsSweeper(ds, rules, output, TOPIC, batch);
      let loops: Loops | null = null;
      const relay = new OutboxRelay(ds, producer, { batchSize: OUTBOX_BATCH }, (n) =>
        loops?.onPublished(n),
      );
      loops = new Loops(ds, sweeper, relay, { batch, loops: loopCount });
      loops.start();
      return loops;
    };

    // P3: 100 deadlines a second for RATE_SECONDS seconds, starting in 3 seconds.
    let loops = start(SWEEP_BATCH, SWEEP_LOOPS);
    const rateStart = Date.now() + 3000;
    const rateDue = Array.from(
      { length: RATE_PER_SECOND * RATE_SECONDS },
      (_, i) => new Date(rateStart + i * 10),
    );
    await addDueOrders(ds, 'RATE', rateDue);
    loops.reset();
    await until(
      () => loops.committedAt.length >= rateDue.length,
      rateStart - Date.now() + RATE_SECONDS * 1000 + 3000,
    );
    const rateLateness = loops.committedAt
      .map((c) => c.atMs - c.dueMs)
      .filter((late) => late < 600_000)
      .sort((a, b) => a - b);
    const ratePhases = Object.fromEntries(
      Object.entries(loops.phases).map(([k, v]) => [
        k,
        +(v / Math.max(1, loops.sweeps)).toFixed(2),
      ]),
    );
    const rateSweeps = loops.sweeps;

    // P4: 10,000 deadlines at the same instant, with the loops as the worker runs them.
    const burstRun = await burst(ds, loops, 'BURST', BURST, PROFILE_DIR !== undefined);
    await loops.stop();

    // Baseline: the same burst (scaled down) swept one order per transaction.
    loops = start(1, 1);
    const naive = await burst(ds, loops, 'NAIVE', BASELINE_BURST, false);
    await loops.stop();
    if (EXPLAIN_FILE) await explainSweep(ds, db.url, SWEEP_BATCH, EXPLAIN_FILE);
    // The relay's record encoding alone, over messages like the burst's.
    const [sample] = await ds.query<{ value: string }[]>(
      `SELECT payload::text AS value FROM outbox ORDER BY id DESC LIMIT 1`,
    );
    const recordEncoding = await compareRecordEncoders(sample!.value, BURST, OUTBOX_BATCH);
    const naivePerEscalationMs = naive.onTopicMs / BASELINE_BURST;
    const naiveScaledMs = Math.round(naivePerEscalationMs * BURST);

    const results = {
      openOrders: OPEN_ORDERS,
      sweepBatch: SWEEP_BATCH,
      outboxBatch: OUTBOX_BATCH,
      compression: config.kafka.compression,
      findDue: { indexedMs, fullScanMs: scanMs, ratio: scanMs / indexedMs },
      p3: {
        deadlines: rateDue.length,
        escalated: rateLateness.length,
        p50Ms: percentile(rateLateness, 50),
        p99Ms: percentile(rateLateness, 99),
        maxMs: rateLateness[rateLateness.length - 1],
        sweeps: rateSweeps,
        /** Mean wall-clock ms per sweep that claimed something, by step. */
        phasesPerSweepMs: ratePhases,
        targetP99Ms: 100,
        stretchP99Ms: 20,
      },
      p4: {
        deadlines: BURST,
        escalated: burstRun.escalated,
        /** From the instant until every escalation is committed and on the escalations topic. */
        allEscalatedMs: burstRun.onTopicMs,
        allCommittedMs: burstRun.committedMs,
        sweeps: burstRun.sweeps,
        phasesMs: burstRun.phases,
        cpuMs: burstRun.cpuMs,
        targetMs: 1000,
        stretchMs: 300,
        recordEncoding,
        naive: {
          deadlines: BASELINE_BURST,
          allEscalatedMs: naive.onTopicMs,
          cpuMs: naive.cpuMs,
          scaledToBurstMs: naiveScaledMs,
          ratio: naiveScaledMs / burstRun.onTopicMs,
        },
      },
    };
    out('');
    out('| measure | figure | baseline | ratio | target |');
    out('|---|---:|---:|---:|---|');
    out(
      `| find due orders among ${OPEN_ORDERS} open (median) | ${indexedMs.toFixed(2)} ms (index) | ${scanMs.toFixed(1)} ms (full scan) | ${(scanMs / indexedMs).toFixed(0)}× | |`,
    );
    out(
      `| P3 lateness at ${RATE_PER_SECOND} deadlines/s (${rateLateness.length}/${rateDue.length}) | p50 ${results.p3.p50Ms} ms, p99 ${results.p3.p99Ms} ms | a full-scan poll alone takes ${scanMs.toFixed(0)} ms | | p99 ≤ 100 ms (stretch 20) |`,
    );
    out(
      `| P4 ${BURST} deadlines at one instant (${burstRun.escalated} escalated) | committed within ${burstRun.committedMs} ms, all on the topic within ${burstRun.onTopicMs} ms | one per transaction: ${BASELINE_BURST} in ${naive.onTopicMs} ms, ×${BURST / BASELINE_BURST} ≈ ${naiveScaledMs} ms | ${results.p4.naive.ratio.toFixed(1)}× | ≤ 1,000 ms (stretch 300) |`,
    );
    out(`P3 sweep phases (mean ms over ${rateSweeps} sweeps): ${JSON.stringify(ratePhases)}`);
    out(
      `P4 sweep phases (ms summed over ${burstRun.sweeps} sweeps): ${JSON.stringify(burstRun.phases)}`,
    );
    out(
      `P4 CPU: worker ${burstRun.cpuMs.worker} ms, PostgreSQL ${burstRun.cpuMs.database} ms; one per transaction (${BASELINE_BURST}): worker ${naive.cpuMs.worker} ms, PostgreSQL ${naive.cpuMs.database} ms`,
    );
    out(
      `P4 record encoding (the relay's produce requests for ${recordEncoding.records} messages of ${recordEncoding.bytesPerValue} bytes, median of ${recordEncoding.rounds} rounds): ${recordEncoding.oursMs} ms of CPU with the worker's encoder, ${recordEncoding.kafkajsMs} ms with kafkajs's`,
    );
    out(`\nwritten ${writeResult('escalation', results)}`);
  } finally {
    await producer.disconnect();
    await ds.destroy();
    await db.drop();
    await deleteTopics([escalationsTopic!], kafka);
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${String((error as Error).stack ?? error)}\n`);
  process.exit(1);
});
