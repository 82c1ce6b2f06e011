import { Controller, Get, Inject, NotFoundException, Param } from '@nestjs/common';
import { DATA_SOURCE, findWorkOrder } from '@hotline/persistence';
import { APP_CONFIG, type AppConfig } from '@hotline/platform';
import type { DataSource } from 'typeorm';
import { toWorkOrderResponse } from './work-order.response';
import { WorkOrderIdPipe } from './work-order-id.pipe';

/** Supervisors' reads of work orders; the authorization guard slots in here (contract.md §3). */
@Controller('work-orders')
export class WorkOrdersController {
  constructor(
    @Inject(DATA_SOURCE) private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Get(':id')
  async findOne(@Param('id', WorkOrderIdPipe) id: string) {
    const view = await findWorkOrder(this.dataSource, id);
    if (!view) throw new NotFoundException(`work order ${id} not found`);
    return toWorkOrderResponse(view, false, this.config.timeZone);
  }
}
