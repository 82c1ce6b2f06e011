/**
 * Fault tests on the real broker and database: the worker killed between the database commit and
 * the offset commit, and PostgreSQL unreachable for a few seconds mid-stream.
 */
import { foldWorkOrder, type WorkOrderEvent } from '@hotline/core';
import {
  createFreshDatabase,
  createFreshTopics,
  deleteTopics,
  kafkaBrokers,
  ordinaryOrder,
  produceRaw,
  startTcpProxy,
  startWorker,
  waitFor,
  waitUntilJoined,
  type FreshDatabase,
} from '@hotline/testing';
import { Client } from 'pg';

const messages = (events: WorkOrderEvent[]) =>
  events.map((event) => ({ key: event.workOrderId, value: JSON.stringify(event) }));

function orders(prefix: string, count: number, day: string): WorkOrderEvent[] {
  return Array.from({ length: count }, (_, i) =>
    ordinaryOrder(`${prefix}-${String(i).padStart(4, '0')}`, `unit-${i % 4}`, day),
  ).flat();
}

async function countEvents(sql: Client): Promise<number> {
  const { rows } = await sql.query<{ n: string }>('SELECT count(*) AS n FROM work_order_events');
  return Number(rows[0]!.n);
}

/** Every stored order equals the fold of its logged events. */
async function expectStateIsFoldOfLog(sql: Client): Promise<void> {
  const { rows } = await sql.query<{
    work_order_id: string;
    state: unknown;
    events: WorkOrderEvent[];
  }>(
    `SELECT w.work_order_id, w.state, array_agg(e.payload) AS events
       FROM work_orders w JOIN work_order_events e USING (work_order_id)
      GROUP BY w.work_order_id, w.state`,
  );
  for (const row of rows) {
    expect(row.state).toEqual(
      JSON.parse(JSON.stringify(foldWorkOrder(row.work_order_id, row.events))),
    );
  }
}

describe('ingestion under faults', () => {
  let db: FreshDatabase;
  let sql: Client;
  const topicsToDelete: string[] = [];

  beforeAll(async () => {
    db = await createFreshDatabase('faults');
    sql = new Client({ connectionString: db.url });
    await sql.connect();
  });

  afterEach(async () => {
    await sql.query('TRUNCATE work_order_events, work_orders').catch(() => undefined);
  });

  afterAll(async () => {
    await sql?.end();
    await deleteTopics(topicsToDelete);
    await db?.drop();
  });

  it('redelivers after a SIGKILL between the database commit and the offset commit, with no duplicate effect', async () => {
    const [events] = await createFreshTopics(['kill-events'], 1);
    const [dlq] = await createFreshTopics(['kill-dlq'], 1);
    topicsToDelete.push(events!, dlq!);
    const env = {
      DATABASE_URL: db.url,
      KAFKA_BROKERS: kafkaBrokers().join(','),
      EVENTS_TOPIC: events!,
      DLQ_TOPIC: dlq!,
      KAFKA_GROUP_ID: `${events}-worker`,
      INGEST_MAX_BATCH_EVENTS: '100',
    };
    const produced = orders('KILL', 60, '2024-04-01');
    await produceRaw(events!, messages(produced));

    const doomed = await startWorker({ ...env, FAULT_KILL_AFTER_DB_COMMIT: '1' });
    const exit = await doomed.exited;
    expect(exit.signal).toBe('SIGKILL');
    const appliedBeforeKill = await countEvents(sql);
    expect(appliedBeforeKill).toBeGreaterThan(0);

    const survivor = await startWorker(env);
    try {
      await waitUntilJoined(survivor);
      await waitFor('the rest of the stream', async () =>
        (await countEvents(sql)) === produced.length ? true : undefined,
      );
      // The killed batch was committed in the database but not in Kafka: it came back as duplicates.
      await waitFor('the redelivered batch to be counted', async () =>
        (await survivor.metric('hotline_events_consumed_total')) === produced.length
          ? true
          : undefined,
      );
      expect(await survivor.metric('hotline_events_duplicate_total')).toBe(appliedBeforeKill);
      expect(await survivor.metric('hotline_events_applied_total')).toBe(
        produced.length - appliedBeforeKill,
      );
      await expectStateIsFoldOfLog(sql);
    } finally {
      await survivor.stop();
    }
  });

  it('pauses while PostgreSQL is unreachable and resumes by itself, losing nothing', async () => {
    const [events] = await createFreshTopics(['outage-events'], 2);
    const [dlq] = await createFreshTopics(['outage-dlq'], 1);
    topicsToDelete.push(events!, dlq!);
    const target = new URL(db.url);
    const proxy = await startTcpProxy(target.hostname, Number(target.port || 5432));
    const viaProxy = new URL(db.url);
    viaProxy.hostname = '127.0.0.1';
    viaProxy.port = String(proxy.port);
    const worker = await startWorker({
      DATABASE_URL: viaProxy.toString(),
      KAFKA_BROKERS: kafkaBrokers().join(','),
      EVENTS_TOPIC: events!,
      DLQ_TOPIC: dlq!,
      KAFKA_GROUP_ID: `${events}-worker`,
    });
    try {
      await waitUntilJoined(worker);
      const before = orders('OUT-A', 20, '2024-04-02');
      await produceRaw(events!, messages(before));
      await waitFor('the first part', async () =>
        (await countEvents(sql)) === before.length ? true : undefined,
      );

      await proxy.cut();
      const during = orders('OUT-B', 20, '2024-04-03');
      await produceRaw(events!, messages(during));
      await waitFor('a retry while the database is away', async () =>
        (await worker.metric('hotline_ingest_retries_total')) > 0 ? true : undefined,
      );
      const { body } = await worker.health();
      expect(body.database.status).toBe('down');
      await new Promise((r) => setTimeout(r, 3000));
      expect(await countEvents(sql)).toBe(before.length);
      await proxy.restore();

      const after = orders('OUT-C', 20, '2024-04-04');
      await produceRaw(events!, messages(after));
      const total = before.length + during.length + after.length;
      await waitFor('everything after the outage', async () =>
        (await countEvents(sql)) === total ? true : undefined,
      );
      await expectStateIsFoldOfLog(sql);
      expect(await worker.metric('hotline_events_rejected_total')).toBe(0);
    } finally {
      await worker.stop();
      await proxy.close();
    }
  });
});
