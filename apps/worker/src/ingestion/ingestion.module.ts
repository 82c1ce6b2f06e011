import {
  Inject,
  Module,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { DATA_SOURCE, countParkedDeadLetters } from '@hotline/persistence';
import {
  APP_CONFIG,
  CLOCK,
  IngestionMetrics,
  KAFKA,
  LOGGER,
  createProducer,
  loadOrganisation,
  loadStatisticsFormula,
  recordDecoderStatus,
  recordEncoderStatus,
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
import { BrokerProbe } from '../health/broker-probe';
import { PeriodicTask } from '../supervision/periodic-task';
import { DeadLetterPublisher } from './dead-letter.publisher';
import { IngestBatchService, type SupervisionSettings } from './ingest-batch.service';
import { SUPERVISION_SETTINGS } from '../worker-runtime.module';
import { WorkOrderEventsConsumer } from './work-order-events.consumer';

export const DLQ_PRODUCER = Symbol('DLQ_PRODUCER');

const PARKED_BATCH = 100;

/**
 * Starts consuming in the background once the app is up (the HTTP port, the sweep and the relay
 * never wait for the group join), probes the broker, and offers parked dead letters to it again;
 * on shutdown stops the consumer before the producer.
 */
class IngestionLifecycle implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly tasks: PeriodicTask[];
  private stopping = false;
  private consuming = false;

  constructor(
    private readonly consumer: WorkOrderEventsConsumer,
    private readonly probe: BrokerProbe,
    private readonly deadLetters: DeadLetterPublisher,
    @Inject(DATA_SOURCE) dataSource: DataSource,
    @Inject(DLQ_PRODUCER) private readonly producer: Producer,
    @Inject(LOGGER) private readonly logger: Logger,
    @Inject(KAFKA) private readonly kafka: Kafka,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(HANDLING_RULES) private readonly rules: HandlingRules,
    private readonly metrics: IngestionMetrics,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {
    const { resilience } = config;
    this.tasks = [
      new PeriodicTask('broker-probe', () => probe.step(), resilience.brokerProbeMs, logger),
      new PeriodicTask(
        'parked-dead-letters',
        async () => {
          // The producer connects with the consumer; until then there is nothing to offer to.
          if (!this.consuming) return false;
          const more = await deadLetters.forwardParked(PARKED_BATCH);
          metrics.parkedDeadLetters.set(await countParkedDeadLetters(dataSource));
          return more;
        },
        resilience.deadLetters.parkedRetryMs,
        logger,
      ),
    ];
  }

  onApplicationBootstrap(): void {
    for (const task of this.tasks) task.start();
    void this.startConsuming();
  }

  /** Topics, the dead-letter producer, then the consumer: retried until they are there. */
  private async startConsuming(): Promise<void> {
    for (let attempt = 1; !this.stopping; attempt += 1) {
      try {
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
        if (this.stopping) return;
        this.consumer.start();
        this.consuming = true;
        this.logger.info(
          { recordDecoder: recordDecoderStatus, recordEncoder: recordEncoderStatus },
          'ingestion started',
        );
        return;
      } catch (error) {
        const delayMs = Math.min(1000 * 2 ** Math.min(attempt - 1, 5), 30_000);
        this.logger.warn({ err: error, attempt, delayMs }, 'ingestion not started; retrying');
        await new Promise((resolve) => setTimeout(resolve, delayMs));
      }
    }
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopping = true;
    for (const task of this.tasks) await task.stop();
    await this.consumer.stop();
    await this.probe.stop();
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
      ) =>
        new IngestBatchService(dataSource, rules, settings, loadStatisticsFormula(config.files), {
          unknownUnits: config.resilience.unknownUnits,
          knownUnits: new Set(loadOrganisation(config.files.organisation).units.map((u) => u.id)),
        }),
    },
    {
      provide: DeadLetterPublisher,
      inject: [DLQ_PRODUCER, APP_CONFIG, DATA_SOURCE, IngestionMetrics, LOGGER],
      useFactory: (
        producer: Producer,
        config: AppConfig,
        dataSource: DataSource,
        metrics: IngestionMetrics,
        logger: Logger,
      ) =>
        new DeadLetterPublisher(
          producer,
          config.kafka.topics.deadLetter,
          dataSource,
          config.resilience.deadLetters,
          ({ forwarded, excerpted, parked }, refusal) => {
            metrics.deadLetters.inc({ outcome: 'forwarded' }, forwarded);
            metrics.deadLetters.inc({ outcome: 'excerpted' }, excerpted);
            metrics.deadLetters.inc({ outcome: 'parked' }, parked);
            if (parked > 0) {
              metrics.parkedDeadLetters.inc(parked);
              logger.error(
                { err: refusal?.error, parked },
                'dead letters refused by the broker; parked in PostgreSQL',
              );
            }
          },
        ),
    },
    {
      provide: BrokerProbe,
      inject: [KAFKA, APP_CONFIG, IngestionMetrics, LOGGER, CLOCK],
      useFactory: (
        kafka: Kafka,
        config: AppConfig,
        metrics: IngestionMetrics,
        logger: Logger,
        clock: Clock,
      ) =>
        new BrokerProbe(
          kafka,
          config.kafka.topics.events,
          config.kafka.groupId,
          metrics,
          logger,
          clock,
          Math.max(1000, Math.min(5000, config.resilience.brokerProbeMs * 2)),
        ),
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
            maxBytesPerPartition: config.ingest.maxBytesPerPartition,
            restartMaxMs: config.resilience.consumerRestartMaxMs,
            unreadableRetryMs: config.resilience.unreadableBatchRetryMs,
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
  exports: [WorkOrderEventsConsumer, BrokerProbe],
})
export class IngestionModule {}
