import {
  effectiveWatermark,
  emptyPartitionClock,
  type PartitionClock,
  type WatermarkMode,
  type WatermarkPolicy,
} from '@hotline/core';
import type { QueryRunner } from 'typeorm';
import type { Queryable } from '../statistics/statistics-reads';
import { instantArray, textArray } from '../array-params';
import { scheduleFrom } from '../work-orders/due-schedule';

/**
 * Event-time watermarks, one row per input partition (`consumer_watermarks`): the clock the pure
 * policy (libs/core watermark-policy) computes from — the watermark reached, the window of recent
 * events as `[[occurredMs, receivedMs], …]`, the last chunk's wall clock and whether it ended at
 * the partition's end, and the last confirmation that the partition had been applied to its end
 * (written only by confirmPartitionsRead, so a chunk never overwrites a newer one). Escalations are judged against the effective watermark, so a replay of
 * last year fires exactly what the log implies, however fast it runs.
 */
export interface PartitionWatermark {
  partition: number;
  /** Null for a partition that never received a valid event. */
  at: Date | null;
  mode: WatermarkMode;
}

interface ClockRow {
  topic: string;
  partition: number;
  watermark_at: Date | null;
  recent: [number, number][];
  last_received_at: Date | null;
  caught_up: boolean;
  confirmed_at: Date | null;
}

const CLOCK_COLUMNS = `topic, partition, watermark_at, recent, last_received_at, caught_up, confirmed_at`;

function clockOf(row: ClockRow): PartitionClock {
  return {
    watermarkMs: row.watermark_at?.getTime() ?? null,
    recent: row.recent.map(([occurredMs, receivedMs]) => ({ occurredMs, receivedMs })),
    lastReceivedMs: row.last_received_at?.getTime() ?? null,
    caughtUp: row.caught_up,
    confirmedMs: row.confirmed_at?.getTime() ?? null,
  };
}

/**
 * A partition's clock, locked until the transaction ends (a row is created for a new partition),
 * so two writers of one partition during a rebalance take their turns.
 */
export async function lockPartitionClock(
  runner: QueryRunner,
  topic: string,
  partition: number,
): Promise<PartitionClock> {
  await runner.query(
    `INSERT INTO consumer_watermarks (topic, partition, caught_up) VALUES ($1, $2, false)
     ON CONFLICT (topic, partition) DO NOTHING`,
    [topic, partition],
  );
  const [row] = (await runner.query(
    `SELECT ${CLOCK_COLUMNS} FROM consumer_watermarks
      WHERE topic = $1 AND partition = $2 FOR UPDATE`,
    [topic, partition],
  )) as ClockRow[];
  return row ? clockOf(row) : emptyPartitionClock();
}

export async function savePartitionClock(
  runner: QueryRunner,
  topic: string,
  partition: number,
  clock: PartitionClock,
): Promise<void> {
  await runner.query(
    `INSERT INTO consumer_watermarks (topic, partition, watermark_at, recent, last_received_at, caught_up, updated_at)
     VALUES ($1, $2, $3, $4::jsonb, $5, $6, now())
     ON CONFLICT (topic, partition) DO UPDATE SET
       watermark_at = EXCLUDED.watermark_at,
       recent = EXCLUDED.recent,
       last_received_at = EXCLUDED.last_received_at,
       caught_up = EXCLUDED.caught_up,
       updated_at = now()`,
    [
      topic,
      partition,
      clock.watermarkMs === null ? null : new Date(clock.watermarkMs),
      JSON.stringify(clock.recent.map((e) => [e.occurredMs, e.receivedMs])),
      clock.lastReceivedMs === null ? null : new Date(clock.lastReceivedMs),
      clock.caughtUp,
    ],
  );
}

/**
 * Records that at `at` every message the given partitions then held had been applied (the
 * consumer group's committed offset was at each partition's end). Partitions without a row have
 * never had a message: nothing to record.
 */
export async function confirmPartitionsRead(
  runner: Queryable,
  topic: string,
  partitions: readonly number[],
  at: Date,
): Promise<void> {
  if (partitions.length === 0) return;
  await runner.query(
    `UPDATE consumer_watermarks
        SET confirmed_at = GREATEST(COALESCE(confirmed_at, $3), $3)
      WHERE topic = $1 AND partition = ANY($2::int[])`,
    [topic, partitions, at],
  );
}

/** The effective watermark of each partition of `topic` at wall-clock `now`. */
export async function effectiveWatermarks(
  runner: Queryable,
  topic: string,
  now: Date,
  policy: WatermarkPolicy,
): Promise<Map<number, PartitionWatermark>> {
  const rows = (await runner.query(
    `SELECT ${CLOCK_COLUMNS} FROM consumer_watermarks WHERE topic = $1 ORDER BY partition`,
    [topic],
  )) as ClockRow[];
  return new Map(rows.map((row) => [row.partition, watermarkOf(row, now, policy)]));
}

/**
 * The lowest effective watermark over the partitions of the events topic (month close:
 * supervision has passed an instant once all of them have; a topic no longer read does not hold
 * it back); null when no partition has a watermark.
 */
export async function slowestWatermark(
  runner: Queryable,
  topic: string,
  now: Date,
  policy: WatermarkPolicy,
): Promise<Date | null> {
  let slowest: Date | null = null;
  for (const { at } of (await effectiveWatermarks(runner, topic, now, policy)).values()) {
    if (at && (!slowest || at < slowest)) slowest = at;
  }
  return slowest;
}

function watermarkOf(row: ClockRow, now: Date, policy: WatermarkPolicy): PartitionWatermark {
  const { atMs, mode } = effectiveWatermark(clockOf(row), now.getTime(), policy);
  return { partition: row.partition, at: atMs === null ? null : new Date(atMs), mode };
}

/**
 * Claims up to `limit` orders whose next due instant has passed their partition's effective
 * watermark (an order with no partition recorded waits for the slowest partition), locking them
 * with SKIP LOCKED so that several sweepers share the work without waiting on each other. Each
 * comes with the rule-profile version it is pinned to (read with the lock: no second look-up).
 */
export async function claimDueOrders(
  runner: QueryRunner,
  topic: string,
  now: Date,
  limit: number,
  policy: WatermarkPolicy,
): Promise<
  {
    workOrderId: string;
    partition: number | null;
    watermarkAt: Date;
    pinned: { profileId: string | null; profileVersion: string | null };
  }[]
> {
  const marks = [...(await effectiveWatermarks(runner, topic, now, policy)).values()].flatMap(
    ({ partition, at }) => (at ? [{ partition, at }] : []),
  );
  if (marks.length === 0) return [];
  const partitions = marks.map((m) => m.partition);
  const instants = marks.map((m) => m.at);
  const high = new Date(Math.max(...instants.map((d) => d.getTime())));
  const low = new Date(Math.min(...instants.map((d) => d.getTime())));
  // `next_due_at <= $1` bounds the index range scan; the per-partition test then filters the
  // (few) rows in it. The order row is locked too: ingestion and recompute lock it first.
  const rows = (await runner.query(
    `SELECT w.work_order_id, w.source_partition, w.profile_id, w.profile_version
       FROM work_order_due s
       JOIN work_orders w ON w.work_order_id = s.work_order_id
       LEFT JOIN unnest($4::int[], $5::timestamptz[]) AS m(partition, at) ON m.partition = w.source_partition
      WHERE s.next_due_at <= $1
        AND s.next_due_at <= COALESCE(m.at, $3::timestamptz)
      ORDER BY s.next_due_at
      LIMIT $2
      FOR UPDATE OF s, w SKIP LOCKED`,
    [high, limit, low, partitions, instants],
  )) as {
    work_order_id: string;
    source_partition: number | null;
    profile_id: string | null;
    profile_version: string | null;
  }[];
  // Each row's watermark is one of the instants sent (its partition's, else the lowest): taken
  // from them here rather than read back as text and parsed once per row.
  const byPartition = new Map(marks.map((m) => [m.partition, m.at]));
  return rows.map((r) => ({
    workOrderId: r.work_order_id,
    partition: r.source_partition,
    watermarkAt:
      (r.source_partition === null ? undefined : byPartition.get(r.source_partition)) ?? low,
    pinned: { profileId: r.profile_id, profileVersion: r.profile_version },
  }));
}

/**
 * When a sweep that found no more due work should look again (wall clock): the earliest due
 * instant the most advanced partition's watermark has not reached, plus how far that watermark
 * trails `now` (live: the lateness). Null when no such instant is stored or no partition has a
 * watermark; an order of a slower partition is found by the sweeps that follow anyway.
 */
export async function nextSweepAt(
  runner: Queryable,
  topic: string,
  now: Date,
  policy: WatermarkPolicy,
): Promise<Date | null> {
  let highMs: number | null = null;
  for (const { at } of (await effectiveWatermarks(runner, topic, now, policy)).values()) {
    if (at && (highMs === null || at.getTime() > highMs)) highMs = at.getTime();
  }
  if (highMs === null) return null;
  const [row] = (await runner.query(
    `SELECT min(next_due_at) AS at FROM work_order_due WHERE next_due_at > $1`,
    [new Date(highMs)],
  )) as { at: Date | null }[];
  return row?.at ? new Date(row.at.getTime() + (now.getTime() - highMs)) : null;
}

/** Stores each order's next due instant after a sweep. */
export async function setNextDueAt(
  runner: QueryRunner,
  rows: readonly { workOrderId: string; nextDueAt: Date | null }[],
): Promise<void> {
  if (rows.length === 0) return;
  await runner.query(
    `WITH r AS (SELECT * FROM unnest($1::text[], $2::timestamptz[]) AS r(work_order_id, next_due_at)),
     ${scheduleFrom('r')}
     SELECT count(*) FROM r`,
    [textArray(rows.map((r) => r.workOrderId)), instantArray(rows.map((r) => r.nextDueAt))],
  );
}
