import { createHash } from 'node:crypto';
import { Injectable, type DynamicModule, type ExecutionContext } from '@nestjs/common';
import {
  ThrottlerGuard,
  ThrottlerModule,
  type ThrottlerLimitDetail,
  type ThrottlerOptions,
} from '@nestjs/throttler';
import type { AppConfig } from '@hotline/platform';
import type { Request } from 'express';
import { ApiError } from '../errors/api-error';

/** The bearer token as sent, if any: counted whether or not it verifies (the guard runs first). */
function bearerOf(req: Request): string | undefined {
  const header = req.headers.authorization;
  return typeof header === 'string' && header.length > 0 ? header : undefined;
}

/** A token is counted by its digest: the limiter's memory never holds a credential. */
function tokenTracker(req: Request): string {
  return createHash('sha256')
    .update(bearerOf(req) ?? '')
    .digest('base64url');
}

/**
 * Two fixed windows of API_RATE_LIMIT_WINDOW_MS over all routes together: one per bearer token
 * (API_RATE_LIMIT_PER_TOKEN), one per client address (API_RATE_LIMIT_PER_ADDRESS, the address
 * before API_TRUSTED_PROXIES proxies). A limit of 0 is off. Requests without a token count
 * against their address only; a flood of made-up tokens is still one address.
 */
export function rateLimitModule(config: AppConfig): DynamicModule {
  const { windowMs, perToken, perAddress } = config.api.rateLimit;
  const throttlers: ThrottlerOptions[] = [];
  if (perToken > 0) {
    throttlers.push({
      name: 'token',
      ttl: windowMs,
      limit: perToken,
      skipIf: (context) => bearerOf(context.switchToHttp().getRequest<Request>()) === undefined,
      getTracker: (req) => tokenTracker(req as Request),
    });
  }
  if (perAddress > 0) {
    throttlers.push({ name: 'address', ttl: windowMs, limit: perAddress });
  }
  return ThrottlerModule.forRoot({
    throttlers,
    setHeaders: false,
    // One count per token or address across every route (the default key is per route).
    generateKey: (_context, tracker, name) => `${name}:${tracker}`,
  });
}

/** Answers 429 with the project's error body and `Retry-After` (seconds) when a window is spent. */
@Injectable()
export class RateLimitGuard extends ThrottlerGuard {
  protected override throwThrottlingException(
    context: ExecutionContext,
    detail: ThrottlerLimitDetail,
  ): Promise<void> {
    const res = context.switchToHttp().getResponse<{ setHeader(n: string, v: string): void }>();
    res.setHeader('Retry-After', String(Math.max(1, Math.ceil(detail.timeToBlockExpire))));
    const per = detail.key.startsWith('token:') ? 'this token' : 'this address';
    return Promise.reject(
      new ApiError(
        'too_many_requests',
        `too many requests for ${per}: at most ${detail.limit} in ${detail.ttl / 1000} s`,
      ),
    );
  }
}
