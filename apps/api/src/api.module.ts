import { Module, type DynamicModule } from '@nestjs/common';
import { PersistenceModule } from '@hotline/persistence';
import { PlatformModule, type AppConfig } from '@hotline/platform';
import { HealthController } from './health/health.controller';
import { WorkOrdersController } from './work-orders/work-orders.controller';

/** The supervisors' HTTP API role. */
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
      ],
      controllers: [HealthController, WorkOrdersController],
    };
  }
}
