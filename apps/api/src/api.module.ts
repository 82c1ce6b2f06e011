import { Module, type DynamicModule } from '@nestjs/common';
import { APP_FILTER, APP_GUARD } from '@nestjs/core';
import { PersistenceModule } from '@hotline/persistence';
import { PlatformModule, type AppConfig } from '@hotline/platform';
import { AccessTokenGuard } from './auth/access-token.guard';
import { tokenServicesProvider } from './auth/token-services.provider';
import { DeliveriesController } from './deliveries/deliveries.controller';
import { ApiExceptionFilter } from './errors/api-exception.filter';
import { SessionController } from './console/session.controller';
import { EscalationsController } from './escalations/escalations.controller';
import { HealthController } from './health/health.controller';
import { OpenApiController } from './openapi/openapi.controller';
import { RateLimitGuard, rateLimitModule } from './rate-limit/rate-limit.guard';
import { StatisticsModule } from './statistics/statistics.module';
import { WorkOrdersController } from './work-orders/work-orders.controller';
import { WorkOrdersExportController } from './work-orders/work-orders-export.controller';

/**
 * The supervisors' HTTP API role: every route behind the rate limits and then the bearer-token
 * guard but the @Public() ones (configureHttp sets up what lies below Nest).
 */
@Module({})
export class ApiModule {
  static forRoot(config: AppConfig, databaseUrl: string): DynamicModule {
    return {
      module: ApiModule,
      imports: [
        PlatformModule.forRoot(config, 'api'),
        PersistenceModule.forRoot({
          url: databaseUrl,
          poolSize: config.db.poolSize,
          migrateOnStart: config.db.migrateOnStart,
          applicationName: 'hotline-api',
        }),
        rateLimitModule(config),
        StatisticsModule,
      ],
      controllers: [
        HealthController,
        OpenApiController,
        WorkOrdersController,
        WorkOrdersExportController,
        EscalationsController,
        DeliveriesController,
        SessionController,
      ],
      providers: [
        tokenServicesProvider,
        // Before the token is verified: a flood of bad tokens is refused as cheaply as any other.
        { provide: APP_GUARD, useClass: RateLimitGuard },
        { provide: APP_GUARD, useClass: AccessTokenGuard },
        { provide: APP_FILTER, useClass: ApiExceptionFilter },
      ],
    };
  }
}
