/**
 * Compressed batches, end to end, against Kafka's own Java clients:
 *
 *   - Java producers (the console producer, and a transactional producer that aborts one
 *     transaction and commits the next) write contract events with each codec Kafka has (none,
 *     gzip, snappy, lz4, zstd); a real worker applies every committed one. kafkajs alone
 *     implements only gzip: one snappy, lz4 or zstd batch would stop the consumer.
 *   - The worker's own producers compress dead letters and escalations with each codec
 *     (KAFKA_COMPRESSION), and the Java console consumer reads them back.
 *
 * The broker's log dump shows each stored batch's codec, so the tests know the batches really
 * were compressed as intended.
 */
import {
  anEvent,
  consumeWithJavaConsoleConsumer,
  createFreshTopics,
  createWorkerEnvironment,
  deleteTopics,
  kafkaBrokers,
  ordinaryOrder,
  produceRaw,
  produceWithJavaConsoleProducer,
  produceWithJavaTransactions,
  startWorker,
  storedBatchCodecs,
  storedBatches,
  waitFor,
  waitUntilJoined,
  type BatchCompression,
  type KeyedLine,
  type WorkerEnvironment,
  type WorkerProcess,
} from '@hotline/testing';
import type { WorkOrderEvent } from '@hotline/core';
import { createKafka, createProducer } from '@hotline/platform';

const CODECS: BatchCompression[] = ['none', 'gzip', 'snappy', 'lz4', 'zstd'];
const ORDERS_PER_CODEC = 10;
const kafka = createKafka({ brokers: kafkaBrokers(), clientId: 'test-compression', retries: 3 });

const asLines = (events: WorkOrderEvent[]): KeyedLine[] =>
  events.map((event) => ({ key: event.workOrderId, value: JSON.stringify(event) }));

/** Orders whose ids say which codec carried them: TJ2024030<codec index><n>. */
const ordersFor = (prefix: string, count: number) =>
  Array.from({ length: count }, (_, n) =>
    ordinaryOrder(`${prefix}${String(n + 1).padStart(5, '0')}`, 'teda-enforcement', '2024-03-04'),
  ).flat();

describe('batches compressed by Java producers', () => {
  let run: WorkerEnvironment;
  let worker: WorkerProcess;

  beforeAll(async () => {
    run = await createWorkerEnvironment('compressed');
    worker = await startWorker(run.env);
    await waitUntilJoined(worker);
  });

  afterAll(async () => {
    await worker?.stop();
    await run?.dispose();
  });

  const eventsPerOrderPrefix = async (): Promise<Record<string, number>> => {
    const { rows } = await run.sql.query<{ prefix: string; events: number }>(
      `SELECT left(work_order_id, 10) AS prefix, count(*)::int AS events
         FROM work_order_events GROUP BY 1`,
    );
    return Object.fromEntries(rows.map((row) => [row.prefix, row.events]));
  };

  it('applies every event whatever the codec of its batch', async () => {
    const expected: Record<string, number> = {};
    for (const [index, codec] of CODECS.entries()) {
      const prefix = `TJ2024030${index}`;
      const events = ordersFor(prefix, ORDERS_PER_CODEC);
      expected[prefix] = events.length;
      await produceWithJavaConsoleProducer(run.topics.events, codec, asLines(events));
    }

    // The topic really holds a batch of each codec.
    expect(new Set(await storedBatchCodecs(run.topics.events))).toEqual(
      new Set(['none', 'gzip', 'snappy', 'lz4', 'zstd']),
    );
    const counts = await waitFor('every event applied', async () => {
      const byPrefix = await eventsPerOrderPrefix();
      return Object.keys(expected).every((prefix) => byPrefix[prefix] === expected[prefix])
        ? byPrefix
        : undefined;
    });
    expect(counts).toEqual(expected);

    const health = await worker.health();
    expect(health.status).toBe(200);
    expect(health.body.consumer.lastError).toBeNull();
  });

  it('applies what a transactional producer commits and nothing it aborts', async () => {
    const aborted = ordersFor('TJ20240311', 5);
    const committed = ordersFor('TJ20240312', 5);
    await produceWithJavaTransactions(run.topics.events, 'lz4', [
      { outcome: 'abort', lines: asLines(aborted) },
      { outcome: 'commit', lines: asLines(committed) },
    ]);
    // Marks the end: once it is applied, everything before it on the partition was read.
    const marker = ordersFor('TJ20240313', 1);
    await produceWithJavaConsoleProducer(run.topics.events, 'lz4', asLines(marker));

    const counts = await waitFor('the marker applied', async () => {
      const byPrefix = await eventsPerOrderPrefix();
      return byPrefix['TJ20240313'] === marker.length ? byPrefix : undefined;
    });
    expect(counts['TJ20240312']).toBe(committed.length);
    expect(counts['TJ20240311']).toBeUndefined();
    // The aborted records are in the log, compressed, each flushed in a batch of its own, and
    // so are both markers: the consumer skipped the aborted ones, not the broker.
    const transactional = (await storedBatches(run.topics.events)).filter((b) => b.transactional);
    expect(transactional.filter((b) => b.control)).toHaveLength(2);
    expect(transactional.filter((b) => !b.control && b.codec === 'lz4')).toHaveLength(
      aborted.length + committed.length,
    );
  });
});

describe("the worker's own batches, read by the Java console consumer", () => {
  let run: WorkerEnvironment;
  let worker: WorkerProcess | undefined;

  let codecsTopic: string;

  beforeAll(async () => {
    run = await createWorkerEnvironment('compressing');
    codecsTopic = (await createFreshTopics(['codecs']))[0]!;
  });

  afterAll(async () => {
    await worker?.stop();
    await run?.dispose();
    await deleteTopics([codecsTopic]);
  });

  it("writes every codec through the worker's producer", async () => {
    const codecs = ['gzip', 'snappy', 'lz4', 'zstd'] as const;
    for (const codec of codecs) {
      const producer = createProducer(kafka, { compression: codec });
      await producer.connect();
      try {
        // Ten alike records: the batch is worth compressing, as an escalation burst is.
        await producer.send({
          topic: codecsTopic,
          messages: Array.from({ length: 10 }, (_, n) => ({
            key: codec,
            value: JSON.stringify({ codec, n, note: '超期未签收 '.repeat(20) }),
          })),
        });
      } finally {
        await producer.disconnect();
      }
    }
    expect(await storedBatchCodecs(codecsTopic)).toEqual([...codecs]);
    const read = await consumeWithJavaConsoleConsumer(codecsTopic, 40);
    const records = read.map((line) => JSON.parse(line.value) as { codec: string; n: number });
    expect(records.map(({ codec, n }) => `${codec}:${n}`)).toEqual(
      codecs.flatMap((codec) => Array.from({ length: 10 }, (_, n) => `${codec}:${n}`)),
    );
  });

  it('compresses dead letters and escalations as KAFKA_COMPRESSION says', async () => {
    // zstd, the one codec whose encoder is not the decoder's library.
    worker = await startWorker({
      ...run.env,
      KAFKA_COMPRESSION: 'zstd',
      // The order below is from 2024: once the partition has been quiet this long, the wall
      // clock judges it, and its acceptance is long overdue.
      WATERMARK_IDLE_MS: '1000',
    });
    await waitUntilJoined(worker);

    const order = 'TJ202404010000001';
    await produceRaw(run.topics.events, [
      { key: 'bad', value: '{"not a contract event": true}' },
      {
        key: order,
        value: JSON.stringify(
          anEvent('dispatched', order, '2024-04-01T10:00:00', {
            unitId: 'teda-enforcement',
            category: 'complaint',
            urgency: 'normal',
          }),
        ),
      },
    ]);
    await waitFor(`${order}'s escalations published`, async () => {
      const { rows } = await run.sql.query<{ fired: number; unpublished: number }>(
        `SELECT (SELECT count(*)::int FROM escalations WHERE work_order_id = $1) AS fired,
                (SELECT count(*)::int FROM outbox WHERE published_at IS NULL) AS unpublished`,
        [order],
      );
      return rows[0]!.fired > 0 && rows[0]!.unpublished === 0 ? true : undefined;
    });

    const deadLetterTopic = run.topics.deadLetters;
    expect(await storedBatchCodecs(deadLetterTopic)).toEqual(['zstd']);
    const deadLetters = await consumeWithJavaConsoleConsumer(deadLetterTopic, 1);
    expect(deadLetters.map((line) => line.value)).toEqual(['{"not a contract event": true}']);

    const { rows } = await run.sql.query<{ published: number }>(
      `SELECT count(*)::int AS published FROM outbox WHERE topic = $1`,
      [run.topics.escalations],
    );
    const published = rows[0]!.published;
    expect(published).toBeGreaterThan(0);
    const escalations = await consumeWithJavaConsoleConsumer(run.topics.escalations, published);
    expect(escalations).toHaveLength(published);
    for (const line of escalations) {
      expect(JSON.parse(line.value)).toMatchObject({ workOrderId: order });
    }
    expect(new Set(await storedBatchCodecs(run.topics.escalations))).toEqual(new Set(['zstd']));
  });
});
