import { Inject, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { TokenRefusal, TokenServices } from '@hotline/platform';
import { ApiError } from '../errors/api-error';
import type { AuthenticatedRequest } from './authenticated-request';
import { IS_PUBLIC } from './public.decorator';
import { TOKEN_SERVICES } from './token-services.provider';

function refusalError(refusal: TokenRefusal, reason: string): ApiError {
  switch (refusal) {
    case 'unauthenticated':
      return new ApiError('unauthenticated', `invalid token: ${reason}`);
    case 'forbidden':
      return new ApiError('forbidden', `token refused: ${reason}`);
    case 'unavailable':
      return new ApiError('unavailable', `token not checked: ${reason}`);
  }
}

/**
 * Global guard: every route but the @Public() ones needs `Authorization: Bearer <JWT>`, a local
 * HS256 token or the identity provider's (contract.md §3). The verified principal rides on the
 * request for @CurrentPrincipal().
 */
@Injectable()
export class AccessTokenGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    @Inject(TOKEN_SERVICES) private readonly tokens: TokenServices,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const isPublic = this.reflector.getAllAndOverride<boolean | undefined>(IS_PUBLIC, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (isPublic) return true;
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const header = request.headers.authorization;
    if (header === undefined) throw new ApiError('unauthenticated', 'a bearer token is required');
    const match = /^Bearer ([^\s]+)$/i.exec(header.trim());
    if (!match?.[1]) {
      throw new ApiError('unauthenticated', 'the Authorization header must be "Bearer <token>"');
    }
    const check = await this.tokens.verifier.verify(match[1], new Date());
    if (!check.ok) throw refusalError(check.refusal, check.reason);
    request.principal = check.principal;
    return true;
  }
}
