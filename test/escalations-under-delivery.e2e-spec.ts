/**
 * Escalations you can trust under real delivery. A seeded simulated year (every event type,
 * several units, holidays) is delivered four ways, each to a fresh database, fresh topics and a
 * fresh worker whose partitions switch to the wall clock 1.5 s after their stream ends:
 *
 *   (i)   in time order, published completely before the worker starts (a backlog);
 *   (ii)  in time order, published in small batches back to back while the worker reads it;
 *   (iii) as (ii), with 5% of the orders' events permuted among the places they held, so some
 *         arrive long before their time and others long after;
 *   (iv)  as (ii), with 3% of the messages sent again later in the stream.
 *
 * Once a run has settled (every event applied, nothing due, the outbox drained, the escalations
 * still), the escalations that stand (not withdrawn) are the backlog's, key, status and level;
 * the backlog withdraws none; and on each escalations topic the latest version of every
 * escalation says what its row says. Each run prints how many escalations it withdrew on the way
 * (and which): false alarms that were sent and later taken back.
 */
import type { WorkOrderEvent } from '@hotline/core';
import { loadConfig, loadHandlingRules } from '@hotline/platform';
import { loadSimulationData, simulateYear } from '@hotline/simulator';
import {
  consumeAll,
  createFreshDatabase,
  createFreshTopics,
  deleteTopics,
  duplicateSome,
  escalationCountsCheck,
  kafkaBrokers,
  permuteOrders,
  publishInBatches,
  startWorker,
  waitFor,
  waitUntilJoined,
  type PublishedStream,
  type RawMessage,
  type WorkerProcess,
} from '@hotline/testing';
import { Client } from 'pg';

const SEEDS = [5, 7];
/** The calendar's zone: the day escalations are counted on. */
const ZONE = loadHandlingRules(loadConfig().files).calendar.timeZone;
const ORDERS = 400;
const YEAR = 2024;
const PARTITIONS = 3;
/** Once a partition's stream has ended and it has been quiet this long, the wall clock judges it. */
const IDLE_MS = 1500;
/** Messages per produce request while the worker reads. */
const STREAM_BATCH = 50;
const PERMUTED_ORDERS = 0.05;
const DUPLICATED_MESSAGES = 0.03;
/** One delivery: a fresh database, topics and worker, the stream, and up to 90 s to settle. */
const DELIVERY_TIMEOUT_MS = 150_000;

type Mode = 'backlog' | 'in_order' | 'permuted' | 'duplicated';

interface EscalationRow {
  escalation_id: string;
  escalation_key: string;
  status: string;
  level: number;
  version: number;
  fired_at: Date;
  withdrawal: unknown;
}

interface TopicMessage {
  escalationId: string;
  status: string;
  level: number;
  version: number;
}

interface Settled {
  rows: EscalationRow[];
  /** Per escalationId, the message with the highest version. */
  latestOnTopic: Map<string, TopicMessage>;
  published: PublishedStream;
  /** Chunks the worker read the events in. */
  chunks: number;
  elapsedMs: number;
  /** The escalation counts statistics read, against the rows (escalationCountsCheck). */
  counts: Awaited<ReturnType<typeof escalationCountsCheck>>;
}

const asMessages = (events: readonly WorkOrderEvent[]): RawMessage[] =>
  events.map((event) => ({ key: event.workOrderId, value: JSON.stringify(event) }));

/** Publishes `messages` before or while a fresh worker reads them, and waits until it settles. */
async function deliver(
  mode: Mode,
  messages: readonly RawMessage[],
  distinctEvents: number,
): Promise<Settled> {
  const startedMs = Date.now();
  const db = await createFreshDatabase(`deliv_${mode}`);
  const topics = await createFreshTopics(
    [`deliv-${mode}-events`, `deliv-${mode}-dlq`, `deliv-${mode}-escalations`],
    PARTITIONS,
  );
  const [eventsTopic, dlqTopic, escalationsTopic] = topics as [string, string, string];
  const sql = new Client({ connectionString: db.url });
  let worker: WorkerProcess | undefined;
  try {
    const env = {
      DATABASE_URL: db.url,
      KAFKA_BROKERS: kafkaBrokers().join(','),
      EVENTS_TOPIC: eventsTopic,
      DLQ_TOPIC: dlqTopic,
      ESCALATIONS_TOPIC: escalationsTopic,
      KAFKA_GROUP_ID: `${eventsTopic}-worker`,
      WATERMARK_IDLE_MS: String(IDLE_MS),
    };
    let published: PublishedStream | undefined;
    if (mode === 'backlog') {
      published = await publishInBatches(eventsTopic, messages, { batchSize: 500 });
    }
    worker = await startWorker(env);
    await waitUntilJoined(worker);
    published ??= await publishInBatches(eventsTopic, messages, { batchSize: STREAM_BATCH });
    await sql.connect();
    const rows = await settle(sql, worker, distinctEvents);
    const chunks = await worker.metric('hotline_ingest_batch_seconds_count');
    const latestOnTopic = await latestMessages(sql, escalationsTopic);
    const counts = await escalationCountsCheck(sql, ZONE);
    return { rows, latestOnTopic, published, chunks, counts, elapsedMs: Date.now() - startedMs };
  } finally {
    await worker?.stop();
    await sql.end().catch(() => undefined);
    await deleteTopics(topics);
    await db.drop();
  }
}

/**
 * Every distinct event applied, no order due at the wall clock, the outbox drained, and the
 * escalations the same in two reads two seconds apart.
 */
async function settle(
  sql: Client,
  worker: WorkerProcess,
  distinctEvents: number,
): Promise<EscalationRow[]> {
  let previous: string | undefined;
  return settled(worker, () =>
    waitFor(
      'the run to settle',
      async () => {
        if (worker.child.exitCode !== null) throw new Error(`worker exited:\n${worker.output()}`);
        const { rows } = await sql.query<{ events: number; due: number; unpublished: number }>(
          `SELECT (SELECT count(*)::int FROM work_order_events) AS events,
                (SELECT count(*)::int FROM work_order_due WHERE next_due_at <= now()) AS due,
                (SELECT count(*)::int FROM outbox WHERE published_at IS NULL) AS unpublished`,
        );
        const { events, due, unpublished } = rows[0]!;
        if (events !== distinctEvents || due !== 0 || unpublished !== 0) {
          previous = undefined;
          // Thrown, not returned: waitFor's timeout message then says what was missing.
          throw new Error(
            `${events} of ${distinctEvents} events, ${due} orders due, ${unpublished} unpublished`,
          );
        }
        const escalations = await escalationRows(sql);
        const snapshot = JSON.stringify(escalations);
        const still = snapshot === previous;
        previous = snapshot;
        return still ? escalations : undefined;
      },
      90_000,
      2000,
    ),
  );
}

/**
 * `wait`, and when it fails, what the worker says of itself (its /health and its last lines of
 * output) in the error: a run that does not settle is to be explained, not only seen.
 */
async function settled<T>(worker: WorkerProcess, wait: () => Promise<T>): Promise<T> {
  try {
    return await wait();
  } catch (error) {
    const health = await worker.health().then(
      ({ body }) => JSON.stringify(body),
      (failure: unknown) => `no answer (${String(failure)})`,
    );
    // Events refused (dead-lettered) are the first suspect when the log holds fewer than sent.
    const rejected = await worker.metric('hotline_events_rejected_total').then(
      (n) => String(n),
      (failure: unknown) => `unknown (${String(failure)})`,
    );
    const lastLines = worker.output().trimEnd().split('\n').slice(-40).join('\n');
    throw new Error(
      `${(error as Error).message}\nevents dead-lettered: ${rejected}\n` +
        `the worker's /health: ${health}\nits last output:\n${lastLines}`,
      { cause: error },
    );
  }
}

async function escalationRows(sql: Client): Promise<EscalationRow[]> {
  const { rows } = await sql.query<EscalationRow>(
    `SELECT escalation_id, escalation_key, status, level, version, fired_at, withdrawal
       FROM escalations ORDER BY escalation_key`,
  );
  return rows;
}

/** Reads the whole escalations topic (every message the outbox published at least once). */
async function latestMessages(sql: Client, topic: string): Promise<Map<string, TopicMessage>> {
  const { rows } = await sql.query<{ n: number }>(`SELECT count(*)::int AS n FROM outbox`);
  const published = rows[0]!.n;
  const consumed = await consumeAll(topic, { expected: published, timeoutMs: 20_000 });
  expect(consumed.length).toBeGreaterThanOrEqual(published);
  const latest = new Map<string, TopicMessage>();
  for (const { value } of consumed) {
    const message = JSON.parse(value!.toString('utf8')) as TopicMessage;
    const seen = latest.get(message.escalationId);
    if (!seen || message.version > seen.version) latest.set(message.escalationId, message);
  }
  return latest;
}

/** `escalation_key status level` of the escalations that stand (not withdrawn). */
const standing = (rows: readonly EscalationRow[]) =>
  rows
    .filter((r) => r.status !== 'withdrawn')
    .map((r) => `${r.escalation_key} ${r.status} L${r.level}`);

const withdrawn = (rows: readonly EscalationRow[]) => rows.filter((r) => r.status === 'withdrawn');

const describeRow = (r: EscalationRow) =>
  `${r.status} L${r.level} v${r.version} fired ${r.fired_at.toISOString()} ` +
  `withdrawal ${JSON.stringify(r.withdrawal)}`;

/** Each escalation that stands differently from the backlog, as it ended in every mode so far. */
function describeDifferences(results: ReadonlyMap<Mode, Settled>, mode: Mode): string {
  const reference = new Set(standing(results.get('backlog')!.rows));
  const actual = new Set(standing(results.get(mode)!.rows));
  const keys = new Set(
    [...reference, ...actual]
      .filter((line) => reference.has(line) !== actual.has(line))
      .map((line) => line.split(' ')[0]!),
  );
  return [...keys]
    .sort()
    .flatMap((key) => [
      key,
      ...[...results].map(([name, { rows }]) => {
        const row = rows.find((r) => r.escalation_key === key);
        return `  ${name.padEnd(10)} ${row ? describeRow(row) : 'absent'}`;
      }),
    ])
    .join('\n');
}

function report(seed: number, mode: Mode, settled: Settled): void {
  const { rows, published, chunks, elapsedMs } = settled;
  const taken = withdrawn(rows);
  process.stdout.write(
    `escalations under delivery, seed ${seed}, ${mode}: ${rows.length} escalations, ` +
      `${taken.length} withdrawn; ${published.batches} produce requests in ` +
      `${published.elapsedMs} ms (longest ${published.longestBatchMs} ms), read in ${chunks} ` +
      `chunks; settled in ${elapsedMs} ms\n` +
      taken.map((r) => `  ${r.escalation_key} ${describeRow(r)}\n`).join(''),
  );
}

/** For every escalation, the latest message on the topic has its row's status, level and version. */
function expectTopicAgreesWithTable({ rows, latestOnTopic }: Settled): void {
  const fromTable = rows.map((r) => ({
    escalationId: r.escalation_id,
    status: r.status,
    level: r.level,
    version: r.version,
  }));
  const fromTopic = rows.map((r) => {
    const m = latestOnTopic.get(r.escalation_id);
    return m
      ? { escalationId: m.escalationId, status: m.status, level: m.level, version: m.version }
      : { escalationId: r.escalation_id, missing: true };
  });
  expect(fromTopic).toEqual(fromTable);
  expect(latestOnTopic.size).toBe(rows.length);
}

const data = loadSimulationData(loadConfig().files);

describe.each(SEEDS)(
  `escalations under real delivery (seed %i, ${ORDERS} orders in ${YEAR})`,
  (seed) => {
    const { events } = simulateYear({ ...data, seed, year: YEAR, orders: ORDERS });
    const inOrder = asMessages(events);
    const deliveries: Record<Mode, RawMessage[]> = {
      backlog: inOrder,
      in_order: inOrder,
      permuted: asMessages(permuteOrders(events, (e) => e.workOrderId, PERMUTED_ORDERS, seed)),
      duplicated: duplicateSome(inOrder, DUPLICATED_MESSAGES, seed),
    };
    const results = new Map<Mode, Settled>();

    it(
      '(i) a backlog published before the worker starts withdraws nothing',
      async () => {
        const settled = await deliver('backlog', deliveries.backlog, events.length);
        results.set('backlog', settled);
        report(seed, 'backlog', settled);
        expect(standing(settled.rows).length).toBeGreaterThan(0);
        expect(withdrawn(settled.rows)).toEqual([]);
        expectTopicAgreesWithTable(settled);
        expect(settled.counts).toEqual({ drift: [], misdated: 0 });
      },
      DELIVERY_TIMEOUT_MS,
    );

    it.each([
      ['(ii) in time order, published while the worker reads', 'in_order'],
      ['(iii) 5% of the orders’ events permuted', 'permuted'],
      ['(iv) 3% of the messages sent twice', 'duplicated'],
    ] as const)(
      '%s: the escalations that stand are the backlog’s',
      async (_, mode) => {
        const reference = results.get('backlog');
        expect(reference).toBeDefined();
        const settled = await deliver(mode, deliveries[mode], events.length);
        results.set(mode, settled);
        report(seed, mode, settled);
        // Read while it was being published: more than one chunk per partition.
        expect(settled.chunks).toBeGreaterThan(PARTITIONS);
        const differences = describeDifferences(results, mode);
        if (differences) process.stdout.write(`seed ${seed}, ${mode} differs:\n${differences}\n`);
        expect(standing(settled.rows)).toEqual(standing(reference!.rows));
        expectTopicAgreesWithTable(settled);
        // Withdrawals and firings again moved the counts statistics read as they moved the rows.
        expect(settled.counts).toEqual({ drift: [], misdated: 0 });
      },
      DELIVERY_TIMEOUT_MS,
    );
  },
);
