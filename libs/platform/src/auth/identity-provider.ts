/**
 * The street's OpenID Connect identity provider: its settings, and its signing keys fetched from
 * its JWKS (named, or found through the provider's discovery document). jose's remote key set
 * caches the keys and fetches them again when a token names a `kid` it does not hold (key
 * rotation), at most once per cooldown.
 */
import { createRemoteJWKSet, errors, type JWTVerifyGetKey } from 'jose';
import type { Secret } from '../config/secret';
import type { ClaimMapping } from './map-claims';
import { PROVIDER_FETCH_TIMEOUT_MS, type ProviderDiscovery } from './provider-discovery';

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
  /** The console's client at the provider (OIDC_CLIENT_ID); null: the console only takes pasted tokens. */
  client: IdentityProviderClient | null;
}

/** The console signs in with the authorization code flow and PKCE (RFC 7636) as this client. */
export interface IdentityProviderClient {
  clientId: string;
  /** A confidential client's secret, sent as `client_secret` (client_secret_post); null: a public client. */
  clientSecret: Secret | null;
  /** What the console asks for (`scope`). */
  scopes: string[];
}

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

/** OIDC_JWKS_URL, else the discovery document's `jwks_uri`. */
async function jwksUrl(config: IdentityProviderConfig, discovery: ProviderDiscovery): Promise<URL> {
  if (config.jwksUrl !== null) return new URL(config.jwksUrl);
  const { jwksUri } = await discovery.endpoints();
  if (jwksUri === null) throw new Error('discovery document: no jwks_uri');
  return jwksUri;
}

/**
 * The key resolver jose's jwtVerify calls. Discovery happens on first use (the API starts while
 * the provider is down) and is retried on the next token when it failed.
 */
export function identityProviderKeys(
  config: IdentityProviderConfig,
  discovery: ProviderDiscovery,
): JWTVerifyGetKey {
  let keySet: Promise<JWTVerifyGetKey> | undefined;
  const load = async (): Promise<JWTVerifyGetKey> =>
    createRemoteJWKSet(await jwksUrl(config, discovery), {
      cooldownDuration: config.jwksCooldownSeconds * 1000,
      timeoutDuration: PROVIDER_FETCH_TIMEOUT_MS,
    });
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
