/**
 * Start-up and health an operator can trust, with real processes, broker and database:
 *
 *   - a worker restarted after `kill -9` answers /health and publishes committed outbox rows
 *     while its consumer still waits for the dead member's session to expire (the group join);
 *     readiness says `starting` meanwhile, liveness is up. The order is what is asserted; the
 *     times are printed, not asserted (a loaded machine stretches them, the order holds);
 *   - a broker that goes away turns /health not ok within seconds, and the outage is logged once
 *     when it starts and once when it ends.
 */
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import {
  consumeAll,
  createFreshDatabase,
  createWorkerEnvironment,
  freePort,
  startWorker,
  waitFor,
  waitUntilJoined,
  type FreshDatabase,
  type WorkerEnvironment,
  type WorkerProcess,
} from '@hotline/testing';

const ROOT = resolve(__dirname, '..');

/** First instant at which `check` holds, polled every 50 ms, as milliseconds after `since`. */
async function msUntil(
  since: number,
  what: string,
  check: () => Promise<boolean>,
  limitMs = 60_000,
) {
  return waitFor(
    what,
    async () => ((await check().catch(() => false)) ? Date.now() - since : undefined),
    limitMs,
    50,
  );
}

describe('a worker restarted after kill -9', () => {
  let run: WorkerEnvironment;
  let worker: WorkerProcess | undefined;

  beforeAll(async () => {
    run = await createWorkerEnvironment('restart');
  });

  afterAll(async () => {
    await worker?.stop();
    await run?.dispose();
  });

  it('answers /health and publishes committed outbox rows before it has joined the group', async () => {
    // A long session: the restarted worker cannot join until the killed member's session expires.
    const env = { ...run.env, KAFKA_SESSION_TIMEOUT_MS: '30000' };
    const first = await startWorker(env);
    await waitUntilJoined(first);
    first.child.kill('SIGKILL');
    const killedAt = Date.now();
    await first.exited;

    // An escalation committed while no worker ran: the outbox row waits for the relay.
    await run.sql.query(
      `INSERT INTO outbox (topic, message_key, payload) VALUES ($1, 'TJ-RESTART-1', $2)`,
      [run.topics.escalations, JSON.stringify({ escalationId: 'restart-1', status: 'open' })],
    );

    worker = await startWorker({ ...env, LOG_LEVEL: 'info' });
    const restarted = worker;
    // Measured from the worker's first log line, once its code is loaded: loading it through
    // ts-node (as tests run it) takes seconds on a busy machine, before and after any change.
    const startedAt = await waitFor('the worker starting', () => {
      const line = restarted
        .output()
        .split('\n')
        .find((l) => l.includes('"msg":"worker starting"'));
      return Promise.resolve(line ? (JSON.parse(line) as { time: number }).time : undefined);
    });
    const answeredMs = await msUntil(startedAt, `/health\n${restarted.output()}`, async () => {
      await restarted.health();
      return true;
    });
    const publishedMs = await msUntil(startedAt, 'the outbox row published', async () => {
      const { rows } = await run.sql.query<{ published: boolean }>(
        'SELECT published_at IS NOT NULL AS published FROM outbox',
      );
      return rows[0]?.published === true;
    });
    const { status, body } = await restarted.health();
    process.stdout.write(
      `restarted worker: /health in ${answeredMs} ms, outbox row published in ${publishedMs} ms, from its first log line; read ${Date.now() - killedAt} ms after the kill\n`,
    );

    // Read after both: still joining, so neither waited for the group join (the killed member's
    // 30 s session has not expired yet).
    expect(body.consumer.status).not.toBe('joined');
    expect(status).toBe(503);
    // Its kafkajs decodes and encodes records with the worker's decoder and encoder (libs/platform
    // record-decoder.ts, record-encoder.ts).
    const ingesting = await waitFor('ingestion started', () =>
      Promise.resolve(
        restarted
          .output()
          .split('\n')
          .find((l) => l.includes('"msg":"ingestion started"')),
      ),
    );
    expect(JSON.parse(ingesting)).toMatchObject({
      recordDecoder: 'installed',
      recordEncoder: 'installed',
    });
    expect(body).toMatchObject({ status: 'starting', live: true, ready: false });
    const live = await fetch(`http://127.0.0.1:${restarted.port}/health/live`);
    expect(live.status).toBe(200);

    const published = await consumeAll(run.topics.escalations, { expected: 1 });
    expect(published.map((m) => m.key)).toEqual(['TJ-RESTART-1']);
    await waitUntilJoined(restarted, 90_000);
  }, 180_000);
});

describe('a broker that goes away', () => {
  let db: FreshDatabase;
  let worker: WorkerProcess | undefined;
  let broker: { port: number; controllerPort: number } | undefined;

  const kafka = (command: 'start' | 'stop', fresh = false) => {
    const result = spawnSync('bash', ['scripts/kafka.sh', command], {
      cwd: ROOT,
      env: {
        ...process.env,
        KAFKA_PORT: String(broker!.port),
        KAFKA_CONTROLLER_PORT: String(broker!.controllerPort),
        ...(fresh ? { KAFKA_FRESH: '1' } : {}),
      },
      encoding: 'utf8',
    });
    if (result.status !== 0) throw new Error(`kafka.sh ${command}: ${result.stderr}`);
  };

  beforeAll(async () => {
    db = await createFreshDatabase('broker_outage');
    broker = { port: await freePort(), controllerPort: await freePort() };
    kafka('start', true);
  }, 120_000);

  afterAll(async () => {
    await worker?.stop();
    if (broker) kafka('stop');
    await db?.drop();
  }, 60_000);

  it('turns /health not ok within 10 s and logs the outage once when it starts and once when it ends', async () => {
    worker = await startWorker({
      DATABASE_URL: db.url,
      KAFKA_BROKERS: `127.0.0.1:${broker!.port}`,
      EVENTS_TOPIC: 'outage-events',
      DLQ_TOPIC: 'outage-dlq',
      ESCALATIONS_TOPIC: 'outage-escalations',
      KAFKA_GROUP_ID: 'outage-worker',
      LOG_LEVEL: 'info',
    });
    const running = worker;
    await waitFor('a healthy worker', async () =>
      (await running.health()).status === 200 ? true : undefined,
    );

    const stoppedAt = Date.now();
    kafka('stop');
    const notOkMs = await msUntil(stoppedAt, 'health not ok', async () => {
      const { status, body } = await running.health();
      return status === 503 && body.broker.status === 'unreachable';
    });
    expect(notOkMs).toBeLessThanOrEqual(10_000);
    expect(await running.metric('hotline_kafka_broker_reachable')).toBe(0);

    kafka('start');
    await waitFor(
      `healthy again\n${running.output()}`,
      async () => ((await running.health()).status === 200 ? true : undefined),
      120_000,
    );
    const count = (text: string) => running.output().split(text).length - 1;
    expect(count('"msg":"Kafka broker unreachable"')).toBe(1);
    expect(count('"msg":"Kafka broker reachable again"')).toBe(1);
    expect(await running.metric('hotline_kafka_broker_reachable')).toBe(1);
  }, 240_000);
});
