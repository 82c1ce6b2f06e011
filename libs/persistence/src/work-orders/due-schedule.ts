/**
 * The sweep's schedule, `work_order_due` (migration 1734100000000): a row per order with a next
 * due instant, none for an order without. Written in the statement that decides the instants.
 */

/**
 * Common table expressions that make `work_order_due` agree with `source`, a row set of
 * `(work_order_id, next_due_at)` named earlier in the same WITH: a null instant removes the
 * order's row, any other sets it. Rows are written in id order, as every writer locks them.
 */
export function scheduleFrom(source: string): string {
  return `cleared AS (
     DELETE FROM work_order_due s USING ${source} x
      WHERE s.work_order_id = x.work_order_id AND x.next_due_at IS NULL),
   scheduled AS (
     INSERT INTO work_order_due AS s (work_order_id, next_due_at)
     SELECT x.work_order_id, x.next_due_at FROM ${source} x
      WHERE x.next_due_at IS NOT NULL ORDER BY x.work_order_id
     ON CONFLICT (work_order_id) DO UPDATE SET next_due_at = EXCLUDED.next_due_at)`;
}
