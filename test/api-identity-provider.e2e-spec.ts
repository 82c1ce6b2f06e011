/**
 * Tokens of the street's identity provider, against the real API process: a local HTTP server
 * plays the provider (OpenID discovery and a JWKS the test rotates), its keys are generated here
 * with jose, and the API finds them through discovery.
 */
import { createServer, type Server } from 'node:http';
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { signAccessToken } from '@hotline/platform';
import {
  createFreshDatabase,
  startWorker,
  waitFor,
  type FreshDatabase,
  type WorkerProcess,
} from '@hotline/testing';
import {
  SignJWT,
  exportJWK,
  exportSPKI,
  generateKeyPair,
  type JWK,
  type JWTPayload,
  type KeyLike,
} from 'jose';

const SECRET = randomBytes(32).toString('hex');
const AUDIENCE = 'hotline-api';
const MAX_LIFETIME_SECONDS = 3600;
const ROLE_MAP = 'hotline-leader=leader,hotline-supervisor=supervisor,hotline-unit=unit';

interface SigningKey {
  kid: string;
  alg: 'RS256' | 'ES256';
  privateKey: KeyLike;
  publicKey: KeyLike;
  jwk: JWK;
}

async function signingKey(kid: string, alg: SigningKey['alg']): Promise<SigningKey> {
  const { privateKey, publicKey } = await generateKeyPair(alg);
  return { kid, alg, privateKey, publicKey, jwk: { ...(await exportJWK(publicKey)), kid, alg } };
}

/** The provider: discovery, then a JWKS of whichever keys it currently publishes. */
class IdentityProvider {
  published: SigningKey[] = [];
  /** While true the key set answers 500, as a provider being redeployed does. */
  failing = false;
  jwksRequests = 0;
  discoveryRequests = 0;
  private readonly server: Server = createServer((req, res) => {
    if (req.url === '/realms/street/.well-known/openid-configuration') {
      this.discoveryRequests += 1;
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ issuer: this.issuer, jwks_uri: `${this.issuer}/protocol/certs` }));
    } else if (req.url === '/realms/street/protocol/certs') {
      this.jwksRequests += 1;
      if (this.failing) {
        res.statusCode = 500;
        res.end();
        return;
      }
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ keys: this.published.map((k) => k.jwk) }));
    } else {
      res.statusCode = 404;
      res.end();
    }
  });

  get issuer(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/realms/street`;
  }

  listen(): Promise<void> {
    return new Promise((resolve) => this.server.listen(0, '127.0.0.1', resolve));
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

const nowSeconds = () => Math.floor(Date.now() / 1000);

describe('API with the identity provider', () => {
  const idp = new IdentityProvider();
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
        OIDC_AUDIENCE: `${AUDIENCE},hotline-console`,
        OIDC_SUBJECT_CLAIM: 'preferred_username',
        OIDC_ROLE_CLAIM: 'realm_access.roles',
        OIDC_UNIT_CLAIM: 'unit_id',
        OIDC_ROLE_MAP: ROLE_MAP,
        // Every unknown kid may fetch the JWKS again: the rotation below needs no waiting.
        OIDC_JWKS_COOLDOWN_SECONDS: '0',
        TOKEN_MAX_LIFETIME_SECONDS: String(MAX_LIFETIME_SECONDS),
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
});
