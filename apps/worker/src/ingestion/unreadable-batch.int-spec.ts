/**
 * A record batch the worker cannot decompress, on the real broker and database: an lz4 batch
 * written by a real producer, read while this process's lz4 codec fails (as when its native
 * library cannot load). The partition pauses with the error where /health shows it, a metric and
 * the log say so, the other partition goes on, nothing of the batch is applied or skipped; once
 * the codec works again the partition resumes by itself and the batch is applied.
 */
import { Writable } from 'node:stream';
import type { WorkOrderEvent } from '@hotline/core';
import { createDataSource } from '@hotline/persistence';
import { CompressionTypes, IngestionMetrics, createKafka, createLogger } from '@hotline/platform';
import {
  createFreshDatabase,
  createFreshTopics,
  deleteTopics,
  kafkaBrokers,
  ordinaryOrder,
  waitFor,
  type FreshDatabase,
} from '@hotline/testing';
import { CompressionCodecs } from 'kafkajs';
import type { DataSource } from 'typeorm';
import { inProcessConsumer } from './in-process-consumer';

const kafka = createKafka({ brokers: kafkaBrokers(), clientId: 'test-unreadable', retries: 3 });
const messages = (events: WorkOrderEvent[], partition: number) =>
  events.map((e) => ({ key: e.workOrderId, value: JSON.stringify(e), partition }));

describe('a batch the worker cannot decompress', () => {
  let db: FreshDatabase;
  let ds: DataSource;
  let topics: string[];
  const lz4 = CompressionCodecs[CompressionTypes.LZ4];

  beforeAll(async () => {
    db = await createFreshDatabase('unreadable');
    ds = createDataSource({ url: db.url, poolSize: 4 });
    await ds.initialize();
    topics = await createFreshTopics(['unreadable-events', 'unreadable-dlq'], 2);
  });

  afterAll(async () => {
    CompressionCodecs[CompressionTypes.LZ4] = lz4;
    await ds?.destroy();
    await deleteTopics(topics ?? []);
    await db?.drop();
  });

  it('pauses its partition with a clear error, lets the others go on, and resumes once the codec works', async () => {
    const [events, dlq] = topics as [string, string];
    const compressed = ordinaryOrder('LZ4-1', 'teda-enforcement', '2024-05-07');
    const plain = ordinaryOrder('PLAIN-1', 'teda-enforcement', '2024-05-07');
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({
      topic: events,
      compression: CompressionTypes.LZ4,
      messages: messages(compressed, 0),
    });
    await producer.send({ topic: events, messages: messages(plain, 1) });

    CompressionCodecs[CompressionTypes.LZ4] = () => ({
      compress: () => Promise.reject(new Error('unused')),
      decompress: () => Promise.reject(new Error('the lz4 library failed to load')),
    });
    const lines: string[] = [];
    const logger = createLogger(
      'info',
      'test',
      new Writable({
        write(chunk: Buffer, _encoding, done) {
          lines.push(chunk.toString());
          done();
        },
      }),
    );
    const metrics = new IngestionMetrics(false);
    const consumer = inProcessConsumer({
      kafka,
      dataSource: ds,
      producer,
      topics: { events, dlq: dlq },
      metrics,
      logger,
      options: { partitionsConcurrently: 2, unreadableRetryMs: 1000 },
    });
    const logged = async (id: string) => {
      const rows = await ds.query<{ n: number }[]>(
        'SELECT count(*)::int AS n FROM work_order_events WHERE work_order_id = $1',
        [id],
      );
      return rows[0]?.n ?? 0;
    };
    consumer.start();
    try {
      const paused = await waitFor('partition 0 paused', () =>
        Promise.resolve(consumer.pausedPartitions.find((p) => p.partition === 0)),
      );
      expect(paused.error).toContain('codec 3');
      expect(paused.error).toContain('the lz4 library failed to load');
      expect(paused.offset).toBe('0');
      await waitFor('the other partition applied', async () =>
        (await logged('PLAIN-1')) === plain.length ? true : undefined,
      );
      expect(await logged('LZ4-1')).toBe(0);
      expect((await metrics.unreadableBatches.get()).values[0]?.value).toBeGreaterThanOrEqual(1);
      expect((await metrics.pausedPartitions.get()).values[0]?.value).toBe(1);
      expect(consumer.status).toBe('joined');
      expect(consumer.restartCount).toBe(0);
      expect(lines.join('')).toContain('partition paused: a record batch cannot be decompressed');

      CompressionCodecs[CompressionTypes.LZ4] = lz4;
      await waitFor('the lz4 batch applied after the codec works again', async () =>
        (await logged('LZ4-1')) === compressed.length ? true : undefined,
      );
      await waitFor('no partition paused', () =>
        Promise.resolve(consumer.pausedPartitions.length === 0 ? true : undefined),
      );
      expect((await metrics.rejected.get()).values.length).toBe(0);
    } finally {
      await consumer.stop();
      await producer.disconnect();
    }
  });
});
