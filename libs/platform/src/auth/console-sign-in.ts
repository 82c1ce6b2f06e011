/**
 * The console's sign-in with the street's identity provider: OpenID Connect's authorization code
 * flow with PKCE (RFC 7636). The browser is sent to the provider's authorization endpoint and comes
 * back to `/console/` with a code; the API exchanges the code at the token endpoint (RFC 6749
 * §4.1.3; a confidential client adds its secret, client_secret_post) and hands the console the
 * token it got, once the verifier every bearer token meets has accepted it. The console then
 * signs its requests with it like a pasted token.
 */
import { decodeJwt } from 'jose';
import { z } from 'zod';
import type { AccessTokenVerifier, TokenCheck, TokenRefusal } from './access-token-verifier';
import type { IdentityProviderClient } from './identity-provider';
import type { Principal } from './principal';
import { PROVIDER_FETCH_TIMEOUT_MS, type ProviderDiscovery } from './provider-discovery';

/** What the console needs to send a person to the provider. */
export interface ProviderSignInOffer {
  authorizationEndpoint: string;
  clientId: string;
  scopes: string[];
}

/** `POST /session/oidc`: the code the provider sent back, and what proves the console asked for it. */
export interface CodeExchange {
  code: string;
  /** The PKCE verifier whose S256 challenge went to the authorization endpoint. */
  codeVerifier: string;
  /** Exactly the `redirect_uri` of the authorization request (RFC 6749 §4.1.3). */
  redirectUri: string;
  /** The authorization request's nonce: checked when the ID token is the one handed over. */
  nonce?: string;
}

/** As a bearer token's: 401 for a code or token refused, 403 for a person without a role here, 503 for a provider down. */
export interface SignInRefused {
  ok: false;
  refusal: TokenRefusal;
  reason: string;
}
export type CodeExchangeResult = { ok: true; token: string; principal: Principal } | SignInRefused;

/** RFC 6749 §5.2: the provider's `error` code; anything else it says stays out of our answer. */
const ERROR_CODE = /^[A-Za-z0-9_.-]{1,64}$/;
const tokenResponse = z.object({
  access_token: z.string().min(1),
  id_token: z.string().optional(),
});

const unavailable = (reason: string): SignInRefused => ({
  ok: false,
  refusal: 'unavailable',
  reason,
});

/** A fetch failure in a few words: fetch's own message is "fetch failed", its cause says why. */
function describeFailure(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  if (error.name === 'TimeoutError') return `no answer within ${PROVIDER_FETCH_TIMEOUT_MS} ms`;
  const cause = error.cause as { code?: unknown; message?: unknown } | undefined;
  const detail = typeof cause?.code === 'string' ? cause.code : cause?.message;
  return typeof detail === 'string' ? `${error.message} (${detail})` : error.message;
}

/**
 * Whether `redirectUri` is the console on the API's own origin: `host` is the request's Host (the
 * address the browser used), the path under `/console/`. The provider checks the address against
 * the client's registered ones too; this keeps the API from exchanging codes meant for elsewhere.
 * Returns what is wrong, or null.
 */
export function redirectUriProblem(redirectUri: string, host: string): string | null {
  let url: URL;
  try {
    url = new URL(redirectUri);
  } catch {
    return 'redirectUri is not an absolute URL';
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return 'redirectUri must be http(s)';
  let own: string;
  try {
    own = new URL(`${url.protocol}//${host}`).host;
  } catch {
    return 'the request names no host';
  }
  if (url.username !== '' || url.password !== '' || url.hash !== '' || url.host !== own) {
    return `redirectUri must be this API's console (${url.protocol}//${own}/console/)`;
  }
  if (!url.pathname.startsWith('/console/')) return 'redirectUri must lie under /console/';
  return null;
}

/**
 * Of the two tokens' refusals, the one that says more: the provider down over anything, a person
 * known but not authorised here over a token refused.
 */
const WEIGHT: Record<TokenRefusal, number> = { unavailable: 3, forbidden: 2, unauthenticated: 1 };
const weightOf = (check: TokenCheck) => (check.ok ? 0 : WEIGHT[check.refusal]);

export class ConsoleSignIn {
  constructor(
    private readonly client: IdentityProviderClient,
    private readonly discovery: ProviderDiscovery,
    private readonly verifier: AccessTokenVerifier,
  ) {}

  /** The provider's authorization endpoint (from the discovery the verifier shares) and the client. */
  async offer(): Promise<{ ok: true; offer: ProviderSignInOffer } | { ok: false; reason: string }> {
    try {
      const { authorizationEndpoint } = await this.discovery.endpoints();
      if (authorizationEndpoint === null) {
        return { ok: false, reason: 'the discovery document names no authorization_endpoint' };
      }
      return {
        ok: true,
        offer: {
          authorizationEndpoint: authorizationEndpoint.href,
          clientId: this.client.clientId,
          scopes: this.client.scopes,
        },
      };
    } catch (error) {
      return {
        ok: false,
        reason: `the identity provider is unavailable: ${describeFailure(error)}`,
      };
    }
  }

  /**
   * The code for a token, checked as a bearer token at `now`: the access token, or the ID token
   * when the access token is not a JWT the verifier accepts (an opaque one, say). Never says the
   * code or a token in a reason.
   */
  async exchange(request: CodeExchange, now: Date): Promise<CodeExchangeResult> {
    let tokenEndpoint: URL | null;
    try {
      ({ tokenEndpoint } = await this.discovery.endpoints());
    } catch (error) {
      return unavailable(`the identity provider is unavailable: ${describeFailure(error)}`);
    }
    if (tokenEndpoint === null) {
      return unavailable('the discovery document names no token_endpoint');
    }
    const answer = await this.redeem(tokenEndpoint, request);
    if (!answer.ok) return answer;
    const access = await this.verifier.verify(answer.tokens.access_token, now);
    if (access.ok && access.issuer === 'identity_provider') {
      return { ok: true, token: answer.tokens.access_token, principal: access.principal };
    }
    if (!access.ok && access.refusal === 'unavailable') return access;
    const idToken = answer.tokens.id_token;
    const id = idToken === undefined ? undefined : await this.verifier.verify(idToken, now);
    if (id?.ok && id.issuer === 'identity_provider' && idToken !== undefined) {
      if (request.nonce !== undefined && decodeJwt(idToken).nonce !== request.nonce) {
        return {
          ok: false,
          refusal: 'unauthenticated',
          reason: 'the ID token was not issued for this sign-in (nonce)',
        };
      }
      return { ok: true, token: idToken, principal: id.principal };
    }
    const refused = id !== undefined && weightOf(id) > weightOf(access) ? id : access;
    if (refused.ok) {
      return {
        ok: false,
        refusal: 'unauthenticated',
        reason: "the token endpoint's token is not the identity provider's",
      };
    }
    if (refused.refusal === 'unavailable') return refused;
    return {
      ok: false,
      refusal: refused.refusal,
      reason: `the identity provider's token was not accepted: ${refused.reason}`,
    };
  }

  /** The token request (form POST); a refused code is 401 with the provider's `error` code. */
  private async redeem(
    tokenEndpoint: URL,
    request: CodeExchange,
  ): Promise<{ ok: true; tokens: z.output<typeof tokenResponse> } | SignInRefused> {
    const form = new URLSearchParams({
      grant_type: 'authorization_code',
      code: request.code,
      redirect_uri: request.redirectUri,
      client_id: this.client.clientId,
      code_verifier: request.codeVerifier,
    });
    if (this.client.clientSecret !== null) {
      form.set('client_secret', this.client.clientSecret.reveal());
    }
    let response: Response;
    let body: unknown;
    try {
      response = await fetch(tokenEndpoint, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          accept: 'application/json',
        },
        body: form,
        redirect: 'error',
        signal: AbortSignal.timeout(PROVIDER_FETCH_TIMEOUT_MS),
      });
      body = await response.json().catch(() => undefined);
    } catch (error) {
      return unavailable(
        `the identity provider's token endpoint cannot be reached: ${describeFailure(error)}`,
      );
    }
    const error = (body as { error?: unknown } | undefined)?.error;
    if (response.status >= 400 && response.status < 500 && typeof error === 'string') {
      const code = ERROR_CODE.test(error) ? error : 'unknown error';
      return {
        ok: false,
        refusal: 'unauthenticated',
        reason: `the identity provider refused the code: ${code}`,
      };
    }
    if (!response.ok) {
      return unavailable(`the identity provider's token endpoint answered HTTP ${response.status}`);
    }
    const tokens = tokenResponse.safeParse(body);
    if (!tokens.success) {
      return unavailable("the identity provider's token endpoint answered without an access_token");
    }
    return { ok: true, tokens: tokens.data };
  }
}
