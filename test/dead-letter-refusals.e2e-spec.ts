/**
 * A dead letter the broker refuses, on the real broker and database: the dead-letter topic is
 * configured to take nothing over 2 KB, so the dead letter of a 10 KB message is refused however
 * often it is sent. The worker tries again, parks it in PostgreSQL and goes on with the stream
 * (the consumer never crashes); once the topic takes it, the parked dead letter is forwarded as it
 * was, with its original bytes.
 */
import { randomBytes } from 'node:crypto';
import { createKafka } from '@hotline/platform';
import {
  consumeAll,
  createWorkerEnvironment,
  kafkaBrokers,
  ordinaryOrder,
  produceRaw,
  startWorker,
  waitFor,
  waitUntilJoined,
  type WorkerEnvironment,
  type WorkerProcess,
} from '@hotline/testing';
import { ConfigResourceTypes } from 'kafkajs';

async function setMaxMessageBytes(topic: string, bytes: number): Promise<void> {
  const admin = createKafka({
    brokers: kafkaBrokers(),
    clientId: 'test-refusals',
    retries: 3,
  }).admin();
  await admin.connect();
  try {
    await admin.alterConfigs({
      validateOnly: false,
      resources: [
        {
          type: ConfigResourceTypes.TOPIC,
          name: topic,
          configEntries: [{ name: 'max.message.bytes', value: String(bytes) }],
        },
      ],
    });
  } finally {
    await admin.disconnect();
  }
}

describe('a dead letter the broker refuses', () => {
  let run: WorkerEnvironment;
  let worker: WorkerProcess | undefined;

  beforeAll(async () => {
    run = await createWorkerEnvironment('refusals');
    await setMaxMessageBytes(run.topics.deadLetters, 2048);
  });

  afterAll(async () => {
    await worker?.stop();
    await run?.dispose();
  });

  it('is retried, parked in PostgreSQL while the stream goes on, and forwarded once the broker takes it', async () => {
    worker = await startWorker({
      ...run.env,
      DLQ_SEND_ATTEMPTS: '2',
      DLQ_PARKED_RETRY_MS: '1000',
    });
    const running = worker;
    await waitUntilJoined(running);
    // 10 KB that no codec shrinks (the worker's producer compresses), and not UTF-8.
    const refused = Buffer.concat([Buffer.from([0xff]), randomBytes(10_000)]);
    const after = ordinaryOrder('REFUSED-AFTER', 'teda-enforcement', '2024-05-09');
    await produceRaw(run.topics.events, [
      { key: 'REFUSED-1', value: refused },
      ...after.map((e) => ({ key: e.workOrderId, value: JSON.stringify(e) })),
    ]);

    await waitFor(`the dead letter parked\n${running.output()}`, async () => {
      const { rows } = await run.sql.query<{ status: string }>('SELECT status FROM dead_letters');
      return rows[0]?.status === 'parked' ? true : undefined;
    });
    // The stream goes on past it: an order produced later is applied.
    const later = ordinaryOrder('REFUSED-LATER', 'teda-enforcement', '2024-05-09');
    await produceRaw(
      run.topics.events,
      later.map((e) => ({ key: e.workOrderId, value: JSON.stringify(e) })),
    );
    await waitFor('the events after it applied', async () => {
      const { rows } = await run.sql.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM work_order_events WHERE work_order_id LIKE 'REFUSED-%'`,
      );
      return rows[0]?.n === after.length + later.length ? true : undefined;
    });
    const parked = await run.sql.query<{ status: string; code: string; message_value: Buffer }>(
      'SELECT status, code, message_value FROM dead_letters',
    );
    expect(parked.rows).toHaveLength(1);
    expect(parked.rows[0]).toMatchObject({ status: 'parked', code: 'invalid_encoding' });
    expect(parked.rows[0]!.message_value.equals(refused)).toBe(true);
    expect(await running.metric('hotline_dead_letters_total{outcome="parked"}')).toBe(1);
    const { body } = await running.health();
    expect(body.consumer.restarts).toBe(0);
    expect(body.consumer.status).toBe('joined');

    await setMaxMessageBytes(run.topics.deadLetters, 1_048_588);
    await waitFor('the parked dead letter forwarded', async () => {
      const { rows } = await run.sql.query<{ status: string }>('SELECT status FROM dead_letters');
      return rows[0]?.status === 'forwarded' ? true : undefined;
    });
    const letters = await consumeAll(run.topics.deadLetters, { expected: 1 });
    expect(letters).toHaveLength(1);
    expect(letters[0]!.headers['x-dlq-code']).toBe('invalid_encoding');
    expect(letters[0]!.value!.equals(refused)).toBe(true);
    expect(letters[0]!.key).toBe('REFUSED-1');
  }, 180_000);
});
