import { SignJWT } from 'jose';
import type { Role } from './principal';

export interface TokenRequest {
  subject: string;
  role: Role;
  unitId?: string;
  /** Seconds the token is valid from `now`. */
  ttlSeconds: number;
  now: Date;
}

/**
 * Signs a local HS256 token in the claims LOCAL_CLAIM_MAPPING reads (for `npm run token`, the
 * demo and tests; people's tokens come from the identity provider).
 */
export async function signAccessToken(request: TokenRequest, secret: string): Promise<string> {
  const iat = Math.floor(request.now.getTime() / 1000);
  return new SignJWT({
    role: request.role,
    ...(request.unitId === undefined ? {} : { unitId: request.unitId }),
  })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(request.subject)
    .setIssuedAt(iat)
    .setExpirationTime(iat + request.ttlSeconds)
    .sign(new TextEncoder().encode(secret));
}
