import { Controller, Get } from '@nestjs/common';
import type { Principal } from '@hotline/platform';
import { CurrentPrincipal } from '../auth/current-principal.decorator';

/**
 * `GET /session`: who the bearer token says the caller is, as the API judged it (either issuer).
 * The console shows and hides actions by it; the routes still decide for themselves.
 */
@Controller('session')
export class SessionController {
  @Get()
  whoAmI(@CurrentPrincipal() principal: Principal) {
    return { subject: principal.subject, role: principal.role, unitId: principal.unitId ?? null };
  }
}
