/**
 * A consumer that crashes is started again, on the real broker and database: a worker deployed
 * before its input topic exists (topic creation left to the operator) fails to subscribe, which
 * kafkajs does not retry; the consumer is started again with backoff, counted and shown, and
 * consumes as soon as the topic is there.
 */
import type { WorkOrderEvent } from '@hotline/core';
import { createDataSource } from '@hotline/persistence';
import { IngestionMetrics, createKafka, createLogger, createProducer } from '@hotline/platform';
import {
  createFreshDatabase,
  createFreshTopics,
  deleteTopics,
  kafkaBrokers,
  ordinaryOrder,
  produceRaw,
  waitFor,
  type FreshDatabase,
} from '@hotline/testing';
import type { DataSource } from 'typeorm';
import { inProcessConsumer } from './in-process-consumer';
import type { ConsumerStatus } from './work-order-events.consumer';

describe('a consumer that crashes', () => {
  let db: FreshDatabase;
  let ds: DataSource;
  const topics: string[] = [];

  beforeAll(async () => {
    db = await createFreshDatabase('restart');
    ds = createDataSource({ url: db.url, poolSize: 4 });
    await ds.initialize();
  });

  afterAll(async () => {
    await ds?.destroy();
    await deleteTopics(topics);
    await db?.drop();
  });

  it('is started again with backoff, counted and shown, and consumes once it can', async () => {
    const [dlq] = await createFreshTopics(['restart-dlq']);
    topics.push(dlq!);
    const events = `restart-events.${Date.now().toString(36)}`;
    // Few retries of its own: the subscription to the missing topic fails within a second.
    const kafka = createKafka({ brokers: kafkaBrokers(), clientId: 'test-restart', retries: 1 });
    const producer = createProducer(kafka);
    await producer.connect();
    const metrics = new IngestionMetrics(false);
    const consumer = inProcessConsumer({
      kafka,
      dataSource: ds,
      producer,
      topics: { events, dlq: dlq! },
      metrics,
      logger: createLogger('silent', 'test'),
    });
    const seen = new Set<ConsumerStatus>();
    const watch = setInterval(() => seen.add(consumer.status), 20);
    consumer.start();
    try {
      await waitFor('two restarts', () =>
        Promise.resolve(consumer.restartCount >= 2 ? true : undefined),
      );
      expect(seen.has('restarting')).toBe(true);
      expect(consumer.error).toMatch(/^consumer crashed: /);
      expect((await metrics.consumerRestarts.get()).values[0]?.value).toBeGreaterThanOrEqual(2);

      const admin = kafka.admin();
      await admin.connect();
      await admin.createTopics({
        topics: [{ topic: events, numPartitions: 1 }],
        waitForLeaders: true,
      });
      await admin.disconnect();
      topics.push(events);
      const order: WorkOrderEvent[] = ordinaryOrder('RESTART-1', 'teda-enforcement', '2024-05-10');
      await produceRaw(
        events,
        order.map((e) => ({ key: e.workOrderId, value: JSON.stringify(e) })),
      );
      await waitFor('the order applied after the restart', async () => {
        const rows = await ds.query<{ n: number }[]>(
          `SELECT count(*)::int AS n FROM work_order_events WHERE work_order_id = 'RESTART-1'`,
        );
        return rows[0]?.n === order.length ? true : undefined;
      });
      expect(consumer.status).toBe('joined');
    } finally {
      clearInterval(watch);
      await consumer.stop();
      await producer.disconnect();
    }
  });
});
