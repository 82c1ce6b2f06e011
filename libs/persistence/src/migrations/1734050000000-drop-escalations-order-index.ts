import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * `escalations_order_idx (work_order_id)` repeats the first column of the unique key
 * `(work_order_id, kind, segment, round)`, which serves every read by order as well: the sweep's
 * and the ingestion's loads of an order's escalations, an order's detail and list columns, the
 * escalation counts' move on a change of category. Each escalation written kept one index more
 * than any read needs (eight on the table; a sweep batch writes hundreds of rows at once).
 */
export class DropEscalationsOrderIndex1734050000000 implements MigrationInterface {
  name = 'DropEscalationsOrderIndex1734050000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX escalations_order_idx`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`CREATE INDEX escalations_order_idx ON escalations (work_order_id)`);
  }
}
