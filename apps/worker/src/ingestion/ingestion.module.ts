import {
  Inject,
  Module,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { DATA_SOURCE } from '@hotline/persistence';
import {
  APP_CONFIG,
  IngestionMetrics,
  KAFKA,
  LOGGER,
  calendarDaysLeft,
  createProducer,
  loadStatisticsFormula,
  HANDLING_RULES,
  type HandlingRules,
  ensureTopics,
  type AppConfig,
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

  /** A calendar that ends soon (or has ended) is an operator's task: warn and expose a metric. */
  private checkCalendarCoverage(): void {
    const daysLeft = calendarDaysLeft(this.rules.calendar, new Date());
    this.metrics.calendarDaysLeft.set(daysLeft);
    const { fromOn, toOn } = this.rules.calendar.coverage;
    if (daysLeft < 0) {
      this.logger.warn(
        { fromOn, toOn },
        'today is outside the working calendar: deadlines of new orders cannot be computed; add the holiday notice',
      );
    } else if (daysLeft < 60) {
      this.logger.warn(
        { toOn, daysLeft },
        "the working calendar ends soon: add next year's holiday notice",
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
      inject: [KAFKA],
      useFactory: (kafka: Kafka) => createProducer(kafka),
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
      ],
      useFactory: (
        kafka: Kafka,
        ingest: IngestBatchService,
        deadLetters: DeadLetterPublisher,
        metrics: IngestionMetrics,
        logger: Logger,
        config: AppConfig,
      ) =>
        new WorkOrderEventsConsumer(kafka, ingest, deadLetters, metrics, logger, {
          topic: config.kafka.topics.events,
          groupId: config.kafka.groupId,
          sessionTimeoutMs: config.kafka.sessionTimeoutMs,
          maxBatchEvents: config.ingest.maxBatchEvents,
          partitionsConcurrently: config.ingest.partitionsConcurrently,
          ...(config.faults.killAfterDbCommit === undefined
            ? {}
            : { killAfterDbCommit: config.faults.killAfterDbCommit }),
        }),
    },
    IngestionLifecycle,
  ],
  exports: [WorkOrderEventsConsumer],
})
export class IngestionModule {}
