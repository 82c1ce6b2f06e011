import type { Principal } from '@hotline/platform';
import type { Request } from 'express';

/** A request that passed AccessTokenGuard. */
export interface AuthenticatedRequest extends Request {
  principal?: Principal;
}
