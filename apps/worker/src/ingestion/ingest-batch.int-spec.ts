/**
 * The ingestion transaction against the real PostgreSQL, where it meets the other writers of an
 * order row: here the held events' grace check dead-lettering an order while its late `dispatched`
 * arrives; and an order's row and log against the order and chunks its events arrive in.
 */
import fc from 'fast-check';
import {
  DEFAULT_SUPERVISION_POLICY,
  DEFAULT_WATERMARK_POLICY,
  type WorkOrderEvent,
} from '@hotline/core';
import { confirmPartitionsRead, createDataSource } from '@hotline/persistence';
import { loadConfig, loadHandlingRules, loadStatisticsFormula } from '@hotline/platform';
import {
  anEvent,
  asPartitionMessages,
  createFreshDatabase,
  ordinaryOrder,
  type FreshDatabase,
} from '@hotline/testing';
import type { DataSource } from 'typeorm';
import { deadLetterHeldEvents } from '../supervision/held-events';
import { IngestBatchService } from './ingest-batch.service';

const raw = (events: WorkOrderEvent[]) => asPartitionMessages(events, 'events');

describe('ingestion beside the other writers of an order', () => {
  let db: FreshDatabase;
  let ds: DataSource;
  let ingest: IngestBatchService;
  const config = loadConfig();
  const rules = loadHandlingRules(config.files);
  const formula = loadStatisticsFormula(config.files);

  beforeAll(async () => {
    db = await createFreshDatabase('ingest_race');
    ds = createDataSource({ url: db.url, poolSize: 4 });
    await ds.initialize();
    ingest = new IngestBatchService(
      ds,
      rules,
      {
        escalationsTopic: 'escalations',
        policy: DEFAULT_SUPERVISION_POLICY,
        recipients: () => [],
        watermark: { ...DEFAULT_WATERMARK_POLICY, latenessMs: 0 },
      },
      formula,
    );
  });

  afterAll(async () => {
    await ds?.destroy();
    await db?.drop();
  });

  it('waits for the held events’ grace check and then folds only what is left in the log', async () => {
    const now = new Date();
    await ingest.ingest(
      raw([anEvent('accepted', 'LATE-1', '2024-03-04T10:00:00', {}, { eventId: 'late-accepted' })]),
      { caughtUp: false, receivedAt: now },
    );
    // The partition has been read to its end (the confirmations say so)...
    await confirmPartitionsRead(ds, 'events', [0], now);
    // ...the grace check claims the order and dead-letters its event, but has not committed yet...
    const orphans = ds.createQueryRunner();
    await orphans.connect();
    await orphans.startTransaction();
    const dead = await deadLetterHeldEvents(orphans, rules, formula, {
      quietSince: new Date(now.getTime() + 60_000),
      limit: 10,
      eventsTopic: 'events',
      readSince: now,
      deadLetterTopic: 'dlq',
      now,
    });
    expect(dead).toEqual({ orders: 1, events: { orphan_event: 1, before_dispatch: 0 } });
    // ...when the order's dispatch arrives: the batch must wait for it.
    let settled = false;
    const late = ingest
      .ingest(
        raw([
          anEvent(
            'dispatched',
            'LATE-1',
            '2024-03-04T09:00:00',
            { unitId: 'teda-enforcement', category: 'help', urgency: 'normal' },
            { eventId: 'late-dispatched' },
          ),
        ]),
        { caughtUp: false, receivedAt: now },
      )
      .finally(() => (settled = true));
    await new Promise((r) => setTimeout(r, 500));
    expect(settled).toBe(false);
    await orphans.commitTransaction();
    await orphans.release();
    await late;

    const [row] = await ds.query<
      { event_count: number; status: string; accepted_at: Date | null }[]
    >(`SELECT event_count, status, accepted_at FROM work_orders WHERE work_order_id = 'LATE-1'`);
    const logged = await ds.query<{ event_id: string }[]>(
      `SELECT event_id FROM work_order_events WHERE work_order_id = 'LATE-1'`,
    );
    // The row is the fold of the log: the dispatch alone; the accepted went to the dead letters.
    expect(logged.map((e) => e.event_id)).toEqual(['late-dispatched']);
    expect(row).toEqual({ event_count: 1, status: 'dispatched', accepted_at: null });
    const outbox = await ds.query<{ topic: string; code: string }[]>(
      `SELECT topic, headers->>'x-dlq-code' AS code FROM outbox`,
    );
    expect(outbox).toEqual([{ topic: 'dlq', code: 'orphan_event' }]);
  });

  /**
   * A re-dispatched order (改派): dispatched to one unit, returned, dispatched to another. Its
   * return request and return are dated before the second dispatch, so whether they count must
   * not depend on whether the first dispatch arrived before them, with them or after them.
   */
  const dispatchTo = (id: string, at: string, unitId: string, eventId: string) =>
    anEvent('dispatched', id, at, { unitId, category: 'help', urgency: 'normal' }, { eventId });
  const redispatched = (id: string): WorkOrderEvent[] => [
    dispatchTo(id, '2024-05-07T17:35:08', 'teda-enforcement', `${id}-d1`),
    anEvent(
      'return_requested',
      id,
      '2024-05-07T19:16:24',
      { reason: 'not ours' },
      { eventId: `${id}-rr` },
    ),
    anEvent('returned', id, '2024-05-07T21:47:45', {}, { eventId: `${id}-rt` }),
    dispatchTo(id, '2024-05-07T23:48:53', 'teda-community-1', `${id}-d2`),
    anEvent('accepted', id, '2024-05-08T09:10:00', { by: 'liaison' }, { eventId: `${id}-ac` }),
    anEvent(
      'replied',
      id,
      '2024-05-14T08:36:20',
      { reply: 'done', by: 'liaison' },
      { eventId: `${id}-rp` },
    ),
  ];
  /** What an order's row says, without its id: equal for two orders folded from the same events. */
  const rowOf = async (id: string) => {
    const [row] = await ds.query<Record<string, unknown>[]>(
      `SELECT status, unit_id, segment, received_at, dispatched_at, accepted_at, replied_at,
              accept_due_at, complete_due_at, event_count, held_events, deadlines,
              state - 'workOrderId' AS state,
              (SELECT count(*)::int FROM work_order_events e WHERE e.work_order_id = w.work_order_id) AS logged
         FROM work_orders w WHERE work_order_id = $1`,
      [id],
    );
    return row;
  };

  it('logs and folds an order the same whatever order and chunks its events arrive in', async () => {
    const now = new Date();
    await ingest.ingest(raw(redispatched('HOLD-REF')), { caughtUp: false, receivedAt: now });
    const reference = await rowOf('HOLD-REF');
    expect(reference).toMatchObject({
      status: 'replied',
      unit_id: 'teda-community-1',
      segment: 2,
      event_count: 6,
      held_events: 0,
      logged: 6,
    });
    // The arrival that once refused two events: the return and its request in one chunk with the
    // second dispatch, the first dispatch after them.
    const arrivals: number[][][] = [
      [
        [1, 2, 3],
        [0, 4, 5],
      ],
      [[3], [1, 2], [0], [5, 4]],
      [[5, 4, 3, 2, 1, 0]],
    ];
    // And a dozen more: the six events in a random order, cut into random chunks.
    const shuffledAndCut = fc
      .tuple(
        fc.shuffledSubarray([0, 1, 2, 3, 4, 5], { minLength: 6 }),
        fc.array(fc.boolean(), { minLength: 5, maxLength: 5 }),
      )
      .map(([order, cuts]) => {
        const chunks: number[][] = [[]];
        order.forEach((i, n) => {
          chunks[chunks.length - 1]!.push(i);
          if (n < 5 && cuts[n]) chunks.push([]);
        });
        return chunks;
      });
    arrivals.push(...fc.sample(shuffledAndCut, { numRuns: 12, seed: 17 }));
    let run = 0;
    for (const chunks of arrivals) {
      run += 1;
      const id = `HOLD-${run}`;
      const events = redispatched(id);
      for (const chunk of chunks) {
        await ingest.ingest(raw(chunk.map((i) => events[i]!)), {
          caughtUp: false,
          receivedAt: now,
        });
      }
      expect({ chunks, row: await rowOf(id) }).toEqual({ chunks, row: reference });
    }
  });

  it('holds an event dated before the first dispatch, then dead-letters it after the grace period', async () => {
    const now = new Date();
    const id = 'HOLD-EARLY';
    await ingest.ingest(
      raw([
        anEvent('closed', id, '2024-05-07T09:00:00', {}, { eventId: `${id}-early-close` }),
        dispatchTo(id, '2024-05-07T10:00:00', 'teda-enforcement', `${id}-d1`),
        anEvent('accepted', id, '2024-05-07T11:00:00', { by: 'liaison' }, { eventId: `${id}-ac` }),
      ]),
      { caughtUp: false, receivedAt: now },
    );
    const held = await rowOf(id);
    // Held, not folded: the order is open, not closed and open at once.
    expect(held).toMatchObject({
      status: 'in_progress',
      event_count: 2,
      held_events: 1,
      logged: 3,
    });
    await ds.query(`DELETE FROM outbox`);
    const graceCheck = async (readSince: Date) => {
      const runner = ds.createQueryRunner();
      await runner.connect();
      await runner.startTransaction();
      const outcome = await deadLetterHeldEvents(runner, rules, formula, {
        quietSince: new Date(now.getTime() + 60_000),
        limit: 100,
        eventsTopic: 'events',
        readSince,
        deadLetterTopic: 'dlq',
        now,
      });
      await runner.commitTransaction();
      await runner.release();
      return outcome;
    };
    // Its partition not confirmed read to its end since: a backlog may hold the dispatch it
    // waits for, so nothing leaves.
    const later = new Date(now.getTime() + 3_600_000);
    expect(await graceCheck(later)).toEqual({
      orders: 0,
      events: { orphan_event: 0, before_dispatch: 0 },
    });
    expect(await rowOf(id)).toEqual(held);
    await confirmPartitionsRead(ds, 'events', [0], later);
    const dead = await graceCheck(later);
    expect(dead.events.before_dispatch).toBe(1);
    const outbox = await ds.query<{ key: string; code: string; event: string }[]>(
      `SELECT message_key AS key, headers->>'x-dlq-code' AS code, payload->>'eventId' AS event
         FROM outbox WHERE message_key = $1`,
      [id],
    );
    expect(outbox).toEqual([{ key: id, code: 'before_dispatch', event: `${id}-early-close` }]);
    // The row is the fold of what stays in the log: the same order, holding nothing.
    const { deadlines: heldDeadlines, ...heldRow } = held as { deadlines: { flags: string[] } };
    const { deadlines, ...after } = (await rowOf(id)) as { deadlines: { flags: string[] } };
    expect(after).toEqual({ ...heldRow, held_events: 0, logged: 2 });
    expect(heldDeadlines.flags).toContain('events_before_dispatch');
    expect(deadlines).toEqual({
      ...heldDeadlines,
      flags: heldDeadlines.flags.filter((flag) => flag !== 'events_before_dispatch'),
    });
  });

  it('dead-letters a dispatch to an unknown unit, or accepts and counts it once, as configured', async () => {
    const config = loadConfig();
    const door = (unknownUnits: 'accept' | 'dead_letter') =>
      new IngestBatchService(
        ds,
        loadHandlingRules(config.files),
        {
          escalationsTopic: 'escalations',
          policy: DEFAULT_SUPERVISION_POLICY,
          recipients: () => [],
          watermark: DEFAULT_WATERMARK_POLICY,
        },
        loadStatisticsFormula(config.files),
        { unknownUnits, knownUnits: new Set(['teda-enforcement']) },
      );
    const toNowhere = (id: string) =>
      anEvent(
        'dispatched',
        id,
        '2024-03-04T09:00:00',
        { unitId: 'no-such-unit', category: 'help', urgency: 'normal' },
        { eventId: `${id}-d` },
      );
    const context = { caughtUp: false, receivedAt: new Date() };

    const refused = await door('dead_letter').ingest(raw([toNowhere('UNIT-1')]), context);
    expect(refused).toMatchObject({ applied: 0, unknownUnits: 0 });
    expect(refused.rejected.map((r) => r.code)).toEqual(['unknown_unit']);

    const accepting = door('accept');
    const first = await accepting.ingest(raw([toNowhere('UNIT-2')]), context);
    expect(first).toMatchObject({ applied: 1, unknownUnits: 1, rejected: [] });
    const again = await accepting.ingest(raw([toNowhere('UNIT-2')]), context);
    expect(again).toMatchObject({ applied: 0, duplicates: 1, unknownUnits: 0, rejected: [] });
  });

  it('knows a re-delivery of the same bytes by id and digest, and reads every other message in full', async () => {
    // More messages than the first lookup samples, so the whole batch is looked up.
    const events = ['REDO-1', 'REDO-2', 'REDO-3', 'REDO-4'].flatMap((id) =>
      ordinaryOrder(id, 'teda-enforcement', '2024-03-04'),
    );
    const messages = raw(events);
    const context = { caughtUp: false, receivedAt: new Date() };
    const first = await ingest.ingest(messages, context);
    expect(first).toMatchObject({ applied: 20, duplicates: 0, rejected: [] });
    const [digests] = await ds.query<{ missing: number }[]>(
      `SELECT count(*) FILTER (WHERE raw_sha256 IS NULL)::int AS missing FROM work_order_events
        WHERE work_order_id LIKE 'REDO-%'`,
    );
    expect(digests?.missing).toBe(0);
    const fingerprint = () =>
      ds.query(
        `SELECT work_order_id, updated_at FROM work_orders WHERE work_order_id LIKE 'REDO-%' ORDER BY 1`,
      );
    const before = await fingerprint();

    // The replay is looked up by id and digest; its transaction only reads the partition's clock.
    const statements: string[] = [];
    const createRunner = ds.createQueryRunner.bind(ds);
    const spy = jest.spyOn(ds, 'createQueryRunner').mockImplementation((mode) => {
      const runner = createRunner(mode);
      const query = runner.query.bind(runner);
      runner.query = ((sql: string, parameters?: unknown[]) => {
        statements.push(sql);
        return query(sql, parameters);
      }) as typeof runner.query;
      return runner;
    });
    const again = await ingest.ingest(messages, context);
    spy.mockRestore();
    expect(again).toMatchObject({ applied: 0, duplicates: 20, ordersUpdated: 0, rejected: [] });
    expect(await fingerprint()).toEqual(before);
    const touching = statements.filter((sql) => /work_order_events|work_orders/.test(sql));
    // The first messages' lookup, then the whole batch's; nothing else.
    expect(touching).toHaveLength(2);
    expect(touching.every((sql) => sql.includes('raw_sha256 = decode'))).toBe(true);

    const [logged] = events;
    const respelled = { ...messages[0]!, value: Buffer.from(JSON.stringify(logged, null, 1)) };
    const otherKey = { ...messages[0]!, key: Buffer.from('REDO-2') };
    const otherContent = {
      ...messages[0]!,
      value: Buffer.from(JSON.stringify({ ...logged, occurredAt: '2024-03-04T09:01:00+08:00' })),
    };
    const mixed = await ingest.ingest([respelled, otherKey, otherContent], context);
    expect(mixed).toMatchObject({ applied: 0, duplicates: 1 });
    expect(mixed.rejected.map((r) => r.code)).toEqual(['key_mismatch', 'event_id_conflict']);

    // Re-deliveries and new events in one batch: only the new ones are read and applied.
    const fresh = raw(ordinaryOrder('REDO-5', 'teda-enforcement', '2024-03-04'));
    const both = await ingest.ingest([...messages.slice(0, 10), ...fresh, ...messages.slice(10)], {
      caughtUp: false,
      receivedAt: new Date(),
    });
    expect(both).toMatchObject({ applied: fresh.length, duplicates: 20, rejected: [] });
  });

  it('refuses a message with a NUL in its key or event id and applies the rest of its batch', async () => {
    // Text PostgreSQL cannot hold: looked up, it failed the whole batch's statement.
    const events = ordinaryOrder('NUL-KEY-1', 'teda-enforcement', '2024-03-04');
    const messages = raw(events);
    const nulKey = { ...messages[0]!, key: Buffer.from('NUL-KEY-1\u0000') };
    const nulId = {
      ...messages[0]!,
      value: Buffer.from(messages[0]!.value.toString().replace(/"eventId":"/, '"eventId":"\u0000')),
    };
    const outcome = await ingest.ingest([nulKey, nulId, ...messages], {
      caughtUp: false,
      receivedAt: new Date(),
    });
    expect(outcome).toMatchObject({ applied: events.length, duplicates: 0 });
    expect(outcome.rejected.map((r) => [r.message, r.code])).toEqual([
      [nulKey, 'key_mismatch'],
      [nulId, 'invalid_json'],
    ]);
  });

  it('refuses, one by one, instants the event log cannot hold and an escape nested thousands deep, and applies the rest', async () => {
    // RFC 3339 lets an offset reach ±23:59 and the year be 0000; timestamptz refused them and
    // failed the whole batch's insert. The search for NUL recursed and ran out of stack.
    const events = ordinaryOrder('ODD-AT-1', 'teda-enforcement', '2024-03-04');
    const messages = raw(events);
    const [first] = messages;
    const variant = (n: number, edit: (text: string) => string) => ({
      ...first!,
      value: Buffer.from(
        edit(first!.value.toString().replace(/"eventId":"[^"]+"/, `"eventId":"ODD-AT-${n}"`)),
      ),
    });
    const at = (instant: string) => (text: string) =>
      text.replace(/"occurredAt":"[^"]+"/, `"occurredAt":"${instant}"`);
    const hostile = [
      variant(1, at('2024-03-04T09:00:00+20:00')),
      variant(2, at('0000-03-04T09:00:00+08:00')),
      variant(
        3,
        (text) => `{"x":${'['.repeat(30_000)}"\\u0041"${']'.repeat(30_000)},${text.slice(1)}`,
      ),
    ];
    const outcome = await ingest.ingest([...hostile, ...messages], {
      caughtUp: false,
      receivedAt: new Date(),
    });
    expect(outcome.rejected.map((r) => [r.message, r.code])).toEqual([
      [hostile[0], 'invalid_envelope'],
      [hostile[1], 'invalid_envelope'],
    ]);
    // The nested value is no field of the contract: the event is taken without it.
    expect(outcome).toMatchObject({ applied: events.length + 1, duplicates: 0 });
    const [counted] = await ds.query<{ n: number }[]>(
      `SELECT count(*)::int AS n FROM work_order_events WHERE work_order_id = 'ODD-AT-1' AND NOT payload ? 'x'`,
    );
    expect(counted?.n).toBe(events.length + 1);
  });

  it('logs events from the bytes received only where they are the event: a key written twice applies with the rest', async () => {
    // Messages the contract accepts whose bytes hold more than their event (a key written twice:
    // JSON.parse keeps the last value, PostgreSQL would read, keep or fail on the first).
    const events = ordinaryOrder('TWICE-1', 'teda-enforcement', '2024-03-04');
    const [dispatch, accept, ...rest] = raw(events);
    const withTwice = (message: typeof accept, extra: string) => ({
      ...message!,
      value: Buffer.from(message!.value.toString().replace(/^\{/, `{${extra},`)),
    });
    const hostile = [
      withTwice(dispatch, '"sequence":1.0'),
      withTwice(accept, `"data":${'['.repeat(20_000)}${']'.repeat(20_000)}`),
    ];
    const outcome = await ingest.ingest([...hostile, ...rest], {
      caughtUp: false,
      receivedAt: new Date(),
    });
    expect(outcome.rejected).toEqual([]);
    expect(outcome).toMatchObject({ applied: events.length, duplicates: 0 });
    const logged = await ds.query<{ payload: WorkOrderEvent; sequence: string }[]>(
      `SELECT payload, sequence FROM work_order_events WHERE work_order_id = 'TWICE-1' ORDER BY sequence`,
    );
    expect(logged.map((row) => row.payload)).toEqual(events);
  });
});
