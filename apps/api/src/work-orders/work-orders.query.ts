import { WORK_ORDER_STATUSES } from '@hotline/core';
import { z } from 'zod';
import { booleanFlag, pageFields, unitIdField } from '../validation/page.query';

/** `GET /work-orders`: unknown parameters are refused (a misspelt filter must not widen a list). */
export const workOrderListQuery = z
  .object({
    unitId: unitIdField.optional(),
    status: z.enum(WORK_ORDER_STATUSES).optional(),
    /** An open stage (acceptance or completion, outcome `pending`) is past its due instant now. */
    overdue: booleanFlag.optional(),
    ...pageFields,
  })
  .strict();
export type WorkOrderListQuery = z.output<typeof workOrderListQuery>;

/** `GET /work-orders/{id}`: `reveal=true` unmasks the citizen's name and phone for leaders and supervisors. */
export const workOrderReadQuery = z.object({ reveal: booleanFlag.optional() }).strict();
export type WorkOrderReadQuery = z.output<typeof workOrderReadQuery>;

/** `GET /work-orders.csv|.xlsx`: the list's filters, no paging (the file holds the first 5,000). */
export const workOrderExportQuery = workOrderListQuery
  .omit({ page: true, pageSize: true })
  .strict();
export type WorkOrderExportQuery = z.output<typeof workOrderExportQuery>;
