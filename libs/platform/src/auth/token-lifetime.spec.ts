import { checkTokenLifetime } from './token-lifetime';

const NOW = new Date('2024-03-04T01:00:00Z');
const T = NOW.getTime() / 1000;
const POLICY = { maxLifetimeSeconds: 8 * 3600, clockToleranceSeconds: 30 };

describe('checkTokenLifetime (cap 8 h, tolerance 30 s)', () => {
  it.each([
    ['exactly the cap', { iat: T, exp: T + 8 * 3600 }],
    ['issued an hour ago for an hour and a half', { iat: T - 3600, exp: T + 1800 }],
    ['no iat, 8 h left', { exp: T + 8 * 3600 }],
    ['already expired: not this rule’s to judge', { iat: T - 7200, exp: T - 3600 }],
    ['iat within the tolerance ahead', { iat: T + 30, exp: T + 3600 }],
  ])('accepts %s', (_what, claims) => {
    expect(checkTokenLifetime(claims, POLICY, NOW)).toEqual({ ok: true });
  });

  it.each([
    ['one second over the cap', { iat: T, exp: T + 8 * 3600 + 1 }, 'lifetime of 28801 s'],
    [
      'issued long ago though little remains',
      { iat: T - 30 * 86400, exp: T + 60 },
      'exceeds the maximum of 28800 s',
    ],
    ['no iat and exp in 2286', { exp: 9_999_999_999 }, 'exceeds the maximum'],
    ['no exp', { iat: T }, 'invalid claims: exp'],
    ['a string exp', { iat: T, exp: String(T + 60) }, 'invalid claims: exp'],
    ['an infinite exp', { iat: T, exp: Infinity }, 'invalid claims: exp'],
    ['a string iat', { iat: String(T), exp: T + 60 }, 'invalid claims: iat'],
    ['iat past the tolerance ahead', { iat: T + 31, exp: T + 3600 }, 'issued in the future'],
  ])('refuses %s', (_what, claims, reason) => {
    const check = checkTokenLifetime(claims, POLICY, NOW);
    expect(check.ok).toBe(false);
    expect(check.ok ? '' : check.reason).toContain(reason);
  });
});
