/**
 * End to end on the real broker and database: duplicates, a shuffled order, malformed messages of
 * several kinds; the state in PostgreSQL and the dead-letter topic's messages and headers.
 */
import { foldWorkOrder, type WorkOrderEvent } from '@hotline/core';
import {
  anEvent,
  consumeAll,
  createFreshDatabase,
  createFreshTopics,
  deleteTopics,
  kafkaBrokers,
  ordinaryOrder,
  produceRaw,
  startWorker,
  waitFor,
  waitUntilJoined,
  type FreshDatabase,
  type WorkerProcess,
} from '@hotline/testing';
import { DEVELOPMENT_JWT_SECRET, signAccessToken } from '@hotline/platform';
import { Client } from 'pg';

const json = (event: WorkOrderEvent) => ({ key: event.workOrderId, value: JSON.stringify(event) });

describe('ingestion end to end', () => {
  let db: FreshDatabase;
  let topics: string[];
  let worker: WorkerProcess;
  let sql: Client;

  beforeAll(async () => {
    db = await createFreshDatabase('ingest');
    topics = await createFreshTopics(['events', 'dlq'], 3);
    worker = await startWorker({
      DATABASE_URL: db.url,
      KAFKA_BROKERS: kafkaBrokers().join(','),
      EVENTS_TOPIC: topics[0]!,
      DLQ_TOPIC: topics[1]!,
      KAFKA_GROUP_ID: `${topics[0]}-worker`,
      ORPHAN_GRACE_MS: '2000',
      // Last year's events, published at once: idle a second after, then the wall clock.
      WATERMARK_IDLE_MS: '1000',
    });
    await waitUntilJoined(worker);
    sql = new Client({ connectionString: db.url });
    await sql.connect();
  });

  afterAll(async () => {
    await worker?.stop();
    await sql?.end();
    await deleteTopics(topics ?? []);
    await db?.drop();
  });

  it('applies duplicates and shuffled events once, and dead-letters malformed messages with the reason', async () => {
    const ordered = ordinaryOrder('TJ-E2E-1', 'teda-enforcement', '2024-03-04', 'dissatisfied');
    const shuffled = [ordered[3]!, ordered[1]!, ordered[4]!, ordered[0]!, ordered[2]!];
    const reDispatched = [
      anEvent('dispatched', 'TJ-E2E-2', '2024-03-05T09:00:00', {
        unitId: 'teda-community-1',
        category: 'help',
        urgency: 'utility',
      }),
      anEvent('dispatched', 'TJ-E2E-2', '2024-03-05T11:00:00', {
        unitId: 'teda-service-1',
        category: 'help',
        urgency: 'utility',
      }),
      anEvent('accepted', 'TJ-E2E-2', '2024-03-05T11:10:00', {}),
    ];
    const beforeSpringFestival = anEvent('dispatched', 'TJ-E2E-3', '2024-02-09T10:00:00', {
      unitId: 'teda-enforcement',
      category: 'complaint',
      urgency: 'normal',
    });
    const valid = [...shuffled, ...reDispatched, beforeSpringFestival];
    const malformed = [
      { key: 'BAD-1', value: '{"eventId": "x", "type": ', code: 'invalid_json' },
      {
        key: 'BAD-2',
        value: JSON.stringify({
          ...ordered[1]!,
          eventId: 'bad-2',
          workOrderId: 'BAD-2',
          type: 'teleported',
        }),
        code: 'unknown_type',
      },
      {
        key: 'BAD-3',
        value: JSON.stringify({
          eventId: 'bad-3',
          type: 'dispatched',
          workOrderId: 'BAD-3',
          occurredAt: '2024-03-04T09:00:00+08:00',
          data: { unitId: 'u' },
        }),
        code: 'invalid_data',
      },
      {
        key: 'BAD-4',
        value: JSON.stringify({
          ...ordered[1]!,
          eventId: 'bad-4',
          workOrderId: 'BAD-4',
          occurredAt: '2024-02-30T09:00:00+08:00',
        }),
        code: 'invalid_envelope',
      },
      {
        key: 'SOMEONE-ELSE',
        value: JSON.stringify({ ...ordered[1]!, eventId: 'bad-5', workOrderId: 'BAD-5' }),
        code: 'key_mismatch',
      },
      {
        // A typo in the year: far ahead of the clock, it would drag the watermark into the future.
        key: 'BAD-6',
        value: JSON.stringify({
          ...ordered[0]!,
          eventId: 'bad-6',
          workOrderId: 'BAD-6',
          occurredAt: '2205-03-04T09:00:00+08:00',
        }),
        code: 'in_future',
      },
    ];

    await produceRaw(topics[0]!, [
      ...valid.map(json),
      ...malformed.map(({ key, value }) => ({
        key,
        value,
        headers: { 'x-origin': 'hotline-test' },
      })),
      // re-deliveries of events already sent
      json(ordered[0]!),
      json(ordered[3]!),
      json(reDispatched[1]!),
    ]);

    await waitFor('all events applied', async () => {
      const { rows } = await sql.query<{ n: string }>(
        'SELECT count(*) AS n FROM work_order_events',
      );
      return Number(rows[0]!.n) === valid.length ? true : undefined;
    });

    const { rows: orders } = await sql.query<{
      work_order_id: string;
      status: string;
      unit_id: string;
      segment: number;
      event_count: number;
      state: unknown;
    }>(
      'SELECT work_order_id, status, unit_id, segment, event_count, state FROM work_orders ORDER BY work_order_id',
    );
    expect(
      orders.map((o) => [o.work_order_id, o.status, o.unit_id, o.segment, o.event_count]),
    ).toEqual([
      ['TJ-E2E-1', 'closed', 'teda-enforcement', 1, 5],
      ['TJ-E2E-2', 'in_progress', 'teda-service-1', 2, 3],
      ['TJ-E2E-3', 'dispatched', 'teda-enforcement', 1, 1],
    ]);
    // The stored state is exactly the fold of the events in contract order.
    expect(orders[0]!.state).toEqual(
      JSON.parse(JSON.stringify(foldWorkOrder('TJ-E2E-1', ordered))),
    );

    const dead = await consumeAll(topics[1]!, { expected: malformed.length, timeoutMs: 30000 });
    expect(dead).toHaveLength(malformed.length);
    const byKey = new Map(dead.map((m) => [m.key, m]));
    for (const bad of malformed) {
      const letter = byKey.get(bad.key);
      expect(letter).toBeDefined();
      expect(letter!.value?.toString('utf8')).toBe(bad.value);
      expect(letter!.headers['x-dlq-code']).toBe(bad.code);
      expect(letter!.headers['x-dlq-message']).toEqual(expect.any(String));
      expect(letter!.headers['x-dlq-source-topic']).toBe(topics[0]);
      expect(Number(letter!.headers['x-dlq-source-offset'])).toBeGreaterThanOrEqual(0);
      expect(letter!.headers['x-dlq-source-partition']).toMatch(/^\d+$/);
      expect(letter!.headers['x-origin']).toBe('hotline-test');
    }

    await waitFor('metrics and lag to settle', async () => {
      const consumed = await worker.metric('hotline_events_consumed_total');
      return consumed === valid.length + malformed.length + 3 ? true : undefined;
    });
    expect(await worker.metric('hotline_events_applied_total')).toBe(valid.length);
    expect(await worker.metric('hotline_events_duplicate_total')).toBe(3);
    expect(await worker.metric('hotline_events_rejected_total')).toBe(malformed.length);
    const { status, body } = await worker.health();
    expect(status).toBe(200);
    expect(body).toMatchObject({
      status: 'ok',
      database: { status: 'up' },
      consumer: { status: 'joined', lag: 0 },
    });
  });

  it('serves the ingested order through the API with personal data masked', async () => {
    const api = await startWorker({ DATABASE_URL: db.url }, 'api');
    const token = await signAccessToken(
      { subject: 'e2e', role: 'supervisor', ttlSeconds: 600, now: new Date() },
      DEVELOPMENT_JWT_SECRET,
    );
    const get = (path: string) =>
      fetch(`${base}${path}`, { headers: { authorization: `Bearer ${token}` } });
    const base = `http://127.0.0.1:${api.port}`;
    try {
      const order = await waitFor('the API', async () => {
        const res = await get('/work-orders/TJ-E2E-1');
        return res.status === 200 ? ((await res.json()) as Record<string, unknown>) : undefined;
      });
      expect(order).toMatchObject({
        workOrderId: 'TJ-E2E-1',
        status: 'closed',
        unitId: 'teda-enforcement',
        citizen: { name: '张*', phone: '138****5678' },
        dispatchedAt: '2024-03-04T09:00:00+08:00',
      });
      expect(JSON.stringify(order)).not.toContain('13812345678');
      // Deadlines: Monday 09:00 + 1 working day to accept, + 7 working days to complete; both met.
      expect(order).toMatchObject({
        acceptDueAt: '2024-03-05T09:00:00+08:00',
        completeDueAt: '2024-03-13T09:00:00+08:00',
        stageOutcomes: { accept: 'on_time', complete: 'on_time' },
        profile: { id: 'tianjin-default' },
      });

      // Dispatched Fri 2024-02-09 10:00 before the Spring Festival: accept by the make-up Sunday.
      // Its escalations come once the partition has been idle and the wall clock has taken over.
      type Festive = {
        acceptDueAt: string;
        stageOutcomes: { accept: string };
        nextDueAt: string;
        supervisionLevel: number;
        escalations: { kind: string; firedAt: string; level: number; status: string }[];
        explanation: {
          accept: { text: string; start: { at: string }; skippedDays: { name: string }[] };
        };
      };
      const festive = await waitFor('the festive order to be swept at the wall clock', async () => {
        const body = (await (await get('/work-orders/TJ-E2E-3')).json()) as Festive;
        return body.supervisionLevel === 3 ? body : undefined;
      });
      // Every partition read goes idle (each confirms its end on its own, a moment apart).
      const health = await waitFor('every partition read to be idle', async () => {
        const { body } = await worker.health();
        const modes = body.consumer.watermarks.map((w) => w.mode).filter((m) => m !== 'none');
        return modes.length > 0 && modes.every((m) => m === 'idle') ? body : undefined;
      });
      expect(health.consumer.eventTimeWatermark).toMatch(/\+08:00$/);
      expect(festive.acceptDueAt).toBe('2024-02-18T10:00:00+08:00');
      expect(festive.stageOutcomes.accept).toBe('pending');
      // Never accepted nor replied, and the partition is idle (the wall clock is long past):
      // acceptance warned 6 working hours before its deadline (the make-up Sunday's 04:00), then
      // overdue at it; completion warned one working day before its deadline, then overdue.
      expect(
        festive.escalations
          .map((e) => [e.kind, e.firedAt])
          .sort(([a], [b]) => String(a).localeCompare(String(b))),
      ).toEqual([
        ['accept_overdue', '2024-02-18T10:00:00+08:00'],
        ['accept_warning', '2024-02-18T04:00:00+08:00'],
        // 7 working days: 02-09 14 h, 02-18…02-23 six days, Monday 02-26 10 h.
        ['complete_overdue', '2024-02-26T10:00:00+08:00'],
        ['complete_warning', '2024-02-23T10:00:00+08:00'],
      ]);
      expect(festive.supervisionLevel).toBe(3); // still not accepted a working day later: 督办单
      expect(festive.explanation.accept.text).toContain('春节');
      expect(festive.explanation.accept.text).toContain('2024-02-18');
      expect(festive.explanation.accept.start.at).toBe('2024-02-09T10:00:00+08:00');
      expect(festive.explanation.accept.skippedDays.map((d) => d.name)).toContain('春节');
      const missing = await get('/work-orders/NO-SUCH-ORDER');
      expect(missing.status).toBe(404);
      expect(await missing.json()).toMatchObject({ statusCode: 404, error: 'Not Found' });
      expect((await get('/work-orders/bad%20id')).status).toBe(400);
    } finally {
      await api.stop();
    }
  });

  it('dead-letters the events of an order never dispatched once the grace period has passed', async () => {
    const orphan = anEvent('accepted', 'TJ-ORPHAN-1', '2024-03-06T10:00:00', { by: 'liaison' });
    await produceRaw(topics[0]!, [json(orphan)]);
    const letters = await waitFor('the orphan in the dead-letter topic', async () => {
      const all = await consumeAll(topics[1]!, { expected: 7, timeoutMs: 2000 });
      const found = all.filter((m) => m.key === 'TJ-ORPHAN-1');
      return found.length > 0 ? found : undefined;
    });
    expect(letters).toHaveLength(1);
    expect(letters[0]!.headers['x-dlq-code']).toBe('orphan_event');
    expect(letters[0]!.headers['x-dlq-source-topic']).toBe(topics[0]);
    expect(JSON.parse(letters[0]!.value!.toString('utf8'))).toEqual(orphan);
    const { rows } =
      await sql.query(`SELECT 1 FROM work_order_events WHERE work_order_id = 'TJ-ORPHAN-1'
                                      UNION ALL SELECT 1 FROM work_orders WHERE work_order_id = 'TJ-ORPHAN-1'`);
    expect(rows).toHaveLength(0);
  });
});
