/**
 * The sending loop: claims due deliveries within each channel's rate budget (a lease marks them
 * taken), sends each send unit (a digest is one message), records sent / failed with backoff /
 * dead, and reports a dead delivery to the 督查室 through the alert channel. One loop per process;
 * replicas share the work through the claim's lock. Digest times wake it at once (cron jobs of
 * @nestjs/schedule); otherwise it polls every NOTIFIER_IDLE_MS while nothing is due.
 */
import {
  Inject,
  Injectable,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { Interval, SchedulerRegistry } from '@nestjs/schedule';
import {
  afterFailure,
  composeFailureAlert,
  formatLocalMinute,
  renderDigest,
  type ChannelAnswer,
} from '@hotline/core';
import {
  DATA_SOURCE,
  claimDueDeliveries,
  pruneChannelRequests,
  settleChannelRequests,
  recordDeliveries,
  recordDeliveryOutcome,
  type ClaimedUnit,
  type Delivery,
  type DeliveryOutcome,
} from '@hotline/persistence';
import {
  APP_CONFIG,
  CLOCK,
  LOGGER,
  type AppConfig,
  type Clock,
  type Logger,
} from '@hotline/platform';
import { CronJob } from 'cron';
import type { DataSource } from 'typeorm';
import { NotifierMetrics } from '../notifier-metrics';
import { NOTIFIER_CONTEXT, type NotifierContext } from '../notifier-context';
import { ChannelGateway, requestsPerMessage } from './channel-gateway';

const GROUP_GREETING = '各位同事';

@Injectable()
export class DeliverySender implements OnApplicationBootstrap, OnApplicationShutdown {
  private running = false;
  private timer: NodeJS.Timeout | null = null;
  private inFlight: Promise<void> | null = null;
  private failures = 0;
  lastRoundAt: Date | null = null;
  lastError: string | null = null;

  constructor(
    @Inject(DATA_SOURCE) private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(LOGGER) private readonly logger: Logger,
    @Inject(NOTIFIER_CONTEXT) private readonly context: NotifierContext,
    private readonly gateway: ChannelGateway,
    private readonly metrics: NotifierMetrics,
    private readonly scheduler: SchedulerRegistry,
  ) {}

  onApplicationBootstrap(): void {
    this.running = true;
    const { routing, timeZone } = this.context.notices;
    for (const time of routing.digestTimes) {
      const [hour, minute] = time.split(':');
      const job = CronJob.from({
        cronTime: `0 ${Number(minute)} ${Number(hour)} * * *`,
        timeZone,
        onTick: () => this.wake(),
        start: true,
      });
      this.scheduler.addCronJob(`digest-${time}`, job);
    }
    this.schedule(0);
  }

  async onApplicationShutdown(): Promise<void> {
    this.running = false;
    if (this.timer) clearTimeout(this.timer);
    await this.inFlight;
  }

  /** The channels' request log only matters for the last window: an hour is plenty. */
  @Interval(600_000)
  async prune(): Promise<void> {
    const olderThan = new Date(
      this.clock().getTime() - Math.max(3_600_000, this.config.notifier.rateWindowMs),
    );
    await pruneChannelRequests(this.dataSource, olderThan).catch((error: unknown) =>
      this.logger.warn({ err: error }, 'pruning the channel request log failed'),
    );
  }

  private wake(): void {
    if (this.inFlight === null && this.timer) {
      clearTimeout(this.timer);
      this.schedule(0);
    }
  }

  private schedule(delayMs: number): void {
    if (!this.running) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.inFlight = this.run().finally(() => (this.inFlight = null));
    }, delayMs);
  }

  private async run(): Promise<void> {
    let more = false;
    try {
      more = await this.round();
      this.failures = 0;
    } catch (error) {
      this.failures += 1;
      this.lastError = (error as Error).message;
      this.logger.warn({ err: error, failures: this.failures }, 'delivery round failed');
    }
    const backoff = this.failures > 0 ? Math.min(250 * 2 ** Math.min(this.failures, 5), 5000) : 0;
    this.schedule(backoff > 0 ? backoff : more ? 0 : this.config.notifier.idleMs);
  }

  /** One round; true when it sent something (another round follows at once). */
  private async round(): Promise<boolean> {
    const now = this.clock();
    const { enabled } = this.context.settings;
    const { units, waiting } = await claimDueDeliveries(this.dataSource, {
      now,
      limit: this.config.notifier.batch,
      leaseMs: this.config.notifier.leaseMs,
      windowMs: this.config.notifier.rateWindowMs,
      // A channel switched off since its deliveries were planned: they are claimed and given up.
      ratePerWindow: (channel) => enabled.get(channel)?.config.ratePerMinute ?? 1_000_000,
      requestsOf: (d) => requestsPerMessage(d.channelType, d.address),
    });
    this.lastRoundAt = now;
    this.metrics.queued.set(waiting);
    await Promise.all(units.map((unit) => this.sendUnit(unit, now)));
    await settleChannelRequests(
      this.dataSource,
      [...new Set(units.map((unit) => unit.channel))],
      now,
      this.clock(),
    );
    return units.length > 0;
  }

  private async sendUnit(unit: ClaimedUnit, now: Date): Promise<void> {
    const first = unit.deliveries[0]!;
    const ids = unit.deliveries.map((d) => d.id);
    const notice = unit.digest
      ? renderDigest(
          this.context.notices.templates,
          unit.deliveries.map((d) => d.fields),
          this.context.notices.contacts.get(unit.recipient)?.name ?? GROUP_GREETING,
          formatLocalMinute(first.notBefore, this.context.notices.timeZone),
        )
      : first.notice;
    const started = performance.now();
    const answer: ChannelAnswer = await this.gateway
      .send({
        channel: unit.channel,
        address: first.address,
        notice,
        messageId: `dlv_${ids[0]}${ids.length > 1 ? `_${ids.length}` : ''}`,
        payload: this.webhookPayload(unit, notice, now),
        now,
      })
      .catch((error: unknown) => ({
        outcome: 'retry' as const,
        error: (error as Error).message,
        retryAfterMs: null,
      }));
    this.metrics.requestSeconds.observe(
      { channel: unit.channel },
      (performance.now() - started) / 1000,
    );
    const outcome = this.outcomeOf(answer, first.attempts);
    this.metrics.attempts.inc({ channel: unit.channel, outcome: outcome.status }, ids.length);
    await recordDeliveryOutcome(this.dataSource, ids, outcome);
    if (outcome.status !== 'sent') {
      this.logger.warn(
        {
          channel: unit.channel,
          deliveries: ids,
          workOrderId: first.workOrderId,
          attempts: first.attempts,
          status: outcome.status,
          error: outcome.error,
        },
        'delivery attempt failed',
      );
    }
    if (outcome.status === 'dead') await this.alert(unit.deliveries, outcome.error);
  }

  private outcomeOf(answer: ChannelAnswer, attempts: number): DeliveryOutcome {
    const now = this.clock();
    if (answer.outcome === 'sent') return { status: 'sent', at: now };
    const next = afterFailure(
      attempts,
      now,
      {
        baseMs: this.config.notifier.retryBaseMs,
        maxMs: this.config.notifier.retryMaxMs,
        maxAttempts: this.context.notices.routing.maxAttempts,
      },
      answer.outcome === 'retry' ? answer.retryAfterMs : null,
      answer.outcome === 'refused',
    );
    return next.status === 'dead'
      ? { status: 'dead', error: answer.error }
      : { status: 'failed', error: answer.error, nextAttemptAt: next.nextAttemptAt };
  }

  /** A notice given up on is reported to the 督查室 on the alert channel (an alert is not). */
  private async alert(deliveries: readonly Delivery[], lastError: string): Promise<void> {
    const now = this.clock();
    const alerts = deliveries
      .filter((d) => d.purpose === 'notice')
      .flatMap((d) => {
        const composed = composeFailureAlert(this.context.notices, {
          workOrderId: d.workOrderId,
          channel: d.channel,
          recipient: this.context.notices.contacts.get(d.recipient)?.name ?? d.recipient,
          attempts: d.attempts,
          lastError,
          link: d.fields.link ?? '',
        });
        return (composed ?? []).map((a) => ({
          escalationId: d.escalationId,
          version: d.version,
          purpose: 'failure_alert' as const,
          recipient: a.recipient,
          channel: a.channel,
          channelType: a.channelType,
          workOrderId: d.workOrderId,
          unitId: d.unitId,
          kind: d.kind,
          level: d.level,
          change: 'failed',
          address: a.address,
          fields: { failedChannel: d.channel, failedRecipient: d.recipient, lastError },
          notice: a.notice,
          digest: false,
          notBefore: now,
        }));
      });
    if (alerts.length > 0) await recordDeliveries(this.dataSource, alerts, now);
  }

  private webhookPayload(unit: ClaimedUnit, notice: { title: string; text: string }, now: Date) {
    const first = unit.deliveries[0]!;
    return {
      type: unit.digest ? 'escalation.digest' : `escalation.${first.change}`,
      timestamp: now.toISOString(),
      data: {
        notice: { title: notice.title, text: notice.text },
        escalations: unit.deliveries.map((d) => ({
          escalationId: d.escalationId,
          version: d.version,
          workOrderId: d.workOrderId,
          unitId: d.unitId,
          kind: d.kind,
          level: d.level,
          change: d.change,
          link: d.fields.link ?? null,
        })),
      },
    };
  }
}
