import type { Provider } from '@nestjs/common';
import {
  APP_CONFIG,
  createTokenServices,
  requireJwtSecret,
  type AppConfig,
  type TokenServices,
} from '@hotline/platform';

/** The process's one verifier and the console's sign-in beside it (one discovery cache for both). */
export const TOKEN_SERVICES = Symbol('TOKEN_SERVICES');

export const tokenServicesProvider: Provider = {
  provide: TOKEN_SERVICES,
  inject: [APP_CONFIG],
  useFactory: (config: AppConfig): TokenServices =>
    createTokenServices({ ...config.auth, jwtSecret: requireJwtSecret(config) }),
};
