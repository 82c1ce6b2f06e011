import { z } from 'zod';

/** RFC 7636 §4.1: 43–128 characters of the unreserved set. */
const CODE_VERIFIER = /^[A-Za-z0-9._~-]{43,128}$/;

/**
 * `POST /session/oidc`: the code the identity provider sent back to the console, the PKCE
 * verifier, the redirect URI the authorization request named and, optionally, its nonce.
 */
export const oidcSignInBody = z
  .object({
    code: z
      .string()
      .regex(/^[\x21-\x7e]{1,2048}$/, 'printable ASCII without spaces, at most 2,048 characters'),
    codeVerifier: z.string().regex(CODE_VERIFIER, '43–128 characters of A–Z a–z 0–9 . _ ~ -'),
    redirectUri: z.string().min(1).max(2048),
    nonce: z
      .string()
      .regex(/^[A-Za-z0-9._~-]{1,256}$/, 'at most 256 characters of A–Z a–z 0–9 . _ ~ -')
      .optional(),
  })
  .strict();
export type OidcSignInBody = z.output<typeof oidcSignInBody>;
