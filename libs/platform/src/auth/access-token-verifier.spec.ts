import { createHmac } from 'node:crypto';
import { CLOCK_SKEW_SECONDS, signAccessToken, verifyAccessToken } from './access-token';

const SECRET = 'a-test-secret-of-at-least-thirty-two-characters';
const NOW = new Date('2024-03-04T01:00:00Z');
const T = NOW.getTime() / 1000;
const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
const signed = (header: unknown, claims: unknown, alg: 'sha256' | 'sha512' = 'sha256') => {
  const input = `${b64(header)}.${b64(claims)}`;
  return `${input}.${createHmac(alg, SECRET).update(input).digest('base64url')}`;
};

describe('verifyAccessToken', () => {
  it('accepts the tokens signAccessToken mints, unitId only for a unit', () => {
    const unit = signAccessToken(
      { subject: 'li', role: 'unit', unitId: 'teda-enforcement', ttlSeconds: 60, now: NOW },
      SECRET,
    );
    expect(verifyAccessToken(unit, SECRET, NOW)).toEqual({
      ok: true,
      principal: { subject: 'li', role: 'unit', unitId: 'teda-enforcement' },
    });
    const leader = signed(
      { alg: 'HS256' },
      { sub: 'wang', role: 'leader', unitId: 'x', exp: T + 60 },
    );
    expect(verifyAccessToken(leader, SECRET, NOW)).toEqual({
      ok: true,
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
      'a crit header',
      signed({ alg: 'HS256', crit: ['b64'] }, { sub: 's', role: 'leader', exp: T + 60 }),
      'critical',
    ],
    [
      'a tampered payload',
      signed({ alg: 'HS256' }, { sub: 's', role: 'unit', unitId: 'a', exp: T + 60 }).replace(
        /\.[^.]+\./,
        `.${b64({ sub: 's', role: 'leader', exp: T + 60 })}.`,
      ),
      'invalid signature',
    ],
    ['no exp', signed({ alg: 'HS256' }, { sub: 's', role: 'leader' }), 'exp'],
    [
      'exp past the skew',
      signed({ alg: 'HS256' }, { sub: 's', role: 'leader', exp: T - CLOCK_SKEW_SECONDS }),
      'expired',
    ],
    [
      'nbf ahead of the skew',
      signed(
        { alg: 'HS256' },
        { sub: 's', role: 'leader', nbf: T + CLOCK_SKEW_SECONDS + 1, exp: T + 600 },
      ),
      'not valid yet',
    ],
    [
      'a string exp',
      signed({ alg: 'HS256' }, { sub: 's', role: 'leader', exp: String(T + 60) }),
      'exp',
    ],
    ['four parts', 'a.b.c.d', 'malformed'],
    ['a non-JSON header', `bm90IGpzb24.${b64({})}.sig`, 'malformed token header'],
  ])('refuses %s', (_what, token, reason) => {
    const check = verifyAccessToken(token, SECRET, NOW);
    expect(check.ok).toBe(false);
    expect(check.ok ? '' : check.reason).toContain(reason);
  });

  it('tolerates clock skew at the edges of exp and nbf', () => {
    const edge = signed(
      { alg: 'HS256' },
      { sub: 's', role: 'leader', nbf: T + CLOCK_SKEW_SECONDS, exp: T - CLOCK_SKEW_SECONDS + 1 },
    );
    expect(verifyAccessToken(edge, SECRET, NOW).ok).toBe(true);
  });
});
