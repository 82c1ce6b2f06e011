/**
 * Signing in through the street's identity provider: sending the person there (startProviderSignIn)
 * and taking the code when they come back (finishProviderSignIn, main.tsx, before React starts).
 * The API exchanges the code; the token it answers is kept like a pasted one.
 */
import { ApiFailure, postJson } from './api';
import {
  SignInFailure,
  authorizationUrl,
  checkProviderReturn,
  consoleRedirectUri,
  exchangeFailureMessage,
  forgetToken,
  keepPendingSignIn,
  pkceChallenge,
  randomUrlSafe,
  readProviderReturn,
  returnRoute,
  storeToken,
  takePendingSignIn,
  type Principal,
  type ProviderSignIn,
} from './session';

/** Makes the state, nonce and verifier, keeps them for this tab, and goes to the provider. */
export async function startProviderSignIn(provider: ProviderSignIn): Promise<void> {
  // crypto.subtle exists in secure contexts only: https, or http on this very machine.
  if (!window.isSecureContext || typeof crypto.subtle === 'undefined') {
    throw new SignInFailure('统一身份认证登录需要通过 HTTPS 访问督办台。');
  }
  const pending = {
    state: randomUrlSafe(),
    nonce: randomUrlSafe(),
    codeVerifier: randomUrlSafe(32),
    redirectUri: consoleRedirectUri(window.location.origin),
    returnTo: returnRoute(window.location.hash),
  };
  const challenge = await pkceChallenge(pending.codeVerifier);
  keepPendingSignIn(pending);
  window.location.assign(authorizationUrl(provider, pending, challenge));
}

/**
 * Back from the provider (`?code=…&state=…` or `?error=…`): the address is cleaned at once (no
 * code stays in the address bar or the history), the state checked, the code exchanged and the
 * token kept. Null when the address is no such return; rejects with a SignInFailure.
 */
export function finishProviderSignIn(): Promise<Principal> | null {
  const returned = readProviderReturn(window.location.search);
  if (returned === null) return null;
  const pending = takePendingSignIn();
  history.replaceState(null, '', `${window.location.pathname}${pending?.returnTo ?? '#/inbox'}`);
  const checked = checkProviderReturn(returned, pending);
  if (!checked.ok) return Promise.reject(new SignInFailure(checked.message));
  const { codeVerifier, redirectUri, nonce } = checked.pending;
  forgetToken(); // a token of an earlier sign-in is replaced, not sent along
  return postJson<{ token: string; principal: Principal }>('/session/oidc', {
    code: checked.code,
    codeVerifier,
    redirectUri,
    nonce,
  }).then(
    ({ token, principal }) => {
      storeToken(token);
      return principal;
    },
    (error: unknown) => {
      throw new SignInFailure(
        error instanceof ApiFailure
          ? exchangeFailureMessage(error.status, error.message)
          : exchangeFailureMessage(0, String(error)),
      );
    },
  );
}
