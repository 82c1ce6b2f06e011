/**
 * Verifies the API's bearer tokens (JWS compact, RFC 7515/7519) with jose. Two issuers are
 * accepted: the project's own HS256 tokens under JWT_SECRET (`npm run token`), and the street's
 * identity provider (RS256/ES256 under its JWKS). The unverified `iss` only chooses which one
 * checks the token; each accepts only its own algorithms, so a token naming the provider is never
 * checked with an HMAC key and a local token never with the provider's keys.
 */
import {
  decodeJwt,
  decodeProtectedHeader,
  errors,
  jwtVerify,
  type JWTPayload,
  type JWTVerifyOptions,
} from 'jose';
import {
  IdentityProviderUnavailableError,
  identityProviderKeys,
  type IdentityProviderConfig,
} from './identity-provider';
import { ProviderDiscovery } from './provider-discovery';
import { LOCAL_CLAIM_MAPPING, mapClaims, type ClaimMapping } from './map-claims';
import type { Principal } from './principal';
import { checkTokenLifetime } from './token-lifetime';

export interface AccessTokenSettings {
  /** Key of the local HS256 tokens (≥ 32 characters). */
  jwtSecret: string;
  /** Slack for clock differences with the issuer on `exp`, `nbf` and `iat`. */
  clockToleranceSeconds: number;
  maxTokenLifetimeSeconds: number;
  identityProvider: IdentityProviderConfig | null;
}

export type TokenIssuer = 'local' | 'identity_provider';

/**
 * `unauthenticated` (401): the token proves nothing. `forbidden` (403): the provider's token is
 * genuine but carries no role (or unit) this API can use. `unavailable` (503): the provider's keys
 * could not be fetched, so the token could not be judged (the caller should retry, not log in).
 */
export type TokenRefusal = 'unauthenticated' | 'forbidden' | 'unavailable';
export type TokenCheck =
  | { ok: true; principal: Principal; issuer: TokenIssuer }
  | { ok: false; refusal: TokenRefusal; reason: string };

const MAX_TOKEN_LENGTH = 8192;
const LOCAL_ALGORITHMS = ['HS256'];

interface Verification {
  issuer: TokenIssuer;
  /** jose's jwtVerify with this issuer's key (a secret, or the provider's key resolver). */
  verify: (token: string, options: JWTVerifyOptions) => Promise<JWTPayload>;
  algorithms: string[];
  issuerClaim?: string;
  audience?: string[];
  mapping: ClaimMapping;
}

const refuse = (reason: string): TokenCheck => ({ ok: false, refusal: 'unauthenticated', reason });

/** jose's errors in the words the API answers with (no key material, no token echoed). */
function reasonOf(error: unknown): string {
  if (error instanceof errors.JWTExpired) return 'expired';
  if (error instanceof errors.JWTClaimValidationFailed) {
    if (error.claim === 'nbf') return 'not valid yet';
    if (error.claim === 'iss') return 'wrong issuer';
    if (error.claim === 'aud') return 'wrong audience';
    return `invalid claims: ${error.claim} (${error.message})`;
  }
  if (error instanceof errors.JWSSignatureVerificationFailed) return 'invalid signature';
  if (error instanceof errors.JWKSNoMatchingKey) {
    return 'no key of the identity provider matches the token (unknown kid)';
  }
  if (error instanceof errors.JWKSMultipleMatchingKeys) return 'the token names no single key';
  if (error instanceof errors.JWSInvalid || error instanceof errors.JWTInvalid) {
    return 'malformed token';
  }
  if (error instanceof errors.JOSEError) return `token not accepted (${error.code})`;
  return 'token not accepted';
}

function providerVerification(
  idp: IdentityProviderConfig,
  discovery: ProviderDiscovery,
): Verification {
  const keys = identityProviderKeys(idp, discovery);
  return {
    issuer: 'identity_provider',
    verify: async (token, options) => (await jwtVerify(token, keys, options)).payload,
    algorithms: idp.algorithms,
    issuerClaim: idp.issuer,
    audience: idp.audience,
    mapping: idp.claims,
  };
}

export class AccessTokenVerifier {
  private readonly local: Verification;
  private readonly identityProvider: Verification | null;

  /**
   * `discovery`: the provider's discovery document, shared with whatever else asks for it (the
   * console's sign-in) so that it is fetched once; by default the verifier's own.
   */
  constructor(
    private readonly settings: AccessTokenSettings,
    discovery?: ProviderDiscovery,
  ) {
    const secret = new TextEncoder().encode(settings.jwtSecret);
    this.local = {
      issuer: 'local',
      verify: async (token, options) => (await jwtVerify(token, secret, options)).payload,
      algorithms: LOCAL_ALGORITHMS,
      mapping: LOCAL_CLAIM_MAPPING,
    };
    const idp = settings.identityProvider;
    this.identityProvider =
      idp === null
        ? null
        : providerVerification(idp, discovery ?? new ProviderDiscovery(idp.issuer));
  }

  /** `exp` is required and bounded by the lifetime cap; `nbf` is honoured; `now` is the request's. */
  async verify(token: string, now: Date): Promise<TokenCheck> {
    if (token.length > MAX_TOKEN_LENGTH) return refuse('token too long');
    let unverifiedIssuer: unknown;
    let alg: unknown;
    try {
      alg = decodeProtectedHeader(token).alg;
      unverifiedIssuer = decodeJwt(token).iss;
    } catch {
      return refuse('malformed token');
    }
    const verification =
      this.identityProvider !== null && unverifiedIssuer === this.identityProvider.issuerClaim
        ? this.identityProvider
        : this.local;
    if (typeof alg !== 'string' || !verification.algorithms.includes(alg)) {
      // A public-key token of some other issuer: name the issuer rather than blame the algorithm.
      const foreign =
        verification === this.local &&
        this.identityProvider !== null &&
        typeof unverifiedIssuer === 'string' &&
        typeof alg === 'string' &&
        /^(RS|PS|ES|Ed)/.test(alg);
      return refuse(
        foreign
          ? `wrong issuer ${JSON.stringify(unverifiedIssuer)}`
          : `algorithm ${JSON.stringify(alg)} is not accepted`,
      );
    }
    let payload: JWTPayload;
    try {
      payload = await verification.verify(token, {
        algorithms: verification.algorithms,
        issuer: verification.issuerClaim,
        audience: verification.audience,
        clockTolerance: this.settings.clockToleranceSeconds,
        currentDate: now,
        requiredClaims: ['exp'],
      });
    } catch (error) {
      if (error instanceof IdentityProviderUnavailableError) {
        return { ok: false, refusal: 'unavailable', reason: error.message };
      }
      return refuse(reasonOf(error));
    }
    const lifetime = checkTokenLifetime(
      payload,
      {
        maxLifetimeSeconds: this.settings.maxTokenLifetimeSeconds,
        clockToleranceSeconds: this.settings.clockToleranceSeconds,
      },
      now,
    );
    if (!lifetime.ok) return refuse(lifetime.reason);
    const mapped = mapClaims(payload, verification.mapping);
    if (mapped.ok) return { ok: true, principal: mapped.principal, issuer: verification.issuer };
    // A genuine provider token without a usable role: the person is known, not authorised here.
    const forbidden = verification.issuer === 'identity_provider' && mapped.missing !== 'subject';
    return {
      ok: false,
      refusal: forbidden ? 'forbidden' : 'unauthenticated',
      reason: mapped.reason,
    };
  }
}
