import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Overdue-and-open at an instant (期末超期未办结, `overdueOpenCounts`) without a scan of
 * `work_orders`: three partial indexes, one per case of an order that counts, each holding only
 * the orders that case can find.
 *
 * - `work_orders_pending_due_idx`: open orders with a stage not done, keyed on the earliest
 *   deadline of those stages. The live month's overdue orders are a range `< now` of it, tens of
 *   thousands of rows at ten million orders: it carries the columns the count reads, so they are
 *   counted without visiting the table (but for returned orders, found by the key's `status`,
 *   whose state is read).
 * - `work_orders_open_done_late_idx`: open orders accepted or replied after the deadline, keyed on
 *   the later of the two instants (an instant before that work finds them as `>= at`).
 * - `work_orders_closed_late_idx`: closed orders that were overdue at some instant before they
 *   closed, keyed on the close (a past month's end finds those closed after it as `>= at`).
 *
 * The write cost is small because the predicates leave most rows' events out: an order is in the
 * first index only until it is replied or closed, in the second only while it is open after a
 * late acceptance or reply, in the third only once it is closed, and only if it ran late. The
 * keys are instants set once per stage, not columns every event changes. The read's spelling of
 * the predicates and the first key must stay the same as here (statistics-reads.ts).
 */
export class OverdueIndexes1733800000000 implements MigrationInterface {
  name = 'OverdueIndexes1733800000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE INDEX work_orders_pending_due_idx ON work_orders
        ((least(CASE WHEN accepted_at IS NULL THEN accept_due_at END,
                CASE WHEN replied_at IS NULL THEN complete_due_at END)), status)
        INCLUDE (unit_id, category, received_at, excluded, accept_due_at, accepted_at,
                 complete_due_at, replied_at)
        WHERE closed_at IS NULL AND (accepted_at IS NULL OR replied_at IS NULL)`);
    await q.query(`
      CREATE INDEX work_orders_open_done_late_idx ON work_orders ((greatest(accepted_at, replied_at)))
        WHERE closed_at IS NULL AND (accepted_at > accept_due_at OR replied_at > complete_due_at)`);
    await q.query(`
      CREATE INDEX work_orders_closed_late_idx ON work_orders (closed_at)
        WHERE closed_at IS NOT NULL
          AND ((accept_due_at < closed_at AND (accepted_at IS NULL OR accepted_at > accept_due_at))
            OR (complete_due_at < closed_at AND (replied_at IS NULL OR replied_at > complete_due_at)))`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX work_orders_closed_late_idx`);
    await q.query(`DROP INDEX work_orders_open_done_late_idx`);
    await q.query(`DROP INDEX work_orders_pending_due_idx`);
  }
}
