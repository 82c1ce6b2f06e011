import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Open orders whose deadlines depend on the calendar's provisional days (computed from the law,
 * the year's State Council notice not imported yet) or that it could not compute: after a notice
 * is imported, `npm run deadlines:recompute -- --calendar` finds them through this small partial
 * index instead of reading every open order, and /health and /metrics count them. The marker is
 * the order row's deadlines summary (`provisional`, `unavailable`, or an older row's whole-order
 * `calendar_out_of_range` error); the predicate here and in work-order-store.ts are the same text.
 */
export class CalendarDependentOrders1733100000000 implements MigrationInterface {
  name = 'CalendarDependentOrders1733100000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `CREATE INDEX work_orders_calendar_dependent_idx ON work_orders (work_order_id)
        WHERE status NOT IN ('closed', 'returned')
          AND (deadlines ? 'provisional' OR deadlines ? 'unavailable'
               OR (deadlines -> 'error' ->> 'code') = 'calendar_out_of_range')`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX work_orders_calendar_dependent_idx`);
  }
}
