/**
 * Arbitrary query strings, path segments and JSON bodies at every API route, with a valid token
 * of each role (and none, and a made-up one), against the real API process and PostgreSQL: the
 * API never answers 5xx, and every refusal is the project's error body. Rate limits are off here
 * (they are api-hardening's subject); the run stops after 1,000 requests or about 20 s of them.
 */
import { request } from 'node:http';
import fc from 'fast-check';
import { API_QUERY_PARAMETERS } from '../apps/api/src/http/access-log';
import { startApi, type RunningApi } from './api-process';

interface Reply {
  status: number;
  contentType: string;
  body: string;
}

/** node:http, not fetch: the path goes out as built (no URL normalisation of `..`, `%`, `\`). */
function send(
  base: URL,
  method: string,
  path: string,
  headers: Record<string, string>,
  body?: string,
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: base.hostname, port: base.port, method, path, headers, agent: false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            contentType: String(res.headers['content-type'] ?? ''),
            body: Buffer.concat(chunks).toString('utf8'),
          }),
        );
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** Route templates; `{}` is where a path segment goes. */
const ROUTES = [
  ['GET', '/health'],
  ['GET', '/openapi.json'],
  ['GET', '/work-orders'],
  ['GET', '/work-orders/{}'],
  ['GET', '/work-orders/{}/events'],
  ['GET', '/work-orders.csv'],
  ['GET', '/work-orders.xlsx'],
  ['GET', '/session'],
  ['GET', '/session/sign-in'],
  ['POST', '/session/oidc'],
  ['GET', '/escalations'],
  ['GET', '/escalations/{}'],
  ['POST', '/escalations/{}/acknowledge'],
  ['POST', '/escalations/{}/resolve'],
  ['GET', '/statistics/monthly'],
  ['GET', '/statistics/monthly.csv'],
  ['GET', '/statistics/monthly.xlsx'],
  ['GET', '/statistics/summary'],
  ['POST', '/statistics/months/{}/close'],
  ['GET', '/statistics/months/{}/restatements'],
] as const;

/** The routes' own query parameters (the access log keeps their values), beside arbitrary names. */
const PARAMETERS = API_QUERY_PARAMETERS;

/** Values near the rules' edges, beside arbitrary text. */
const EDGY = fc.constantFrom(
  '9999-12',
  '0000-01',
  '2024-02',
  '2024-13',
  '1999-12',
  '2100-12',
  '2101-01',
  '2024-02-29',
  '2023-02-29',
  '9999-12-31',
  '0000-01-01',
  '2024-01-01',
  '-1',
  '0',
  '1e9',
  'NaN',
  'Infinity',
  '99999999999999999999',
  'true',
  'unit',
  'category',
  'open',
  'teda-enforcement',
  'teda-community-1',
  '=HYPERLINK("x")',
  "'; DROP TABLE work_orders; --",
  '\u0000',
  '\ud800',
  '張三',
  '',
);

const text = fc.oneof(
  { weight: 3, arbitrary: EDGY },
  { weight: 2, arbitrary: fc.string({ maxLength: 40 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
  { weight: 1, arbitrary: fc.string({ minLength: 300, maxLength: 3000 }) },
);

/** Encoded text, or raw ASCII with stray `%`, `&`, `=`, `[`, `]` (invalid escapes included). */
const rawAscii = fc.string({
  unit: fc.constantFrom(...'%&=[]+,;:@!$()*.~_-/\\09azAZ'.split('')),
  maxLength: 30,
});
const encodedOrRaw = fc.oneof(
  text.map((t) => encodeURIComponent(t.replace(/[\ud800-\udfff]/g, '\ufffd'))),
  rawAscii,
);

const queryString = fc
  .array(fc.tuple(fc.oneof(fc.constantFrom(...PARAMETERS), encodedOrRaw), encodedOrRaw), {
    maxLength: 6,
  })
  .map((pairs) => (pairs.length === 0 ? '' : `?${pairs.map(([k, v]) => `${k}=${v}`).join('&')}`));

const segment = (known: readonly string[]) =>
  fc.oneof(
    { weight: 2, arbitrary: fc.constantFrom(...known) },
    { weight: 3, arbitrary: encodedOrRaw.filter((s) => s !== '' && s !== '.' && s !== '..') },
  );

const jsonBody = fc.oneof(
  fc.constant(undefined),
  fc.json({ maxDepth: 3 }),
  fc.record({ note: text }, { requiredKeys: [] }).map((value) => JSON.stringify(value)),
  fc
    .record({ note: fc.oneof(text, fc.integer(), fc.constant(null)), extra: text })
    .map((v) => JSON.stringify(v)),
  fc
    .record(
      {
        code: text,
        codeVerifier: fc.oneof(text, fc.constant('v'.repeat(43))),
        redirectUri: fc.oneof(text, fc.webUrl()),
      },
      { requiredKeys: [] },
    )
    .map((value) => JSON.stringify(value)),
  fc.string({ maxLength: 200 }),
  fc.string({ minLength: 15_000, maxLength: 20_000 }).map((s) => JSON.stringify({ note: s })),
);

const contentType = fc.constantFrom(
  'application/json',
  'application/json; charset=utf-8',
  'application/json; charset=latin1',
  'text/plain',
  'application/x-www-form-urlencoded',
  'application/merge-patch+json',
);

describe('API fuzzing: never a 5xx', () => {
  let run: RunningApi;
  let base: URL;
  let tokens: (string | undefined)[];
  let known: string[];

  beforeAll(async () => {
    run = await startApi('api_fuzz', {
      API_RATE_LIMIT_PER_TOKEN: '0',
      API_RATE_LIMIT_PER_ADDRESS: '0',
      API_ACCESS_LOG: 'false',
    });
    base = new URL(run.base);
    tokens = [
      run.token('leader'),
      run.token('supervisor'),
      run.token('unit'),
      run.token('unit', { unitId: 'teda-community-1' }),
      undefined,
      'not.a.token',
    ];
    known = [...run.orders, ...run.escalations, '2024-03', '2026-01', '9999-12', '0000-01'];
  });

  afterAll(async () => {
    await run?.stop();
  });

  it('answers every route, role and input below 500, with the project’s error body', async () => {
    const failures: string[] = [];
    const statuses = new Map<number, number>();
    const result = await fc.check(
      fc.asyncProperty(
        fc.constantFrom(...ROUTES),
        fc.nat({ max: 5 }),
        segment(known),
        queryString,
        jsonBody,
        contentType,
        async ([method, template], tokenIndex, seg, query, body, type) => {
          const path = `${template.replace('{}', seg)}${query}`;
          const token = tokens[tokenIndex];
          const headers: Record<string, string> = {};
          if (token) headers.authorization = `Bearer ${token}`;
          if (body !== undefined && method === 'POST') headers['content-type'] = type;
          const reply = await send(
            base,
            method,
            path,
            headers,
            method === 'POST' ? body : undefined,
          );
          statuses.set(reply.status, (statuses.get(reply.status) ?? 0) + 1);
          if (reply.status >= 500) {
            failures.push(`${method} ${path} → ${reply.status} ${reply.body.slice(0, 200)}`);
            return false;
          }
          if (reply.status >= 400) {
            const parsed = JSON.parse(reply.body) as Record<string, unknown>;
            expect(Object.keys(parsed).sort()).toEqual(['error', 'message', 'statusCode']);
            expect(parsed.statusCode).toBe(reply.status);
          }
          return true;
        },
      ),
      { numRuns: 1000, interruptAfterTimeLimit: 20_000, markInterruptAsFailure: false },
    );
    expect(failures).toEqual([]);
    if (result.failed) throw new Error(fc.defaultReportMessage(result));
    // Not only refusals: valid paths through every role's data were reached too.
    expect(statuses.get(200)).toBeGreaterThan(5);
    process.stdout.write(`fuzz ${result.numRuns} requests: ${JSON.stringify([...statuses])}\n`);
    expect(result.numRuns).toBeGreaterThanOrEqual(100);
    // The API is still up and quick after the storm.
    expect((await send(base, 'GET', '/health', {})).status).toBe(200);
  }, 90_000);
});
