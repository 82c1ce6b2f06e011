/**
 * A partition's event-time watermark: the instant up to which supervision judges the orders read
 * from it. It moves only on evidence of what time it is for that partition:
 *
 * - **Event time.** The watermark is the median `occurredAt` of the partition's last
 *   `windowEvents` valid events, less `latenessMs`, never after the time they were received. The
 *   median of a window, not the latest event: a handful of events far ahead of their neighbours
 *   (an order retried late, an export sorted by order rather than by time) cannot move it.
 * - **Live.** When the median delay between an event happening and its receipt is within
 *   `liveWithinMs`, the events being read are happening now and the wall clock drives the
 *   watermark (`now − latenessMs`), also through a quiet night with no messages at all. The
 *   receive time decides this, not the Kafka message timestamp: a worker catching up after an
 *   outage reads messages produced hours ago and is not live until it has caught up.
 * - **Idle.** A partition confirmed to be fully read (the group's committed offset at the
 *   partition's end) `idleAfterMs` after its last chunk has nothing older on its way: the wall
 *   clock takes over. Touching the end of the partition alone proves nothing — a backfill
 *   produced while the worker reads it touches it again and again — so the backlog's own events
 *   keep it on event time until it ends.
 * - **Only as far as it was read.** The wall clock drives a partition only up to the last instant
 *   the worker is known to have read it to its end: its last chunk, or the last confirmation
 *   (`confirmedMs`, taken every few seconds by the worker). A partition nobody reads — the worker
 *   is down, stuck, or busy with other partitions while messages wait — stops where it was read,
 *   so a restart after an outage does not judge the backlog at the wall clock.
 * - **None.** A partition that never received a valid event has no watermark (null), and never
 *   switches to the wall clock: it has no orders to judge.
 *
 * The watermark never moves back: escalations already decided against it stand, so each chunk
 * first records the effective watermark it had reached (a live partition that falls behind a
 * burst keeps the wall-clock instant it had) and only then takes the window's evidence.
 *
 * Pure: the wall clock comes in as `receivedMs` and `nowMs`. With a clock that does not go back
 * (each `nowMs` at or after the `receivedMs` of every chunk observed) the effective watermark
 * never exceeds `nowMs` and never decreases.
 */

export interface WatermarkPolicy {
  /** How far the watermark trails the event time (or the wall clock): events slightly out of order. */
  latenessMs: number;
  /** How many of a partition's latest valid events its event time is the median of. */
  windowEvents: number;
  /** A partition whose events arrive, in the median, within this long of happening is live. */
  liveWithinMs: number;
  /** A partition confirmed fully read this long after its last chunk is idle. */
  idleAfterMs: number;
}

export const DEFAULT_WATERMARK_POLICY: Readonly<WatermarkPolicy> = Object.freeze({
  latenessMs: 60_000,
  windowEvents: 100,
  liveWithinMs: 600_000,
  idleAfterMs: 300_000,
});

export const WATERMARK_MODES = ['none', 'event_time', 'live', 'idle'] as const;
export type WatermarkMode = (typeof WATERMARK_MODES)[number];

/** One valid event of the window: when it happened and when the worker read it. */
export interface ObservedEvent {
  occurredMs: number;
  receivedMs: number;
}

/** What a partition's watermark is computed from: stored per partition between chunks. */
export interface PartitionClock {
  /** The watermark reached: never moves back; null before the partition's first valid event. */
  watermarkMs: number | null;
  /** The last `windowEvents` valid events, in arrival order. */
  recent: ObservedEvent[];
  /** Wall clock at which the last chunk with a new valid event was read. */
  lastReceivedMs: number | null;
  /** The last chunk read (with or without a new valid event) ended at the partition's end. */
  caughtUp: boolean;
  /**
   * The latest wall-clock instant at which every message the partition then held was known to be
   * applied (the consumer group's committed offset at the partition's end); null before any.
   */
  confirmedMs: number | null;
}

/** One chunk read from a partition: its valid events' `occurredAt` in arrival order. */
export interface ChunkObservation {
  occurredMs: readonly number[];
  receivedMs: number;
  caughtUp: boolean;
}

export interface EffectiveWatermark {
  atMs: number | null;
  mode: WatermarkMode;
}

export function emptyPartitionClock(): PartitionClock {
  return {
    watermarkMs: null,
    recent: [],
    lastReceivedMs: null,
    caughtUp: false,
    confirmedMs: null,
  };
}

/**
 * The partition's clock after a chunk: its new valid events join the window, the watermark moves
 * forward. A chunk without one (all rejected, all duplicates) is no evidence of time: it records
 * only whether the partition was read to its end (keeping the watermark it had reached), so a careless upstream re-sending old or broken
 * messages neither keeps the partition from going idle nor makes it look behind.
 */
export function observeChunk(
  clock: PartitionClock,
  chunk: ChunkObservation,
  policy: WatermarkPolicy,
): PartitionClock {
  if (chunk.occurredMs.length === 0) {
    // What was reached stays reached: a chunk that stops short of the end withdraws the proof
    // of a read to the end that the wall clock stood on, not the instant already judged.
    const reached = effectiveWatermark(clock, chunk.receivedMs, policy).atMs;
    return { ...clock, watermarkMs: latest(clock.watermarkMs, reached), caughtUp: chunk.caughtUp };
  }
  // A mode change (live → event time when a burst arrives) never moves the watermark back.
  const reached = effectiveWatermark(clock, chunk.receivedMs, policy).atMs;
  const arrived = chunk.occurredMs.map((occurredMs) => ({
    occurredMs,
    receivedMs: chunk.receivedMs,
  }));
  const all = [...clock.recent, ...arrived];
  const recent = all.slice(Math.max(0, all.length - Math.max(1, policy.windowEvents)));
  const candidate =
    recent.length === 0
      ? null
      : Math.min(
          lowerMedian(recent.map((e) => e.occurredMs)) - policy.latenessMs,
          chunk.receivedMs,
        );
  return {
    watermarkMs: latest(clock.watermarkMs, reached, candidate),
    recent,
    lastReceivedMs: chunk.receivedMs,
    caughtUp: chunk.caughtUp,
    confirmedMs: clock.confirmedMs,
  };
}

/** The clock after a confirmation that the partition was fully read at `confirmedMs`. */
export function confirmRead(clock: PartitionClock, confirmedMs: number): PartitionClock {
  return { ...clock, confirmedMs: latest(clock.confirmedMs, confirmedMs) };
}

/** The instant the partition's orders are judged against at wall-clock `nowMs`, and why. */
export function effectiveWatermark(
  clock: PartitionClock,
  nowMs: number,
  policy: WatermarkPolicy,
): EffectiveWatermark {
  const { watermarkMs, confirmedMs } = clock;
  // The last chunk proves the partition read to its end only when it reached the end.
  const lastReceivedMs = clock.caughtUp ? clock.lastReceivedMs : null;
  if (watermarkMs === null) return { atMs: null, mode: 'none' };
  // The wall clock, as far as the partition is known to have been read.
  const wallClock = (readMs: number | null) =>
    readMs === null
      ? watermarkMs
      : Math.max(watermarkMs, Math.min(nowMs, readMs) - policy.latenessMs);
  if (clock.recent.length > 0 && medianDelayMs(clock.recent) <= policy.liveWithinMs) {
    return { atMs: wallClock(latest(lastReceivedMs, confirmedMs)), mode: 'live' };
  }
  if (
    clock.lastReceivedMs !== null &&
    confirmedMs !== null &&
    confirmedMs - clock.lastReceivedMs >= policy.idleAfterMs
  ) {
    return { atMs: wallClock(confirmedMs), mode: 'idle' };
  }
  return { atMs: watermarkMs, mode: 'event_time' };
}

/** Of two middle values, the longer delay: a window half live, half backlog is not live. */
function medianDelayMs(recent: readonly ObservedEvent[]): number {
  const delays = recent.map((e) => e.receivedMs - e.occurredMs).sort((a, b) => a - b);
  return delays[Math.floor(delays.length / 2)] as number;
}

/** Of two middle values, the earlier: the watermark errs on the side of waiting. */
function lowerMedian(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor((sorted.length - 1) / 2)] as number;
}

function latest(...instants: (number | null)[]): number | null {
  let result: number | null = null;
  for (const instant of instants) {
    if (instant !== null && (result === null || instant > result)) result = instant;
  }
  return result;
}
