/**
 * The signed-in person: a bearer token (pasted, from the demo's link, or from the identity
 * provider) kept for this browser tab only, and who the API says it is (`GET /session`).
 */
const TOKEN_KEY = 'hotline.console.token';

export type Role = 'leader' | 'supervisor' | 'unit';

export interface Principal {
  subject: string;
  role: Role;
  unitId: string | null;
}

export function storedToken(): string | null {
  return sessionStorage.getItem(TOKEN_KEY);
}

export function storeToken(token: string): void {
  sessionStorage.setItem(TOKEN_KEY, token.trim());
}

export function forgetToken(): void {
  sessionStorage.removeItem(TOKEN_KEY);
}

/** Fired on `window` when the API refuses the token (expired, say): the console signs in again. */
export const SESSION_ENDED = 'hotline:session-ended';

export function endSession(): void {
  forgetToken();
  window.dispatchEvent(new Event(SESSION_ENDED));
}

/**
 * A token handed over in the address's fragment (`/console/#token=…`, what `npm run demo` prints):
 * the fragment never reaches a server or a log; it is taken and removed from the address.
 */
export function takeTokenFromAddress(): void {
  const match = /^#token=([A-Za-z0-9._-]+)/.exec(window.location.hash);
  if (!match?.[1]) return;
  storeToken(match[1]);
  history.replaceState(null, '', `${window.location.pathname}#/inbox`);
}

export const mayReveal = (p: Principal) => p.role === 'leader' || p.role === 'supervisor';
export const mayResolve = mayReveal;
export const mayCloseMonth = (p: Principal) => p.role === 'leader';

/**
 * Signing in through the street's identity provider (OpenID Connect authorization code flow with
 * PKCE, RFC 7636): the pure parts. The console makes a state, a nonce and a code verifier, keeps
 * them in this tab's sessionStorage, and sends the browser to the provider with the verifier's
 * S256 challenge; the provider sends it back to `/console/?code=…&state=…` (or `?error=…`).
 * provider-sign-in.ts does the sending and the coming back.
 */
const PENDING_SIGN_IN_KEY = 'hotline.console.provider-sign-in';

/** What the API says about the identity provider (`GET /session/sign-in`). */
export interface ProviderSignIn {
  authorizationEndpoint: string;
  clientId: string;
  scopes: string[];
}

export interface SignInMethods {
  token: true;
  oidc: ProviderSignIn | null;
}

/** What must be found again when the person comes back from the provider. */
export interface PendingSignIn {
  state: string;
  nonce: string;
  codeVerifier: string;
  redirectUri: string;
  /** The console's page when the person left (`#/orders`); they come back to it. */
  returnTo: string;
}

/** A sign-in that did not work, in words for the person: shown on the sign-in card as it is. */
export class SignInFailure extends Error {}

function base64Url(bytes: Uint8Array): string {
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** `bytes` random bytes as base64url: 32 give 43 characters, a PKCE verifier's least length. */
export function randomUrlSafe(bytes = 32): string {
  return base64Url(crypto.getRandomValues(new Uint8Array(bytes)));
}

/** RFC 7636 §4.2: BASE64URL(SHA256(verifier)). */
export async function pkceChallenge(codeVerifier: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(codeVerifier));
  return base64Url(new Uint8Array(digest));
}

/** The console's own address, where the provider sends the person back. */
export const consoleRedirectUri = (origin: string) => `${origin}/console/`;

/** A page of the console to come back to; anything else is the inbox. */
export const returnRoute = (hash: string) => (/^#\/[\w/-]{0,80}$/.test(hash) ? hash : '#/inbox');

export function authorizationUrl(
  provider: ProviderSignIn,
  pending: PendingSignIn,
  codeChallenge: string,
): string {
  const url = new URL(provider.authorizationEndpoint);
  const parameters = {
    response_type: 'code',
    client_id: provider.clientId,
    redirect_uri: pending.redirectUri,
    scope: provider.scopes.join(' '),
    state: pending.state,
    nonce: pending.nonce,
    code_challenge: codeChallenge,
    code_challenge_method: 'S256',
  };
  for (const [name, value] of Object.entries(parameters)) url.searchParams.set(name, value);
  return url.href;
}

export function keepPendingSignIn(pending: PendingSignIn): void {
  sessionStorage.setItem(PENDING_SIGN_IN_KEY, JSON.stringify(pending));
}

/** The pending sign-in, once: whatever comes back, the state cannot be used again. */
export function takePendingSignIn(): PendingSignIn | null {
  const text = sessionStorage.getItem(PENDING_SIGN_IN_KEY);
  sessionStorage.removeItem(PENDING_SIGN_IN_KEY);
  try {
    const value = JSON.parse(text ?? 'null') as Partial<PendingSignIn> | null;
    const fields = ['state', 'nonce', 'codeVerifier', 'redirectUri', 'returnTo'] as const;
    return value && fields.every((f) => typeof value[f] === 'string')
      ? (value as PendingSignIn)
      : null;
  } catch {
    return null;
  }
}

/** What the provider put in the address coming back, or null when it is not such a return. */
export type ProviderReturn =
  { code: string; state: string | null } | { error: string; state: string | null };

export function readProviderReturn(search: string): ProviderReturn | null {
  const params = new URLSearchParams(search);
  const state = params.get('state');
  const error = params.get('error');
  if (error !== null) return { error, state };
  const code = params.get('code');
  return code === null ? null : { code, state };
}

const FAILED = '统一身份认证登录失败：';

/** RFC 6749 §4.1.2.1's error codes in words; the code itself is shown too (for the help desk). */
function providerErrorMessage(error: string): string {
  const code = /^[A-Za-z0-9_.-]{1,64}$/.test(error) ? error : 'unknown';
  switch (code) {
    case 'access_denied':
      return `${FAILED}已取消登录，或身份认证服务拒绝了本次登录（${code}）。`;
    case 'login_required':
    case 'interaction_required':
    case 'consent_required':
      return `${FAILED}请在身份认证服务完成登录后再试（${code}）。`;
    case 'server_error':
    case 'temporarily_unavailable':
      return `${FAILED}身份认证服务暂时不可用，请稍后再试（${code}）。`;
    default:
      return `${FAILED}身份认证服务返回错误（${code}），请联系管理员。`;
  }
}

/**
 * Whether the return belongs to the sign-in this tab started (its state), and what to exchange:
 * the code with the verifier and nonce kept for it, or the failure to show.
 */
export function checkProviderReturn(
  returned: ProviderReturn,
  pending: PendingSignIn | null,
): { ok: true; code: string; pending: PendingSignIn } | { ok: false; message: string } {
  if (pending === null || returned.state === null || returned.state !== pending.state) {
    return {
      ok: false,
      message: `${FAILED}登录状态校验未通过（state 不符）：登录链接已过期或不是从本页发起的，请重新登录。`,
    };
  }
  if ('error' in returned) return { ok: false, message: providerErrorMessage(returned.error) };
  return { ok: true, code: returned.code, pending };
}

/** The API's refusal of the code (`POST /session/oidc`) in words, with its own message after. */
export function exchangeFailureMessage(status: number, message: string): string {
  const said = message ? `（${message}）` : '';
  if (status === 401) return `${FAILED}授权码无效、已使用或已过期，请重新登录${said}。`;
  if (status === 403) return `${FAILED}您的账号未开通督办台的角色，请联系管理员${said}。`;
  if (status === 404) return `${FAILED}本系统未启用统一身份认证登录。`;
  if (status === 429) return `${FAILED}请求过于频繁，请稍后再试。`;
  if (status === 503) return `${FAILED}身份认证服务暂时不可用，请稍后再试${said}。`;
  return `${FAILED}${message || '未知错误'}`;
}
