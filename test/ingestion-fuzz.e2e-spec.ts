/**
 * Fuzzing the ingestion path on the real broker and database: arbitrary bytes, arbitrary JSON,
 * contract events with one field replaced by arbitrary JSON, and text with NUL or lone
 * surrogates, under arbitrary keys. After each round a valid order follows on every partition:
 * the worker must apply it (it keeps consuming), never crash or restart its consumer, and account
 * for every message it read: consumed = applied + dead-lettered + duplicates.
 */
import fc from 'fast-check';
import type { WorkOrderEvent } from '@hotline/core';
import {
  createWorkerEnvironment,
  ordinaryOrder,
  produceRaw,
  startWorker,
  waitFor,
  waitUntilJoined,
  type RawMessage,
  type WorkerEnvironment,
  type WorkerProcess,
} from '@hotline/testing';

const PARTITIONS = 2;
const FIELDS = [
  'eventId',
  'type',
  'workOrderId',
  'occurredAt',
  'sequence',
  'data',
  'data.unitId',
  'data.category',
  'data.urgency',
  'data.tags',
  'data.citizen',
  'data.acceptDueAt',
] as const;

const base = (id: string): WorkOrderEvent => ({
  eventId: `${id}-e`,
  type: 'dispatched',
  workOrderId: id,
  occurredAt: '2024-05-08T09:00:00+08:00',
  sequence: 1,
  data: { unitId: 'teda-enforcement', category: 'complaint', urgency: 'normal' },
});

/** The event with the field at `path` replaced by `value`. */
function replaced(event: WorkOrderEvent, path: string, value: unknown): unknown {
  const copy = JSON.parse(JSON.stringify(event)) as Record<string, Record<string, unknown>>;
  const [head, tail] = path.split('.') as [string, string | undefined];
  if (tail === undefined) (copy as Record<string, unknown>)[head] = value;
  else copy[head] = { ...copy[head], [tail]: value };
  return copy;
}

const loneSurrogate = fc.integer({ min: 0xd800, max: 0xdfff }).map((c) => String.fromCharCode(c));
const hostileText = fc
  .array(fc.oneof(fc.string(), loneSurrogate, fc.constant('\u0000')), { maxLength: 4 })
  .map((parts) => parts.join(''));

const key = fc.oneof(
  fc.constant(null),
  fc.string({ maxLength: 20 }),
  fc.constantFrom('FUZZ-1', 'FUZZ-2', 'FUZZ-3'),
);

const value: fc.Arbitrary<Buffer | string | null> = fc.oneof(
  fc.uint8Array({ maxLength: 600 }).map((bytes) => Buffer.from(bytes)),
  fc.jsonValue({ maxDepth: 4 }).map((json) => JSON.stringify(json)),
  fc
    .record({
      id: fc.constantFrom('FUZZ-1', 'FUZZ-2', 'FUZZ-3'),
      path: fc.constantFrom(...FIELDS),
      value: fc.oneof(fc.jsonValue({ maxDepth: 2 }), hostileText),
    })
    .map(({ id, path, value: v }) => JSON.stringify(replaced(base(id), path, v))),
  hostileText.map((text) => JSON.stringify({ ...base('FUZZ-1'), data: { title: text } })),
  fc.constant(null),
);

const message: fc.Arbitrary<RawMessage> = fc.record({
  key,
  value,
  partition: fc.integer({ min: 0, max: PARTITIONS - 1 }),
});

describe('fuzzing the ingestion path', () => {
  let run: WorkerEnvironment;
  let worker: WorkerProcess;
  let produced = 0;
  let round = 0;

  beforeAll(async () => {
    run = await createWorkerEnvironment('fuzz', PARTITIONS);
    worker = await startWorker(run.env);
    await waitUntilJoined(worker);
  }, 120_000);

  afterAll(async () => {
    await worker?.stop();
    await run?.dispose();
  });

  it('keeps consuming whatever arrives, and accounts for every message', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(message, { minLength: 20, maxLength: 120 }), async (junk) => {
        round += 1;
        const sentinels = Array.from({ length: PARTITIONS }, (_, partition) =>
          ordinaryOrder(`SENTINEL-${round}-${partition}`, 'teda-enforcement', '2024-05-08').map(
            (event): RawMessage => ({
              key: event.workOrderId,
              value: JSON.stringify(event),
              partition,
            }),
          ),
        ).flat();
        await produceRaw(run.topics.events, [...junk, ...sentinels]);
        produced += junk.length + sentinels.length;
        await waitFor(
          `round ${round} consumed\n${worker.output()}`,
          async () =>
            (await worker.metric('hotline_events_consumed_total')) === produced ? true : undefined,
          60_000,
        );
        const { rows } = await run.sql.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM work_order_events WHERE work_order_id LIKE $1`,
          [`SENTINEL-${round}-%`],
        );
        expect(rows[0]?.n).toBe(sentinels.length);
        const applied = await worker.metric('hotline_events_applied_total');
        const rejected = await worker.metric('hotline_events_rejected_total');
        const duplicates = await worker.metric('hotline_events_duplicate_total');
        expect(applied + rejected + duplicates).toBe(produced);
        const { body } = await worker.health();
        expect(body.consumer.restarts).toBe(0);
        expect(body.consumer.status).toBe('joined');
        expect(worker.child.exitCode).toBeNull();
      }),
      { numRuns: 4, endOnFailure: true },
    );
  }, 300_000);
});
