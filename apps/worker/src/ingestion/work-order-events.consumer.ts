/**
 * Kafka glue for ingestion: `eachBatch` with manual offsets. Each chunk of a batch is applied in one
 * database transaction, its dead letters are acknowledged by the broker, and only then are its
 * offsets committed. A transient database failure pauses the partition's loop and retries the same
 * chunk until it succeeds; nothing is skipped and nothing is committed meanwhile.
 */
import { isTransientDatabaseError, NO_CHANGES } from '@hotline/persistence';
import type {
  Consumer,
  EachBatchPayload,
  IngestionMetrics,
  Kafka,
  Logger,
} from '@hotline/platform';
import { DeadLetterPublisher } from './dead-letter.publisher';
import {
  IngestBatchService,
  type BatchContext,
  type BatchOutcome,
  type RawMessage,
} from './ingest-batch.service';

export type ConsumerStatus =
  'idle' | 'connecting' | 'joined' | 'rebalancing' | 'crashed' | 'stopped';

export interface ConsumerOptions {
  topic: string;
  groupId: string;
  sessionTimeoutMs: number;
  maxBatchEvents: number;
  partitionsConcurrently: number;
  /** Test-only fault injection: SIGKILL this process after the Nth database commit. */
  killAfterDbCommit?: number;
}

export class WorkOrderEventsConsumer {
  private consumer: Consumer | null = null;
  private statusValue: ConsumerStatus = 'idle';
  private readonly lagByPartition = new Map<number, number>();
  private commits = 0;
  private lastError: string | null = null;

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
  ) {}

  get status(): ConsumerStatus {
    return this.statusValue;
  }

  /** Messages behind the end of the topic, over the partitions this consumer has seen. */
  get lag(): number {
    let sum = 0;
    for (const value of this.lagByPartition.values()) sum += value;
    return sum;
  }

  get error(): string | null {
    return this.lastError;
  }

  async start(): Promise<void> {
    const consumer = this.kafka.consumer({
      groupId: this.options.groupId,
      sessionTimeout: this.options.sessionTimeoutMs,
      heartbeatInterval: Math.min(3000, Math.floor(this.options.sessionTimeoutMs / 6)),
      maxWaitTimeInMs: 250,
      maxBytesPerPartition: 4 * 1024 * 1024,
      retry: { retries: 10, initialRetryTime: 300, maxRetryTime: 10000 },
    });
    this.consumer = consumer;
    this.statusValue = 'connecting';
    consumer.on(consumer.events.GROUP_JOIN, () => {
      this.statusValue = 'joined';
    });
    consumer.on(consumer.events.REBALANCING, () => {
      this.statusValue = 'rebalancing';
    });
    consumer.on(consumer.events.CRASH, (event) => {
      this.statusValue = 'crashed';
      this.lastError = String(event.payload.error);
      this.logger.error(
        { err: event.payload.error, restart: event.payload.restart },
        'consumer crashed',
      );
    });
    consumer.on(consumer.events.STOP, () => {
      this.statusValue = 'stopped';
    });
    await consumer.connect();
    await consumer.subscribe({ topic: this.options.topic, fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: this.options.partitionsConcurrently,
      eachBatch: (payload) => this.handleBatch(payload),
    });
  }

  /** Graceful: finishes the chunk in flight, commits its offsets, leaves the group. */
  async stop(): Promise<void> {
    const consumer = this.consumer;
    this.consumer = null;
    if (consumer) await consumer.disconnect();
    this.statusValue = 'stopped';
  }

  private async handleBatch(payload: EachBatchPayload): Promise<void> {
    const { batch } = payload;
    const isRunning = () => payload.isRunning();
    const isStale = () => payload.isStale();
    const heartbeat = () => payload.heartbeat();
    const all = batch.messages;
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
        caughtUp: Number(batch.highWatermark) - (lastOffset + 1) <= 0,
        receivedAt: this.clock(),
      };
      const outcome = await this.applyWithRetry(raw, context, heartbeat, isRunning);
      if (outcome === null) return; // stopped while the database was down: nothing committed
      this.commits += 1;
      if (
        this.options.killAfterDbCommit !== undefined &&
        this.commits >= this.options.killAfterDbCommit
      ) {
        this.logger.warn('fault injection: killing the worker after the database commit');
        process.kill(process.pid, 'SIGKILL');
      }
      await this.deadLetters.publish(outcome.rejected, this.clock());
      const last = chunk[chunk.length - 1];
      if (last) payload.resolveOffset(last.offset);
      await payload.commitOffsetsIfNecessary(payload.uncommittedOffsets());
      this.record(outcome, begin);
      if (last) {
        const behind = Number(batch.highWatermark) - (Number(last.offset) + 1);
        this.lagByPartition.set(batch.partition, Math.max(0, behind));
      }
      await heartbeat();
    }
    if (all.length === 0) this.lagByPartition.set(batch.partition, 0);
  }

  private record(outcome: BatchOutcome, begin: bigint): void {
    this.metrics.consumed.inc(outcome.consumed);
    this.metrics.applied.inc(outcome.applied);
    this.metrics.duplicates.inc(outcome.duplicates);
    for (const r of outcome.rejected) this.metrics.rejected.inc({ code: r.code });
    for (const [code, n] of Object.entries(outcome.deadlineErrors))
      this.metrics.deadlineErrors.inc({ code }, n);
    this.metrics.escalations.inc({ change: 'created' }, outcome.escalations.created);
    this.metrics.escalations.inc({ change: 'advanced' }, outcome.escalations.advanced);
    this.metrics.escalations.inc({ change: 'resolved' }, outcome.escalations.resolved);
    this.metrics.escalations.inc({ change: 'withdrawn' }, outcome.escalations.withdrawn);
    this.metrics.batchSeconds.observe(Number(process.hrtime.bigint() - begin) / 1e9);
    this.metrics.lag.set(this.lag);
    this.lastError = null;
  }

  /**
   * Applies a chunk, retrying transient database failures with backoff until it succeeds or the
   * consumer stops (then null). Any other failure is narrowed to the message that causes it, which
   * is dead-lettered as `processing_failed` so the stream goes on.
   */
  private async applyWithRetry(
    raw: RawMessage[],
    context: BatchContext,
    heartbeat: () => Promise<void>,
    isRunning: () => boolean,
  ): Promise<BatchOutcome | null> {
    for (let attempt = 1; ; attempt += 1) {
      try {
        return await this.ingest.ingest(raw, { ...context, receivedAt: this.clock() });
      } catch (error) {
        if (!isTransientDatabaseError(error)) return this.isolateFailure(raw, context, error);
        this.lastError = `database unavailable: ${(error as Error).message}`;
        this.metrics.retries.inc();
        this.logger.warn({ attempt, err: error }, 'database unavailable; retrying the same batch');
        if (!isRunning()) return null;
        await this.sleep(Math.min(250 * 2 ** Math.min(attempt, 5), 5000));
        await heartbeat().catch(() => undefined);
        if (!isRunning()) return null;
      }
    }
  }

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
      ordersUpdated: 0,
      deadlineErrors: {},
      escalations: { ...NO_CHANGES },
      rejected: [],
    };
    let failures = 0;
    let lastFailure: unknown = error;
    for (const [index, message] of raw.entries()) {
      let outcome: BatchOutcome;
      try {
        // Only the chunk's last message reaches the partition's end: the ones before it are not
        // evidence that nothing older is on its way.
        const caughtUp = context.caughtUp && index === raw.length - 1;
        outcome = await this.ingest.ingest([message], { caughtUp, receivedAt: this.clock() });
      } catch (single) {
        if (isTransientDatabaseError(single)) throw single;
        failures += 1;
        lastFailure = single;
        outcome = {
          consumed: 1,
          applied: 0,
          duplicates: 0,
          ordersUpdated: 0,
          deadlineErrors: {},
          escalations: { ...NO_CHANGES },
          rejected: [{ message, code: 'processing_failed', reason: (single as Error).message }],
        };
      }
      total.consumed += outcome.consumed;
      total.applied += outcome.applied;
      total.duplicates += outcome.duplicates;
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
    // Every message failing on its own is not a poison message but a broken dependency (a
    // schema or permission problem): stop here, nothing committed, rather than dead-letter the
    // stream. The consumer restarts and retries; /health shows the error.
    if (raw.length > 1 && failures === raw.length) throw lastFailure;
    return total;
  }
}
