import { Controller, Get, Inject, Query } from '@nestjs/common';
import { DATA_SOURCE, listDeliveries } from '@hotline/persistence';
import { APP_CONFIG, type AppConfig, type Principal } from '@hotline/platform';
import type { DataSource } from 'typeorm';
import { CurrentPrincipal } from '../auth/current-principal.decorator';
import { ApiError } from '../errors/api-error';
import { ZodValidationPipe } from '../validation/zod-validation.pipe';
import { deliveryListQuery, type DeliveryListQuery } from './deliveries.query';
import { toDeliveryResponse } from './delivery.response';

/** The notices' deliveries across escalations (newest first): for leaders and supervisors. */
@Controller('deliveries')
export class DeliveriesController {
  constructor(
    @Inject(DATA_SOURCE) private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Get()
  async list(
    @CurrentPrincipal() principal: Principal,
    @Query(new ZodValidationPipe(deliveryListQuery, 'query')) query: DeliveryListQuery,
  ) {
    if (principal.role === 'unit') {
      throw new ApiError('forbidden', 'deliveries are for supervisors and leaders');
    }
    const { page, pageSize, ...filter } = query;
    const result = await listDeliveries(this.dataSource, filter, { page, pageSize });
    return {
      items: result.items.map((d) => toDeliveryResponse(d, this.config.timeZone)),
      page,
      pageSize,
      total: result.total,
    };
  }
}
