import {
  Inject,
  Module,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { DATA_SOURCE } from '@hotline/persistence';
import {
  APP_CONFIG,
  CLOCK,
  IngestionMetrics,
  KAFKA,
  LOGGER,
  calendarDaysLeft,
  describeCalendarCoverage,
  officialCalendarDaysLeft,
  createProducer,
  loadStatisticsFormula,
  HANDLING_RULES,
  type HandlingRules,
  ensureTopics,
  type AppConfig,
  type Clock,
  type Kafka,
  type Logger,
  type Producer,
} from '@hotline/platform';
import type { DataSource } from 'typeorm';
import { DeadLetterPublisher } from './dead-letter.publisher';
import { IngestBatchService, type SupervisionSettings } from './ingest-batch.service';
import { SUPERVISION_SETTINGS } from '../worker-runtime.module';
import { WorkOrderEventsConsumer } from './work-order-events.consumer';

export const DLQ_PRODUCER = Symbol('DLQ_PRODUCER');

/** Starts consuming once the app is up; on shutdown stops the consumer before the producer. */
class IngestionLifecycle implements OnApplicationBootstrap, OnApplicationShutdown {
  constructor(
    private readonly consumer: WorkOrderEventsConsumer,
    @Inject(DLQ_PRODUCER) private readonly producer: Producer,
    @Inject(LOGGER) private readonly logger: Logger,
    @Inject(KAFKA) private readonly kafka: Kafka,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(HANDLING_RULES) private readonly rules: HandlingRules,
    private readonly metrics: IngestionMetrics,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    this.checkCalendarCoverage();
    const { topics, createTopicsPartitions } = this.config.kafka;
    if (createTopicsPartitions > 0) {
      const created = await ensureTopics(
        this.kafka,
        [topics.events, topics.deadLetter],
        createTopicsPartitions,
      );
      if (created.length > 0) this.logger.info({ created }, 'created missing topics');
    }
    await this.producer.connect();
    await this.consumer.start();
    this.logger.info('ingestion started');
  }

  /**
   * The calendar's year end is an operator's task: warn when the official data ends within 60
   * days (deadlines after it are provisional until the notice is imported) or the whole coverage,
   * provisional years included, does (deadlines after it cannot be computed); expose both.
   */
  private checkCalendarCoverage(): void {
    const { calendar } = this.rules;
    const now = this.clock();
    const daysLeft = calendarDaysLeft(calendar, now);
    const officialDaysLeft = officialCalendarDaysLeft(calendar, now);
    this.metrics.calendarDaysLeft.set(daysLeft);
    this.metrics.officialCalendarDaysLeft.set(officialDaysLeft);
    const coverage = describeCalendarCoverage(calendar);
    if (daysLeft < 0) {
      this.logger.warn(
        { coverage },
        `today is outside the working calendar (${coverage}): working-day deadlines of new orders cannot be computed; import the holiday notice (npm run calendar:import)`,
      );
    } else if (daysLeft < 60) {
      this.logger.warn(
        { coverage, daysLeft },
        `the working calendar ends soon (${coverage}): import the holiday notice (npm run calendar:import)`,
      );
    } else if (officialDaysLeft < 60) {
      this.logger.warn(
        { coverage, officialDaysLeft },
        `${coverage}: deadlines on provisional days are marked so until the State Council notice is imported (npm run calendar:import)`,
      );
    }
  }

  async onApplicationShutdown(): Promise<void> {
    await this.consumer.stop();
    await this.producer.disconnect();
    this.logger.info('ingestion stopped');
  }
}

@Module({
  providers: [
    {
      provide: DLQ_PRODUCER,
      inject: [KAFKA, APP_CONFIG],
      useFactory: (kafka: Kafka, config: AppConfig) =>
        createProducer(kafka, { compression: config.kafka.compression }),
    },
    {
      provide: IngestBatchService,
      inject: [DATA_SOURCE, HANDLING_RULES, SUPERVISION_SETTINGS, APP_CONFIG],
      useFactory: (
        dataSource: DataSource,
        rules: HandlingRules,
        settings: SupervisionSettings,
        config: AppConfig,
      ) => new IngestBatchService(dataSource, rules, settings, loadStatisticsFormula(config.files)),
    },
    {
      provide: DeadLetterPublisher,
      inject: [DLQ_PRODUCER, APP_CONFIG],
      useFactory: (producer: Producer, config: AppConfig) =>
        new DeadLetterPublisher(producer, config.kafka.topics.deadLetter),
    },
    {
      provide: WorkOrderEventsConsumer,
      inject: [
        KAFKA,
        IngestBatchService,
        DeadLetterPublisher,
        IngestionMetrics,
        LOGGER,
        APP_CONFIG,
        CLOCK,
      ],
      useFactory: (
        kafka: Kafka,
        ingest: IngestBatchService,
        deadLetters: DeadLetterPublisher,
        metrics: IngestionMetrics,
        logger: Logger,
        config: AppConfig,
        clock: Clock,
      ) =>
        new WorkOrderEventsConsumer(
          kafka,
          ingest,
          deadLetters,
          metrics,
          logger,
          {
            topic: config.kafka.topics.events,
            groupId: config.kafka.groupId,
            sessionTimeoutMs: config.kafka.sessionTimeoutMs,
            maxBatchEvents: config.ingest.maxBatchEvents,
            partitionsConcurrently: config.ingest.partitionsConcurrently,
            ...(config.faults.killAfterDbCommit === undefined
              ? {}
              : { killAfterDbCommit: config.faults.killAfterDbCommit }),
          },
          undefined,
          clock,
        ),
    },
    IngestionLifecycle,
  ],
  exports: [WorkOrderEventsConsumer],
})
export class IngestionModule {}
