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
