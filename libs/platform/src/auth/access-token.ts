/**
 * The API's bearer tokens: JWS compact serialization, HS256 only (RFC 7515, RFC 7518 §3.2), with
 * claims `sub`, `role` and, for `unit`, `unitId`. Written on node:crypto: verification is a few
 * lines, and the one algorithm accepted is fixed here rather than negotiated by the token.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';

export const ROLES = ['leader', 'supervisor', 'unit'] as const;
export type Role = (typeof ROLES)[number];

/** Who is calling, as the token says. `unitId` is set for `unit` and only for it. */
export interface Principal {
  subject: string;
  role: Role;
  unitId: string | null;
}

export type TokenCheck = { ok: true; principal: Principal } | { ok: false; reason: string };

/** Tolerated clock difference between the issuer and this process for `exp` and `nbf`. */
export const CLOCK_SKEW_SECONDS = 30;
const MAX_TOKEN_LENGTH = 8192;
const BASE64URL = /^[A-Za-z0-9_-]*$/;

const headerSchema = z.object({ alg: z.string(), typ: z.string().optional() }).loose();

const claimsSchema = z
  .object({
    sub: z.string().min(1).max(200),
    role: z.enum(ROLES),
    unitId: z
      .string()
      .regex(/^[A-Za-z0-9_.-]{1,64}$/)
      .optional(),
    exp: z.number().finite(),
    nbf: z.number().finite().optional(),
    iat: z.number().finite().optional(),
  })
  .loose()
  .refine((c) => c.role !== 'unit' || c.unitId !== undefined, {
    message: 'a unit token needs unitId',
    path: ['unitId'],
  });

function decodeJson(part: string): unknown {
  try {
    return JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
}

function hmac(signingInput: string, secret: string): Buffer {
  return createHmac('sha256', secret).update(signingInput).digest();
}

/**
 * Checks a compact JWS: the header's `alg` must be exactly `HS256` (so `none`, `HS512`, `RS256`
 * and friends are refused whatever the token claims), the signature must match in constant time,
 * `exp` is required and `nbf` honoured, each with CLOCK_SKEW_SECONDS of slack.
 */
export function verifyAccessToken(token: string, secret: string, now: Date): TokenCheck {
  if (token.length > MAX_TOKEN_LENGTH) return { ok: false, reason: 'token too long' };
  const parts = token.split('.');
  if (parts.length !== 3 || !parts.every((p) => BASE64URL.test(p))) {
    return { ok: false, reason: 'malformed token' };
  }
  const [headerPart, payloadPart, signaturePart] = parts as [string, string, string];
  const header = headerSchema.safeParse(decodeJson(headerPart));
  if (!header.success) return { ok: false, reason: 'malformed token header' };
  if (header.data.alg !== 'HS256') {
    return { ok: false, reason: `algorithm ${JSON.stringify(header.data.alg)} is not accepted` };
  }
  if ('crit' in header.data) return { ok: false, reason: 'unsupported critical header' };
  const expected = hmac(`${headerPart}.${payloadPart}`, secret);
  const given = Buffer.from(signaturePart, 'base64url');
  // One spelling per signature: base64url decoding ignores the spare bits of the last character.
  if (
    given.length !== expected.length ||
    given.toString('base64url') !== signaturePart ||
    !timingSafeEqual(given, expected)
  ) {
    return { ok: false, reason: 'invalid signature' };
  }
  const claims = claimsSchema.safeParse(decodeJson(payloadPart));
  if (!claims.success) {
    const fields = [...new Set(claims.error.issues.map((i) => i.path.join('.') || 'payload'))];
    return { ok: false, reason: `invalid claims: ${fields.join(', ')}` };
  }
  const nowSeconds = now.getTime() / 1000;
  if (nowSeconds >= claims.data.exp + CLOCK_SKEW_SECONDS) return { ok: false, reason: 'expired' };
  if (claims.data.nbf !== undefined && nowSeconds < claims.data.nbf - CLOCK_SKEW_SECONDS) {
    return { ok: false, reason: 'not valid yet' };
  }
  const { sub, role, unitId } = claims.data;
  return {
    ok: true,
    principal: { subject: sub, role, unitId: role === 'unit' ? (unitId ?? null) : null },
  };
}

export interface TokenRequest {
  subject: string;
  role: Role;
  unitId?: string;
  /** Seconds the token is valid from `now`. */
  ttlSeconds: number;
  now: Date;
}

/** Signs an HS256 token (for `npm run token` and tests; production tokens come from the IdP). */
export function signAccessToken(request: TokenRequest, secret: string): string {
  const iat = Math.floor(request.now.getTime() / 1000);
  const encode = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const header = encode({ alg: 'HS256', typ: 'JWT' });
  const payload = encode({
    sub: request.subject,
    role: request.role,
    ...(request.unitId === undefined ? {} : { unitId: request.unitId }),
    iat,
    exp: iat + request.ttlSeconds,
  });
  const signature = hmac(`${header}.${payload}`, secret).toString('base64url');
  return `${header}.${payload}.${signature}`;
}
