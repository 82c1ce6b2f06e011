/**
 * Supervision end to end on the real broker and database: a scripted month with known overdue,
 * warning, dissatisfied, false-completion and priority cases yields exactly the expected
 * escalations on the output topic and through the API; a replay adds none; a shuffled delivery
 * to two worker replicas gives the same escalations, each exactly once.
 */
import {
  computeDeadlines,
  countFacts,
  foldWorkOrder,
  orderFacts,
  type WorkOrderEvent,
} from '@hotline/core';
import {
  DEVELOPMENT_JWT_SECRET,
  loadConfig,
  loadHandlingRules,
  loadStatisticsFormula,
  signAccessToken,
} from '@hotline/platform';
import {
  anEvent,
  consumeAll,
  createWorkerEnvironment,
  escalationCountsCheck,
  ordinaryOrder,
  produceRaw,
  startWorker,
  waitFor,
  waitUntilJoined,
  type WorkerEnvironment,
  type WorkerProcess,
} from '@hotline/testing';
import { overdueOpenCounts, overdueOpenCountsByScan } from '@hotline/persistence/statistics';
import { Client } from 'pg';

const dispatched = (id: string, day: string, extra: Partial<{ tags: ['key'] }> = {}) =>
  anEvent(
    'dispatched',
    id,
    `${day}T09:00:00`,
    { unitId: 'teda-enforcement', category: 'complaint', urgency: 'normal', ...extra },
    { eventId: `${id}-dispatched`, sequence: 1 },
  );
const seq = (id: string, type: string, sequence: number) => ({
  eventId: `${id}-${type}-${sequence}`,
  sequence,
});

/** March 2024, Monday 03-04 onwards (no holidays): what each order should yield is beside it. */
function scriptedMonth(): { events: WorkOrderEvent[]; expected: string[] } {
  const events: WorkOrderEvent[] = [
    // Handled on time and rated satisfied: nothing.
    ...ordinaryOrder('M-ON-TIME', 'teda-enforcement', '2024-03-04').map((e, i) => ({
      ...e,
      eventId: `M-ON-TIME-${i}`,
    })),
    // Never accepted nor replied: both warnings and both overdues.
    dispatched('M-IGNORED', '2024-03-04'),
    // Accepted in time, replied a day late (due 03-13 09:00): completion warning and overdue.
    dispatched('M-LATE-REPLY', '2024-03-04'),
    anEvent(
      'accepted',
      'M-LATE-REPLY',
      '2024-03-04T10:00:00',
      {},
      seq('M-LATE-REPLY', 'accepted', 2),
    ),
    anEvent(
      'replied',
      'M-LATE-REPLY',
      '2024-03-14T09:00:00',
      { reply: '已处理' },
      seq('M-LATE-REPLY', 'replied', 3),
    ),
    anEvent('closed', 'M-LATE-REPLY', '2024-03-15T09:00:00', {}, seq('M-LATE-REPLY', 'closed', 4)),
    // Replied in time, the citizen is dissatisfied.
    dispatched('M-UNHAPPY', '2024-03-05'),
    anEvent('accepted', 'M-UNHAPPY', '2024-03-05T10:00:00', {}, seq('M-UNHAPPY', 'accepted', 2)),
    anEvent(
      'replied',
      'M-UNHAPPY',
      '2024-03-06T10:00:00',
      { reply: '已处理' },
      seq('M-UNHAPPY', 'replied', 3),
    ),
    anEvent(
      'callback',
      'M-UNHAPPY',
      '2024-03-07T10:00:00',
      { result: 'dissatisfied', resolved: false },
      seq('M-UNHAPPY', 'callback', 4),
    ),
    // Verification finds the completion false.
    dispatched('M-FALSE', '2024-03-06'),
    anEvent('accepted', 'M-FALSE', '2024-03-06T10:00:00', {}, seq('M-FALSE', 'accepted', 2)),
    anEvent(
      'replied',
      'M-FALSE',
      '2024-03-07T10:00:00',
      { reply: '已办结' },
      seq('M-FALSE', 'replied', 3),
    ),
    anEvent(
      'verified',
      'M-FALSE',
      '2024-03-08T10:00:00',
      { outcome: 'false_completion', by: '督查室' },
      seq('M-FALSE', 'verified', 4),
    ),
    // A key (重点) order, handled on time: tracked as priority from its dispatch.
    dispatched('M-KEY', '2024-03-07', { tags: ['key'] }),
    anEvent('accepted', 'M-KEY', '2024-03-07T09:30:00', {}, seq('M-KEY', 'accepted', 2)),
    anEvent(
      'replied',
      'M-KEY',
      '2024-03-08T09:30:00',
      { reply: '已处理' },
      seq('M-KEY', 'replied', 3),
    ),
  ];
  const expected = [
    'M-FALSE false_completion',
    'M-IGNORED accept_overdue',
    'M-IGNORED accept_warning',
    'M-IGNORED complete_overdue',
    'M-IGNORED complete_warning',
    'M-KEY priority',
    'M-LATE-REPLY complete_overdue',
    'M-LATE-REPLY complete_warning',
    'M-UNHAPPY dissatisfied',
  ];
  return { events, expected };
}

const asMessages = (events: WorkOrderEvent[]) =>
  events.map((event) => ({ key: event.workOrderId, value: JSON.stringify(event) }));

interface Run extends WorkerEnvironment {
  workers: WorkerProcess[];
}

async function startRun(name: string, workerCount: number): Promise<Run> {
  const run = await createWorkerEnvironment(name, 3);
  const env = {
    ...run.env,
    // The scripted month is published at once: a second after it is read, nothing older is on its
    // way and the wall clock takes over (idle), as it would minutes after a real backfill.
    WATERMARK_IDLE_MS: '1000',
  };
  const workers: WorkerProcess[] = [];
  for (let i = 0; i < workerCount; i += 1) workers.push(await startWorker(env));
  for (const worker of workers) await waitUntilJoined(worker);
  return { ...run, workers };
}

async function stopRun(run: Run | undefined): Promise<void> {
  if (!run) return;
  for (const worker of run.workers) await worker.stop();
  await run.dispose();
}

async function escalationRows(sql: Client) {
  const { rows } = await sql.query<{
    escalation_id: string;
    key: string;
    fired_at: Date;
    level: number;
    status: string;
  }>(
    `SELECT escalation_id, work_order_id || ' ' || kind AS key, fired_at, level, status FROM escalations ORDER BY 2`,
  );
  return rows;
}

/** Waits until every event is applied, the expected escalations exist and the outbox is drained. */
async function settle(run: Run, eventCount: number, escalations: number): Promise<void> {
  await waitFor('events, escalations and outbox to settle', async () => {
    const { rows } = await run.sql.query<{
      events: number;
      escalations: number;
      unpublished: number;
    }>(
      `SELECT (SELECT count(*)::int FROM work_order_events) AS events,
              (SELECT count(*)::int FROM escalations) AS escalations,
              (SELECT count(*)::int FROM outbox WHERE published_at IS NULL) AS unpublished`,
    );
    const r = rows[0]!;
    return r.events === eventCount && r.escalations >= escalations && r.unpublished === 0
      ? true
      : undefined;
  });
}

describe('supervision end to end', () => {
  const { events, expected } = scriptedMonth();
  let first: Run | undefined;
  let shuffledRun: Run | undefined;

  afterAll(async () => {
    await stopRun(first);
    await stopRun(shuffledRun);
  });

  it('escalates exactly the scripted cases, on the topic and through the API, and a replay adds none', async () => {
    first = await startRun('sup', 1);
    await produceRaw(first.topics.events, asMessages(events));
    await settle(first, events.length, expected.length);
    const rows = await escalationRows(first.sql);
    expect(rows.map((r) => r.key)).toEqual(expected);
    // Fired in event time: at the deadlines and at the events, not when the worker ran.
    const firedAt = Object.fromEntries(rows.map((r) => [r.key, r.fired_at.toISOString()]));
    expect(firedAt).toMatchObject({
      'M-LATE-REPLY complete_overdue': '2024-03-13T01:00:00.000Z',
      'M-LATE-REPLY complete_warning': '2024-03-12T01:00:00.000Z',
      'M-UNHAPPY dissatisfied': '2024-03-07T02:00:00.000Z',
      'M-KEY priority': '2024-03-07T01:00:00.000Z',
      'M-FALSE false_completion': '2024-03-08T02:00:00.000Z',
    });
    // The late reply resolved its escalations by itself; the ignored order is at 督办单 level.
    const byKey = new Map(rows.map((r) => [r.key, r]));
    expect(byKey.get('M-LATE-REPLY complete_overdue')!.status).toBe('resolved');
    expect(byKey.get('M-IGNORED complete_overdue')!.level).toBe(3);

    const messages = await consumeAll(first.topics.escalations, { expected: 100, timeoutMs: 5000 });
    const created = messages
      .map(
        (m) =>
          JSON.parse(m.value!.toString('utf8')) as {
            escalationId: string;
            change: string;
            workOrderId: string;
            kind: string;
          },
      )
      .filter((m) => m.change === 'created');
    expect(created.map((m) => `${m.workOrderId} ${m.kind}`).sort()).toEqual(expected);
    expect(new Set(created.map((m) => m.escalationId))).toEqual(
      new Set(rows.map((r) => r.escalation_id)),
    );
    expect(messages.every((m) => m.key === JSON.parse(m.value!.toString('utf8')).workOrderId)).toBe(
      true,
    );

    const api = await startWorker({ DATABASE_URL: first.db.url }, 'api');
    try {
      const token = await signAccessToken(
        { subject: 'e2e', role: 'supervisor', ttlSeconds: 600, now: new Date() },
        DEVELOPMENT_JWT_SECRET,
      );
      const body = await waitFor('the API', async () => {
        const res = await fetch(`http://127.0.0.1:${api.port}/escalations?pageSize=100`, {
          headers: { authorization: `Bearer ${token}` },
        });
        return res.ok
          ? ((await res.json()) as { items: { workOrderId: string; kind: string }[] })
          : undefined;
      });
      expect(body.items.map((e) => `${e.workOrderId} ${e.kind}`).sort()).toEqual(expected);
    } finally {
      await api.stop();
    }

    // The statistics rollup the worker kept while ingesting equals a recompute from the event log.
    const rules = loadHandlingRules(loadConfig().files);
    const formula = loadStatisticsFormula(loadConfig().files);
    const byOrder = new Map<string, WorkOrderEvent[]>();
    for (const e of events) byOrder.set(e.workOrderId, [...(byOrder.get(e.workOrderId) ?? []), e]);
    const recomputed = countFacts(
      [...byOrder].flatMap(([id, list]) =>
        orderFacts(
          foldWorkOrder(id, list),
          computeDeadlines(list, rules.profile, rules.calendar),
          formula,
          rules.calendar,
        ),
      ),
    );
    const { rows: rollup } = await first.sql.query<{
      dayOn: string;
      unitId: string;
      category: string;
      measure: string;
      count: number;
    }>(
      `SELECT to_char(day_on, 'YYYY-MM-DD') AS "dayOn", unit_id AS "unitId", category, measure, count::int AS count
         FROM statistics_daily WHERE count <> 0 ORDER BY 1, 2, 3, 4`,
    );
    expect(rollup).toEqual(recomputed);
    expect(
      recomputed.filter((r) => r.measure === 'received').reduce((n, r) => n + r.count, 0),
    ).toBe(byOrder.size);
    // The escalation counts statistics read agree with the escalations the sweep wrote.
    expect(await escalationCountsCheck(first.sql, rules.calendar.timeZone)).toEqual({
      drift: [],
      misdated: 0,
    });
    // So do the counts of overdue orders, at every day's end of the month and now; and the
    // worker folds the changes its writes appended into the counts.
    const db = {
      query: async (text: string, parameters?: unknown[]) =>
        (await first!.sql.query(text, parameters)).rows as unknown,
    };
    const sorted = (counts: { unitId: string; category: string; stage: string; count: number }[]) =>
      counts.map((c) => `${c.unitId} ${c.category} ${c.stage} ${c.count}`).sort();
    for (const at of [
      ...Array.from({ length: 31 }, (_, d) => new Date(Date.UTC(2024, 2, d + 1, 16))),
      new Date(),
    ]) {
      expect({ at, counts: sorted(await overdueOpenCounts(db, at, true)) }).toEqual({
        at,
        counts: sorted(await overdueOpenCountsByScan(db, at, true)),
      });
    }
    await waitFor('the worker to fold the counts’ changes', async () => {
      const { rows: left } = await first!.sql.query<{ n: number }>(
        `SELECT (SELECT count(*) FROM escalation_count_changes)::int
                + (SELECT count(*) FROM overdue_pending_changes)::int AS n`,
      );
      return left[0]!.n === 0 ? true : undefined;
    });

    // Replaying the whole month changes nothing and tells nobody twice.
    await produceRaw(first.topics.events, asMessages(events));
    await waitFor('the replay to be read', async () =>
      (await first!.workers[0]!.metric('hotline_events_consumed_total')) === events.length * 2
        ? true
        : undefined,
    );
    await settle(first, events.length, expected.length);
    expect(await escalationRows(first.sql)).toEqual(rows);
    expect(
      (
        await first.sql.query(
          'SELECT to_char(day_on, \'YYYY-MM-DD\') AS "dayOn", unit_id AS "unitId", category, measure, count::int AS count FROM statistics_daily WHERE count <> 0 ORDER BY 1, 2, 3, 4',
        )
      ).rows,
    ).toEqual(rollup);
    const after = await consumeAll(first.topics.escalations, {
      expected: messages.length + 1,
      timeoutMs: 3000,
    });
    expect(after).toHaveLength(messages.length);
  });

  it('gives the same escalations for a shuffled delivery to two worker replicas, each exactly once', async () => {
    shuffledRun = await startRun('sup2', 2);
    const shuffled = [...events].reverse();
    for (let i = 0; i < shuffled.length; i += 7) shuffled.push(shuffled.splice(i, 1)[0]!);
    await produceRaw(shuffledRun.topics.events, asMessages([...shuffled, ...shuffled.slice(0, 5)]));
    await settle(shuffledRun, events.length, expected.length);
    const rows = await escalationRows(shuffledRun.sql);
    expect(rows.map((r) => r.key)).toEqual(expected);
    // Same natural keys, so the same escalation ids as the in-order run.
    const inOrder = await escalationRows(first!.sql);
    expect(rows.map((r) => [r.key, r.escalation_id, r.fired_at.toISOString()])).toEqual(
      inOrder.map((r) => [r.key, r.escalation_id, r.fired_at.toISOString()]),
    );
    const messages = await consumeAll(shuffledRun.topics.escalations, {
      expected: 100,
      timeoutMs: 5000,
    });
    const createdIds = messages
      .map((m) => JSON.parse(m.value!.toString('utf8')) as { escalationId: string; change: string })
      .filter((m) => m.change === 'created')
      .map((m) => m.escalationId);
    expect(createdIds.sort()).toEqual(rows.map((r) => r.escalation_id).sort());
  });
});
