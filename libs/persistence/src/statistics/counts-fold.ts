import type { Queryable } from './statistics-reads';

/**
 * Moves the committed changes of the counts statistics read (escalations per day, overdue orders
 * settled per day and in total; migrations 1733900000000 and 1734000000000) into the counts.
 * Reads give the same figures before and after: they add the changes not yet folded. Safe to run
 * from any number of processes at once. Returns how many changes it moved.
 */
export async function foldStatisticsCounts(q: Queryable): Promise<number> {
  const [row] = (await q.query(
    `SELECT escalation_counts_fold() + overdue_pending_fold() AS moved`,
  )) as { moved: string }[];
  return Number(row?.moved ?? 0);
}
