import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The supervisors' lists read their first pages straight off an index in list order instead of
 * sorting the whole (filtered) table: with a million orders, a page is ~0.1 ms instead of
 * 150–250 ms (bench/api-latency.bench.ts). One index per common filter, each ending with the
 * list's full order so a LIMIT stops after the page:
 *
 * - work orders: newest received first (`received_at DESC NULLS LAST, work_order_id`), unfiltered,
 *   by unit (a unit's own list) and by status; the status filter combined with a unit uses the
 *   unit's index and filters, a tenth of the rows at most.
 * - escalations: newest fired first (`fired_at DESC, escalation_id`), by status (the open ones are
 *   the supervisors' worklist) and by unit; the unfiltered list, kind and level use the existing
 *   `escalations_fired_idx` backwards.
 *
 * The work-order indexes cost every ingested upsert a little: three more entries on a row that is
 * rewritten anyway (its status index already rules out HOT updates).
 */
export class ReadIndexes1732800000000 implements MigrationInterface {
  name = 'ReadIndexes1732800000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `CREATE INDEX work_orders_received_idx ON work_orders (received_at DESC NULLS LAST, work_order_id)`,
    );
    await q.query(
      `CREATE INDEX work_orders_unit_received_idx ON work_orders (unit_id, received_at DESC NULLS LAST, work_order_id)`,
    );
    await q.query(
      `CREATE INDEX work_orders_status_received_idx ON work_orders (status, received_at DESC NULLS LAST, work_order_id)`,
    );
    await q.query(
      `CREATE INDEX escalations_status_fired_idx ON escalations (status, fired_at DESC, escalation_id)`,
    );
    await q.query(
      `CREATE INDEX escalations_unit_fired_idx ON escalations (unit_id, fired_at DESC, escalation_id)`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX escalations_unit_fired_idx`);
    await q.query(`DROP INDEX escalations_status_fired_idx`);
    await q.query(`DROP INDEX work_orders_status_received_idx`);
    await q.query(`DROP INDEX work_orders_unit_received_idx`);
    await q.query(`DROP INDEX work_orders_received_idx`);
  }
}
