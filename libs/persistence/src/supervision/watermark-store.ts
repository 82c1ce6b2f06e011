import type { QueryRunner } from 'typeorm';

/**
 * Event-time watermarks, one per input partition. While a partition is catching up its watermark
 * is the latest event time applied from it; once caught up, the wall clock takes over (the
 * effective watermark is then max(now, watermark_at)). Escalations are judged against it, so a
 * replay of last year fires exactly what the log implies, however fast it runs.
 */
export interface PartitionWatermark {
  topic: string;
  partition: number;
  watermarkAt: Date;
  caughtUp: boolean;
}

/**
 * Moves a partition's watermark forward (never back) and records whether it has caught up. A
 * partition that falls behind again (a burst) keeps the wall clock it had reached, so its
 * effective watermark never moves backwards.
 */
export async function advanceWatermark(
  runner: QueryRunner,
  mark: PartitionWatermark,
  now: Date,
): Promise<void> {
  await runner.query(
    `INSERT INTO consumer_watermarks (topic, partition, watermark_at, caught_up, updated_at)
     VALUES ($1, $2, $3, $4, now())
     ON CONFLICT (topic, partition) DO UPDATE SET
       watermark_at = GREATEST(
         consumer_watermarks.watermark_at,
         EXCLUDED.watermark_at,
         CASE WHEN consumer_watermarks.caught_up AND NOT EXCLUDED.caught_up THEN $5::timestamptz END),
       caught_up = EXCLUDED.caught_up,
       updated_at = now()`,
    [mark.topic, mark.partition, mark.watermarkAt, mark.caughtUp, now],
  );
}

/** The effective watermark of each partition of `topic` at wall-clock `now`. */
export async function effectiveWatermarks(
  runner: QueryRunner,
  topic: string,
  now: Date,
): Promise<Map<number, Date>> {
  const rows = (await runner.query(
    `SELECT partition, CASE WHEN caught_up THEN GREATEST(watermark_at, $2) ELSE watermark_at END AS at
       FROM consumer_watermarks WHERE topic = $1`,
    [topic, now],
  )) as { partition: number; at: Date }[];
  return new Map(rows.map((r) => [r.partition, r.at]));
}

/**
 * Claims up to `limit` orders whose next due instant has passed their partition's effective
 * watermark (an order with no partition recorded waits for the slowest partition), locking them
 * with SKIP LOCKED so that several sweepers share the work without waiting on each other.
 */
export async function claimDueOrders(
  runner: QueryRunner,
  topic: string,
  now: Date,
  limit: number,
): Promise<{ workOrderId: string; partition: number | null; watermarkAt: Date }[]> {
  const marks = await effectiveWatermarks(runner, topic, now);
  if (marks.size === 0) return [];
  const partitions = [...marks.keys()];
  const instants = [...marks.values()];
  const high = new Date(Math.max(...instants.map((d) => d.getTime())));
  const low = new Date(Math.min(...instants.map((d) => d.getTime())));
  // `next_due_at <= $1` bounds the partial-index range scan; the per-partition test then filters
  // the (few) rows in it.
  const rows = (await runner.query(
    `SELECT w.work_order_id, w.source_partition,
            COALESCE(m.at, $3::timestamptz) AS watermark_at
       FROM work_orders w
       LEFT JOIN unnest($4::int[], $5::timestamptz[]) AS m(partition, at) ON m.partition = w.source_partition
      WHERE w.next_due_at IS NOT NULL
        AND w.next_due_at <= $1
        AND w.next_due_at <= COALESCE(m.at, $3::timestamptz)
      ORDER BY w.next_due_at
      LIMIT $2
      FOR UPDATE OF w SKIP LOCKED`,
    [high, limit, low, partitions, instants],
  )) as { work_order_id: string; source_partition: number | null; watermark_at: Date }[];
  return rows.map((r) => ({
    workOrderId: r.work_order_id,
    partition: r.source_partition,
    watermarkAt: r.watermark_at,
  }));
}

/** Stores each order's next due instant after a sweep. */
export async function setNextDueAt(
  runner: QueryRunner,
  rows: readonly { workOrderId: string; nextDueAt: Date | null }[],
): Promise<void> {
  if (rows.length === 0) return;
  await runner.query(
    `UPDATE work_orders w SET next_due_at = r.next_due_at
       FROM jsonb_to_recordset($1::jsonb) AS r(work_order_id text, next_due_at timestamptz)
      WHERE w.work_order_id = r.work_order_id`,
    [JSON.stringify(rows.map((r) => ({ work_order_id: r.workOrderId, next_due_at: r.nextDueAt })))],
  );
}
