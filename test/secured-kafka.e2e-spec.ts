/**
 * The worker against a Kafka cluster secured as production ones are: a second local broker whose
 * only listener is SASL_SSL (SCRAM-SHA-512 users bootstrapped at storage format, the test's own
 * certificate authority, mutual TLS required). Through it the worker ingests, dead-letters and
 * publishes escalations; a wrong password, an untrusted authority and a missing client
 * certificate each stop it at start-up with the setting named, and no password is ever shown.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  consumeAll,
  createCertificateAuthority,
  createWorkerEnvironment,
  ordinaryOrder,
  produceRaw,
  startSecuredKafka,
  startWorker,
  waitFor,
  waitUntilJoined,
  type SecuredKafka,
  type WorkerEnvironment,
  type WorkerProcess,
} from '@hotline/testing';

jest.setTimeout(180_000);

/** Starts a worker expected to refuse to start; its output, after it exited with code 1. */
async function refusedStart(env: Record<string, string>): Promise<string> {
  const worker = await startWorker(env);
  let timer: NodeJS.Timeout | undefined;
  try {
    const exit = await Promise.race([
      worker.exited,
      new Promise<'running'>((done) => (timer = setTimeout(() => done('running'), 90_000))),
    ]);
    expect(exit).toEqual({ code: 1, signal: null });
    return worker.output();
  } finally {
    clearTimeout(timer);
    await worker.stop();
  }
}

describe('the worker on a SASL_SSL cluster', () => {
  let broker: SecuredKafka;
  let run: WorkerEnvironment;
  let worker: WorkerProcess | undefined;

  beforeAll(async () => {
    broker = await startSecuredKafka({ mutualTls: true });
    run = await createWorkerEnvironment('secured', 1, broker.target());
  });

  afterAll(async () => {
    await worker?.stop();
    await run?.dispose();
    await broker?.stop();
  });

  it('ingests, dead-letters a malformed message and publishes the escalation through SASL_SSL', async () => {
    // Last year's events published at once: the partition is idle a second after, then the wall clock.
    // Debug logging: the most the worker ever writes, none of it may carry the password.
    worker = await startWorker({ ...run.env, WATERMARK_IDLE_MS: '1000', LOG_LEVEL: 'debug' });
    await waitUntilJoined(worker);
    const order = ordinaryOrder('TJ-SECURE-1', 'teda-enforcement', '2024-03-04', 'dissatisfied');
    await produceRaw(
      run.topics.events,
      [
        ...order.map((event) => ({ key: event.workOrderId, value: JSON.stringify(event) })),
        { key: 'BAD-SECURE', value: '{"eventId": "x", "type": ' },
      ],
      broker.client('producer'),
    );

    await waitFor('the order applied', async () => {
      const { rows } = await run.sql.query<{ n: number }>(
        'SELECT count(*)::int AS n FROM work_order_events',
      );
      return rows[0]!.n === order.length ? true : undefined;
    });
    const letters = await consumeAll(
      run.topics.deadLetters,
      { expected: 1 },
      broker.client('dlq-reader'),
    );
    expect(letters.map((letter) => [letter.key, letter.headers['x-dlq-code']])).toEqual([
      ['BAD-SECURE', 'invalid_json'],
    ]);
    const escalations = await consumeAll(
      run.topics.escalations,
      { expected: 1, timeoutMs: 30_000 },
      broker.client('escalation-reader'),
    );
    const published = escalations.map((m) => JSON.parse(m.value!.toString()) as { kind: string });
    expect(escalations[0]?.key).toBe('TJ-SECURE-1');
    expect(published.map((message) => message.kind)).toContain('dissatisfied');

    const { status, body } = await worker.health();
    expect(status).toBe(200);
    const shown = `${worker.output()}\n${JSON.stringify(body)}`;
    expect(shown).not.toContain(broker.password);
  });

  it('stops at start-up on a wrong password, naming KAFKA_SASL_PASSWORD', async () => {
    const wrong = join(broker.dir, 'wrong-password');
    writeFileSync(wrong, 'not-the-scram-password-1234\n');
    const output = await refusedStart({ ...run.env, KAFKA_SASL_PASSWORD_FILE: wrong });
    expect(output).toContain(
      `KAFKA_SASL_PASSWORD: the Kafka broker at ${broker.brokers[0]} refused the scram-sha-512 login of KAFKA_SASL_USERNAME \\"hotline\\"`,
    );
    expect(output).not.toContain('not-the-scram-password-1234');
    expect(output).not.toContain(broker.password);
  });

  it('stops at start-up on a certificate authority that did not sign the broker, naming KAFKA_TLS_CA_FILE', async () => {
    const stranger = createCertificateAuthority(broker.dir, 'stranger-ca');
    const output = await refusedStart({ ...run.env, KAFKA_TLS_CA_FILE: stranger.certFile });
    expect(output).toContain(
      `KAFKA_TLS_CA_FILE: the Kafka broker at ${broker.brokers[0]} presented a certificate not signed by an authority in ${stranger.certFile}`,
    );
    expect(output).not.toContain(broker.password);
  });

  it('stops at start-up without the client certificate the broker requires, naming KAFKA_TLS_CERT_FILE', async () => {
    const { KAFKA_TLS_CERT_FILE: _cert, KAFKA_TLS_KEY_FILE: _key, ...withoutCertificate } = run.env;
    const output = await refusedStart(withoutCertificate);
    expect(output).toContain(
      `KAFKA_TLS_CERT_FILE: the Kafka broker at ${broker.brokers[0]} wants a client certificate it trusts (mutual TLS)`,
    );
  });
});
