import { Controller, Get, Inject, Query, Res, StreamableFile } from '@nestjs/common';
import { DATA_SOURCE, listWorkOrders, type WorkOrderSummary } from '@hotline/persistence';
import { APP_CONFIG, type AppConfig, type Principal } from '@hotline/platform';
import type { Response } from 'express';
import type { DataSource } from 'typeorm';
import { CurrentPrincipal } from '../auth/current-principal.decorator';
import { listUnitFilter } from '../auth/unit-scope';
import { CSV_CONTENT_TYPE, XLSX_CONTENT_TYPE, attachment } from '../statistics/statistics-export';
import { ZodValidationPipe } from '../validation/zod-validation.pipe';
import { ORDER_EXPORT_LIMIT, ordersCsv, ordersXlsx } from './work-orders-export';
import { workOrderExportQuery, type WorkOrderExportQuery } from './work-orders.query';

const exportQueryPipe = new ZodValidationPipe(workOrderExportQuery, 'query');

/** `GET /work-orders.csv` and `.xlsx`: the list's filters and unit scope, free text masked. */
@Controller()
export class WorkOrdersExportController {
  constructor(
    @Inject(DATA_SOURCE) private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Get('work-orders.csv')
  async csv(
    @CurrentPrincipal() principal: Principal,
    @Query(exportQueryPipe) query: WorkOrderExportQuery,
    @Res({ passthrough: true }) res: Response,
  ): Promise<StreamableFile> {
    const orders = await this.orders(principal, query);
    res.setHeader('Content-Type', CSV_CONTENT_TYPE);
    res.setHeader('Content-Disposition', attachment('work-orders.csv', '12345工单.csv'));
    return new StreamableFile(ordersCsv(orders, this.config.timeZone));
  }

  @Get('work-orders.xlsx')
  async xlsx(
    @CurrentPrincipal() principal: Principal,
    @Query(exportQueryPipe) query: WorkOrderExportQuery,
    @Res({ passthrough: true }) res: Response,
  ): Promise<StreamableFile> {
    const body = await ordersXlsx(await this.orders(principal, query), this.config.timeZone);
    res.setHeader('Content-Type', XLSX_CONTENT_TYPE);
    res.setHeader('Content-Disposition', attachment('work-orders.xlsx', '12345工单.xlsx'));
    return new StreamableFile(body);
  }

  private async orders(
    principal: Principal,
    query: WorkOrderExportQuery,
  ): Promise<WorkOrderSummary[]> {
    const { overdue, status, unitId } = query;
    const result = await listWorkOrders(
      this.dataSource,
      {
        unitId: listUnitFilter(principal, unitId),
        status,
        overdue: overdue === undefined ? undefined : overdue === 'true',
        ...(principal.role === 'unit' && principal.unitId
          ? { escalationsOfUnit: principal.unitId }
          : {}),
      },
      { page: 1, pageSize: ORDER_EXPORT_LIMIT },
      new Date(),
    );
    return result.items;
  }
}
