/**
 * Kafka glue for ingestion: `eachBatch` with manual offsets. Each chunk of a batch is applied in one
 * database transaction, its dead letters are acknowledged by the broker (or parked in PostgreSQL),
 * and only then are its offsets committed. A transient database failure, or one no message can
 * cause (a missing table, a permission), pauses the partition's loop and retries the same chunk
 * until it succeeds; nothing is skipped and nothing is committed meanwhile. A message that fails
 * on its own is dead-lettered and the partition moves on. A batch the worker cannot decompress
 * pauses its partition and is tried again later. A crash of the consumer starts it again with
 * backoff: the group never stays down.
 */
import {
  isSystemicDatabaseError,
  isTransientDatabaseError,
  NO_CHANGES,
} from '@hotline/persistence';
import {
  UNREADABLE_BATCH_HEADER,
  type Consumer,
  type EachBatchPayload,
  type IngestionMetrics,
  type Kafka,
  type KafkaMessage,
  type Logger,
} from '@hotline/platform';
import { DeadLetterPublisher } from './dead-letter.publisher';
import {
  IngestBatchService,
  type BatchContext,
  type BatchOutcome,
  type RawMessage,
} from './ingest-batch.service';

export const CONSUMER_STATUSES = [
  'idle',
  'connecting',
  'joining',
  'joined',
  'rebalancing',
  'restarting',
  'stopped',
] as const;
export type ConsumerStatus = (typeof CONSUMER_STATUSES)[number];

export interface ConsumerOptions {
  topic: string;
  groupId: string;
  sessionTimeoutMs: number;
  maxBatchEvents: number;
  partitionsConcurrently: number;
  /** The most bytes of one partition a fetch brings (kafkajs `maxBytesPerPartition`). */
  maxBytesPerPartition: number;
  /** Longest pause before a crashed consumer is started again (backoff from 1 s). */
  restartMaxMs: number;
  /** A partition paused on an unreadable batch is resumed (and the batch re-read) after this. */
  unreadableRetryMs: number;
  /** Test-only fault injection: SIGKILL this process after the Nth database commit. */
  killAfterDbCommit?: number;
}

/** A partition paused on a batch it cannot read: where, since when, why. */
export interface PausedPartition {
  partition: number;
  offset: string;
  since: Date;
  error: string;
}

const RESTART_MIN_MS = 1000;

export class WorkOrderEventsConsumer {
  private consumer: Consumer | null = null;
  private statusValue: ConsumerStatus = 'idle';
  private commits = 0;
  private lastError: string | null = null;
  private restarts = 0;
  private failuresInARow = 0;
  private restartTimer: NodeJS.Timeout | null = null;
  private stopping = false;
  private readonly paused = new Map<number, PausedPartition>();
  private readonly resumeTimers = new Set<NodeJS.Timeout>();

  constructor(
    private readonly kafka: Kafka,
    private readonly ingest: IngestBatchService,
    private readonly deadLetters: DeadLetterPublisher,
    private readonly metrics: IngestionMetrics,
    private readonly logger: Logger,
    private readonly options: ConsumerOptions,
    private readonly sleep: (ms: number) => Promise<void> = (ms) =>
      new Promise((resolve) => setTimeout(resolve, ms)),
    private readonly clock: () => Date = () => new Date(),
  ) {
    this.setStatus('idle');
  }

  get status(): ConsumerStatus {
    return this.statusValue;
  }

  get error(): string | null {
    return this.lastError;
  }

  /** Times the consumer crashed and was started again. */
  get restartCount(): number {
    return this.restarts;
  }

  /** Partitions paused on a batch the worker cannot decompress. */
  get pausedPartitions(): PausedPartition[] {
    return [...this.paused.values()];
  }

  /**
   * Starts consuming in the background and returns at once: joining the group can take a
   * session timeout (a crashed predecessor's membership must expire), and nothing else of the
   * worker waits for it. Failures to connect are retried like crashes.
   */
  start(): void {
    this.stopping = false;
    void this.launch();
  }

  /** Graceful: finishes the chunk in flight, commits its offsets, leaves the group. */
  async stop(): Promise<void> {
    this.stopping = true;
    if (this.restartTimer) clearTimeout(this.restartTimer);
    this.restartTimer = null;
    for (const timer of this.resumeTimers) clearTimeout(timer);
    this.resumeTimers.clear();
    const consumer = this.consumer;
    this.consumer = null;
    if (consumer) await consumer.disconnect().catch(() => undefined);
    this.setStatus('stopped');
  }

  private async launch(): Promise<void> {
    if (this.stopping) return;
    const consumer = this.kafka.consumer({
      groupId: this.options.groupId,
      sessionTimeout: this.options.sessionTimeoutMs,
      heartbeatInterval: Math.min(3000, Math.floor(this.options.sessionTimeoutMs / 6)),
      maxWaitTimeInMs: 250,
      maxBytesPerPartition: this.options.maxBytesPerPartition,
      retry: { retries: 10, initialRetryTime: 300, maxRetryTime: 10000 },
    });
    this.consumer = consumer;
    this.paused.clear();
    this.metrics.pausedPartitions.set(0);
    this.setStatus('connecting');
    consumer.on(consumer.events.GROUP_JOIN, () => {
      this.setStatus('joined');
      this.failuresInARow = 0;
    });
    consumer.on(consumer.events.REBALANCING, () => this.setStatus('rebalancing'));
    consumer.on(consumer.events.CRASH, (event) => {
      if (this.consumer !== consumer) return;
      this.crashed(event.payload.error, event.payload.restart);
    });
    try {
      await consumer.connect();
      await consumer.subscribe({ topic: this.options.topic, fromBeginning: true });
      this.setStatus('joining');
      await consumer.run({
        autoCommit: false,
        eachBatchAutoResolve: false,
        partitionsConsumedConcurrently: this.options.partitionsConcurrently,
        eachBatch: (payload) => this.handleBatch(payload),
      });
    } catch (error) {
      if (this.consumer === consumer && !this.stopping) this.crashed(error, false);
    }
  }

  /**
   * kafkajs restarts a consumer itself only after retriable errors; after any other it stays
   * down (`restart: false`). Either way the crash is counted and shown; this one is restarted
   * here, a new consumer after a backoff that grows with failures in a row.
   */
  private crashed(error: unknown, restartsItself: boolean): void {
    this.lastError = `consumer crashed: ${describe(error)}`;
    this.restarts += 1;
    this.metrics.consumerRestarts.inc();
    this.setStatus('restarting');
    this.failuresInARow += 1;
    const delayMs = Math.min(
      this.options.restartMaxMs,
      RESTART_MIN_MS * 2 ** Math.min(this.failuresInARow - 1, 10),
    );
    this.logger.error(
      { err: error, restartsItself, restartInMs: restartsItself ? undefined : delayMs },
      'consumer crashed; starting it again',
    );
    if (restartsItself || this.stopping) return;
    const consumer = this.consumer;
    this.consumer = null;
    this.restartTimer = setTimeout(() => {
      this.restartTimer = null;
      void (async () => {
        if (consumer) await consumer.disconnect().catch(() => undefined);
        await this.launch();
      })();
    }, delayMs);
  }

  private setStatus(status: ConsumerStatus): void {
    this.statusValue = status;
    for (const each of CONSUMER_STATUSES) {
      this.metrics.consumerStatus.set({ status: each }, each === status ? 1 : 0);
    }
  }

  private async handleBatch(payload: EachBatchPayload): Promise<void> {
    const { batch } = payload;
    const isRunning = () => payload.isRunning();
    const isStale = () => payload.isStale();
    const heartbeat = () => payload.heartbeat();
    const unreadableAt = batch.messages.findIndex((m) => isStandIn(m));
    const all = unreadableAt < 0 ? batch.messages : batch.messages.slice(0, unreadableAt);
    for (let start = 0; start < all.length; start += this.options.maxBatchEvents) {
      if (!isRunning() || isStale()) return;
      const chunk = all.slice(start, start + this.options.maxBatchEvents);
      const raw: RawMessage[] = chunk.map((m) => ({
        topic: batch.topic,
        partition: batch.partition,
        offset: m.offset,
        key: m.key,
        value: m.value,
        headers: m.headers ?? {},
      }));
      const begin = process.hrtime.bigint();
      const lastOffset = Number(chunk[chunk.length - 1]?.offset ?? -1);
      const context: BatchContext = {
        caughtUp: unreadableAt < 0 && Number(batch.highWatermark) - (lastOffset + 1) <= 0,
        receivedAt: this.clock(),
      };
      const outcome = await this.applyWithRetry(raw, context, heartbeat, isRunning);
      if (outcome === null) return; // stopped while the database was down: nothing committed
      // Counted at the database commit: what happens to the offsets later does not change it.
      this.record(outcome, begin);
      this.commits += 1;
      if (
        this.options.killAfterDbCommit !== undefined &&
        this.commits >= this.options.killAfterDbCommit
      ) {
        this.logger.warn('fault injection: killing the worker after the database commit');
        process.kill(process.pid, 'SIGKILL');
      }
      const forwarded = await this.publishDeadLetters(outcome, heartbeat, isRunning);
      if (!forwarded) return; // stopped meanwhile: the chunk is re-read (its effects are idempotent)
      const last = chunk[chunk.length - 1];
      if (last) payload.resolveOffset(last.offset);
      await payload.commitOffsetsIfNecessary(payload.uncommittedOffsets());
      await heartbeat();
    }
    const standIn = unreadableAt < 0 ? undefined : batch.messages[unreadableAt];
    if (standIn) this.pauseUnreadable(payload, standIn);
  }

  /**
   * Pauses the partition at a batch it cannot decompress, without resolving its offset: nothing
   * is applied or skipped. After a while the partition resumes and the batch is fetched again,
   * read for real once the codec can read it, or paused again.
   */
  private pauseUnreadable(payload: EachBatchPayload, standIn: KafkaMessage): void {
    const { partition } = payload.batch;
    const error = headerText(standIn, UNREADABLE_BATCH_HEADER) ?? 'unreadable record batch';
    const known = this.paused.get(partition);
    if (known?.offset !== standIn.offset) {
      this.metrics.unreadableBatches.inc();
      this.logger.error(
        { partition, offset: standIn.offset, error, retryInMs: this.options.unreadableRetryMs },
        'partition paused: a record batch cannot be decompressed',
      );
    }
    this.paused.set(partition, {
      partition,
      offset: standIn.offset,
      since: known?.offset === standIn.offset ? known.since : this.clock(),
      error,
    });
    this.metrics.pausedPartitions.set(this.paused.size);
    const resume = payload.pause();
    const consumer = this.consumer;
    const timer = setTimeout(() => {
      this.resumeTimers.delete(timer);
      if (this.consumer !== consumer || this.stopping) return;
      this.paused.delete(partition);
      this.metrics.pausedPartitions.set(this.paused.size);
      resume();
    }, this.options.unreadableRetryMs);
    this.resumeTimers.add(timer);
  }

  /** Dead letters forwarded or parked; retried while the database cannot park them. */
  private async publishDeadLetters(
    outcome: BatchOutcome,
    heartbeat: () => Promise<void>,
    isRunning: () => boolean,
  ): Promise<boolean> {
    for (let attempt = 1; ; attempt += 1) {
      try {
        await this.deadLetters.publish(outcome.rejected, this.clock());
        return true;
      } catch (error) {
        this.lastError = `dead letters not forwarded or parked: ${describe(error)}`;
        this.logger.warn({ attempt, err: error }, 'dead letters not stored; retrying');
        if (!isRunning()) return false;
        await this.sleep(Math.min(250 * 2 ** Math.min(attempt, 5), 5000));
        await heartbeat().catch(() => undefined);
        if (!isRunning()) return false;
      }
    }
  }

  private record(outcome: BatchOutcome, begin: bigint): void {
    this.metrics.consumed.inc(outcome.consumed);
    this.metrics.applied.inc(outcome.applied);
    this.metrics.duplicates.inc(outcome.duplicates);
    this.metrics.unknownUnits.inc(outcome.unknownUnits);
    for (const r of outcome.rejected) this.metrics.rejected.inc({ code: r.code });
    for (const [code, n] of Object.entries(outcome.deadlineErrors))
      this.metrics.deadlineErrors.inc({ code }, n);
    this.metrics.escalations.inc({ change: 'created' }, outcome.escalations.created);
    this.metrics.escalations.inc({ change: 'advanced' }, outcome.escalations.advanced);
    this.metrics.escalations.inc({ change: 'resolved' }, outcome.escalations.resolved);
    this.metrics.escalations.inc({ change: 'withdrawn' }, outcome.escalations.withdrawn);
    this.metrics.batchSeconds.observe(Number(process.hrtime.bigint() - begin) / 1e9);
    this.lastError = null;
  }

  /**
   * Applies a chunk, retrying with backoff until it succeeds or the consumer stops (then null)
   * while the database is unavailable or fails in a way no message can cause. Any other failure
   * is narrowed to the messages that cause it, which are dead-lettered as `processing_failed` so
   * the stream goes on.
   */
  private async applyWithRetry(
    raw: RawMessage[],
    context: BatchContext,
    heartbeat: () => Promise<void>,
    isRunning: () => boolean,
  ): Promise<BatchOutcome | null> {
    for (let attempt = 1; ; attempt += 1) {
      try {
        try {
          return await this.ingest.ingest(raw, { ...context, receivedAt: this.clock() });
        } catch (error) {
          if (isTransientDatabaseError(error) || isSystemicDatabaseError(error)) throw error;
          return await this.isolateFailure(raw, context, error);
        }
      } catch (error) {
        const transient = isTransientDatabaseError(error);
        this.lastError = `${transient ? 'database unavailable' : 'database failing'}: ${describe(error)}`;
        this.metrics.retries.inc();
        this.logger.warn({ attempt, err: error }, 'database failure; retrying the same batch');
        if (!isRunning()) return null;
        await this.sleep(Math.min(250 * 2 ** Math.min(attempt, 5), transient ? 5000 : 30000));
        await heartbeat().catch(() => undefined);
        if (!isRunning()) return null;
      }
    }
  }

  /**
   * Applies the chunk's messages one by one: the ones that fail on their own are dead-lettered
   * as `processing_failed`. A failure no message can cause (the database away or broken) is
   * thrown, so the whole chunk is retried and nothing is dead-lettered for it.
   */
  private async isolateFailure(
    raw: RawMessage[],
    context: BatchContext,
    error: unknown,
  ): Promise<BatchOutcome> {
    this.logger.error(
      { err: error, size: raw.length },
      'batch failed; applying its messages one by one',
    );
    const total: BatchOutcome = {
      consumed: 0,
      applied: 0,
      duplicates: 0,
      unknownUnits: 0,
      ordersUpdated: 0,
      deadlineErrors: {},
      escalations: { ...NO_CHANGES },
      rejected: [],
    };
    for (const [index, message] of raw.entries()) {
      let outcome: BatchOutcome;
      try {
        // Only the chunk's last message reaches the partition's end: the ones before it are not
        // evidence that nothing older is on its way.
        const caughtUp = context.caughtUp && index === raw.length - 1;
        outcome = await this.ingest.ingest([message], { caughtUp, receivedAt: this.clock() });
      } catch (single) {
        if (isTransientDatabaseError(single) || isSystemicDatabaseError(single)) throw single;
        this.logger.error(
          { err: single, partition: message.partition, offset: message.offset },
          'message failed on its own; dead-lettered',
        );
        outcome = {
          consumed: 1,
          applied: 0,
          duplicates: 0,
          unknownUnits: 0,
          ordersUpdated: 0,
          deadlineErrors: {},
          escalations: { ...NO_CHANGES },
          rejected: [{ message, code: 'processing_failed', reason: describe(single) }],
        };
      }
      total.consumed += outcome.consumed;
      total.applied += outcome.applied;
      total.duplicates += outcome.duplicates;
      total.unknownUnits += outcome.unknownUnits;
      total.ordersUpdated += outcome.ordersUpdated;
      total.rejected.push(...outcome.rejected);
      total.escalations.created += outcome.escalations.created;
      total.escalations.advanced += outcome.escalations.advanced;
      total.escalations.resolved += outcome.escalations.resolved;
      total.escalations.withdrawn += outcome.escalations.withdrawn;
      for (const [code, n] of Object.entries(outcome.deadlineErrors)) {
        total.deadlineErrors[code] = (total.deadlineErrors[code] ?? 0) + n;
      }
    }
    return total;
  }
}

function isStandIn(message: KafkaMessage): boolean {
  return message.headers?.[UNREADABLE_BATCH_HEADER] !== undefined;
}

function headerText(message: KafkaMessage, name: string): string | null {
  const value = message.headers?.[name];
  const one = Array.isArray(value) ? value[0] : value;
  return one === undefined ? null : one.toString();
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
