import { Controller, Get, HttpStatus, Inject, Res } from '@nestjs/common';
import { formatInstant } from '@hotline/core';
import {
  DATA_SOURCE,
  countOpenOrdersAwaitingCalendar,
  effectiveWatermarks,
  pingDatabase,
  type PartitionWatermark,
} from '@hotline/persistence';
import {
  APP_CONFIG,
  CLOCK,
  HANDLING_RULES,
  IngestionMetrics,
  calendarDaysLeft,
  officialCalendarDaysLeft,
  type AppConfig,
  type Clock,
  type HandlingRules,
} from '@hotline/platform';
import type { Response } from 'express';
import type { DataSource } from 'typeorm';
import type { SupervisionSettings } from '../ingestion/ingest-batch.service';
import { WorkOrderEventsConsumer } from '../ingestion/work-order-events.consumer';
import { BrokerProbe } from './broker-probe';
import { SUPERVISION_SETTINGS } from '../worker-runtime.module';

@Controller()
export class HealthController {
  constructor(
    @Inject(DATA_SOURCE) private readonly dataSource: DataSource,
    private readonly consumer: WorkOrderEventsConsumer,
    private readonly broker: BrokerProbe,
    private readonly metrics: IngestionMetrics,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(SUPERVISION_SETTINGS) private readonly supervision: SupervisionSettings,
    @Inject(HANDLING_RULES) private readonly rules: HandlingRules,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  /** Liveness: the process answers (a probe that restarts the worker asks this, not /health). */
  @Get('health/live')
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }

  /**
   * Readiness: 200 when the database answers, the broker answers its probe and the consumer is in
   * its group with no partition paused; 503 meanwhile (`status` says which: `starting` while the
   * consumer joins, `degraded` otherwise), while the HTTP port, the sweep and the outbox relay
   * already work (`live: true`). With
   * each input partition's effective event-time watermark and mode, and the slowest of them
   * (`eventTimeWatermark`: every order has been judged up to it), and the calendar: where its
   * official data ends, its provisional days, and how many open orders rest on them.
   */
  @Get('health')
  async health(@Res() res: Response): Promise<void> {
    const now = this.clock();
    const database = await pingDatabase(this.dataSource);
    const watermarks = database.status === 'up' ? await this.watermarks(now) : [];
    const consumerStatus = this.consumer.status;
    const broker = this.broker.state;
    const paused = this.consumer.pausedPartitions;
    const healthy =
      database.status === 'up' &&
      consumerStatus === 'joined' &&
      broker.reachable !== false &&
      paused.length === 0;
    const joining = ['idle', 'connecting', 'joining'].includes(consumerStatus);
    const show = (at: Date | null) => (at ? formatInstant(at, this.config.timeZone) : null);
    let slowest: Date | null = null;
    for (const { at } of watermarks) if (at && (!slowest || at < slowest)) slowest = at;
    res.status(healthy ? HttpStatus.OK : HttpStatus.SERVICE_UNAVAILABLE).json({
      status: healthy ? 'ok' : joining && database.status === 'up' ? 'starting' : 'degraded',
      live: true,
      ready: healthy,
      database: { status: database.status },
      broker: {
        status:
          broker.reachable === null ? 'unknown' : broker.reachable ? 'reachable' : 'unreachable',
        since: show(broker.since),
        lastError: broker.lastError,
      },
      consumer: {
        status: consumerStatus,
        lag: broker.lag,
        partitions: broker.partitions,
        restarts: this.consumer.restartCount,
        pausedPartitions: paused.map((p) => ({ ...p, since: show(p.since) })),
        eventTimeWatermark: show(slowest),
        watermarks: watermarks.map(({ partition, at, mode }) => ({
          partition,
          watermark: show(at),
          mode,
        })),
        lastError: this.consumer.error,
      },
      calendar: await this.calendar(now, database.status === 'up'),
    });
  }

  @Get('metrics')
  async metricsText(@Res() res: Response): Promise<void> {
    const now = this.clock();
    this.metrics.recordWatermarks(await this.watermarks(now), now);
    await this.calendar(now, true);
    res.setHeader('Content-Type', this.metrics.registry.contentType);
    res.send(await this.metrics.registry.metrics());
  }

  /**
   * The calendar's coverage and the open orders waiting for a notice (null counts while the
   * database is away); the metrics follow.
   */
  private async calendar(now: Date, databaseUp: boolean) {
    const { calendar } = this.rules;
    let orders: { provisional: number; unavailable: number } | null = null;
    if (databaseUp) {
      try {
        orders = await countOpenOrdersAwaitingCalendar(this.dataSource);
      } catch {
        orders = null;
      }
    }
    const daysLeft = calendarDaysLeft(calendar, now);
    const officialDaysLeft = officialCalendarDaysLeft(calendar, now);
    this.metrics.calendarDaysLeft.set(daysLeft);
    this.metrics.officialCalendarDaysLeft.set(officialDaysLeft);
    if (orders) {
      this.metrics.provisionalOpenOrders.set(orders.provisional);
      this.metrics.unavailableOpenOrders.set(orders.unavailable);
    }
    return {
      officialThrough: calendar.officialCoverage.toOn,
      provisional: calendar.provisional
        ? {
            from: calendar.provisional.fromOn,
            to: calendar.provisional.toOn,
            rule: '《全国年节及纪念日放假办法》 statutory holidays and weekends, no make-up days',
          }
        : null,
      coverageThrough: calendar.coverage.toOn,
      daysLeft,
      officialDaysLeft,
      openOrdersOnProvisionalDays: orders?.provisional ?? null,
      openOrdersWithUnavailableDeadlines: orders?.unavailable ?? null,
    };
  }

  /** Every partition of the input topic, whichever replica reads it; none while the database is away. */
  private async watermarks(now: Date): Promise<PartitionWatermark[]> {
    try {
      const marks = await effectiveWatermarks(
        this.dataSource,
        this.config.kafka.topics.events,
        now,
        this.supervision.watermark,
      );
      return [...marks.values()];
    } catch {
      return [];
    }
  }
}
