/**
 * Retries and rate limits of deliveries (pure; instants passed in).
 *
 * Backoff: after the n-th failed attempt the next waits base·2^(n−1), at most `maxMs`, and never
 * less than the channel's Retry-After. A delivery is given up (`dead`) after `maxAttempts`.
 *
 * Rate limit: a channel allows `limit` requests in any window of `windowMs` (the robots: 20 a
 * minute). Requests over it are not dropped: they wait for the window to free a slot.
 */

export interface BackoffPolicy {
  baseMs: number;
  maxMs: number;
  maxAttempts: number;
}

export type AfterFailure = { status: 'failed'; nextAttemptAt: Date } | { status: 'dead' };

export function afterFailure(
  attempts: number,
  now: Date,
  policy: BackoffPolicy,
  retryAfterMs: number | null = null,
  refused = false,
): AfterFailure {
  if (refused || attempts >= policy.maxAttempts) return { status: 'dead' };
  const exponent = Math.min(Math.max(attempts - 1, 0), 30);
  const backoff = Math.min(policy.baseMs * 2 ** exponent, policy.maxMs);
  const waitMs = Math.max(backoff, retryAfterMs ?? 0);
  return { status: 'failed', nextAttemptAt: new Date(now.getTime() + waitMs) };
}

/**
 * How many requests a channel may make at `now`, given the instants of its requests so far (any
 * order), and when the next slot frees if none may. Requests in [now − windowMs, now] count.
 */
export function rateBudget(
  limit: number,
  windowMs: number,
  recentAt: readonly Date[],
  now: Date,
): { allowed: number; nextFreeAt: Date | null } {
  const since = now.getTime() - windowMs;
  const inWindow = recentAt
    .map((at) => at.getTime())
    .filter((ms) => ms > since && ms <= now.getTime())
    .sort((a, b) => a - b);
  const allowed = Math.max(0, limit - inWindow.length);
  if (allowed > 0) return { allowed, nextFreeAt: null };
  // The oldest request still counted leaves the window windowMs after it was made.
  const oldest = inWindow[inWindow.length - limit]!;
  return { allowed: 0, nextFreeAt: new Date(oldest + windowMs) };
}
