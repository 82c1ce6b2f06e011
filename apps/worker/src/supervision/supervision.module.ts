import {
  Inject,
  Injectable,
  Module,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { DATA_SOURCE, withTransaction } from '@hotline/persistence';
import { foldStatisticsCounts } from '@hotline/persistence/statistics';
import {
  APP_CONFIG,
  CLOCK,
  HANDLING_RULES,
  IngestionMetrics,
  KAFKA,
  LOGGER,
  createProducer,
  loadStatisticsFormula,
  ensureTopics,
  type AppConfig,
  type Clock,
  type HandlingRules,
  type Kafka,
  type Logger,
  type Producer,
} from '@hotline/platform';
import type { DataSource } from 'typeorm';
import type { SupervisionSettings } from '../ingestion/ingest-batch.service';
import { DueInstantsSweeper, SWEEP_LOOPS, sweepAgain } from './due-instants.sweeper';
import { OutboxRelay } from './outbox.relay';
import { PartitionConfirmations } from './partition-confirmations';
import { deadLetterHeldEvents } from './held-events';
import { PeriodicTask } from './periodic-task';
import { SUPERVISION_SETTINGS } from '../worker-runtime.module';

export const OUTBOX_PRODUCER = Symbol('OUTBOX_PRODUCER');

const HELD_BATCH = 500;
/** Held events are rare and wait a day anyway: look once a minute. */
const HELD_IDLE_MS = 60_000;
/**
 * Held events leave only from a partition confirmed read to its end this recently (the
 * confirmations run every 2 s at most while the worker reads): never while a backlog that may hold
 * their `dispatched` is unread, as after an outage longer than the grace period.
 */
const HELD_READ_WITHIN_MS = 60_000;

/**
 * How often the counts statistics read take in their committed changes (reads add the changes
 * not yet taken in, so this bounds their number, not the figures' freshness).
 */
const COUNTS_FOLD_IDLE_MS = 1000;

/** Live lateness above this is a catch-up, not a late sweep: kept out of the histogram. */
const LIVE_LATENESS_LIMIT_MS = 3_600_000;

/**
 * How often the worker confirms which partitions it has read to their end: a few times within
 * the idle period (so a backlog that ended goes to the wall clock soon after it), at most every
 * 2 seconds (a live partition's watermark trails the wall clock by this much at night).
 */
function confirmEveryMs(idleAfterMs: number): number {
  return Math.max(200, Math.min(2000, Math.floor(idleAfterMs / 3)));
}

/**
 * Runs the sweep, the outbox relay, the held events' grace check, the read confirmations and the statistics
 * counts' fold as loops for the life of the worker.
 */
@Injectable()
class SupervisionLoops implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly tasks: PeriodicTask[];
  private readonly confirmations: PartitionConfirmations;
  private connecting: Promise<void> | null = null;

  constructor(
    sweeper: DueInstantsSweeper,
    @Inject(DATA_SOURCE) dataSource: DataSource,
    relay: OutboxRelay,
    metrics: IngestionMetrics,
    @Inject(OUTBOX_PRODUCER) private readonly producer: Producer,
    @Inject(KAFKA) private readonly kafka: Kafka,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(LOGGER) logger: Logger,
    @Inject(CLOCK) clock: Clock,
    @Inject(HANDLING_RULES) rules: HandlingRules,
  ) {
    const formula = loadStatisticsFormula(config.files);
    const { sweepIdleMs, outboxIdleMs, sweepBatch, watermark } = config.supervision;
    this.confirmations = new PartitionConfirmations(
      kafka,
      dataSource,
      config.kafka.topics.events,
      config.kafka.groupId,
      clock,
    );
    const confirmations = this.confirmations;
    const outbox = new PeriodicTask(
      'outbox',
      async () => {
        await this.producerReady();
        return relay.step();
      },
      outboxIdleMs,
      logger,
    );
    const sweep = async () => {
      const outcome = await sweeper.sweep(clock());
      const committedMs = clock().getTime();
      for (const firedAt of outcome.firedAt) {
        const late = committedMs - firedAt.getTime();
        if (late >= 0 && late < LIVE_LATENESS_LIMIT_MS)
          metrics.sweepLatenessSeconds.observe(late / 1000);
      }
      metrics.escalations.inc({ change: 'created' }, outcome.created);
      metrics.escalations.inc({ change: 'advanced' }, outcome.advanced);
      metrics.escalations.inc({ change: 'resolved' }, outcome.resolved);
      metrics.escalations.inc({ change: 'withdrawn' }, outcome.withdrawn);
      // The messages just committed go out now, not at the relay's next poll.
      if (outcome.created + outcome.advanced + outcome.resolved + outcome.withdrawn > 0) {
        outbox.wake();
      }
      return sweepAgain(outcome, sweepBatch, clock());
    };
    this.tasks = [
      new PeriodicTask(
        'confirm-read',
        () => confirmations.step(),
        confirmEveryMs(watermark.idleAfterMs),
        logger,
      ),
      ...Array.from(
        { length: SWEEP_LOOPS },
        (_, i) => new PeriodicTask(`sweep-${i + 1}`, sweep, sweepIdleMs, logger),
      ),
      outbox,
      new PeriodicTask(
        'held-events',
        async () => {
          const now = clock();
          const { events, orders } = await withTransaction(dataSource, (runner) =>
            deadLetterHeldEvents(runner, rules, formula, {
              quietSince: new Date(now.getTime() - config.supervision.orphanGraceMs),
              limit: HELD_BATCH,
              eventsTopic: config.kafka.topics.events,
              readSince: new Date(now.getTime() - HELD_READ_WITHIN_MS),
              deadLetterTopic: config.kafka.topics.deadLetter,
              now,
            }),
          );
          metrics.rejected.inc({ code: 'orphan_event' }, events.orphan_event);
          metrics.rejected.inc({ code: 'before_dispatch' }, events.before_dispatch);
          return orders === HELD_BATCH;
        },
        Math.min(HELD_IDLE_MS, Math.max(1000, config.supervision.orphanGraceMs / 4)),
        logger,
      ),
      new PeriodicTask(
        'statistics-counts',
        async () => {
          await foldStatisticsCounts(dataSource);
          return false;
        },
        COUNTS_FOLD_IDLE_MS,
        logger,
      ),
    ];
  }

  /**
   * The loops start at once: the sweep needs only the database, and the relay connects its
   * producer on its first step (retried by the loop). Nothing waits for the consumer's group join.
   */
  onApplicationBootstrap(): void {
    for (const task of this.tasks) task.start();
  }

  /** The escalations topic and a connected producer; a failed attempt is tried again next step. */
  private producerReady(): Promise<void> {
    this.connecting ??= (async () => {
      const { topics, createTopicsPartitions } = this.config.kafka;
      if (createTopicsPartitions > 0) {
        await ensureTopics(this.kafka, [topics.escalations], createTopicsPartitions);
      }
      await this.producer.connect();
    })().catch((error: unknown) => {
      this.connecting = null;
      throw error;
    });
    return this.connecting;
  }

  async onApplicationShutdown(): Promise<void> {
    for (const task of this.tasks) await task.stop();
    await this.confirmations.stop();
    await this.producer.disconnect();
  }
}

@Module({
  providers: [
    {
      provide: OUTBOX_PRODUCER,
      inject: [KAFKA, APP_CONFIG],
      useFactory: (kafka: Kafka, config: AppConfig) =>
        createProducer(kafka, { compression: config.kafka.compression }),
    },
    {
      provide: DueInstantsSweeper,
      inject: [DATA_SOURCE, HANDLING_RULES, SUPERVISION_SETTINGS, APP_CONFIG],
      useFactory: (
        dataSource: DataSource,
        rules: HandlingRules,
        settings: SupervisionSettings,
        config: AppConfig,
      ) =>
        new DueInstantsSweeper(
          dataSource,
          rules,
          settings,
          config.kafka.topics.events,
          config.supervision.sweepBatch,
        ),
    },
    {
      provide: OutboxRelay,
      inject: [DATA_SOURCE, OUTBOX_PRODUCER, APP_CONFIG, IngestionMetrics],
      useFactory: (
        dataSource: DataSource,
        producer: Producer,
        config: AppConfig,
        metrics: IngestionMetrics,
      ) =>
        new OutboxRelay(
          dataSource,
          producer,
          { batchSize: config.supervision.outboxBatch },
          (count) => metrics.outboxPublished.inc(count),
        ),
    },
    SupervisionLoops,
  ],
})
export class SupervisionModule {}
