/**
 * The lag comes from the broker and returns to 0 once everything is read, on the real broker and
 * database, also when the partition ends with a transaction's commit marker (a Java producer's
 * `transactional.id`): the worker commits past the marker, so the group's offset reaches the end.
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
  waitFor,
  type FreshDatabase,
} from '@hotline/testing';
import type { DataSource } from 'typeorm';
import { inProcessConsumer } from '../ingestion/in-process-consumer';
import { BrokerProbe } from './broker-probe';

const kafka = createKafka({ brokers: kafkaBrokers(), clientId: 'test-lag', retries: 3 });

describe('the lag from the broker', () => {
  let db: FreshDatabase;
  let ds: DataSource;
  let topics: string[] = [];

  beforeAll(async () => {
    db = await createFreshDatabase('lag');
    ds = createDataSource({ url: db.url, poolSize: 4 });
    await ds.initialize();
    topics = await createFreshTopics(['lag-events', 'lag-dlq']);
  });

  afterAll(async () => {
    await ds?.destroy();
    await deleteTopics(topics);
    await db?.drop();
  });

  it('is the backlog before the worker reads and 0 once it has read to a commit marker', async () => {
    const [events, dlq] = topics as [string, string];
    const order: WorkOrderEvent[] = ordinaryOrder('LAG-1', 'teda-enforcement', '2024-05-11');
    const transactional = kafka.producer({
      transactionalId: `${events}-tx`,
      idempotent: true,
      maxInFlightRequests: 1,
    });
    await transactional.connect();
    const transaction = await transactional.transaction();
    await transaction.send({
      topic: events,
      messages: order.map((e) => ({ key: e.workOrderId, value: JSON.stringify(e) })),
    });
    await transaction.commit();
    await transactional.disconnect();

    const metrics = new IngestionMetrics(false);
    const logger = createLogger('silent', 'test');
    const groupId = `${events}-worker`;
    const probe = new BrokerProbe(kafka, events, groupId, metrics, logger, () => new Date(), 5000);
    await probe.step();
    // The order's events and the commit marker: nothing read yet.
    expect(probe.state).toMatchObject({ reachable: true, lag: order.length + 1 });

    const producer = createProducer(kafka);
    await producer.connect();
    const consumer = inProcessConsumer({
      kafka,
      dataSource: ds,
      producer,
      topics: { events, dlq },
      metrics,
      logger,
      options: { groupId },
    });
    consumer.start();
    try {
      await waitFor('lag 0 from the broker', async () => {
        await probe.step();
        return probe.state.lag === 0 ? true : undefined;
      });
      expect((await metrics.lag.get()).values[0]?.value).toBe(0);
      const rows = await ds.query<{ n: number }[]>(
        `SELECT count(*)::int AS n FROM work_order_events WHERE work_order_id = 'LAG-1'`,
      );
      expect(rows[0]?.n).toBe(order.length);
    } finally {
      await consumer.stop();
      await probe.stop();
      await producer.disconnect();
    }
  });
});
