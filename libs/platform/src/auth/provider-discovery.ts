/**
 * The identity provider's discovery document (OpenID Connect Discovery 1.0), fetched once per
 * process and shared by whoever needs the provider's addresses: the key set for verifying tokens,
 * the authorization and token endpoints for the console's sign-in. It is fetched on first use (the
 * API starts while the provider is down); a failed fetch is not kept, so the next caller tries
 * again.
 */
import { z } from 'zod';

/** How long one request to the provider (discovery, keys, token endpoint) may take. */
export const PROVIDER_FETCH_TIMEOUT_MS = 5000;

export interface ProviderEndpoints {
  jwksUri: URL | null;
  authorizationEndpoint: URL | null;
  tokenEndpoint: URL | null;
}

const url = z.string().url().optional();
const discoverySchema = z
  .object({ issuer: z.string(), jwks_uri: url, authorization_endpoint: url, token_endpoint: url })
  .loose();

const urlOrNull = (text: string | undefined) => (text === undefined ? null : new URL(text));

/** §4: the document's issuer must be exactly the one configured. */
async function fetchDiscovery(issuer: string, timeoutMs: number): Promise<ProviderEndpoints> {
  const url = `${issuer.replace(/\/+$/, '')}/.well-known/openid-configuration`;
  const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
  if (!response.ok) throw new Error(`discovery document: HTTP ${response.status}`);
  const document = discoverySchema.safeParse(await response.json());
  if (!document.success) throw new Error('discovery document: not an OpenID configuration');
  if (document.data.issuer !== issuer) {
    throw new Error(`discovery document names issuer ${JSON.stringify(document.data.issuer)}`);
  }
  return {
    jwksUri: urlOrNull(document.data.jwks_uri),
    authorizationEndpoint: urlOrNull(document.data.authorization_endpoint),
    tokenEndpoint: urlOrNull(document.data.token_endpoint),
  };
}

export class ProviderDiscovery {
  private pending: Promise<ProviderEndpoints> | undefined;

  constructor(
    private readonly issuer: string,
    private readonly timeoutMs = PROVIDER_FETCH_TIMEOUT_MS,
  ) {}

  /** The provider's endpoints; throws (a plain Error saying why) while they cannot be had. */
  endpoints(): Promise<ProviderEndpoints> {
    this.pending ??= fetchDiscovery(this.issuer, this.timeoutMs).catch((error: unknown) => {
      this.pending = undefined;
      throw error;
    });
    return this.pending;
  }
}
