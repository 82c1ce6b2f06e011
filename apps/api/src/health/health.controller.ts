import { Controller, Get, HttpStatus, Inject, Res } from '@nestjs/common';
import { DATA_SOURCE, pingDatabase } from '@hotline/persistence';
import type { Response } from 'express';
import type { DataSource } from 'typeorm';
import { Public } from '../auth/public.decorator';

@Controller()
export class HealthController {
  constructor(@Inject(DATA_SOURCE) private readonly dataSource: DataSource) {}

  /** The API is ready when its database answers. */
  @Public()
  @Get('health')
  async health(@Res() res: Response): Promise<void> {
    const database = await pingDatabase(this.dataSource);
    const up = database.status === 'up';
    res
      .status(up ? HttpStatus.OK : HttpStatus.SERVICE_UNAVAILABLE)
      .json({ status: up ? 'ok' : 'degraded', database });
  }
}
