/**
 * Batches compressed by Java producers, end to end: the broker's own console producer writes
 * contract events with each codec Kafka has (none, gzip, snappy, lz4, zstd) to one topic, and a
 * real worker applies every one of them. kafkajs alone implements only gzip: a single snappy, lz4
 * or zstd batch would stop the consumer (KafkaJSNotImplemented).
 */
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import {
  createWorkerEnvironment,
  kafkaBrokers,
  ordinaryOrder,
  startWorker,
  waitFor,
  waitUntilJoined,
  type WorkerEnvironment,
  type WorkerProcess,
} from '@hotline/testing';
import type { WorkOrderEvent } from '@hotline/core';

const KAFKA_LIB = resolve(__dirname, '..', '.kafka', 'lib');
const CODECS = ['none', 'gzip', 'snappy', 'lz4', 'zstd'] as const;
const ORDERS_PER_CODEC = 10;

/** Runs Kafka's ConsoleProducer over `workOrderId<TAB>json` lines, as a Java service would write. */
function produceWithJava(topic: string, codec: string, events: WorkOrderEvent[]): Promise<void> {
  const child = spawn(
    'java',
    [
      '-XX:TieredStopAtLevel=1',
      '-cp',
      `${KAFKA_LIB}/*`,
      'kafka.tools.ConsoleProducer',
      '--bootstrap-server',
      kafkaBrokers().join(','),
      '--topic',
      topic,
      '--compression-codec',
      codec,
      '--property',
      'parse.key=true',
      '--property',
      'key.separator=\t',
    ],
    { stdio: ['pipe', 'ignore', 'pipe'] },
  );
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  child.stdin.end(events.map((e) => `${e.workOrderId}\t${JSON.stringify(e)}\n`).join(''));
  return new Promise((done, fail) => {
    child.on('error', fail);
    child.on('exit', (code) =>
      code === 0
        ? done()
        : fail(new Error(`ConsoleProducer (${codec}) exited ${code}:\n${stderr}`)),
    );
  });
}

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

  it('applies every event whatever the codec of its batch', async () => {
    const expected: Record<string, number> = {};
    for (const [index, codec] of CODECS.entries()) {
      const events = Array.from({ length: ORDERS_PER_CODEC }, (_, n) =>
        ordinaryOrder(
          `TJ2024030${index}${String(n + 1).padStart(5, '0')}`,
          'teda-enforcement',
          '2024-03-04',
        ),
      ).flat();
      expected[codec] = events.length;
      await produceWithJava(run.topics.events, codec, events);
    }

    const counts = await waitFor('every event applied', async () => {
      const { rows } = await run.sql.query<{ codec_index: string; events: number }>(
        `SELECT substring(work_order_id, 10, 1) AS codec_index, count(*)::int AS events
           FROM work_order_events GROUP BY 1 ORDER BY 1`,
      );
      const byCodec = Object.fromEntries(
        rows.map((row) => [CODECS[Number(row.codec_index)]!, row.events]),
      );
      return CODECS.every((codec) => byCodec[codec] === expected[codec]) ? byCodec : undefined;
    });
    expect(counts).toEqual(expected);
    expect(Object.values(expected).every((n) => n >= 50)).toBe(true);

    const health = await worker.health();
    expect(health.status).toBe(200);
    expect(health.body.consumer.lastError).toBeNull();
  });
});
