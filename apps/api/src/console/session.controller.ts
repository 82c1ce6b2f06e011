import { Body, Controller, Get, HttpCode, Inject, Post, Req } from '@nestjs/common';
import {
  redirectUriProblem,
  type Principal,
  type TokenRefusal,
  type TokenServices,
} from '@hotline/platform';
import type { Request } from 'express';
import { CurrentPrincipal } from '../auth/current-principal.decorator';
import { Public } from '../auth/public.decorator';
import { TOKEN_SERVICES } from '../auth/token-services.provider';
import { ApiError, type ApiErrorCode } from '../errors/api-error';
import { ZodValidationPipe } from '../validation/zod-validation.pipe';
import { oidcSignInBody, type OidcSignInBody } from './oidc-sign-in.body';

const ERROR_OF: Record<TokenRefusal, ApiErrorCode> = {
  unauthenticated: 'unauthenticated',
  forbidden: 'forbidden',
  unavailable: 'unavailable',
};

const principalResponse = (principal: Principal) => ({
  subject: principal.subject,
  role: principal.role,
  unitId: principal.unitId ?? null,
});

/**
 * The console's session: `GET /session` says who the bearer token is, as the API judged it (either
 * issuer); the console shows and hides actions by it, and the routes still decide for themselves.
 * Signing in: a pasted token always, and the street's identity provider when OIDC_CLIENT_ID is set
 * (authorization code + PKCE: the console brings the code back, the API exchanges it).
 */
@Controller('session')
export class SessionController {
  constructor(@Inject(TOKEN_SERVICES) private readonly tokens: TokenServices) {}

  @Get()
  whoAmI(@CurrentPrincipal() principal: Principal) {
    return principalResponse(principal);
  }

  /** Public: how the console may sign in; the provider's address comes from its discovery document. */
  @Public()
  @Get('sign-in')
  async signInMethods() {
    const signIn = this.tokens.consoleSignIn;
    if (signIn === null) return { token: true, oidc: null };
    const offer = await signIn.offer();
    if (!offer.ok) throw new ApiError('unavailable', offer.reason);
    return { token: true, oidc: offer.offer };
  }

  /**
   * Public: the provider's code for a bearer token. The redirect URI must be this API's console
   * (the Host the browser used); the token handed back is one the API itself accepts.
   */
  @Public()
  @Post('oidc')
  @HttpCode(200)
  async signInWithProvider(
    @Req() req: Request,
    @Body(new ZodValidationPipe(oidcSignInBody, 'body')) body: OidcSignInBody,
  ) {
    const signIn = this.tokens.consoleSignIn;
    if (signIn === null) {
      throw new ApiError('not_found', 'sign-in with the identity provider is not configured');
    }
    const problem = redirectUriProblem(body.redirectUri, req.host ?? '');
    if (problem !== null) throw new ApiError('invalid_request', `invalid body: ${problem}`);
    const result = await signIn.exchange(body, new Date());
    if (!result.ok) throw new ApiError(ERROR_OF[result.refusal], result.reason);
    return { token: result.token, principal: principalResponse(result.principal) };
  }
}
