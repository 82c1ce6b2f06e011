import { createHmac } from 'node:crypto';
import { SignJWT, generateKeyPair } from 'jose';
import { AccessTokenVerifier, type AccessTokenSettings } from './access-token-verifier';
import { signAccessToken } from './sign-access-token';

const SECRET = 'a-test-secret-of-at-least-thirty-two-characters';
const NOW = new Date('2024-03-04T01:00:00Z');
const T = NOW.getTime() / 1000;
const TOLERANCE = 30;
const SETTINGS: AccessTokenSettings = {
  jwtSecret: SECRET,
  clockToleranceSeconds: TOLERANCE,
  maxTokenLifetimeSeconds: 12 * 3600,
  identityProvider: null,
};
const verifier = new AccessTokenVerifier(SETTINGS);
const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
const signed = (header: unknown, claims: unknown, alg: 'sha256' | 'sha512' = 'sha256') => {
  const input = `${b64(header)}.${b64(claims)}`;
  return `${input}.${createHmac(alg, SECRET).update(input).digest('base64url')}`;
};

describe('AccessTokenVerifier with the local key', () => {
  it('accepts the tokens signAccessToken mints, unitId only for a unit', async () => {
    const unit = await signAccessToken(
      { subject: 'li', role: 'unit', unitId: 'teda-enforcement', ttlSeconds: 60, now: NOW },
      SECRET,
    );
    expect(await verifier.verify(unit, NOW)).toEqual({
      ok: true,
      issuer: 'local',
      principal: { subject: 'li', role: 'unit', unitId: 'teda-enforcement' },
    });
    const leader = signed(
      { alg: 'HS256' },
      { sub: 'wang', role: 'leader', unitId: 'x', exp: T + 60 },
    );
    expect(await verifier.verify(leader, NOW)).toEqual({
      ok: true,
      issuer: 'local',
      principal: { subject: 'wang', role: 'leader', unitId: null },
    });
  });

  it.each([
    [
      'alg none',
      `${b64({ alg: 'none' })}.${b64({ sub: 's', role: 'leader', exp: T + 60 })}.`,
      'algorithm "none"',
    ],
    [
      'alg HS512',
      signed({ alg: 'HS512' }, { sub: 's', role: 'leader', exp: T + 60 }, 'sha512'),
      'algorithm "HS512"',
    ],
    [
      'alg RS256 on a token of no known provider',
      `${b64({ alg: 'RS256' })}.${b64({ sub: 's', role: 'leader', exp: T + 60 })}.c2ln`,
      'algorithm "RS256"',
    ],
    [
      'a crit header',
      signed(
        { alg: 'HS256', crit: ['x-hotline'], 'x-hotline': 1 },
        { sub: 's', role: 'leader', exp: T + 60 },
      ),
      'token not accepted',
    ],
    [
      'a tampered payload',
      signed({ alg: 'HS256' }, { sub: 's', role: 'unit', unitId: 'a', exp: T + 60 }).replace(
        /\.[^.]+\./,
        `.${b64({ sub: 's', role: 'leader', exp: T + 60 })}.`,
      ),
      'invalid signature',
    ],
    ['no exp', signed({ alg: 'HS256' }, { sub: 's', role: 'leader' }), 'invalid claims: exp'],
    [
      'exp past the tolerance',
      signed({ alg: 'HS256' }, { sub: 's', role: 'leader', exp: T - TOLERANCE }),
      'expired',
    ],
    [
      'nbf ahead of the tolerance',
      signed({ alg: 'HS256' }, { sub: 's', role: 'leader', nbf: T + TOLERANCE + 1, exp: T + 600 }),
      'not valid yet',
    ],
    [
      'a string exp',
      signed({ alg: 'HS256' }, { sub: 's', role: 'leader', exp: String(T + 60) }),
      'invalid claims: exp',
    ],
    [
      'a lifetime over the cap',
      signed({ alg: 'HS256' }, { sub: 's', role: 'leader', iat: T, exp: T + 12 * 3600 + 1 }),
      'exceeds the maximum of 43200 s',
    ],
    [
      'an unknown role',
      signed({ alg: 'HS256' }, { sub: 's', role: 'admin', exp: T + 60 }),
      'invalid claims: role',
    ],
    ['four parts', 'a.b.c.d', 'malformed'],
    ['a non-JSON header', `bm90IGpzb24.${b64({})}.sig`, 'malformed token'],
    ['a token of 8 KiB', `${'a'.repeat(8193)}`, 'token too long'],
  ])('refuses %s (401)', async (_what, token, reason) => {
    const check = await verifier.verify(token, NOW);
    expect(check).toMatchObject({ ok: false, refusal: 'unauthenticated' });
    expect(check.ok ? '' : check.reason).toContain(reason);
  });

  it('tolerates clock skew at the edges of exp and nbf', async () => {
    const edge = signed(
      { alg: 'HS256' },
      { sub: 's', role: 'leader', nbf: T + TOLERANCE, exp: T - TOLERANCE + 1 },
    );
    expect((await verifier.verify(edge, NOW)).ok).toBe(true);
  });

  /** A provider whose key set cannot be fetched (nothing listens on port 9). */
  const withProvider = new AccessTokenVerifier({
    ...SETTINGS,
    identityProvider: {
      issuer: 'https://idp.example',
      audience: ['hotline'],
      jwksUrl: 'http://127.0.0.1:9/certs',
      algorithms: ['RS256', 'ES256'],
      jwksCooldownSeconds: 30,
      claims: { subjectClaim: 'sub', roleClaim: 'role', unitClaim: 'unitId', roles: {} },
      client: null,
    },
  });

  it('checks a token naming the provider with the provider alone: an HS256 one is refused', async () => {
    const token = signed(
      { alg: 'HS256' },
      { iss: 'https://idp.example', sub: 's', role: 'leader', exp: T + 60 },
    );
    expect(await withProvider.verify(token, NOW)).toEqual({
      ok: false,
      refusal: 'unauthenticated',
      reason: 'algorithm "HS256" is not accepted',
    });
    expect((await verifier.verify(token, NOW)).ok).toBe(true);
  });

  it('says the token could not be judged (unavailable, not 401) when the provider cannot be reached', async () => {
    const { privateKey } = await generateKeyPair('RS256');
    const token = await new SignJWT({ role: 'leader' })
      .setProtectedHeader({ alg: 'RS256', kid: 'k1' })
      .setIssuer('https://idp.example')
      .setAudience('hotline')
      .setSubject('s')
      .setIssuedAt(T)
      .setExpirationTime(T + 60)
      .sign(privateKey);
    const check = await withProvider.verify(token, NOW);
    expect(check).toMatchObject({ ok: false, refusal: 'unavailable' });
    expect(check.ok ? '' : check.reason).toContain("the identity provider's keys are unavailable");
  });
});
