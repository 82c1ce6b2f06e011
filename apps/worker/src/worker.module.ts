import { Module, type DynamicModule } from '@nestjs/common';
import { PersistenceModule } from '@hotline/persistence';
import { PlatformModule, type AppConfig } from '@hotline/platform';
import { HealthController } from './health/health.controller';
import { IngestionModule } from './ingestion/ingestion.module';
import { MaintenanceModule } from './maintenance/maintenance.module';
import { SupervisionModule } from './supervision/supervision.module';
import { WorkerRuntimeModule } from './worker-runtime.module';

/**
 * The worker role: ingestion, the supervision sweep and outbox relay, scheduled housekeeping,
 * /health and /metrics.
 */
@Module({})
export class WorkerModule {
  static forRoot(config: AppConfig, databaseUrl: string): DynamicModule {
    return {
      module: WorkerModule,
      imports: [
        PlatformModule.forRoot(config, 'worker'),
        PersistenceModule.forRoot({
          url: databaseUrl,
          poolSize: config.db.poolSize,
          migrateOnStart: config.db.migrateOnStart,
          applicationName: 'hotline-worker',
        }),
        WorkerRuntimeModule,
        IngestionModule,
        SupervisionModule,
        MaintenanceModule,
      ],
      controllers: [HealthController],
    };
  }
}
