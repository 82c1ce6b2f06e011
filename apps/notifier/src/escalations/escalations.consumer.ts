/**
 * Reads `hotline.supervision.escalations` in the notifier's own consumer group and records each
 * change's deliveries (one transaction per batch), then commits the offsets: a crash between the
 * two reads the batch again, and the deliveries' unique key makes that a no-op.
 */
import {
  Inject,
  Injectable,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import {
  composeNotices,
  readEscalationMessage,
  type Category,
  type EscalationMessage,
  type Urgency,
} from '@hotline/core';
import {
  DATA_SOURCE,
  orderFactsForNotice,
  recordDeliveries,
  type NewDelivery,
} from '@hotline/persistence';
import {
  APP_CONFIG,
  CLOCK,
  KAFKA,
  LOGGER,
  ensureTopics,
  type AppConfig,
  type Clock,
  type Logger,
} from '@hotline/platform';
import type { Consumer, EachBatchPayload, Kafka } from 'kafkajs';
import type { DataSource } from 'typeorm';
import { NotifierMetrics } from '../notifier-metrics';
import { NOTIFIER_CONTEXT, type NotifierContext } from '../notifier-context';

export type ConsumerStatus =
  'idle' | 'connecting' | 'joined' | 'rebalancing' | 'crashed' | 'stopped';

@Injectable()
export class EscalationsConsumer implements OnApplicationBootstrap, OnApplicationShutdown {
  private consumer: Consumer | null = null;
  private stopping = false;
  status: ConsumerStatus = 'idle';
  lastError: string | null = null;

  constructor(
    @Inject(KAFKA) private readonly kafka: Kafka,
    @Inject(DATA_SOURCE) private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(LOGGER) private readonly logger: Logger,
    @Inject(NOTIFIER_CONTEXT) private readonly context: NotifierContext,
    private readonly metrics: NotifierMetrics,
  ) {}

  onApplicationBootstrap(): void {
    void this.start();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopping = true;
    this.status = 'stopped';
    await this.consumer?.disconnect().catch(() => undefined);
  }

  private async start(): Promise<void> {
    const topic = this.config.kafka.topics.escalations;
    this.status = 'connecting';
    try {
      if (this.config.kafka.createTopicsPartitions > 0) {
        await ensureTopics(this.kafka, [topic], this.config.kafka.createTopicsPartitions);
      }
      const consumer = this.kafka.consumer({
        groupId: this.config.notifier.groupId,
        sessionTimeout: this.config.kafka.sessionTimeoutMs,
      });
      this.consumer = consumer;
      consumer.on(consumer.events.GROUP_JOIN, () => (this.status = 'joined'));
      consumer.on(consumer.events.REBALANCING, () => (this.status = 'rebalancing'));
      consumer.on(consumer.events.CRASH, (event) => {
        this.lastError = String(event.payload.error);
        if (!event.payload.restart && !this.stopping) this.restartLater();
      });
      await consumer.connect();
      await consumer.subscribe({ topic, fromBeginning: true });
      await consumer.run({
        autoCommit: false,
        eachBatchAutoResolve: false,
        eachBatch: (payload) => this.handleBatch(payload),
      });
    } catch (error) {
      this.lastError = (error as Error).message;
      this.logger.warn({ err: error }, 'notifier consumer failed to start; retrying');
      this.restartLater();
    }
  }

  private restartLater(): void {
    if (this.stopping) return;
    this.status = 'crashed';
    const consumer = this.consumer;
    this.consumer = null;
    setTimeout(() => {
      void (async () => {
        await consumer?.disconnect().catch(() => undefined);
        if (!this.stopping) await this.start();
      })();
    }, 2000);
  }

  private async handleBatch(payload: EachBatchPayload): Promise<void> {
    const { batch } = payload;
    const heartbeat = () => payload.heartbeat();
    const deliveries: NewDelivery[] = [];
    for (const message of batch.messages) {
      deliveries.push(...(await this.deliveriesOf(message.value)));
    }
    // The database may be away for a while: the batch is retried here, its offsets uncommitted.
    for (let attempt = 1; ; attempt += 1) {
      if (!payload.isRunning() || payload.isStale()) return;
      try {
        const recorded = await recordDeliveries(this.dataSource, deliveries, this.clock());
        this.metrics.planned.inc(recorded.inserted);
        this.metrics.superseded.inc(recorded.superseded);
        break;
      } catch (error) {
        this.logger.warn({ err: error, attempt }, 'recording deliveries failed; retrying');
        await heartbeat().catch(() => undefined);
        await new Promise((resolve) => setTimeout(resolve, Math.min(250 * 2 ** attempt, 5000)));
      }
    }
    const last = batch.messages[batch.messages.length - 1];
    if (last) payload.resolveOffset(last.offset);
    await payload.commitOffsetsIfNecessary(payload.uncommittedOffsets());
    await heartbeat();
  }

  private async deliveriesOf(value: Buffer | null): Promise<NewDelivery[]> {
    const read = readEscalationMessage(value);
    if (!read.ok) {
      this.metrics.messages.inc({ outcome: 'invalid' });
      this.logger.warn({ errors: read.errors }, 'escalation message skipped: invalid');
      return [];
    }
    const message = read.value;
    const now = this.clock();
    const maxAgeMs = this.config.notifier.maxChangeAgeHours * 3_600_000;
    if (maxAgeMs > 0 && now.getTime() - Date.parse(message.changedAt) > maxAgeMs) {
      this.metrics.messages.inc({ outcome: 'stale' });
      return [];
    }
    const order = await this.orderFacts(message);
    const { notices, skipped } = composeNotices(this.context.notices, message, order, now);
    if (skipped.length > 0) {
      this.logger.info(
        { escalationId: message.escalationId, workOrderId: message.workOrderId, skipped },
        'some recipients or channels were left out',
      );
    }
    this.metrics.messages.inc({ outcome: notices.length > 0 ? 'planned' : 'silent' });
    return notices.map((n) => ({
      escalationId: message.escalationId,
      version: message.version,
      purpose: 'notice',
      recipient: n.recipient,
      channel: n.channel,
      channelType: n.channelType,
      workOrderId: message.workOrderId,
      unitId: message.unitId,
      kind: message.kind,
      level: message.level,
      change: n.change,
      address: n.address,
      fields: n.fields,
      notice: n.notice,
      digest: n.digest,
      notBefore: n.notBefore,
    }));
  }

  private async orderFacts(message: EscalationMessage) {
    const unit = this.context.organisation.units.find((u) => u.id === message.unitId);
    const facts = await this.withRetry(() =>
      orderFactsForNotice(this.dataSource, message.workOrderId),
    );
    return {
      unitName: unit?.name ?? message.unitId,
      category: (facts?.category ?? null) as Category | null,
      urgency: (facts?.urgency ?? null) as Urgency | null,
    };
  }

  private async withRetry<T>(work: () => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt += 1) {
      try {
        return await work();
      } catch (error) {
        if (this.stopping) throw error;
        this.logger.warn({ err: error, attempt }, 'reading the order failed; retrying');
        await new Promise((resolve) => setTimeout(resolve, Math.min(250 * 2 ** attempt, 5000)));
      }
    }
  }
}
