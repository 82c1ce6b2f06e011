/**
 * The API's authentication, object-level authorization and personal-data rules, against the real
 * API process and PostgreSQL: rows are seeded with SQL for two units.
 */
import { createHmac, randomBytes, randomUUID } from 'node:crypto';
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
const HOUR = 3600;

const b64 = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');

function token(
  role: Role,
  unitId?: string,
  secret = SECRET,
  now = new Date(),
  ttlSeconds = HOUR,
): Promise<string> {
  return signAccessToken({ subject: `${role}-1`, role, unitId, ttlSeconds, now }, secret);
}

/** A token with any header and claims, signed with HS256 under `secret` (or not at all). */
function handMade(header: object, claims: object, sign: 'sha256' | 'sha512' | 'none' = 'sha256') {
  const input = `${b64(header)}.${b64(claims)}`;
  if (sign === 'none') return `${input}.`;
  return `${input}.${createHmac(sign, SECRET).update(input).digest('base64url')}`;
}

const nowSeconds = () => Math.floor(Date.now() / 1000);

describe('API authentication and scope', () => {
  let db: FreshDatabase;
  let api: WorkerProcess;
  let sql: Client;
  let base: string;
  const escalations = { teda: randomUUID(), other: randomUUID() };

  const get = (path: string, bearer?: string) =>
    fetch(`${base}${path}`, { headers: bearer ? { authorization: `Bearer ${bearer}` } : {} });

  beforeAll(async () => {
    db = await createFreshDatabase('api_auth');
    sql = new Client({ connectionString: db.url });
    await sql.connect();
    const citizen = (name: string, phone: string) =>
      JSON.stringify({ citizen: { name, phone }, title: '噪音扰民' });
    await sql.query(
      `INSERT INTO work_orders (work_order_id, status, unit_id, category, urgency, state, event_count,
                                received_at, accept_due_at, accept_outcome)
       VALUES ('TJ-A-1', 'dispatched', 'teda-enforcement', 'complaint', 'normal', $1, 1,
               '2024-03-04T01:00:00Z', '2024-03-05T01:00:00Z', 'pending'),
              ('TJ-B-1', 'dispatched', 'teda-community-1', 'complaint', 'normal', $2, 1,
               '2024-03-04T02:00:00Z', '2024-03-05T02:00:00Z', 'pending')`,
      [citizen('张三', '13812345678'), citizen('欧阳娜娜', '13987654321')],
    );
    for (const [id, order, unit] of [
      [escalations.teda, 'TJ-A-1', 'teda-enforcement'],
      [escalations.other, 'TJ-B-1', 'teda-community-1'],
    ] as const) {
      await sql.query(
        `INSERT INTO escalations (escalation_id, escalation_key, work_order_id, unit_id, kind, segment,
                                  round, level, status, reason, due_at, fired_at, level_changed_at, recipients)
         VALUES ($1, $2, $3, $4, 'accept_overdue', 1, 0, 2, 'open', '超时未接单', '2024-03-05T01:00:00Z',
                 '2024-03-05T01:00:00Z', '2024-03-05T01:00:00Z', '["liaison"]')`,
        [id, `${order}:accept_overdue:1:0`, order, unit],
      );
      await sql.query(
        `INSERT INTO escalation_levels (escalation_id, level, reached_at, why) VALUES ($1, 2, '2024-03-05T01:00:00Z', 'fired')`,
        [id],
      );
    }
    api = await startWorker(
      { DATABASE_URL: db.url, JWT_SECRET: SECRET, MIGRATE_ON_START: 'false' },
      'api',
    );
    base = `http://127.0.0.1:${api.port}`;
    await waitFor(`the API\n${api.output()}`, async () =>
      (await get('/health')).ok ? true : undefined,
    );
  });

  afterAll(async () => {
    await api?.stop();
    await sql?.end();
    await db?.drop();
  });

  it('refuses to start in production without JWT_SECRET', async () => {
    const production = await startWorker({ DATABASE_URL: db.url, NODE_ENV: 'production' }, 'api');
    expect((await production.exited).code).toBe(1);
    expect(production.output()).toContain('JWT_SECRET: required when NODE_ENV=production');
  });

  it('serves /health without a token', async () => {
    expect((await get('/health')).status).toBe(200);
  });

  it('offers a pasted token only to sign in when no identity provider client is configured', async () => {
    const res = await fetch(`${base}/session/sign-in`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ token: true, oidc: null });
    const exchange = await fetch(`${base}/session/oidc`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        code: 'c',
        codeVerifier: 'v'.repeat(43),
        redirectUri: `${base}/console/`,
      }),
    });
    expect(exchange.status).toBe(404);
  });

  const now = new Date();
  it.each([
    ['no token', undefined, 'a bearer token is required'],
    ['a bad signature', token('supervisor', undefined, 'x'.repeat(40)), 'invalid signature'],
    [
      'an expired token',
      token('supervisor', undefined, SECRET, new Date(now.getTime() - 3 * HOUR * 1000)),
      'expired',
    ],
    [
      'alg none',
      handMade(
        { alg: 'none', typ: 'JWT' },
        { sub: 's', role: 'supervisor', exp: nowSeconds() + HOUR },
        'none',
      ),
      'algorithm "none" is not accepted',
    ],
    [
      'alg HS512',
      handMade(
        { alg: 'HS512' },
        { sub: 's', role: 'supervisor', exp: nowSeconds() + HOUR },
        'sha512',
      ),
      'algorithm "HS512" is not accepted',
    ],
    ['no exp', handMade({ alg: 'HS256' }, { sub: 's', role: 'supervisor' }), 'invalid claims: exp'],
    [
      'nbf in the future',
      handMade(
        { alg: 'HS256' },
        { sub: 's', role: 'supervisor', nbf: nowSeconds() + HOUR, exp: nowSeconds() + 2 * HOUR },
      ),
      'not valid yet',
    ],
    [
      'an unknown role',
      handMade({ alg: 'HS256' }, { sub: 's', role: 'admin', exp: nowSeconds() + HOUR }),
      'invalid claims: role',
    ],
    [
      'a unit token without unitId',
      handMade({ alg: 'HS256' }, { sub: 's', role: 'unit', exp: nowSeconds() + HOUR }),
      'invalid claims: unitId',
    ],
    ['garbage', 'not-a-jwt', 'malformed token'],
    [
      'a token living longer than TOKEN_MAX_LIFETIME_SECONDS',
      token('supervisor', undefined, SECRET, now, 13 * HOUR),
      'lifetime of 46800 s exceeds the maximum of 43200 s',
    ],
    [
      'a token without iat expiring in 2286',
      handMade({ alg: 'HS256' }, { sub: 's', role: 'supervisor', exp: 9_999_999_999 }),
      'exceeds the maximum of 43200 s',
    ],
  ])('refuses %s with 401', async (_what, bearer, reason) => {
    const res = await get('/work-orders/TJ-A-1', await bearer);
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toMatch(/^Bearer/);
    const body = (await res.json()) as { message: string };
    expect(body).toEqual({ statusCode: 401, error: 'Unauthorized', message: expect.any(String) });
    expect(body.message).toContain(reason);
  });

  it('accepts a hand-made HS256 token with claims it does not know', async () => {
    const bearer = handMade(
      { alg: 'HS256', typ: 'JWT' },
      { sub: 's', role: 'leader', exp: nowSeconds() + HOUR, iss: 'idp' },
    );
    expect((await get('/work-orders/TJ-A-1', bearer)).status).toBe(200);
  });

  it("lets a unit read its own order and escalation, not another unit's (403); an unknown id is 404", async () => {
    const unit = await token('unit', 'teda-enforcement');
    const own = await get('/work-orders/TJ-A-1', unit);
    expect(own.status).toBe(200);
    expect(await own.json()).toMatchObject({
      workOrderId: 'TJ-A-1',
      supervisionLevel: 2,
      escalations: [{ escalationId: escalations.teda, status: 'open', level: 2 }],
    });
    const other = await get('/work-orders/TJ-B-1', unit);
    expect(other.status).toBe(403);
    expect(await other.json()).toMatchObject({ statusCode: 403, error: 'Forbidden' });
    expect((await get('/work-orders/TJ-NOPE', unit)).status).toBe(404);

    expect((await get(`/escalations/${escalations.teda}`, unit)).status).toBe(200);
    expect((await get(`/escalations/${escalations.other}`, unit)).status).toBe(403);
    expect((await get(`/escalations/${randomUUID()}`, unit)).status).toBe(404);
    expect((await get('/escalations/not-a-uuid', unit)).status).toBe(400);
  });

  it("filters a unit's lists to its own unit and refuses another unit's (403)", async () => {
    const unit = await token('unit', 'teda-enforcement');
    const orders = (await (await get('/work-orders', unit)).json()) as {
      items: { workOrderId: string }[];
      total: number;
    };
    expect(orders.items.map((o) => o.workOrderId)).toEqual(['TJ-A-1']);
    expect(orders.total).toBe(1);
    const list = (await (await get('/escalations', unit)).json()) as {
      items: { escalationId: string }[];
    };
    expect(list.items.map((e) => e.escalationId)).toEqual([escalations.teda]);
    expect((await get('/work-orders?unitId=teda-enforcement', unit)).status).toBe(200);
    expect((await get('/work-orders?unitId=teda-community-1', unit)).status).toBe(403);
    expect((await get('/escalations?unitId=teda-community-1', unit)).status).toBe(403);

    const supervisor = await token('supervisor');
    const all = (await (await get('/work-orders', supervisor)).json()) as { total: number };
    expect(all.total).toBe(2);
  });

  it('masks the citizen for a unit and for a supervisor who does not ask to reveal', async () => {
    for (const bearer of [
      await token('unit', 'teda-enforcement'),
      await token('supervisor'),
      await token('leader'),
    ]) {
      const body = await (await get('/work-orders/TJ-A-1', bearer)).text();
      expect(JSON.parse(body)).toMatchObject({ citizen: { name: '张*', phone: '138****5678' } });
      expect(body).not.toContain('13812345678');
      expect(body).not.toContain('张三');
    }
    const list = await (await get('/work-orders', await token('supervisor'))).text();
    expect(list).not.toContain('1381234');
    expect(list).not.toContain('张');
  });

  it('reveals the citizen to a supervisor who asks, and audits it; a unit asking is refused', async () => {
    const before = await sql.query(`SELECT count(*)::int AS n FROM audit_log`);
    const res = await get('/work-orders/TJ-B-1?reveal=true', await token('supervisor'));
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ citizen: { name: '欧阳娜娜', phone: '13987654321' } });
    const { rows } = await sql.query(
      `SELECT subject, role, action, work_order_id FROM audit_log WHERE action = 'reveal_personal_data'`,
    );
    expect(rows).toEqual([
      {
        subject: 'supervisor-1',
        role: 'supervisor',
        action: 'reveal_personal_data',
        work_order_id: 'TJ-B-1',
      },
    ]);

    expect(
      (await get('/work-orders/TJ-A-1?reveal=true', await token('unit', 'teda-enforcement')))
        .status,
    ).toBe(403);
    expect((await get('/work-orders/TJ-A-1?reveal=yes', await token('supervisor'))).status).toBe(
      400,
    );
    const after = await sql.query(`SELECT count(*)::int AS n FROM audit_log`);
    expect((after.rows[0] as { n: number }).n).toBe((before.rows[0] as { n: number }).n + 1);
    // The logger wrote nothing personal either.
    expect(api.output()).not.toContain('13987654321');
  });

  it('serves the OpenAPI document with the routes, their parameters and the bearer scheme', async () => {
    const res = await get('/openapi.json');
    expect(res.status).toBe(200);
    const doc = (await res.json()) as {
      openapi: string;
      paths: Record<
        string,
        Record<
          string,
          { parameters?: { name: string; in: string; schema: { maximum?: number } }[] }
        >
      >;
      components: { securitySchemes: Record<string, unknown> };
    };
    expect(doc.openapi).toMatch(/^3\.1/);
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        '/health',
        '/work-orders',
        '/work-orders/{id}',
        '/work-orders/{id}/events',
        '/work-orders.csv',
        '/work-orders.xlsx',
        '/session',
        '/session/sign-in',
        '/session/oidc',
        '/escalations',
        '/escalations/{id}',
        '/escalations/{id}/acknowledge',
        '/escalations/{id}/resolve',
        '/statistics/monthly',
        '/statistics/summary',
        '/statistics/monthly.csv',
        '/statistics/monthly.xlsx',
        '/statistics/months/{month}/close',
        '/statistics/months/{month}/restatements',
      ]),
    );
    const listParams = doc.paths['/work-orders']!.get!.parameters!;
    expect(listParams.map((p) => p.name)).toEqual([
      'unitId',
      'status',
      'overdue',
      'page',
      'pageSize',
    ]);
    expect(listParams.find((p) => p.name === 'pageSize')!.schema.maximum).toBe(100);
    expect(doc.paths['/escalations']!.get!.parameters!.map((p) => p.name)).toEqual(
      expect.arrayContaining(['status', 'kind', 'unitId', 'level']),
    );
    expect(doc.components.securitySchemes).toEqual({
      bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' },
    });
  });
});
