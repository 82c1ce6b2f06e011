import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * An order's events dated before its first `dispatched` are held: logged, not folded, and
 * dead-lettered after a grace period unless a `dispatched` dated before them arrives (they used to
 * be refused on arrival, which made the verdict depend on which events had arrived first). The
 * row counts them, and the grace check finds the quiet orders that hold any through a partial
 * index. An order never dispatched holds every event it has.
 */
export class HeldEvents1734300000000 implements MigrationInterface {
  name = 'HeldEvents1734300000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE work_orders ADD COLUMN held_events integer NOT NULL DEFAULT 0`);
    await q.query(
      `UPDATE work_orders SET held_events = event_count WHERE status = 'awaiting_dispatch'`,
    );
    await q.query(
      `CREATE INDEX work_orders_held_idx ON work_orders (updated_at) WHERE held_events > 0`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX work_orders_held_idx`);
    await q.query(`ALTER TABLE work_orders DROP COLUMN held_events`);
  }
}
