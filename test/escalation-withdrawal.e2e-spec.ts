/**
 * Withdrawal end to end on the real broker and database: an `accepted` delivered after its
 * order's accept_overdue fired, with an event time inside the limit, withdraws the escalation —
 * in the database, on the escalations topic (same id, higher version, the evidence), in the API,
 * and out of the month's figures.
 */
import { DEVELOPMENT_JWT_SECRET, signAccessToken } from '@hotline/platform';
import {
  anEvent,
  consumeAll,
  createWorkerEnvironment,
  produceRaw,
  startWorker,
  waitFor,
  waitUntilJoined,
  type WorkerEnvironment,
  type WorkerProcess,
} from '@hotline/testing';
import type { WorkOrderEvent } from '@hotline/core';

const ORDER = 'TJ2024030400001';
const OFFSET = /\+08:00$/;

interface Message {
  escalationId: string;
  workOrderId: string;
  kind: string;
  level: number;
  status: string;
  version: number;
  change: string;
  firedAt: string;
  dueAt: string | null;
  changedAt: string;
  withdrawal?: {
    reason: string;
    evidenceEventId: string | null;
    evidenceOccurredAt: string | null;
    evidenceReceivedAt: string | null;
  };
}

const asMessages = (events: WorkOrderEvent[]) =>
  events.map((event) => ({ key: event.workOrderId, value: JSON.stringify(event) }));

describe('withdrawal end to end', () => {
  let run: WorkerEnvironment;
  let worker: WorkerProcess;
  let api: WorkerProcess | undefined;

  beforeAll(async () => {
    run = await createWorkerEnvironment('withdrawal');
    worker = await startWorker({
      ...run.env,
      // The backlog below is last year's: once the partition has been quiet this long, nothing
      // older is on its way and the wall clock judges it.
      WATERMARK_IDLE_MS: '1000',
    });
    await waitUntilJoined(worker);
  });

  afterAll(async () => {
    await api?.stop();
    await worker?.stop();
    await run?.dispose();
  });

  it('withdraws accept_overdue when the acceptance arrives 10 minutes after it fired, dated inside the limit', async () => {
    // A complaint dispatched Mon 2024-03-04 10:00: acceptance due Tue 03-05 10:00.
    const dispatched = anEvent(
      'dispatched',
      ORDER,
      '2024-03-04T10:00:00',
      { unitId: 'teda-enforcement', category: 'complaint', urgency: 'normal' },
      { eventId: `${ORDER}-1`, sequence: 1 },
    );
    await produceRaw(run.topics.events, asMessages([dispatched]));
    const fired = await waitFor('accept_overdue to fire', async () => {
      const { rows } = await run.sql.query<{ escalation_id: string; status: string }>(
        `SELECT escalation_id, status FROM escalations WHERE work_order_id = $1 AND kind = 'accept_overdue'`,
        [ORDER],
      );
      return rows[0]?.status === 'open' ? rows[0] : undefined;
    });

    // The bridge delivers the acceptance late: it happened at 09:58, before the deadline.
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const accepted = anEvent(
      'accepted',
      ORDER,
      '2024-03-05T09:58:00',
      {},
      { eventId: `${ORDER}-2`, sequence: 2 },
    );
    await produceRaw(run.topics.events, asMessages([accepted]));
    const row = await waitFor('the withdrawal', async () => {
      const { rows } = await run.sql.query<{
        status: string;
        version: number;
        withdrawal: { reason: string; evidenceEventId: string; evidenceReceivedAt: string };
      }>(`SELECT status, version, withdrawal FROM escalations WHERE escalation_id = $1`, [
        fired.escalation_id,
      ]);
      return rows[0]?.status === 'withdrawn' ? rows[0] : undefined;
    });
    expect(row.withdrawal).toMatchObject({
      reason: 'done_in_time',
      evidenceEventId: accepted.eventId,
    });
    // The warning at 04:00 was true (not accepted then): resolved by the acceptance, not withdrawn.
    const { rows: warning } = await run.sql.query<{ status: string }>(
      `SELECT status FROM escalations WHERE work_order_id = $1 AND kind = 'accept_warning'`,
      [ORDER],
    );
    expect(warning).toEqual([{ status: 'resolved' }]);

    // On the topic: the same id, every change in order of version, the last one the withdrawal.
    const messages = await waitFor('the withdrawal message', async () => {
      const all = (
        await consumeAll(run.topics.escalations, { expected: 100, timeoutMs: 2000 })
      ).map((m) => JSON.parse(m.value!.toString('utf8')) as Message);
      const mine = all.filter((m) => m.escalationId === fired.escalation_id);
      return mine.some((m) => m.change === 'withdrawn') ? mine : undefined;
    });
    expect(messages.map((m) => m.version)).toEqual(messages.map((_, i) => i + 1));
    expect(messages[0]).toMatchObject({ change: 'created', status: 'open', level: 2 });
    const last = messages[messages.length - 1]!;
    expect(last).toMatchObject({
      change: 'withdrawn',
      status: 'withdrawn',
      version: row.version,
      withdrawal: {
        reason: 'done_in_time',
        evidenceEventId: accepted.eventId,
        evidenceOccurredAt: '2024-03-05T09:58:00+08:00',
      },
    });
    expect(last.withdrawal?.evidenceReceivedAt).toMatch(OFFSET);
    for (const m of messages) {
      for (const instant of [m.firedAt, m.dueAt, m.changedAt]) expect(instant).toMatch(OFFSET);
    }

    // The API shows it, filterable; nobody can acknowledge it any more.
    api = await startWorker({ DATABASE_URL: run.db.url }, 'api');
    const token = await signAccessToken(
      { subject: 'e2e', role: 'supervisor', ttlSeconds: 600, now: new Date() },
      DEVELOPMENT_JWT_SECRET,
    );
    const get = (path: string) =>
      fetch(`http://127.0.0.1:${api!.port}${path}`, {
        headers: { authorization: `Bearer ${token}` },
      });
    const list = await waitFor('the API', async () => {
      const res = await get('/escalations?status=withdrawn');
      return res.ok
        ? ((await res.json()) as {
            items: {
              escalationId: string;
              status: string;
              version: number;
              withdrawn: {
                at: string;
                recordedAt: string;
                reason: string;
                evidence: { eventId: string; occurredAt: string };
              };
            }[];
          })
        : undefined;
    });
    expect(list.items).toHaveLength(1);
    expect(list.items[0]).toMatchObject({
      escalationId: fired.escalation_id,
      status: 'withdrawn',
      version: row.version,
      withdrawn: {
        reason: 'done_in_time',
        evidence: { eventId: accepted.eventId, occurredAt: '2024-03-05T09:58:00+08:00' },
      },
    });
    // When, in event time, the log disproved it, and when the worker wrote it (wall clock).
    expect(list.items[0]!.withdrawn.at).toMatch(OFFSET);
    expect(Date.parse(list.items[0]!.withdrawn.recordedAt)).toBeGreaterThan(Date.now() - 600_000);
    const open = (await (await get('/escalations?status=open')).json()) as {
      items: { escalationId: string }[];
    };
    expect(open.items.map((e) => e.escalationId)).not.toContain(fired.escalation_id);
    const ack = await fetch(
      `http://127.0.0.1:${api.port}/escalations/${fired.escalation_id}/acknowledge`,
      {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: '{}',
      },
    );
    expect(ack.status).toBe(409);

    // The month's figures leave it out; the warning, which was true, is counted.
    const monthly = (await (await get('/statistics/monthly?month=2024-03')).json()) as {
      total: { escalations: Record<string, number> };
    };
    expect(monthly.total.escalations).toMatchObject({ accept_overdue: 0, accept_warning: 1 });
  });
});
