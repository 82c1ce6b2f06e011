/**
 * The API under hostile and careless requests, against the real API process and PostgreSQL:
 * ranges outside the configured span are refused in milliseconds, the security headers and
 * `Cache-Control: no-store` are on every answer, malformed JSON gets the project's error body,
 * rate limits per token and per address answer 429, and the access log writes no token and no
 * citizen's data.
 */
import { CITIZEN, startApi, type RunningApi } from './api-process';

const PER_TOKEN = 100;
const PER_ADDRESS = 400;

interface Answer {
  status: number;
  headers: Headers;
  body: unknown;
  ms: number;
}

describe('API hardening', () => {
  let run: RunningApi;
  let supervisor: string;
  let unit: string;

  /**
   * `count` answers one after another, and the quickest of them: the request's own cost, not
   * that of whatever else shares the machine's two cores.
   */
  async function quickest(count: number, request: () => Promise<Answer>) {
    const answers: Answer[] = [];
    for (let i = 0; i < count; i += 1) answers.push(await request());
    return { answers, answer: answers.reduce((a, b) => (b.ms < a.ms ? b : a)) };
  }

  async function call(
    path: string,
    options: { token?: string; method?: string; body?: string; type?: string } = {},
  ): Promise<Answer> {
    const headers: Record<string, string> = {};
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    if (options.body !== undefined) headers['content-type'] = options.type ?? 'application/json';
    const started = performance.now();
    const res = await fetch(`${run.base}${path}`, {
      method: options.method ?? 'GET',
      headers,
      body: options.body,
    });
    const text = await res.text();
    const ms = performance.now() - started;
    let body: unknown = text;
    try {
      body = JSON.parse(text);
    } catch {
      // not JSON (a CSV, an XLSX): kept as text
    }
    return { status: res.status, headers: res.headers, body, ms };
  }

  beforeAll(async () => {
    run = await startApi('api_hardening', {
      LOG_LEVEL: 'info',
      API_RATE_LIMIT_PER_TOKEN: String(PER_TOKEN),
      API_RATE_LIMIT_PER_ADDRESS: String(PER_ADDRESS),
      API_RATE_LIMIT_WINDOW_MS: '600000',
    });
    supervisor = run.token('supervisor');
    unit = run.token('unit');
    // Warm up every statistics route once (first-call compilation and plans are not the subject).
    for (const path of [
      '/statistics/monthly?month=2024-03',
      '/statistics/monthly.csv?month=2024-03',
      '/statistics/monthly.xlsx?month=2024-03',
      '/statistics/summary?from=2024-03-01&to=2024-03-31',
      '/statistics/months/2024-03/restatements',
    ]) {
      await call(path, { token: supervisor });
    }
  });

  afterAll(async () => {
    await run?.stop();
  });

  describe('every range stays inside the configured span (default 2000–2100)', () => {
    const cases: [string, string, string, string][] = [
      ['GET', '/statistics/monthly?month=9999-12', 'month', 'must lie in the years 2000–2100'],
      ['GET', '/statistics/monthly?month=0000-01', 'month', 'must lie in the years 2000–2100'],
      ['GET', '/statistics/monthly.csv?month=9999-12', 'month', 'must lie in the years'],
      ['GET', '/statistics/monthly.xlsx?month=9999-12', 'month', 'must lie in the years'],
      ['GET', '/statistics/monthly.xlsx?month=0000-01', 'month', 'must lie in the years'],
      ['GET', '/statistics/summary?from=2024-01-01&to=9999-12-31', 'to', 'must lie in the years'],
      ['GET', '/statistics/summary?from=0000-01-01&to=2024-01-01', 'from', 'must lie in the years'],
      ['GET', '/statistics/summary?from=2000-01-01&to=2100-12-31', 'to', 'at most 366 days'],
      ['POST', '/statistics/months/9999-12/close', '', 'must lie in the years'],
      ['POST', '/statistics/months/0000-01/close', '', 'must lie in the years'],
      ['GET', '/statistics/months/9999-12/restatements', '', 'must lie in the years'],
    ];

    it.each(cases)('%s %s → 400 in under 100 ms (%s)', async (method, path, field, message) => {
      await call(path, { token: supervisor, method }); // warm-up: this refusal's code path once
      for (const token of [supervisor, unit]) {
        // The old walk took 12–18 s, every time.
        const { answers, answer } = await quickest(5, () => call(path, { token, method }));
        expect(answers.map((a) => a.status)).toEqual([400, 400, 400, 400, 400]);
        expect(answer.body).toEqual({
          statusCode: 400,
          error: 'Bad Request',
          message: expect.stringContaining(message) as string,
        });
        if (field) expect((answer.body as { message: string }).message).toContain(`${field}:`);
        expect(answer.ms).toBeLessThan(100);
      }
    });

    it('still answers months and ranges inside the span', async () => {
      expect((await call('/statistics/monthly?month=2100-12', { token: supervisor })).status).toBe(
        200,
      );
      const year = await call('/statistics/summary?from=2024-01-01&to=2024-12-31', {
        token: supervisor,
      });
      expect(year.status).toBe(200);
    });

    it('stays healthy and quick after the refusals', async () => {
      const { answers, answer } = await quickest(3, () => call('/health'));
      expect(answers.map((a) => a.status)).toEqual([200, 200, 200]);
      expect(answer.ms).toBeLessThan(1000);
    });
  });

  describe('headers', () => {
    it.each([
      ['a work order revealed', `/work-orders/TJ-E2E-1?reveal=true`, 200],
      ['a list', '/escalations', 200],
      ['an export', '/statistics/monthly.csv?month=2024-03', 200],
      ['a refusal', '/work-orders', 401],
      ['an unknown route', '/nowhere', 404],
      ['the health check', '/health', 200],
    ])(
      '%s: security headers, no X-Powered-By, Cache-Control: no-store',
      async (_what, path, status) => {
        const answer = await call(path, { token: status === 401 ? undefined : supervisor });
        expect(answer.status).toBe(status);
        expect(answer.headers.get('x-powered-by')).toBeNull();
        expect(answer.headers.get('cache-control')).toBe('no-store');
        expect(answer.headers.get('x-content-type-options')).toBe('nosniff');
        expect(answer.headers.get('x-frame-options')).toBe('SAMEORIGIN');
        expect(answer.headers.get('content-security-policy')).toContain("default-src 'self'");
        expect(answer.headers.get('strict-transport-security')).toContain('max-age=');
        expect(answer.headers.get('referrer-policy')).toBe('no-referrer');
        expect(answer.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
      },
    );

    it('the revealed order does carry the personal data the headers protect', async () => {
      const answer = await call('/work-orders/TJ-E2E-1?reveal=true', { token: supervisor });
      expect(JSON.stringify(answer.body)).toContain(CITIZEN.phone);
    });
  });

  describe('malformed bodies get the project’s error body, never an echo', () => {
    const path = () => `/escalations/${run.escalations[0]}/acknowledge`;
    it.each([
      ['not JSON', 400, '{"note": "张三 13812345678', 'the body is not valid JSON'],
      ['a bare word', 400, 'acknowledge 13812345678', 'the body is not valid JSON'],
      ['too large', 413, JSON.stringify({ note: 'x'.repeat(20_000) }), 'the body is too large'],
    ])('%s → %i', async (_what, status, body, message) => {
      const answer = await call(path(), { token: supervisor, method: 'POST', body });
      expect(answer.status).toBe(status);
      expect(answer.body).toEqual({
        statusCode: status,
        error: status === 400 ? 'Bad Request' : 'Payload Too Large',
        message,
      });
      expect(answer.headers.get('cache-control')).toBe('no-store');
      expect(answer.headers.get('x-content-type-options')).toBe('nosniff');
    });
  });

  describe('the access log', () => {
    it('writes one line per request without tokens or personal data', async () => {
      const marker = `probe-${Date.now()}`;
      const answer = await call(
        `/work-orders?status=${marker}&access_token=${supervisor}&phone=${CITIZEN.phone}&name=${encodeURIComponent(CITIZEN.name)}`,
        { token: supervisor },
      );
      expect(answer.status).toBe(400);
      const requestId = answer.headers.get('x-request-id') as string;
      let line: Record<string, unknown> | undefined;
      for (let i = 0; i < 50 && line === undefined; i += 1) {
        line = run.api
          .output()
          .split('\n')
          .filter((l) => l.includes(requestId))
          .map((l) => JSON.parse(l) as Record<string, unknown>)
          .find((l) => l.msg === 'request');
        if (line === undefined) await new Promise((r) => setTimeout(r, 100));
      }
      expect(line).toMatchObject({
        level: 40, // warn: a 4xx
        req: {
          method: 'GET',
          path: '/work-orders',
          query: {
            status: marker,
            access_token: '[redacted]',
            phone: '[redacted]',
            name: '[redacted]',
          },
        },
        res: { statusCode: 400 },
        subject: 'supervisor-1',
        role: 'supervisor',
      });
      const output = run.api.output();
      expect(output).not.toContain(supervisor);
      expect(output).not.toContain(supervisor.split('.')[2]);
      expect(output).not.toContain(CITIZEN.phone);
      expect(output).not.toContain(CITIZEN.name);
    });
  });

  // Last: they spend the windows.
  describe('rate limits', () => {
    it(`a token gets ${PER_TOKEN} requests in its window, then 429 with Retry-After; other tokens go on`, async () => {
      const busy = run.token('supervisor', { subject: 'busy-supervisor' });
      const statuses: number[] = [];
      for (let i = 0; i < PER_TOKEN; i += 1) {
        statuses.push((await call('/escalations', { token: busy })).status);
      }
      expect(statuses.every((s) => s === 200)).toBe(true);
      const refused = await call('/work-orders', { token: busy });
      expect(refused.status).toBe(429);
      expect(refused.body).toEqual({
        statusCode: 429,
        error: 'Too Many Requests',
        message: `too many requests for this token: at most ${PER_TOKEN} in 600 s`,
      });
      expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(refused.headers.get('cache-control')).toBe('no-store');
      expect((await call('/escalations', { token: run.token('leader') })).status).toBe(200);
    });

    it(`an address gets ${PER_ADDRESS} requests in its window, tokens or not, then 429`, async () => {
      let last: Answer | undefined;
      for (let i = 0; i <= PER_ADDRESS && last?.status !== 429; i += 1) {
        // A new made-up token each time: the address limit still counts them all.
        last = await call('/escalations', { token: `not-a-token-${i}` });
      }
      expect(last?.status).toBe(429);
      expect(last?.body).toEqual({
        statusCode: 429,
        error: 'Too Many Requests',
        message: `too many requests for this address: at most ${PER_ADDRESS} in 600 s`,
      });
      expect((await call('/health')).status).toBe(429);
      expect(
        (await call('/escalations', { token: run.token('leader', { subject: 'fresh' }) })).status,
      ).toBe(429);
    });
  });
});
