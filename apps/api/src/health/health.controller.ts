import { Controller, Get, HttpStatus, Inject, Res } from '@nestjs/common';
import { DATA_SOURCE, pingDatabase } from '@hotline/persistence';
import { LOGGER, type Logger } from '@hotline/platform';
import type { Response } from 'express';
import type { DataSource } from 'typeorm';
import { Public } from '../auth/public.decorator';

@Controller()
export class HealthController {
  constructor(
    @Inject(DATA_SOURCE) private readonly dataSource: DataSource,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  /** The API is ready when its database answers. */
  @Public()
  @Get('health')
  async health(@Res() res: Response): Promise<void> {
    const database = await pingDatabase(this.dataSource);
    const up = database.status === 'up';
    if (database.status === 'down')
      this.logger.warn({ err: database.error }, 'database unavailable');
    res
      .status(up ? HttpStatus.OK : HttpStatus.SERVICE_UNAVAILABLE)
      .json({ status: up ? 'ok' : 'degraded', database: { status: database.status } });
  }
}
