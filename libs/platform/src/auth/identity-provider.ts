/**
 * The street's OpenID Connect identity provider: its settings, and its signing keys fetched from
 * its JWKS (named, or found through `<issuer>/.well-known/openid-configuration`). jose's remote
 * key set caches the keys and fetches them again when a token names a `kid` it does not hold (key
 * rotation), at most once per cooldown.
 */
import { createRemoteJWKSet, errors, type JWTVerifyGetKey } from 'jose';
import { z } from 'zod';
import type { ClaimMapping } from './map-claims';

/** Asymmetric algorithms only: an HMAC key would be the provider's public key (alg confusion). */
export const IDENTITY_PROVIDER_ALGORITHMS = ['RS256', 'PS256', 'ES256', 'ES384', 'EdDSA'] as const;
export type IdentityProviderAlgorithm = (typeof IDENTITY_PROVIDER_ALGORITHMS)[number];

export interface IdentityProviderConfig {
  /** Exactly the `iss` of its tokens; tokens with this issuer are checked against it alone. */
  issuer: string;
  /** Tokens must name one of these in `aud`. */
  audience: string[];
  /** Null: read `jwks_uri` from the issuer's discovery document. */
  jwksUrl: string | null;
  algorithms: IdentityProviderAlgorithm[];
  /** The least time between two fetches of the key set. */
  jwksCooldownSeconds: number;
  claims: ClaimMapping;
}

const FETCH_TIMEOUT_MS = 5000;

/** The provider's discovery document or key set could not be had: its fault, not the caller's. */
export class IdentityProviderUnavailableError extends Error {
  readonly code = 'identity_provider_unavailable';
  constructor(cause: unknown) {
    const detail = cause instanceof Error ? cause.message : String(cause);
    super(`the identity provider's keys are unavailable: ${detail}`, { cause });
  }
}

/** What the key set says about the token itself; anything else it throws is a fetch failure. */
const isVerdictOnToken = (error: unknown) =>
  error instanceof errors.JWKSNoMatchingKey ||
  error instanceof errors.JWKSMultipleMatchingKeys ||
  error instanceof errors.JOSENotSupported;

const discoverySchema = z.object({ issuer: z.string(), jwks_uri: z.string().url() }).loose();

/** OpenID Connect Discovery 1.0 §4: the document's issuer must be the one configured. */
async function discoverJwksUrl(issuer: string): Promise<URL> {
  const url = `${issuer.replace(/\/+$/, '')}/.well-known/openid-configuration`;
  const response = await fetch(url, { signal: AbortSignal.timeout(FETCH_TIMEOUT_MS) });
  if (!response.ok) throw new Error(`discovery document: HTTP ${response.status}`);
  const document = discoverySchema.safeParse(await response.json());
  if (!document.success) throw new Error('discovery document: no jwks_uri');
  if (document.data.issuer !== issuer) {
    throw new Error(`discovery document names issuer ${JSON.stringify(document.data.issuer)}`);
  }
  return new URL(document.data.jwks_uri);
}

/**
 * The key resolver jose's jwtVerify calls. Discovery happens on first use (the API starts while
 * the provider is down) and is retried on the next token when it failed.
 */
export function identityProviderKeys(config: IdentityProviderConfig): JWTVerifyGetKey {
  let keySet: Promise<JWTVerifyGetKey> | undefined;
  const load = async (): Promise<JWTVerifyGetKey> => {
    const url =
      config.jwksUrl === null ? await discoverJwksUrl(config.issuer) : new URL(config.jwksUrl);
    return createRemoteJWKSet(url, {
      cooldownDuration: config.jwksCooldownSeconds * 1000,
      timeoutDuration: FETCH_TIMEOUT_MS,
    });
  };
  return async (header, token) => {
    keySet ??= load().catch((error: unknown) => {
      keySet = undefined;
      throw error;
    });
    try {
      return await (
        await keySet
      )(header, token);
    } catch (error) {
      throw isVerdictOnToken(error) ? error : new IdentityProviderUnavailableError(error);
    }
  };
}
