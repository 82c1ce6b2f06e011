import { Controller, Get, HttpStatus, Inject, Res } from '@nestjs/common';
import { formatInstant } from '@hotline/core';
import { DATA_SOURCE, countDeliveries, pingDatabase } from '@hotline/persistence';
import { APP_CONFIG, type AppConfig } from '@hotline/platform';
import type { Response } from 'express';
import type { DataSource } from 'typeorm';
import { DeliverySender } from '../delivery/delivery.sender';
import { EscalationsConsumer } from '../escalations/escalations.consumer';
import { NotifierMetrics } from '../notifier-metrics';
import { NOTIFIER_CONTEXT, type NotifierContext } from '../notifier-context';

@Controller()
export class HealthController {
  constructor(
    @Inject(DATA_SOURCE) private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(NOTIFIER_CONTEXT) private readonly context: NotifierContext,
    private readonly consumer: EscalationsConsumer,
    private readonly sender: DeliverySender,
    private readonly metrics: NotifierMetrics,
  ) {}

  @Get('health/live')
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }

  /**
   * 200 when the database answers and the consumer is in its group; with the channels on and off
   * (an off channel names the variables it lacks, never a value) and the deliveries by status.
   */
  @Get('health')
  async health(@Res() res: Response): Promise<void> {
    const database = await pingDatabase(this.dataSource);
    const counts = database.status === 'up' ? await countDeliveries(this.dataSource) : [];
    const byStatus: Record<string, number> = {};
    for (const { status, n } of counts) byStatus[status] = (byStatus[status] ?? 0) + n;
    const healthy = database.status === 'up' && this.consumer.status === 'joined';
    const at = this.sender.lastRoundAt;
    res.status(healthy ? HttpStatus.OK : HttpStatus.SERVICE_UNAVAILABLE).json({
      status: healthy ? 'ok' : 'degraded',
      database: { status: database.status },
      consumer: {
        status: this.consumer.status,
        group: this.config.notifier.groupId,
        topic: this.config.kafka.topics.escalations,
        lastError: this.consumer.lastError,
      },
      sender: {
        lastRoundAt: at ? formatInstant(at, this.config.timeZone) : null,
        lastError: this.sender.lastError,
      },
      channels: {
        on: [...this.context.settings.enabled.entries()].map(([id, { config }]) => ({
          channel: id,
          type: config.type,
          ratePerMinute: config.ratePerMinute,
        })),
        off: this.context.settings.disabled,
      },
      deliveries: byStatus,
    });
  }

  @Get('metrics')
  async metricsText(@Res() res: Response): Promise<void> {
    const counts = await countDeliveries(this.dataSource).catch(() => []);
    this.metrics.deliveries.reset();
    for (const { channel, status, n } of counts)
      this.metrics.deliveries.set({ channel, status }, n);
    res.setHeader('Content-Type', this.metrics.registry.contentType);
    res.send(await this.metrics.registry.metrics());
  }
}
