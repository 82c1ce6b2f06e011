import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { Principal } from '@hotline/platform';
import { ApiError } from '../errors/api-error';
import type { AuthenticatedRequest } from './authenticated-request';

/** The caller AccessTokenGuard verified. */
export const CurrentPrincipal = createParamDecorator(
  (_data: unknown, context: ExecutionContext): Principal => {
    const principal = context.switchToHttp().getRequest<AuthenticatedRequest>().principal;
    if (!principal) throw new ApiError('unauthenticated', 'a bearer token is required');
    return principal;
  },
);
