import { Module, type DynamicModule } from '@nestjs/common';
import { ScheduleModule } from '@nestjs/schedule';
import { PersistenceModule } from '@hotline/persistence';
import {
  APP_CONFIG,
  HANDLING_RULES,
  PlatformModule,
  type AppConfig,
  type HandlingRules,
} from '@hotline/platform';
import { ChannelGateway } from './delivery/channel-gateway';
import { DeliverySender } from './delivery/delivery.sender';
import { EscalationsConsumer } from './escalations/escalations.consumer';
import { HealthController } from './health/health.controller';
import { NOTIFIER_CONTEXT, loadNotifierContext } from './notifier-context';
import { NotifierMetrics } from './notifier-metrics';

/**
 * The notifier role: reads the escalations topic in its own consumer group, records deliveries,
 * sends them through the channels, /health and /metrics.
 */
@Module({})
export class NotifierModule {
  static forRoot(config: AppConfig, databaseUrl: string): DynamicModule {
    return {
      module: NotifierModule,
      imports: [
        PlatformModule.forRoot(config, 'notifier'),
        PersistenceModule.forRoot({
          url: databaseUrl,
          poolSize: config.db.poolSize,
          migrateOnStart: config.db.migrateOnStart,
          applicationName: 'hotline-notifier',
        }),
        ScheduleModule.forRoot(),
      ],
      controllers: [HealthController],
      providers: [
        { provide: NotifierMetrics, useFactory: () => new NotifierMetrics() },
        {
          provide: NOTIFIER_CONTEXT,
          inject: [APP_CONFIG, HANDLING_RULES],
          useFactory: (appConfig: AppConfig, rules: HandlingRules) =>
            loadNotifierContext(appConfig, rules),
        },
        ChannelGateway,
        EscalationsConsumer,
        DeliverySender,
      ],
    };
  }
}
