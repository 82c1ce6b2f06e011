/**
 * The API's token checks, built once per process: the verifier every bearer token meets, and the
 * console's sign-in with the identity provider, which hands over only what that same verifier
 * accepts. Both read the provider's discovery document from one cache: it is fetched once.
 */
import { AccessTokenVerifier, type AccessTokenSettings } from './access-token-verifier';
import { ConsoleSignIn } from './console-sign-in';
import { ProviderDiscovery } from './provider-discovery';

export interface TokenServices {
  verifier: AccessTokenVerifier;
  /** Null without OIDC_CLIENT_ID: the console takes pasted tokens only. */
  consoleSignIn: ConsoleSignIn | null;
}

export function createTokenServices(settings: AccessTokenSettings): TokenServices {
  const idp = settings.identityProvider;
  if (idp === null) return { verifier: new AccessTokenVerifier(settings), consoleSignIn: null };
  const discovery = new ProviderDiscovery(idp.issuer);
  const verifier = new AccessTokenVerifier(settings, discovery);
  const consoleSignIn =
    idp.client === null ? null : new ConsoleSignIn(idp.client, discovery, verifier);
  return { verifier, consoleSignIn };
}
