import { Global, Module } from '@nestjs/common';
import { DEFAULT_SUPERVISION_POLICY } from '@hotline/core';
import {
  APP_CONFIG,
  IngestionMetrics,
  loadOrganisation,
  recipientsResolver,
  type AppConfig,
} from '@hotline/platform';
import type { SupervisionSettings } from './ingestion/ingest-batch.service';

export const SUPERVISION_SETTINGS = Symbol('SUPERVISION_SETTINGS');

/** What ingestion and supervision share inside the worker: its metrics and supervision settings. */
@Global()
@Module({
  providers: [
    { provide: IngestionMetrics, useFactory: () => new IngestionMetrics() },
    {
      provide: SUPERVISION_SETTINGS,
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig): SupervisionSettings => ({
        escalationsTopic: config.kafka.topics.escalations,
        policy: {
          ...DEFAULT_SUPERVISION_POLICY,
          acknowledgeWithinWorkingHours: config.supervision.acknowledgeWithinWorkingHours,
          overdueToTopLevelAfterWorkingDays: config.supervision.overdueToTopLevelAfterWorkingDays,
        },
        recipients: recipientsResolver(loadOrganisation(config.files.organisation)),
        watermark: config.supervision.watermark,
      }),
    },
  ],
  exports: [IngestionMetrics, SUPERVISION_SETTINGS],
})
export class WorkerRuntimeModule {}
