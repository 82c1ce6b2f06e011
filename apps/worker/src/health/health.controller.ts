import { Controller, Get, HttpStatus, Inject, Res } from '@nestjs/common';
import { DATA_SOURCE, pingDatabase } from '@hotline/persistence';
import { IngestionMetrics } from '@hotline/platform';
import type { Response } from 'express';
import type { DataSource } from 'typeorm';
import { WorkOrderEventsConsumer } from '../ingestion/work-order-events.consumer';

@Controller()
export class HealthController {
  constructor(
    @Inject(DATA_SOURCE) private readonly dataSource: DataSource,
    private readonly consumer: WorkOrderEventsConsumer,
    private readonly metrics: IngestionMetrics,
  ) {}

  /** Liveness and readiness: 200 when the database answers and the consumer is in its group. */
  @Get('health')
  async health(@Res() res: Response): Promise<void> {
    const database = await pingDatabase(this.dataSource);
    const consumerStatus = this.consumer.status;
    const healthy = database.status === 'up' && consumerStatus === 'joined';
    res.status(healthy ? HttpStatus.OK : HttpStatus.SERVICE_UNAVAILABLE).json({
      status: healthy ? 'ok' : 'degraded',
      database: { status: database.status },
      consumer: {
        status: consumerStatus,
        lag: this.consumer.lag,
        eventTimeWatermark: this.consumer.eventTimeWatermark?.toISOString() ?? null,
        lastError: this.consumer.error,
      },
    });
  }

  @Get('metrics')
  async metricsText(@Res() res: Response): Promise<void> {
    res.setHeader('Content-Type', this.metrics.registry.contentType);
    res.send(await this.metrics.registry.metrics());
  }
}
