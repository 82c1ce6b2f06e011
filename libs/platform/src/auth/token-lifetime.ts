/**
 * The longest a bearer token may live, whoever issued it: a token minted for years is a password
 * that never changes. `exp` is required; the lifetime is `exp − iat`, or `exp − now` when the
 * token does not say when it was issued (then what remains of it is what is bounded).
 */

export interface TokenLifetimePolicy {
  maxLifetimeSeconds: number;
  /** Slack for the issuer's clock being ahead of ours, for `iat`. */
  clockToleranceSeconds: number;
}

export type LifetimeCheck = { ok: true } | { ok: false; reason: string };

export function checkTokenLifetime(
  claims: { exp?: unknown; iat?: unknown },
  policy: TokenLifetimePolicy,
  now: Date,
): LifetimeCheck {
  const { exp, iat } = claims;
  if (typeof exp !== 'number' || !Number.isFinite(exp)) {
    return { ok: false, reason: 'invalid claims: exp (required, a number of seconds)' };
  }
  if (iat !== undefined && (typeof iat !== 'number' || !Number.isFinite(iat))) {
    return { ok: false, reason: 'invalid claims: iat (a number of seconds)' };
  }
  const nowSeconds = now.getTime() / 1000;
  if (iat !== undefined && iat > nowSeconds + policy.clockToleranceSeconds) {
    return { ok: false, reason: 'issued in the future (iat)' };
  }
  const lifetimeSeconds = exp - (iat ?? nowSeconds);
  if (lifetimeSeconds > policy.maxLifetimeSeconds) {
    return {
      ok: false,
      reason: `lifetime of ${Math.round(lifetimeSeconds)} s exceeds the maximum of ${policy.maxLifetimeSeconds} s`,
    };
  }
  return { ok: true };
}
