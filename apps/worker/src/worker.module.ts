import { Module, type DynamicModule } from '@nestjs/common';
import { PersistenceModule } from '@hotline/persistence';
import { PlatformModule, type AppConfig } from '@hotline/platform';
import { HealthController } from './health/health.controller';
import { IngestionModule } from './ingestion/ingestion.module';

/** The worker role: ingestion, plus /health and /metrics over HTTP. */
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
        IngestionModule,
      ],
      controllers: [HealthController],
    };
  }
}
