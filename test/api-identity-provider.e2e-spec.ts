/**
 * Tokens of the street's identity provider, against the real API process: a local HTTP server
 * plays the provider (OpenID discovery, a JWKS the test rotates, the authorization and token
 * endpoints of the console's sign-in), its keys are generated with jose, and the API finds them
 * through discovery.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { signAccessToken } from '@hotline/platform';
import {
  LocalIdentityProvider,
  createFreshDatabase,
  signingKey,
  startWorker,
  waitFor,
  type FreshDatabase,
  type SigningKey,
  type WorkerProcess,
} from '@hotline/testing';
import { SignJWT, decodeJwt, exportSPKI, type JWTPayload } from 'jose';

const SECRET = randomBytes(32).toString('hex');
const AUDIENCE = 'hotline-api';
const MAX_LIFETIME_SECONDS = 3600;
const ROLE_MAP = 'hotline-leader=leader,hotline-supervisor=supervisor,hotline-unit=unit';
const CLIENT_ID = 'hotline-console';
const CLIENT_SECRET = randomBytes(16).toString('hex');

const nowSeconds = () => Math.floor(Date.now() / 1000);
const sha256 = (text: string) => createHash('sha256').update(text).digest('base64url');

function secretFile(): string {
  const path = join(mkdtempSync(join(tmpdir(), 'oidc-client-')), 'secret');
  writeFileSync(path, `${CLIENT_SECRET}\n`);
  return path;
}

describe('API with the identity provider', () => {
  const idp = new LocalIdentityProvider({
    clientId: CLIENT_ID,
    clientSecret: CLIENT_SECRET,
    audience: AUDIENCE,
  });
  let rsa: SigningKey;
  let ec: SigningKey;
  let db: FreshDatabase;
  let api: WorkerProcess;
  let base: string;

  /** A token as the provider issues it, with any claims overridden. */
  const issued = (key: SigningKey, claims: JWTPayload = {}, kid = key.kid) =>
    new SignJWT({
      iss: idp.issuer,
      aud: AUDIENCE,
      sub: 'f3c1-9a7e',
      preferred_username: 'wang.supervisor',
      realm_access: { roles: ['offline_access', 'hotline-supervisor'] },
      iat: nowSeconds(),
      exp: nowSeconds() + 300,
      ...claims,
    })
      .setProtectedHeader({ alg: key.alg, kid, typ: 'JWT' })
      .sign(key.privateKey);

  const get = (path: string, bearer: string) =>
    fetch(`${base}${path}`, { headers: { authorization: `Bearer ${bearer}` } });

  beforeAll(async () => {
    [rsa, ec] = await Promise.all([signingKey('rsa-1', 'RS256'), signingKey('ec-1', 'ES256')]);
    idp.published = [rsa, ec];
    await idp.listen();
    db = await createFreshDatabase('api_idp');
    api = await startWorker(
      {
        DATABASE_URL: db.url,
        JWT_SECRET: SECRET,
        MIGRATE_ON_START: 'false',
        OIDC_ISSUER: idp.issuer,
        OIDC_AUDIENCE: `${AUDIENCE},${CLIENT_ID}`,
        OIDC_SUBJECT_CLAIM: 'preferred_username',
        OIDC_ROLE_CLAIM: 'realm_access.roles',
        OIDC_UNIT_CLAIM: 'unit_id',
        OIDC_ROLE_MAP: ROLE_MAP,
        // Every unknown kid may fetch the JWKS again: the rotation below needs no waiting.
        OIDC_JWKS_COOLDOWN_SECONDS: '0',
        TOKEN_MAX_LIFETIME_SECONDS: String(MAX_LIFETIME_SECONDS),
        // A confidential client, its secret from a file as a container's secret would be.
        OIDC_CLIENT_ID: CLIENT_ID,
        OIDC_CLIENT_SECRET_FILE: secretFile(),
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
    await db?.drop();
    await idp.close();
  });

  it('accepts RS256 and ES256 tokens, with keys found through discovery', async () => {
    for (const key of [rsa, ec]) {
      const res = await get('/work-orders', await issued(key));
      expect({ key: key.alg, status: res.status }).toEqual({ key: key.alg, status: 200 });
    }
    expect(idp.discoveryRequests).toBe(1);
    expect(idp.jwksRequests).toBe(1);
  });

  it('keeps accepting the local HS256 tokens beside the provider', async () => {
    const local = await signAccessToken(
      { subject: 'local', role: 'leader', ttlSeconds: 600, now: new Date() },
      SECRET,
    );
    expect((await get('/work-orders', local)).status).toBe(200);
  });

  it("maps the provider's claims: the unit role is confined to its unit_id", async () => {
    const unit = await issued(ec, {
      realm_access: { roles: ['hotline-unit'] },
      unit_id: 'teda-enforcement',
    });
    expect((await get('/work-orders?unitId=teda-enforcement', unit)).status).toBe(200);
    const other = await get('/work-orders?unitId=teda-community-1', unit);
    expect(other.status).toBe(403);
  });

  it.each([
    ['no role of this API', { realm_access: { roles: ['offline_access'] } }, 'realm_access.roles'],
    ['no role claim at all', { realm_access: {} }, 'no role of this API'],
    ['the unit role without unit_id', { realm_access: { roles: ['hotline-unit'] } }, 'unit_id'],
  ])('refuses a genuine token with %s (403)', async (_what, claims, reason) => {
    const res = await get('/work-orders', await issued(rsa, claims));
    expect(res.status).toBe(403);
    const body = (await res.json()) as { message: string };
    expect(body.message).toContain('token refused: invalid claims');
    expect(body.message).toContain(reason);
  });

  it('follows a key rotation: a new kid is fetched, a removed kid is refused', async () => {
    const before = idp.jwksRequests;
    const next = await signingKey('rsa-2', 'RS256');
    const oldToken = await issued(rsa);
    expect((await get('/work-orders', oldToken)).status).toBe(200);

    idp.published = [next, ec];
    expect((await get('/work-orders', await issued(next))).status).toBe(200);
    expect(idp.jwksRequests).toBe(before + 1);

    const refused = await get('/work-orders', oldToken);
    expect(refused.status).toBe(401);
    expect(((await refused.json()) as { message: string }).message).toContain(
      'no key of the identity provider matches the token',
    );
    // The ES256 key stayed published and is still good.
    expect((await get('/work-orders', await issued(ec))).status).toBe(200);
    rsa = next;
  });

  it('answers 503 while the key set cannot be fetched, and accepts the new key once it can', async () => {
    const next = await signingKey('ec-2', 'ES256');
    const token = await issued(next);
    idp.failing = true;
    const down = await get('/work-orders', token);
    expect(down.status).toBe(503);
    expect(((await down.json()) as { message: string }).message).toContain(
      "the identity provider's keys are unavailable",
    );
    idp.failing = false;
    idp.published = [rsa, ec, next];
    expect((await get('/work-orders', token)).status).toBe(200);
  });

  const refusals: [string, () => Promise<string>, string][] = [
    [
      'the wrong issuer',
      () => issued(rsa, { iss: 'http://127.0.0.1:1/realms/other' }),
      'wrong issuer "http://127.0.0.1:1/realms/other"',
    ],
    ['the wrong audience', () => issued(rsa, { aud: 'another-api' }), 'wrong audience'],
    [
      'an expired token',
      () => issued(ec, { iat: nowSeconds() - 900, exp: nowSeconds() - 600 }),
      'expired',
    ],
    [
      'a lifetime over TOKEN_MAX_LIFETIME_SECONDS',
      () => issued(rsa, { iat: nowSeconds(), exp: nowSeconds() + MAX_LIFETIME_SECONDS + 60 }),
      `exceeds the maximum of ${MAX_LIFETIME_SECONDS} s`,
    ],
    ['no exp', () => issued(rsa, { exp: undefined }), 'invalid claims: exp'],
    [
      'alg none',
      () => {
        const part = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
        const claims = { iss: idp.issuer, aud: AUDIENCE, sub: 's', exp: nowSeconds() + 300 };
        return Promise.resolve(`${part({ alg: 'none', typ: 'JWT' })}.${part(claims)}.`);
      },
      'algorithm "none" is not accepted',
    ],
    [
      'HS256 signed with the public key (algorithm confusion)',
      async () => {
        const publicPem = new TextEncoder().encode(await exportSPKI(rsa.publicKey));
        return new SignJWT({
          iss: idp.issuer,
          aud: AUDIENCE,
          sub: 's',
          realm_access: { roles: ['hotline-leader'] },
          iat: nowSeconds(),
          exp: nowSeconds() + 300,
        })
          .setProtectedHeader({ alg: 'HS256', kid: rsa.kid })
          .sign(publicPem);
      },
      'algorithm "HS256" is not accepted',
    ],
    [
      "another key's signature under a published kid",
      async () => issued(await signingKey(rsa.kid, 'RS256')),
      'invalid signature',
    ],
    ['an unknown kid', () => issued(rsa, {}, 'rsa-unknown'), 'no key of the identity provider'],
  ];
  it.each(refusals)('refuses %s with 401', async (_what, make, reason) => {
    const res = await get('/work-orders', await make());
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toMatch(/^Bearer/);
    const body = (await res.json()) as { message: string };
    expect(body.message).toContain(reason);
  });

  describe('the console signing in through the provider (authorization code + PKCE)', () => {
    const SUPERVISOR = {
      sub: 'f3c1-9a7e',
      preferred_username: 'wang.supervisor',
      realm_access: { roles: ['offline_access', 'hotline-supervisor'] },
    };
    const consoleAddress = () => `${base}/console/`;
    const newVerifier = () => randomBytes(32).toString('base64url');

    /** The browser's trip to the authorization endpoint: the code it comes back with. */
    async function authorize(codeVerifier: string, nonce = 'nonce-1'): Promise<string> {
      const url = new URL(idp.authorizationEndpoint);
      url.search = new URLSearchParams({
        response_type: 'code',
        client_id: CLIENT_ID,
        redirect_uri: consoleAddress(),
        scope: 'openid profile',
        state: 'state-1',
        nonce,
        code_challenge: sha256(codeVerifier),
        code_challenge_method: 'S256',
      }).toString();
      const res = await fetch(url, { redirect: 'manual' });
      expect(res.status).toBe(302);
      const back = new URL(res.headers.get('location') ?? '');
      expect(`${back.origin}${back.pathname}`).toBe(consoleAddress());
      expect(back.searchParams.get('state')).toBe('state-1');
      return back.searchParams.get('code') ?? '';
    }

    const exchange = (body: object) =>
      fetch(`${base}/session/oidc`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });

    async function refused(res: Response, status: number, reason: string, code?: string) {
      expect(res.status).toBe(status);
      const { message } = (await res.json()) as { message: string };
      expect(message).toContain(reason);
      if (code !== undefined) expect(message).not.toContain(code);
    }

    beforeEach(() => {
      idp.person = SUPERVISOR;
      idp.tokenEndpointDown = false;
      idp.opaqueAccessTokens = false;
    });

    it('tells the console where to send people, from the discovery document fetched once', async () => {
      const res = await fetch(`${base}/session/sign-in`);
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({
        token: true,
        oidc: {
          authorizationEndpoint: idp.authorizationEndpoint,
          clientId: CLIENT_ID,
          scopes: ['openid', 'profile'],
        },
      });
      expect(idp.discoveryRequests).toBe(1);
    });

    it('exchanges a code for the access token, which then works on /session', async () => {
      const codeVerifier = newVerifier();
      const code = await authorize(codeVerifier);
      const res = await exchange({
        code,
        codeVerifier,
        redirectUri: consoleAddress(),
        nonce: 'nonce-1',
      });
      expect(res.status).toBe(200);
      const body = (await res.json()) as { token: string; principal: object };
      const principal = { subject: 'wang.supervisor', role: 'supervisor', unitId: null };
      expect(body.principal).toEqual(principal);
      expect(decodeJwt(body.token).aud).toBe(AUDIENCE);
      const session = await get('/session', body.token);
      expect(session.status).toBe(200);
      expect(await session.json()).toEqual(principal);
      // The confidential client's secret went to the provider, never to the log; nor did the code.
      expect(api.output()).not.toContain(CLIENT_SECRET);
      expect(api.output()).not.toContain(code);
      expect(idp.discoveryRequests).toBe(1);
    });

    it('hands over the ID token when the access token is not a JWT, checking its nonce', async () => {
      idp.opaqueAccessTokens = true;
      idp.person = {
        preferred_username: 'li.enforcement',
        realm_access: { roles: ['hotline-unit'] },
        unit_id: 'teda-enforcement',
      };
      const codeVerifier = newVerifier();
      const res = await exchange({
        code: await authorize(codeVerifier, 'nonce-2'),
        codeVerifier,
        redirectUri: consoleAddress(),
        nonce: 'nonce-2',
      });
      expect(res.status).toBe(200);
      const body = (await res.json()) as { token: string; principal: object };
      expect(decodeJwt(body.token).aud).toBe(CLIENT_ID);
      expect(body.principal).toEqual({
        subject: 'li.enforcement',
        role: 'unit',
        unitId: 'teda-enforcement',
      });
      expect((await get('/work-orders?unitId=teda-enforcement', body.token)).status).toBe(200);

      const other = newVerifier();
      const replayed = await exchange({
        code: await authorize(other, 'nonce-3'),
        codeVerifier: other,
        redirectUri: consoleAddress(),
        nonce: 'nonce-4',
      });
      await refused(replayed, 401, 'the ID token was not issued for this sign-in (nonce)');
    });

    it("refuses a code whose PKCE verifier is not the challenged one (401, the provider's error named)", async () => {
      const code = await authorize(newVerifier());
      const res = await exchange({
        code,
        codeVerifier: newVerifier(),
        redirectUri: consoleAddress(),
      });
      await refused(res, 401, 'the identity provider refused the code: invalid_grant', code);
    });

    it('refuses a code used a second time (401)', async () => {
      const codeVerifier = newVerifier();
      const code = await authorize(codeVerifier);
      expect((await exchange({ code, codeVerifier, redirectUri: consoleAddress() })).status).toBe(
        200,
      );
      const again = await exchange({ code, codeVerifier, redirectUri: consoleAddress() });
      await refused(again, 401, 'the identity provider refused the code: invalid_grant', code);
    });

    it('refuses a person the provider knows without a role of this API (403)', async () => {
      idp.person = { preferred_username: 'zhao', realm_access: { roles: ['offline_access'] } };
      const codeVerifier = newVerifier();
      const res = await exchange({
        code: await authorize(codeVerifier),
        codeVerifier,
        redirectUri: consoleAddress(),
      });
      await refused(res, 403, 'invalid claims: realm_access.roles');
    });

    it.each([
      ['another site', () => 'https://evil.example/console/', "must be this API's console"],
      [
        'another port',
        () => `http://127.0.0.1:${api.port + 1}/console/`,
        "must be this API's console",
      ],
      [
        'another name for this host',
        () => `http://localhost:${api.port}/console/`,
        "must be this API's console",
      ],
      ['a route outside the console', () => `${base}/session`, 'must lie under /console/'],
    ])(
      'refuses a redirect URI on %s (400) before asking the provider',
      async (_what, uri, reason) => {
        const before = idp.tokenRequests;
        const codeVerifier = newVerifier();
        const code = await authorize(codeVerifier);
        await refused(
          await exchange({ code, codeVerifier, redirectUri: uri() }),
          400,
          reason,
          code,
        );
        expect(idp.tokenRequests).toBe(before);
      },
    );

    it.each([
      ['a short verifier', { code: 'c', codeVerifier: 'short', redirectUri: 'x' }, 'codeVerifier'],
      ['no code', { codeVerifier: 'v'.repeat(43), redirectUri: 'x' }, 'code'],
      [
        'an unknown field',
        { code: 'c', codeVerifier: 'v'.repeat(43), redirectUri: 'x', state: 's' },
        'state',
      ],
    ])('validates the body: %s is 400', async (_what, body, reason) => {
      await refused(await exchange(body), 400, reason);
    });

    it("answers 503 while the provider's token endpoint cannot be reached", async () => {
      idp.tokenEndpointDown = true;
      const codeVerifier = newVerifier();
      const code = await authorize(codeVerifier);
      const res = await exchange({ code, codeVerifier, redirectUri: consoleAddress() });
      await refused(res, 503, "the identity provider's token endpoint cannot be reached", code);
    });
  });
});
