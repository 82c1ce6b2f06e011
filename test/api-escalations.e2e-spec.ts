/**
 * Escalation commands and list queries through the real API process and PostgreSQL: acknowledge
 * and resolve with their outbox messages, conflicts, roles, validation, filters and page caps.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { signAccessToken, type Role } from '@hotline/platform';
import {
  createFreshDatabase,
  startWorker,
  waitFor,
  type FreshDatabase,
  type WorkerProcess,
} from '@hotline/testing';
import { Client } from 'pg';

const SECRET = randomBytes(32).toString('hex');
const TOPIC = 'test.supervision.escalations';
const DAY_MS = 86_400_000;

const token = (role: Role, unitId?: string) =>
  signAccessToken(
    { subject: `${unitId ?? role}-person`, role, unitId, ttlSeconds: 3600, now: new Date() },
    SECRET,
  );

describe('API escalations and lists', () => {
  let db: FreshDatabase;
  let api: WorkerProcess;
  let sql: Client;
  let base: string;
  let supervisor = '';

  const request = (method: string, path: string, bearer: string, body?: unknown) =>
    fetch(`${base}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${bearer}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
  const get = (path: string, bearer = supervisor) => request('GET', path, bearer);
  const post = (path: string, body?: unknown, bearer = supervisor) =>
    request('POST', path, bearer, body);

  async function seedEscalation(
    order: string,
    unit: string,
    kind = 'accept_overdue',
    level = 2,
    status = 'open',
  ): Promise<string> {
    const id = randomUUID();
    await sql.query(
      `INSERT INTO escalations (escalation_id, escalation_key, work_order_id, unit_id, kind, segment,
                                round, level, status, reason, due_at, fired_at, level_changed_at, recipients)
       VALUES ($1::uuid, $1::text, $2, $3, $4, 1, 0, $5, $6, 'seeded', now(), now(), now(), '["head", "office"]')`,
      [id, order, unit, kind, level, status],
    );
    await sql.query(
      `INSERT INTO escalation_levels (escalation_id, level, reached_at, why) VALUES ($1, $2, now(), 'fired')`,
      [id, level],
    );
    return id;
  }

  const outboxOf = async (escalationId: string) =>
    (
      await sql.query(
        `SELECT topic, message_key, payload FROM outbox WHERE payload->>'escalationId' = $1 ORDER BY id`,
        [escalationId],
      )
    ).rows as { topic: string; message_key: string; payload: Record<string, unknown> }[];

  beforeAll(async () => {
    supervisor = await token('supervisor');
    db = await createFreshDatabase('api_esc');
    sql = new Client({ connectionString: db.url });
    await sql.connect();
    const now = Date.now();
    const at = (offsetMs: number) => new Date(now + offsetMs);
    // Overdue: acceptance pending past due, completion pending past due.
    // Not overdue: completion pending, due tomorrow; acceptance late but done (B-1).
    await sql.query(
      `INSERT INTO work_orders (work_order_id, status, unit_id, state, event_count, received_at,
                                accept_due_at, complete_due_at, accept_outcome, complete_outcome)
       VALUES ('TJ-A-1', 'dispatched',  'teda-enforcement', '{}', 1, $1, $2, NULL, 'pending', NULL),
              ('TJ-A-2', 'in_progress', 'teda-enforcement', '{}', 2, $3, $3, $2, 'on_time', 'pending'),
              ('TJ-A-3', 'in_progress', 'teda-enforcement', '{}', 2, $4, $4, $5, 'on_time', 'pending'),
              ('TJ-B-1', 'closed',      'teda-community-1', '{}', 5, $6, $2, $2, 'late', 'on_time')`,
      [at(-4 * DAY_MS), at(-DAY_MS), at(-5 * DAY_MS), at(-2 * DAY_MS), at(DAY_MS), at(-6 * DAY_MS)],
    );
    api = await startWorker(
      {
        DATABASE_URL: db.url,
        JWT_SECRET: SECRET,
        ESCALATIONS_TOPIC: TOPIC,
        MIGRATE_ON_START: 'false',
      },
      'api',
    );
    base = `http://127.0.0.1:${api.port}`;
    await waitFor(`the API\n${api.output()}`, async () =>
      (await fetch(`${base}/health`)).ok ? true : undefined,
    );
  });

  afterAll(async () => {
    await api?.stop();
    await sql?.end();
    await db?.drop();
  });

  it('acknowledges an open escalation once, with its outbox message; a second time is 409', async () => {
    const id = await seedEscalation('TJ-A-1', 'teda-enforcement');
    const res = await post(`/escalations/${id}/acknowledge`, { note: '已签收，正在核实' });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({
      escalationId: id,
      status: 'acknowledged',
      acknowledged: { by: 'supervisor-person', note: '已签收，正在核实' },
      resolved: null,
    });
    const [message, ...more] = await outboxOf(id);
    expect(more).toEqual([]);
    expect(message).toMatchObject({
      topic: TOPIC,
      message_key: 'TJ-A-1',
      payload: {
        escalationId: id,
        workOrderId: 'TJ-A-1',
        unitId: 'teda-enforcement',
        status: 'acknowledged',
        change: 'acknowledged',
        level: 2,
        recipients: ['head', 'office'],
        note: '已签收，正在核实',
      },
    });
    expect(message!.payload.changedAt).toMatch(/\+08:00$/);

    const again = await post(`/escalations/${id}/acknowledge`);
    expect(again.status).toBe(409);
    const body = (await again.json()) as { message: string };
    expect(body).toMatchObject({ statusCode: 409, error: 'Conflict' });
    expect(body.message).toContain('already acknowledged');
    expect(body.message).toContain('supervisor-person');
    expect(await outboxOf(id)).toHaveLength(1);
    const { rows } = await sql.query(
      `SELECT status, acknowledged_by, acknowledged_at IS NOT NULL AS stamped FROM escalations WHERE escalation_id = $1`,
      [id],
    );
    expect(rows).toEqual([
      { status: 'acknowledged', acknowledged_by: 'supervisor-person', stamped: true },
    ]);
  });

  it('lets exactly one of two simultaneous acknowledgements through', async () => {
    const id = await seedEscalation('TJ-A-2', 'teda-enforcement', 'complete_overdue');
    const leader = await token('leader');
    const statuses = await Promise.all([
      post(`/escalations/${id}/acknowledge`, {}),
      post(`/escalations/${id}/acknowledge`, {}, leader),
    ]).then((all) => all.map((r) => r.status).sort());
    expect(statuses).toEqual([200, 409]);
    expect(await outboxOf(id)).toHaveLength(1);
  });

  it("lets a unit acknowledge its own escalation, not another unit's, and never resolve", async () => {
    const own = await seedEscalation('TJ-A-3', 'teda-enforcement', 'complete_warning', 1);
    const other = await seedEscalation('TJ-B-1', 'teda-community-1', 'accept_overdue');
    const unit = await token('unit', 'teda-enforcement');
    expect((await post(`/escalations/${other}/acknowledge`, {}, unit)).status).toBe(403);
    expect(await outboxOf(other)).toEqual([]);
    expect((await post(`/escalations/${randomUUID()}/acknowledge`, {}, unit)).status).toBe(404);
    expect((await post(`/escalations/${own}/acknowledge`, undefined, unit)).status).toBe(200);
    const resolve = await post(`/escalations/${own}/resolve`, { note: '已办结' }, unit);
    expect(resolve.status).toBe(403);
    expect(await outboxOf(own)).toHaveLength(1);
  });

  it('requires a note of 1 to 2,000 characters to resolve', async () => {
    const id = await seedEscalation('TJ-A-1', 'teda-enforcement', 'priority');
    for (const body of [
      undefined,
      {},
      { note: '' },
      { note: '   ' },
      { note: 'x'.repeat(2001) },
      { note: 7 },
      { note: 'ok', extra: 1 },
      '{not json',
    ]) {
      const res = await post(`/escalations/${id}/resolve`, body);
      expect([res.status, body]).toEqual([400, body]);
      expect(await res.json()).toMatchObject({ statusCode: 400, error: 'Bad Request' });
    }
    expect(await outboxOf(id)).toEqual([]);
    expect((await post(`/escalations/${id}/resolve`, { note: 'x'.repeat(2000) })).status).toBe(200);
  });

  it('refuses a note PostgreSQL cannot store (a NUL, half a surrogate pair), and loses nothing', async () => {
    const id = await seedEscalation('TJ-A-2', 'teda-enforcement', 'priority');
    for (const note of ['a\u0000b', 'a\ud800b', '\udfff', 'ok\u0000']) {
      for (const command of ['acknowledge', 'resolve']) {
        const res = await post(`/escalations/${id}/${command}`, { note });
        expect([command, note, res.status]).toEqual([command, note, 400]);
        expect(await res.json()).toMatchObject({ statusCode: 400, error: 'Bad Request' });
      }
    }
    expect(await outboxOf(id)).toEqual([]);
    const res = await post(`/escalations/${id}/acknowledge`, { note: '签收 \ud83d\ude00' });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ acknowledged: { note: '签收 \ud83d\ude00' } });
  });

  it('resolves an acknowledged escalation manually with the note and an outbox message; resolved is final (409)', async () => {
    const id = await seedEscalation('TJ-A-2', 'teda-enforcement', 'dissatisfied');
    expect((await post(`/escalations/${id}/acknowledge`, {})).status).toBe(200);
    const res = await post(
      `/escalations/${id}/resolve`,
      { note: '  已重新办理，群众满意  ' },
      await token('leader'),
    );
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({
      status: 'resolved',
      resolved: { by: 'leader-person', resolution: 'manual', note: '已重新办理，群众满意' },
    });
    const { rows } = await sql.query(
      `SELECT status, resolution, resolution_note, resolved_by FROM escalations WHERE escalation_id = $1`,
      [id],
    );
    expect(rows).toEqual([
      {
        status: 'resolved',
        resolution: 'manual',
        resolution_note: '已重新办理，群众满意',
        resolved_by: 'leader-person',
      },
    ]);
    const messages = await outboxOf(id);
    expect(messages.map((m) => [m.payload.change, m.payload.status])).toEqual([
      ['acknowledged', 'acknowledged'],
      ['resolved', 'resolved'],
    ]);
    expect(messages[1]!.payload).toMatchObject({ escalationId: id, note: '已重新办理，群众满意' });

    for (const path of ['resolve', 'acknowledge']) {
      const again = await post(`/escalations/${id}/${path}`, { note: 'again' });
      expect(again.status).toBe(409);
      expect(((await again.json()) as { message: string }).message).toContain('already resolved');
    }
    const audit = await sql.query(
      `SELECT action, role FROM audit_log WHERE detail->>'escalationId' = $1 ORDER BY id`,
      [id],
    );
    expect(audit.rows).toEqual([
      { action: 'acknowledge_escalation', role: 'supervisor' },
      { action: 'resolve_escalation', role: 'leader' },
    ]);
  });

  it('lists escalations by status, kind, unit and level, newest first, in pages', async () => {
    const level3 = await seedEscalation('TJ-B-1', 'teda-community-1', 'false_completion', 3);
    const all = (await (await get('/escalations?pageSize=100')).json()) as {
      items: { escalationId: string; status: string; unitId: string }[];
      total: number;
    };
    expect(all.total).toBe(all.items.length);
    const byLevel = (await (await get('/escalations?level=3')).json()) as {
      items: { escalationId: string }[];
    };
    expect(byLevel.items.map((e) => e.escalationId)).toEqual([level3]);
    const byKind = (await (
      await get('/escalations?kind=false_completion&status=open&unitId=teda-community-1')
    ).json()) as { total: number };
    expect(byKind.total).toBe(1);
    const resolved = (await (await get('/escalations?status=resolved')).json()) as {
      items: { status: string }[];
    };
    expect(resolved.items.length).toBeGreaterThan(0);
    expect(resolved.items.every((e) => e.status === 'resolved')).toBe(true);
    const page2 = (await (await get('/escalations?pageSize=2&page=2')).json()) as {
      items: { escalationId: string }[];
      page: number;
      pageSize: number;
    };
    expect(page2).toMatchObject({ page: 2, pageSize: 2 });
    expect(page2.items.map((e) => e.escalationId)).toEqual(
      all.items.slice(2, 4).map((e) => e.escalationId),
    );
  });

  it('lists work orders by unit, status and overdue', async () => {
    const ids = async (query: string) =>
      (
        (await (await get(`/work-orders${query}`)).json()) as { items: { workOrderId: string }[] }
      ).items.map((o) => o.workOrderId);
    // Newest received first.
    expect(await ids('')).toEqual(['TJ-A-3', 'TJ-A-1', 'TJ-A-2', 'TJ-B-1']);
    expect(await ids('?overdue=true')).toEqual(['TJ-A-1', 'TJ-A-2']);
    expect(await ids('?overdue=false')).toEqual(['TJ-A-3', 'TJ-B-1']);
    expect(await ids('?unitId=teda-enforcement&status=in_progress')).toEqual(['TJ-A-3', 'TJ-A-2']);
    expect(await ids('?pageSize=1&page=2')).toEqual(['TJ-A-1']);
    const first = (await (await get('/work-orders?overdue=true')).json()) as {
      items: { overdue: boolean; stageOutcomes: unknown; acceptDueAt: string }[];
    };
    expect(first.items[0]).toMatchObject({
      overdue: true,
      stageOutcomes: { accept: 'pending', complete: null },
    });
    expect(first.items[0]!.acceptDueAt).toMatch(/\+08:00$/);
  });

  it.each([
    '/work-orders?pageSize=101',
    '/work-orders?pageSize=0',
    '/work-orders?page=0',
    '/work-orders?page=abc',
    '/work-orders?status=lost',
    '/work-orders?overdue=1',
    '/work-orders?unitid=teda-enforcement',
    '/work-orders?unitId=a%20b',
    '/work-orders?status=closed&status=replied',
    '/escalations?pageSize=101',
    '/escalations?level=4',
    '/escalations?kind=anything',
    '/escalations?status=closed',
    '/escalations/123',
    '/work-orders/bad%20id',
  ])('refuses %s with 400', async (path) => {
    const res = await get(path);
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({
      statusCode: 400,
      error: 'Bad Request',
      message: expect.any(String),
    });
  });
});
