import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * An order's events dated before its first `dispatched` are held: logged, not folded, and
 * dead-lettered after a grace period unless a `dispatched` dated before them arrives (they used to
 * be refused on arrival, which made the verdict depend on which events had arrived first). The
 * row counts them, and the grace check finds the quiet orders that hold any through a partial
 * index. `event_count` now counts the folded events only.
 *
 * Rows written before folded their early events and counted them. They are marked so that the
 * next write passes the stale-writer guard (`event_count` may only grow) and the grace check
 * re-folds them: an order never dispatched holds every event; a dispatched order is counted as
 * holding its events (not dispatches, not flags: what the fold keeps, as of this migration) dated
 * at or before its first dispatch. An equal instant may be over-counted; the grace check's re-fold
 * holds exactly what the fold holds and writes the row again.
 */
export class HeldEvents1734300000000 implements MigrationInterface {
  name = 'HeldEvents1734300000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE work_orders ADD COLUMN held_events integer NOT NULL DEFAULT 0`);
    await q.query(
      `UPDATE work_orders SET held_events = event_count, event_count = 0 WHERE segment = 0`,
    );
    await q.query(
      `WITH first_dispatch AS (
         SELECT work_order_id, min(occurred_at) AS at FROM work_order_events
          WHERE type = 'dispatched' GROUP BY work_order_id),
       early AS (
         SELECT e.work_order_id, count(*)::int AS n
           FROM work_order_events e JOIN first_dispatch d USING (work_order_id)
          WHERE e.type NOT IN ('dispatched', 'flagged') AND e.occurred_at <= d.at
          GROUP BY e.work_order_id)
       UPDATE work_orders w
          SET held_events = early.n, event_count = greatest(w.event_count - early.n, 0)
         FROM early
        WHERE w.work_order_id = early.work_order_id AND w.segment > 0`,
    );
    await q.query(
      `CREATE INDEX work_orders_held_idx ON work_orders (updated_at) WHERE held_events > 0`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX work_orders_held_idx`);
    await q.query(`UPDATE work_orders SET event_count = event_count + held_events`);
    await q.query(`ALTER TABLE work_orders DROP COLUMN held_events`);
  }
}
