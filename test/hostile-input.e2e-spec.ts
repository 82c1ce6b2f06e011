/**
 * Input that once stopped the worker or vanished silently, on the real broker and database: a
 * 1 MB event, four 300 KB events fetched in one batch, an eventId reused with other content, NUL
 * characters, invalid UTF-8, an event dated before its order's dispatch. Each case is followed on
 * the same partition by valid events, which must be applied; each case's messages are accounted
 * for one by one: every produced offset is applied (in the event log), dead-lettered (on the
 * dead-letter topic with its code) or a true duplicate (its eventId logged from another offset
 * with the same content), and exactly one of these.
 *
 * Everything is produced before the worker starts, so the large events arrive in one fetch.
 */
import { createHash } from 'node:crypto';
import { canonicalEventJson, type WorkOrderEvent } from '@hotline/core';
import {
  anEvent,
  consumeAll,
  createWorkerEnvironment,
  ordinaryOrder,
  produceRaw,
  startWorker,
  waitFor,
  type ConsumedMessage,
  type RawMessage,
  type WorkerEnvironment,
  type WorkerProcess,
} from '@hotline/testing';

const UNIT = 'teda-enforcement';
/** How long an event dated before its order's dispatch is held before it is dead-lettered. */
const HELD_GRACE_MS = 2000;
const json = (event: unknown) => Buffer.from(JSON.stringify(event));
const keyed = (event: WorkOrderEvent, value: Buffer = json(event)): RawMessage => ({
  key: event.workOrderId,
  value,
  partition: 0,
});
const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

interface Case {
  name: string;
  messages: RawMessage[];
  /** The dead-letter code expected for each bad message, by its index in `messages`. */
  rejected: Map<number, string>;
  /** Indexes of messages that are true duplicates of an earlier one. */
  duplicates: Set<number>;
  /** Offsets on the partition, once produced. */
  offsets: string[];
}

function dispatched(id: string, at: string, extra: Record<string, unknown> = {}) {
  return anEvent(
    'dispatched',
    id,
    at,
    { unitId: UNIT, category: 'complaint', urgency: 'normal', ...extra },
    { eventId: `${id}-d`, sequence: 1 },
  );
}

function cases(): Case[] {
  const make = (
    name: string,
    messages: RawMessage[],
    rejected: [number, string][],
    duplicates: number[] = [],
  ): Case => ({
    name,
    messages,
    rejected: new Map(rejected),
    duplicates: new Set(duplicates),
    offsets: [],
  });
  const after = (prefix: string) =>
    ordinaryOrder(`${prefix}-OK`, UNIT, '2024-05-06').map((e) => keyed(e));

  const big = dispatched('BIG-1', '2024-05-06T09:00:00', { content: 'x'.repeat(1_000_000) });
  const large = [1, 2, 3, 4].map((n) =>
    dispatched(`LARGE-${n}`, '2024-05-06T09:00:00', { content: '大'.repeat(100_000) }),
  );

  const original = dispatched('REUSE-1', '2024-05-06T09:00:00');
  const sameEventOtherKeyOrder = Buffer.from(
    canonicalEventJson(original), // the same event, keys in another order
  );
  const otherOrderSameId = {
    ...dispatched('REUSE-2', '2024-05-06T09:05:00'),
    eventId: original.eventId,
  };
  const sameOrderOtherContent = {
    ...original,
    data: { ...original.data, urgency: 'urgent' as const },
  };

  const nul = dispatched('NUL-1', '2024-05-06T09:00:00', { title: 'a\u0000b' });
  const nulInReply = anEvent('replied', 'NUL-1', '2024-05-06T10:00:00', { reply: 'x\u0000' });

  const utf8 = dispatched('UTF-1', '2024-05-06T09:00:00', { title: 'ab' });
  const text = JSON.stringify(utf8);
  const at = text.indexOf('"ab"') + 1;
  const invalidUtf8 = Buffer.concat([
    Buffer.from(text.slice(0, at)),
    Buffer.from([0xff, 0xfe, 0xc3]),
    Buffer.from(text.slice(at)),
  ]);

  const early = dispatched('EARLY-1', '2024-05-06T09:00:00');
  const closedBefore = anEvent('closed', 'EARLY-1', '2024-05-06T08:00:00', {}, { sequence: 9 });
  const acceptedAfter = anEvent('accepted', 'EARLY-1', '2024-05-06T10:00:00', { by: 'x' });

  return [
    make('a 1 MB event', [keyed(big), ...after('BIG')], [[0, 'too_large']]),
    make(
      'four 300 KB events in one batch',
      [...large.map((e) => keyed(e)), ...after('LARGE')],
      [0, 1, 2, 3].map((i) => [i, 'too_large']),
    ),
    make(
      'a reused eventId with other content',
      [
        keyed(original),
        keyed(original, sameEventOtherKeyOrder),
        keyed(otherOrderSameId),
        keyed(sameOrderOtherContent),
        ...after('REUSE'),
      ],
      [
        [2, 'event_id_conflict'],
        [3, 'event_id_conflict'],
      ],
      [1],
    ),
    make(
      'NUL characters',
      [keyed(nul), keyed(nulInReply), ...after('NUL')],
      [
        [0, 'unencodable_text'],
        [1, 'unencodable_text'],
      ],
    ),
    make('invalid UTF-8', [keyed(utf8, invalidUtf8), ...after('UTF')], [[0, 'invalid_encoding']]),
    make(
      'an event dated before its dispatch',
      [keyed(early), keyed(closedBefore), keyed(acceptedAfter), ...after('EARLY')],
      [[1, 'before_dispatch']],
    ),
  ];
}

describe('hostile input on one partition', () => {
  let run: WorkerEnvironment;
  let worker: WorkerProcess;
  let all: Case[];
  let deadLetters: ConsumedMessage[];
  let produced = 0;

  beforeAll(async () => {
    run = await createWorkerEnvironment('hostile', 1);
    all = cases();
    // One send per message: the broker takes each (1 MB is under its limit), the worker then
    // fetches several of them in one batch.
    for (const c of all) {
      for (const message of c.messages) await produceRaw(run.topics.events, [message]);
      produced += c.messages.length;
    }
    let offset = 0;
    for (const c of all) c.offsets = c.messages.map(() => String(offset++));

    // An event dated before its order's dispatch is held, then dead-lettered after this grace.
    worker = await startWorker({ ...run.env, ORPHAN_GRACE_MS: String(HELD_GRACE_MS) });
    await waitFor(
      `every message consumed\n${worker.output()}`,
      async () =>
        (await worker.metric('hotline_events_consumed_total')) === produced ? true : undefined,
      120_000,
    );
    const expectedLetters = all.reduce((n, c) => n + c.rejected.size, 0);
    deadLetters = await consumeAll(run.topics.deadLetters, {
      expected: expectedLetters,
      timeoutMs: 30_000,
    });
  }, 240_000);

  afterAll(async () => {
    await worker?.stop();
    await run?.dispose();
  });

  const logged = async () => {
    const { rows } = await run.sql.query<{
      event_id: string;
      source_offset: string;
      payload: unknown;
    }>('SELECT event_id, source_offset::text, payload FROM work_order_events');
    return rows;
  };

  it.each([0, 1, 2, 3, 4, 5])(
    'case %#: every message is applied, dead-lettered or a true duplicate, once',
    async (index) => {
      const c = all[index]!;
      const rows = await logged();
      const appliedOffsets = new Set(rows.map((r) => r.source_offset));
      const letterFor = new Map(deadLetters.map((m) => [m.headers['x-dlq-source-offset'], m]));
      for (const [i, offset] of c.offsets.entries()) {
        const applied = appliedOffsets.has(offset);
        const letter = letterFor.get(offset);
        const duplicate = c.duplicates.has(i);
        expect({
          case: c.name,
          i,
          outcomes: [applied, letter !== undefined, duplicate].filter(Boolean).length,
        }).toEqual({ case: c.name, i, outcomes: 1 });
        const code = c.rejected.get(i);
        if (code) expect({ i, code: letter?.headers['x-dlq-code'] }).toEqual({ i, code });
        else if (!duplicate) expect({ i, applied }).toEqual({ i, applied: true });
      }
      // The valid order produced after the bad messages is applied whole.
      const tail = c.messages.slice(-5).map((m) => JSON.parse(String(m.value)) as WorkOrderEvent);
      const ids = new Set(rows.map((r) => r.event_id));
      expect(tail.every((e) => ids.has(e.eventId))).toBe(true);
    },
  );

  it('accounts for everything: produced = applied + dead-lettered + true duplicates', async () => {
    const applied = await worker.metric('hotline_events_applied_total');
    const rejected = await worker.metric('hotline_events_rejected_total');
    const duplicates = await worker.metric('hotline_events_duplicate_total');
    const truedups = all.reduce((n, c) => n + c.duplicates.size, 0);
    expect(duplicates).toBe(truedups);
    // A held event was logged (applied) and then left the log for the dead letters.
    const leftTheLog = deadLetters.filter((m) =>
      ['before_dispatch', 'orphan_event'].includes(String(m.headers['x-dlq-code'])),
    ).length;
    expect(leftTheLog).toBe(1);
    expect(applied + rejected + duplicates - leftTheLog).toBe(produced);
    expect(rejected).toBe(deadLetters.length);
    expect((await logged()).length).toBe(applied - leftTheLog);
    const { body } = await worker.health();
    expect(body.consumer.restarts).toBe(0);
  });

  it('keeps a 1 MB original in PostgreSQL and forwards an excerpt with its digest and reference', async () => {
    const big = all[0]!;
    const letter = deadLetters.find((m) => m.headers['x-dlq-source-offset'] === big.offsets[0])!;
    const original = big.messages[0]!.value as Buffer;
    expect(letter.headers['x-dlq-original-sha256']).toBe(sha256(original));
    expect(Number(letter.headers['x-dlq-original-bytes'])).toBe(original.length);
    expect(letter.value!.length).toBeLessThan(100_000);
    expect(original.subarray(0, letter.value!.length).equals(letter.value!)).toBe(true);
    const { rows } = await run.sql.query<{ message_value: Buffer; status: string; code: string }>(
      'SELECT message_value, status, code FROM dead_letters WHERE id = $1',
      [letter.headers['x-dlq-stored-id']],
    );
    expect(rows[0]?.status).toBe('excerpted');
    expect(rows[0]?.code).toBe('too_large');
    expect(rows[0]?.message_value.equals(original)).toBe(true);
  });

  it('forwards the four 300 KB events whole, in sends under the broker limit', () => {
    const large = all[1]!;
    for (const offset of large.offsets.slice(0, 4)) {
      const letter = deadLetters.find((m) => m.headers['x-dlq-source-offset'] === offset)!;
      const original = large.messages[Number(offset) - Number(large.offsets[0])]!.value as Buffer;
      expect(letter.headers['x-dlq-stored-id']).toBeUndefined();
      expect(letter.value!.equals(original)).toBe(true);
    }
  });

  it('dead-letters a reused eventId with both digests and keeps the first event', async () => {
    const reuse = all[2]!;
    const first = JSON.parse(String(reuse.messages[0]!.value)) as WorkOrderEvent;
    const loggedDigest = createHash('sha256').update(canonicalEventJson(first)).digest('hex');
    for (const i of [2, 3]) {
      const letter = deadLetters.find(
        (m) => m.headers['x-dlq-source-offset'] === reuse.offsets[i],
      )!;
      const received = JSON.parse(String(reuse.messages[i]!.value)) as unknown;
      expect(letter.headers['x-dlq-logged-sha256']).toBe(loggedDigest);
      expect(letter.headers['x-dlq-received-sha256']).toBe(
        createHash('sha256').update(canonicalEventJson(received)).digest('hex'),
      );
    }
    const { rows } = await run.sql.query<{ work_order_id: string; urgency: string }>(
      `SELECT work_order_id, urgency FROM work_orders WHERE work_order_id IN ('REUSE-1', 'REUSE-2') ORDER BY 1`,
    );
    expect(rows).toEqual([{ work_order_id: 'REUSE-1', urgency: 'normal' }]);
    expect(await worker.metric('hotline_events_rejected_total{code="event_id_conflict"}')).toBe(2);
  });

  it('leaves an order whose close was dated before its dispatch open', async () => {
    const { rows } = await run.sql.query<{ status: string }>(
      `SELECT status FROM work_orders WHERE work_order_id = 'EARLY-1'`,
    );
    expect(rows[0]?.status).not.toBe('closed');
  });

  it('reports a lag of 0 from the broker once caught up', async () => {
    await waitFor('lag 0', async () =>
      (await worker.metric('hotline_consumer_lag')) === 0 ? true : undefined,
    );
    const { status, body } = await worker.health();
    expect(body.consumer.lag).toBe(0);
    expect(status).toBe(200);
  });
});
