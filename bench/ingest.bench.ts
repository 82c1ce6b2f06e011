/**
 * P1/P2: end-to-end ingestion from the Kafka topic into PostgreSQL (event log, order rows, offsets),
 * first delivery and re-delivery, beside the database's own ceiling (a COPY of the rows the first
 * delivery wrote into a fresh database) and a per-message ORM baseline, measured in the same run.
 * The process starts with the worker's node options (config/node-options/worker): the worker's
 * code runs here, under the heap limits it runs with in production.
 *
 *   npm run bench:ingest            (BENCH_EVENTS=200000 by default)
 *   BENCH_CPU_PROFILE_DIR=/tmp/prof npm run bench:ingest   (also a CPU profile and an allocation
 *   profile of P1 and of P2: p1.cpuprofile, p1.heapprofile, …)
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Client as PgClient } from 'pg';
import { from as copyFrom, to as copyTo } from 'pg-copy-streams';
import { writeResult } from './bench-result';
import { cpuNow } from './fixtures';
import { compareArrayEncodings, encodedBatch } from './array-encoding';
import { compareRecordDecoders } from './record-decoding';
import {
  createKafka,
  createProducer,
  IngestionMetrics,
  createLogger,
  loadConfig,
  loadHandlingRules,
  loadOrganisation,
  loadStatisticsFormula,
  recipientsResolver,
  recordDecoderStatus,
  type ProducerCompression,
} from '@hotline/platform';
import { createDataSource, ingestOneByOneWithOrm, migrate } from '@hotline/persistence';
import {
  createFreshDatabase,
  createFreshTopics,
  deleteTopics,
  kafkaBrokers,
  ordinaryOrder,
} from '@hotline/testing';
import {
  DEFAULT_SUPERVISION_POLICY,
  DEFAULT_WATERMARK_POLICY,
  orderFacts,
  type WorkOrderEvent,
} from '@hotline/core';
import { storedFactsOf } from '@hotline/persistence/statistics';
import {
  EVENT_COLUMNS,
  ORDER_COLUMNS,
  type IncomingEvent,
} from '../libs/persistence/src/work-orders/work-order-store';
import {
  lz4Codec,
  zstdCodec,
  type BatchCodec,
} from '../libs/platform/src/kafka/compression-codecs';
import { DeadLetterPublisher } from '../apps/worker/src/ingestion/dead-letter.publisher';
import { IngestBatchService } from '../apps/worker/src/ingestion/ingest-batch.service';
import { projectWorkOrder } from '../apps/worker/src/ingestion/project-work-order';
import { WorkOrderEventsConsumer } from '../apps/worker/src/ingestion/work-order-events.consumer';
import { rawDigest } from '../apps/worker/src/ingestion/probe-raw-message';

const EVENTS = Number(process.env.BENCH_EVENTS ?? 200_000);
/** When set, a CPU and an allocation profile of each measured delivery alone (p1.cpuprofile, p1.heapprofile, …) here. */
const PROFILE_DIR = process.env.BENCH_CPU_PROFILE_DIR;
/** The codecs of the compressed-input runs, beside uncompressed input. */
const INPUT_CODECS = ['lz4', 'zstd'] as const;
const BASELINE_EVENTS = Number(process.env.BENCH_BASELINE_EVENTS ?? 2_000);
/** One chunk of events as the worker writes it (INGEST_MAX_BATCH_EVENTS), for the parameters' figures. */
const ARRAY_BATCH_EVENTS = 5_000;
const PARTITIONS = 2;
const CONFIG = loadConfig();
const RULES = loadHandlingRules(CONFIG.files);

function out(line: string): void {
  process.stdout.write(`${line}\n`);
}

/** The first `count` events of ordinary orders, in chunks of about `chunk` (whole orders, cut at `count`). */
function* eventChunks(count: number, prefix: string, chunk: number): Generator<WorkOrderEvent[]> {
  let made = 0;
  let events: WorkOrderEvent[] = [];
  for (let i = 0; made < count; i += 1) {
    const day = `2024-${String((i % 12) + 1).padStart(2, '0')}-${String((i % 27) + 1).padStart(2, '0')}`;
    const order = ordinaryOrder(`${prefix}${String(i).padStart(8, '0')}`, `unit-${i % 24}`, day);
    const taken = order.slice(0, count - made);
    events.push(...taken);
    made += taken.length;
    if (events.length >= chunk || made >= count) {
      yield events;
      events = [];
    }
  }
}

function makeEvents(count: number, prefix: string): WorkOrderEvent[] {
  return [...eventChunks(count, prefix, count)].flat();
}

/**
 * The benchmark's messages in batches of about 2,000, written as they are sent: the benchmark
 * process runs the worker's code under the worker's heap limits, so it never holds them all.
 */
function* messageBatches(count: number, prefix: string): Generator<ProducedMessage[]> {
  for (const events of eventChunks(count, prefix, 2_000)) yield asMessages(events);
}

/** A message as produced: its key and its value's bytes (off the heap the worker collects). */
interface ProducedMessage {
  key: string;
  value: Buffer;
}

/** The events as messages, once: the same ids and bytes for every topic they are produced to. */
function asMessages(events: readonly WorkOrderEvent[]): ProducedMessage[] {
  return events.map((e) => ({ key: e.workOrderId, value: Buffer.from(JSON.stringify(e)) }));
}

/**
 * Produces each batch to every topic, compressed as that topic's producer does (the same ids and
 * bytes on every topic: the builder numbers its events, so they are written once).
 */
async function produceAll(
  topics: readonly { topic: string; compression: ProducerCompression }[],
  batches: Iterable<ProducedMessage[]>,
): Promise<void> {
  const kafka = createKafka({
    brokers: kafkaBrokers(),
    clientId: 'bench-producer',
    security: CONFIG.kafka.security,
  });
  const producers = topics.map(({ topic, compression }) => ({
    topic,
    producer: createProducer(kafka, { compression }),
  }));
  for (const { producer } of producers) await producer.connect();
  for (const messages of batches) {
    for (const { topic, producer } of producers) await producer.send({ topic, messages });
  }
  for (const { producer } of producers) await producer.disconnect();
}

async function consumeThrough(
  dbUrl: string,
  topics: { events: string; dlq: string },
  groupId: string,
  expected: number,
): Promise<{ seconds: number; metrics: IngestionMetrics; cpu: CpuPerEvent }> {
  const dataSource = createDataSource({ url: dbUrl, poolSize: 4 });
  await dataSource.initialize();
  const kafka = createKafka({
    brokers: kafkaBrokers(),
    clientId: 'bench-worker',
    security: CONFIG.kafka.security,
  });
  const producer = createProducer(kafka);
  await producer.connect();
  const metrics = new IngestionMetrics(false);
  const consumer = new WorkOrderEventsConsumer(
    kafka,
    new IngestBatchService(
      dataSource,
      RULES,
      {
        escalationsTopic: `${topics.events}-escalations`,
        policy: DEFAULT_SUPERVISION_POLICY,
        recipients: recipientsResolver(loadOrganisation(CONFIG.files.organisation)),
        watermark: DEFAULT_WATERMARK_POLICY,
      },
      loadStatisticsFormula(CONFIG.files),
    ),
    new DeadLetterPublisher(producer, topics.dlq, dataSource, CONFIG.resilience.deadLetters),
    metrics,
    createLogger('warn', 'bench'),
    {
      topic: topics.events,
      groupId,
      sessionTimeoutMs: 10000,
      maxBatchEvents: CONFIG.ingest.maxBatchEvents,
      partitionsConcurrently: PARTITIONS,
      maxBytesPerPartition: CONFIG.ingest.maxBytesPerPartition,
      restartMaxMs: 30_000,
      unreadableRetryMs: 30_000,
    },
  );
  const cpuBefore = cpuNow();
  const start = process.hrtime.bigint();
  consumer.start();
  for (;;) {
    const consumed = (await metrics.consumed.get()).values[0]?.value ?? 0;
    if (consumed >= expected) break;
    await new Promise((r) => setTimeout(r, 20));
  }
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  const cpuAfter = cpuNow();
  const cpu = {
    workerMicroseconds: ((cpuAfter.process - cpuBefore.process) * 1000) / expected,
    postgresMicroseconds: microsecondsPerEvent(cpuBefore.postgres, cpuAfter.postgres, expected),
  };
  await consumer.stop();
  await producer.disconnect();
  await dataSource.destroy();
  return { seconds, metrics, cpu };
}

/**
 * CPU per event over a delivery: the worker's process and all of PostgreSQL's on this machine
 * (cpuNow; null when PostgreSQL's processes are not visible here).
 */
interface CpuPerEvent {
  workerMicroseconds: number;
  postgresMicroseconds: number | null;
}

/** Microseconds per event between two CPU readings in milliseconds (null if either is unknown). */
function microsecondsPerEvent(before: number | null, after: number | null, events: number) {
  return before === null || after === null ? null : ((after - before) * 1000) / events;
}

const microseconds = (value: number | null) => (value === null ? '—' : `${value.toFixed(1)} µs`);

const cpuText = ({ workerMicroseconds, postgresMicroseconds }: CpuPerEvent) =>
  `CPU per event: worker ${microseconds(workerMicroseconds)}, PostgreSQL ${microseconds(postgresMicroseconds)}`;

/**
 * Runs `measure`, under the CPU profiler and the sampling heap profiler (every allocation, collected
 * or not) when BENCH_CPU_PROFILE_DIR is set (`<name>.cpuprofile`, `<name>.heapprofile`).
 */
async function profiled<T>(name: string, measure: () => Promise<T>): Promise<T> {
  if (!PROFILE_DIR) return measure();
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.start');
  await session.post('HeapProfiler.enable');
  await session.post('HeapProfiler.startSampling', {
    samplingInterval: 65536,
    includeObjectsCollectedByMajorGC: true,
    includeObjectsCollectedByMinorGC: true,
  });
  try {
    return await measure();
  } finally {
    const { profile } = await session.post('Profiler.stop');
    mkdirSync(PROFILE_DIR, { recursive: true });
    writeFileSync(join(PROFILE_DIR, `${name}.cpuprofile`), JSON.stringify(profile));
    const { profile: heap } = await session.post('HeapProfiler.stopSampling');
    writeFileSync(join(PROFILE_DIR, `${name}.heapprofile`), JSON.stringify(heap));
    session.disconnect();
  }
}

interface CompressedInputFigures {
  eventsPerSecond: number;
  seconds: number;
  ratioToUncompressed: number;
  /** What the codec adds per event, end to end, against uncompressed re-delivery. */
  microsecondsPerEventEndToEnd: number;
  /** Decompressing alone, per event, over batches of 2,000 events as produced. */
  decodeMicrosecondsPerEvent: number;
  duplicates: number;
  applied: number;
  /** Dead-lettered, by code (none expected: the same events again). */
  rejected: Record<string, number>;
}

/** Decompression time per event, alone: batches of 2,000 events compressed once, decoded 5 times. */
async function decodeMicrosPerEvent(
  codec: BatchCodec,
  messageBatches: Iterable<ProducedMessage[]>,
): Promise<number> {
  const batches: Buffer[] = [];
  let messages = 0;
  for (const batch of messageBatches) {
    batches.push(await codec.compress(Buffer.concat(batch.map((m) => m.value))));
    messages += batch.length;
  }
  const rounds = 5;
  const start = process.hrtime.bigint();
  for (let round = 0; round < rounds; round += 1) {
    for (const batch of batches) codec.decompress(batch);
  }
  return Number(process.hrtime.bigint() - start) / 1e3 / (rounds * messages);
}

async function counter(metrics: IngestionMetrics, name: 'applied' | 'duplicates'): Promise<number> {
  return (await metrics[name].get()).values[0]?.value ?? 0;
}

/**
 * The tables the ingestion writes, in an order that satisfies their foreign keys. Rows of the two
 * big tables are split between the connections by order id (as the partitions split them).
 */
const WRITTEN_TABLES = [
  { table: 'work_orders', byOrder: true },
  { table: 'work_order_events', byOrder: true },
  { table: 'work_order_due', byOrder: true },
  { table: 'statistics_daily', byOrder: false },
  { table: 'statistics_restatements', byOrder: false },
  { table: 'consumer_watermarks', byOrder: false },
  { table: 'escalations', byOrder: false },
  { table: 'escalation_levels', byOrder: false },
  { table: 'outbox', byOrder: false },
] as const;

interface CeilingFigures {
  eventsPerSecond: number;
  seconds: number;
  /** Rows copied per table (what the first delivery wrote). */
  rows: Record<string, number>;
  bytes: number;
  /** PostgreSQL's CPU per event for the COPY (this process only streams the bytes). */
  postgresCpuMicroseconds: number | null;
}

/** `COPY (query) TO STDOUT` into memory: the rows as PostgreSQL's text format. */
async function copyOut(client: PgClient, query: string): Promise<Buffer[]> {
  const chunks: Buffer[] = [];
  const stream = client.query(copyTo(`COPY (${query}) TO STDOUT`));
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return chunks;
}

async function copyIn(client: PgClient, table: string, chunks: readonly Buffer[]): Promise<void> {
  const stream = client.query(copyFrom(`COPY ${table} FROM STDIN`));
  await pipeline(Readable.from(chunks), stream);
}

/**
 * The database's own ceiling for the first delivery: exactly the rows it wrote, read back from
 * every table it writes, COPYed into a fresh migrated database (same tables, indexes, triggers)
 * over as many connections as the consumer has partitions, one transaction each; no application
 * work. Events covered per second of COPY.
 */
async function measureCeiling(sourceUrl: string, events: number): Promise<CeilingFigures> {
  const target = await createFreshDatabase('hotline_bench_ceiling');
  const source = new PgClient({ connectionString: sourceUrl });
  await source.connect();
  const clients = Array.from(
    { length: PARTITIONS },
    () => new PgClient({ connectionString: target.url }),
  );
  try {
    const perClient: { table: string; chunks: Buffer[] }[][] = clients.map(() => []);
    const rows: Record<string, number> = {};
    let bytes = 0;
    for (const { table, byOrder } of WRITTEN_TABLES) {
      const [{ n }] = (await source.query(`SELECT count(*)::int AS n FROM ${table}`)).rows as [
        { n: number },
      ];
      rows[table] = n;
      if (n === 0) continue;
      for (let k = 0; k < (byOrder ? PARTITIONS : 1); k += 1) {
        const where = byOrder ? ` WHERE abs(hashtext(work_order_id)) % ${PARTITIONS} = ${k}` : '';
        const chunks = await copyOut(source, `SELECT * FROM ${table}${where}`);
        bytes += chunks.reduce((sum, c) => sum + c.length, 0);
        perClient[k]!.push({ table, chunks });
      }
    }
    await Promise.all(clients.map((c) => c.connect()));
    const cpuBefore = cpuNow();
    const start = process.hrtime.bigint();
    await Promise.all(
      clients.map(async (client, k) => {
        await client.query('BEGIN');
        for (const { table, chunks } of perClient[k]!) await copyIn(client, table, chunks);
        await client.query('COMMIT');
      }),
    );
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    const postgresCpuMicroseconds = microsecondsPerEvent(
      cpuBefore.postgres,
      cpuNow().postgres,
      events,
    );
    return {
      eventsPerSecond: Math.round(events / seconds),
      seconds,
      rows,
      bytes,
      postgresCpuMicroseconds,
    };
  } finally {
    await source.end();
    await Promise.all(clients.map((c) => c.end().catch(() => undefined)));
    await target.drop();
  }
}

/** A batch's parameters both ways: the event insert's and the order upsert's, for one chunk of events. */
async function arrayEncoding(dbUrl: string, topic: string) {
  const events = makeEvents(ARRAY_BATCH_EVENTS, 'A');
  const incoming: IncomingEvent[] = events.map((event, i) => ({
    event,
    topic,
    partition: 0,
    offset: String(1_000_000 + i),
    rawSha256: rawDigest(Buffer.from(JSON.stringify(event))),
  }));
  const byOrder = new Map<string, WorkOrderEvent[]>();
  for (const event of events)
    byOrder.set(event.workOrderId, [...(byOrder.get(event.workOrderId) ?? []), event]);
  const formula = loadStatisticsFormula(CONFIG.files);
  const orders = [...byOrder].map(([id, list]) => {
    const { record, state, deadlines } = projectWorkOrder(id, list, {
      calendar: RULES.calendar,
      profile: RULES.profile,
    });
    record.facts = storedFactsOf(orderFacts(state, deadlines, formula, RULES.calendar));
    record.sourcePartition = 0;
    return record;
  });
  const client = new PgClient({ connectionString: dbUrl });
  await client.connect();
  try {
    const figures = await compareArrayEncodings(client, [
      encodedBatch(EVENT_COLUMNS, incoming),
      encodedBatch(ORDER_COLUMNS, orders),
    ]);
    return { events: events.length, orders: orders.length, ...figures };
  } finally {
    await client.end();
  }
}

async function main(): Promise<void> {
  const db = await createFreshDatabase('hotline_bench');
  const baselineDb = await createFreshDatabase('hotline_bench_orm');
  const [eventsTopic, dlqTopic] = await createFreshTopics(
    ['bench-events', 'bench-dlq'],
    PARTITIONS,
  );
  const topics = { events: eventsTopic!, dlq: dlqTopic! };
  const compressedTopics: string[] = [];
  try {
    for (const url of [db.url, baselineDb.url]) {
      const ds = createDataSource({ url });
      await ds.initialize();
      await migrate(ds);
      await ds.destroy();
    }
    // Every topic is produced before anything is measured, and the messages are not held while the
    // worker's code runs: its heap is its own in production, under the worker's heap limits (this
    // process starts with them), and 200,000 messages beside it (about 100 MB of bytes and their
    // objects) made its collections run far more often than the worker's do.
    const compressedTopic: Partial<Record<(typeof INPUT_CODECS)[number], string>> = {};
    for (const codec of INPUT_CODECS) {
      const [topic] = await createFreshTopics([`bench-events-${codec}`], PARTITIONS);
      compressedTopics.push(topic!);
      compressedTopic[codec] = topic!;
    }
    out(
      `producing ${EVENTS} events to ${topics.events} (${PARTITIONS} partitions) and to ${INPUT_CODECS.join(', ')} topics…`,
    );
    await produceAll(
      [
        { topic: topics.events, compression: 'none' },
        ...INPUT_CODECS.map((codec) => ({ topic: compressedTopic[codec]!, compression: codec })),
      ],
      messageBatches(EVENTS, 'B'),
    );

    const first = await profiled('p1', () =>
      consumeThrough(db.url, topics, `${topics.events}-first`, EVENTS),
    );
    const firstRate = EVENTS / first.seconds;
    const ceiling = await measureCeiling(db.url, EVENTS);
    const sql = createDataSource({ url: db.url });
    await sql.initialize();
    const fingerprint = async () =>
      (
        await sql.query<{ n: number; h: string }[]>(
          `SELECT count(*)::int AS n, md5(string_agg(work_order_id || updated_at::text, ',' ORDER BY work_order_id)) AS h FROM work_orders`,
        )
      )[0]!;
    const before = await fingerprint();

    const again = await profiled('p2', () =>
      consumeThrough(db.url, topics, `${topics.events}-replay`, EVENTS),
    );
    const againRate = EVENTS / again.seconds;
    const after = await fingerprint();
    await sql.destroy();

    // The same events again, from topics the platform's Java producers compressed: as re-deliveries
    // (no database writes), so what differs from P2 is the decompression.
    const compressedInput: Record<string, CompressedInputFigures> = {};
    for (const codec of INPUT_CODECS) {
      const topic = compressedTopic[codec]!;
      const run = await consumeThrough(
        db.url,
        { events: topic, dlq: topics.dlq },
        `${topic}-replay`,
        EVENTS,
      );
      const rate = EVENTS / run.seconds;
      compressedInput[codec] = {
        eventsPerSecond: Math.round(rate),
        seconds: run.seconds,
        ratioToUncompressed: rate / againRate,
        microsecondsPerEventEndToEnd: 1e6 / rate - 1e6 / againRate,
        // The same orders built again (the builder numbers event ids afresh, so only the ids
        // differ): nothing of the messages was held through the worker's runs.
        decodeMicrosecondsPerEvent: await decodeMicrosPerEvent(
          codec === 'lz4' ? lz4Codec : zstdCodec,
          messageBatches(EVENTS, 'B'),
        ),
        duplicates: await counter(run.metrics, 'duplicates'),
        applied: await counter(run.metrics, 'applied'),
        rejected: Object.fromEntries(
          (await run.metrics.rejected.get()).values.map((v) => [String(v.labels.code), v.value]),
        ),
      };
    }

    // The same orders built again, as for the codecs' figures (50,000 of them at most).
    const recordDecoding = {
      ...(await compareRecordDecoders(messageBatches(Math.min(EVENTS, 50_000), 'B'))),
      installed: recordDecoderStatus,
    };

    const batchParameters = await arrayEncoding(db.url, topics.events);

    const ormSource = createDataSource({ url: baselineDb.url, poolSize: 2 });
    await ormSource.initialize();
    const sample = makeEvents(BASELINE_EVENTS, 'O');
    const ormStart = process.hrtime.bigint();
    await ingestOneByOneWithOrm(
      ormSource,
      sample,
      (id, events) =>
        projectWorkOrder(id, events, { calendar: RULES.calendar, profile: RULES.profile }).record,
    );
    const ormSeconds = Number(process.hrtime.bigint() - ormStart) / 1e9;
    await ormSource.destroy();
    const ormRate = BASELINE_EVENTS / ormSeconds;

    const results = {
      events: EVENTS,
      p1: {
        eventsPerSecond: Math.round(firstRate),
        seconds: first.seconds,
        applied: await counter(first.metrics, 'applied'),
        ratioToOrm: firstRate / ormRate,
        ceilingEventsPerSecond: ceiling.eventsPerSecond,
        ceilingSeconds: ceiling.seconds,
        ceilingRows: ceiling.rows,
        ceilingPostgresCpuMicroseconds: ceiling.postgresCpuMicroseconds,
        ratioToCeiling: firstRate / ceiling.eventsPerSecond,
        cpu: first.cpu,
        target: '≥ 50% of the ceiling (stretch 75%), ≥ 50× the ORM baseline',
      },
      p2: {
        eventsPerSecond: Math.round(againRate),
        seconds: again.seconds,
        duplicates: await counter(again.metrics, 'duplicates'),
        stateChanged: before.h !== after.h || before.n !== after.n,
        cpu: again.cpu,
        target: 80000,
      },
      compressedInput,
      recordDecoding,
      batchParameters,
      ormBaseline: {
        eventsPerSecond: Math.round(ormRate),
        events: BASELINE_EVENTS,
        seconds: ormSeconds,
      },
    };
    out('');
    out('| measure | events | seconds | events/s | ratio to ORM per message | target |');
    out('|---|---:|---:|---:|---:|---|');
    out(
      `| ceiling: COPY of the rows P1 wrote (${Object.entries(ceiling.rows)
        .filter(([, n]) => n > 0)
        .map(([table, n]) => `${table} ${n}`)
        .join(
          ', ',
        )}) | ${EVENTS} | ${ceiling.seconds.toFixed(2)} | ${ceiling.eventsPerSecond} | ${(ceiling.eventsPerSecond / ormRate).toFixed(1)}× | |`,
    );
    out(
      `| P1 first delivery, end to end: ${(results.p1.ratioToCeiling * 100).toFixed(0)}% of the ceiling | ${EVENTS} | ${first.seconds.toFixed(2)} | ${results.p1.eventsPerSecond} | ${results.p1.ratioToOrm.toFixed(1)}× | ≥ 50% of the ceiling, ≥ 50× |`,
    );
    out(
      `| P2 re-delivery (${results.p2.duplicates} duplicates, state changed: ${results.p2.stateChanged}) | ${EVENTS} | ${again.seconds.toFixed(2)} | ${results.p2.eventsPerSecond} | ${(againRate / ormRate).toFixed(1)}× | ≥ 80,000/s, no change |`,
    );
    out(
      `| baseline: TypeORM save per message | ${BASELINE_EVENTS} | ${ormSeconds.toFixed(2)} | ${results.ormBaseline.eventsPerSecond} | 1× | |`,
    );
    for (const [codec, figures] of Object.entries(compressedInput)) {
      out(
        `| P2 re-delivery, ${codec} input (decode ${figures.decodeMicrosecondsPerEvent.toFixed(2)} µs/event; ${figures.microsecondsPerEventEndToEnd >= 0 ? '+' : ''}${figures.microsecondsPerEventEndToEnd.toFixed(2)} µs/event end to end) | ${EVENTS} | ${figures.seconds.toFixed(2)} | ${figures.eventsPerSecond} | ${(figures.eventsPerSecond / ormRate).toFixed(1)}× | ${(figures.ratioToUncompressed * 100).toFixed(0)}% of uncompressed |`,
      );
    }
    out('');
    out(`ceiling: CPU per event: PostgreSQL ${microseconds(ceiling.postgresCpuMicroseconds)}`);
    out(`P1: ${cpuText(first.cpu)}`);
    out(`P2: ${cpuText(again.cpu)}`);
    out(
      `record decoding (record batches of 2,000 as fetched, each decoder in its own process, median of 3): ${recordDecoding.ours.toFixed(2)} µs/record with the worker's decoder (${recordDecoding.installed} in this one), ${recordDecoding.kafkajs.toFixed(2)} µs/record with kafkajs's own (${(recordDecoding.kafkajs / recordDecoding.ours).toFixed(1)}×)`,
    );
    const { binary, literals } = batchParameters;
    out(
      `batch parameters (${batchParameters.events} events and their ${batchParameters.orders} order rows, median of ${batchParameters.rounds} alternating rounds): binary arrays ${binary.buildCpuMs.toFixed(1)} ms of CPU to build, ${binary.readMs.toFixed(1)} ms to send and read on PostgreSQL; text literals ${literals.buildCpuMs.toFixed(1)} ms and ${literals.readMs.toFixed(1)} ms`,
    );
    out(`\nwritten ${writeResult('ingest', results)}`);
    const replayApplied = Object.values(compressedInput).some((figures) => figures.applied !== 0);
    if (results.p2.stateChanged || results.p1.applied !== EVENTS || replayApplied) {
      process.exitCode = 1;
    }
  } finally {
    await deleteTopics([topics.events, topics.dlq, ...compressedTopics]);
    await db.drop();
    await baselineDb.drop();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${String((error as Error).stack ?? error)}\n`);
  process.exit(1);
});
