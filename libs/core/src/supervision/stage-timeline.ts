/**
 * A stage's history in event time, rebuilt from its StageDeadline and the event log, so that an
 * escalation is judged as live processing would have judged it at each instant, not from the
 * final deadline alone:
 *
 * - **due intervals**: the deadline (and its warning instant) in force over `[fromMs, toMs)`.
 *   It starts at the computed or overridden deadline and changes where the explanation says it
 *   did: an effective suspension removes it until the resumption, which pushes it by the paused
 *   time on the stage's clock; an applied extension moves it at the approval. So a warning that
 *   fired before an extension keeps its instant, and the overdue fires at the new deadline.
 * - **pending windows**: `[fromMs, toMs)` in which the stage was open. `replied` closes the
 *   completion stage and `reply_rejected` (审核退回) opens it again; acceptance closes at
 *   `accepted`, `replied` or `reopened`; `returned`, `closed`, a re-dispatch (and, for completion,
 *   `reopened`) end the stage for good.
 *
 * Intervals are half-open: a stage done at an instant is no longer open at that instant, so a
 * stage done at its due instant (or its warning instant) never escalates.
 */
import type { WorkingCalendar } from '../calendar/working-calendar';
import type { DeadlineResult, StageDeadline } from '../deadlines/deadline-result';
import { elapsedOnClockMs, pushOnClock } from '../deadlines/stage-clock';
import type { TimedEvent } from '../deadlines/timed-events';

const MINUTE_MS = 60_000;
const WORKING_DAY_MINUTES = 1440;

export interface DueInterval {
  fromMs: number;
  /** Exclusive; Infinity for the interval still in force. */
  toMs: number;
  /** Null while the clock is paused. */
  dueMs: number | null;
  warningMs: number | null;
  /** The event that put this deadline in force (a suspension, resumption or extension); null
   * for the first interval. */
  changedByEventId: string | null;
}

export const WINDOW_CLOSERS = [
  'accepted',
  'replied',
  'reopened',
  'returned',
  'closed',
  'redispatched',
] as const;
export type WindowCloser = (typeof WINDOW_CLOSERS)[number];

export interface PendingWindow {
  fromMs: number;
  /** Exclusive; Infinity while the stage is still open. */
  toMs: number;
  closedBy: WindowCloser | null;
  closedByEventId: string | null;
}

export interface StageTimeline {
  stage: StageDeadline;
  dueIntervals: DueInterval[];
  windows: PendingWindow[];
}

/** A trigger found on a timeline: `firedMs` is the due (or warning) instant, `detectedMs` when
 * the log first shows the stage open past it (later than `firedMs` only after a 审核退回 or a
 * late-arriving change); `window` is the open window it fired in. */
export interface Detection {
  firedMs: number;
  detectedMs: number;
  dueMs: number;
  window: PendingWindow;
}

/**
 * The warning lead on the stage's clock: min(fraction × limit, cap). Taken from the stage's own
 * explanation; while it is paused that carries no warning, so the profile's fraction and cap are
 * read from another stage of the same result (they are profile-wide).
 */
function warningLeadMs(stage: StageDeadline, deadlines: DeadlineResult): number | null {
  const own = stage.explanation.warning;
  if (own !== null) return Math.round(own.leftMinutes * MINUTE_MS);
  const other = [deadlines.accept, deadlines.complete, ...deadlines.earlier].find(
    (candidate) => candidate?.explanation.warning,
  )?.explanation.warning;
  if (other === undefined || other === null) return null;
  const leftMinutes = Math.min(
    other.fraction * stage.explanation.limit.minutes,
    other.capWorkingDays * WORKING_DAY_MINUTES,
  );
  return Math.round(leftMinutes * MINUTE_MS);
}

/** stage-clock's warningInstant for a given deadline (same clamping: never before the start). */
function warningFor(
  calendar: WorkingCalendar,
  stage: StageDeadline,
  dueMs: number,
  leadMs: number,
): number {
  const clock = stage.explanation.clock;
  const startMs = stage.startAt.getTime();
  const due = new Date(dueMs);
  if (elapsedOnClockMs(calendar, clock, stage.startAt, due) <= leadMs) {
    return Math.min(startMs, dueMs);
  }
  const atMs =
    clock === 'natural' ? dueMs - leadMs : calendar.workingInstantBeforeMs(due, leadMs).getTime();
  return Math.max(atMs, startMs);
}

type DueChange = { atMs: number; eventId: string } & (
  | { rank: 0; kind: 'resume'; pausedMs: number }
  | { rank: 1; kind: 'extend'; dueMs: number }
  | { rank: 2; kind: 'pause' }
);

function dueIntervals(
  calendar: WorkingCalendar,
  stage: StageDeadline,
  deadlines: DeadlineResult,
): DueInterval[] {
  const explanation = stage.explanation;
  const leadMs = warningLeadMs(stage, deadlines);
  const changes: DueChange[] = [];
  for (const pause of explanation.pauses) {
    if (!pause.effective) continue;
    const eventId = pause.suspendedEventId;
    changes.push({ atMs: pause.fromAt.getTime(), eventId, rank: 2, kind: 'pause' });
    if (pause.toAt !== null) {
      const pausedMs = Math.max(
        0,
        elapsedOnClockMs(calendar, explanation.clock, pause.fromAt, pause.toAt),
      );
      changes.push({ atMs: pause.toAt.getTime(), eventId, rank: 0, kind: 'resume', pausedMs });
    }
  }
  for (const extension of explanation.extensions) {
    const applied = extension.result === 'applied' || extension.result === 'capped';
    if (extension.event !== 'extension_approved' || !applied || extension.dueAfterAt === null) {
      continue;
    }
    changes.push({
      atMs: extension.at.getTime(),
      eventId: extension.eventId,
      rank: 1,
      kind: 'extend',
      dueMs: extension.dueAfterAt.getTime(),
    });
  }
  changes.sort((a, b) => a.atMs - b.atMs || a.rank - b.rank);

  const interval = (
    fromMs: number,
    toMs: number,
    dueMs: number | null,
    changedByEventId: string | null,
  ): DueInterval => ({
    fromMs,
    toMs,
    dueMs,
    warningMs:
      dueMs === null || leadMs === null ? null : warningFor(calendar, stage, dueMs, leadMs),
    changedByEventId,
  });
  const intervals: DueInterval[] = [];
  // The deadline not counting an open pause, as computeDeadlines keeps it.
  let baseDueMs = (explanation.override?.dueAt ?? explanation.computedDueAt).getTime();
  let paused = false;
  let fromMs = stage.startAt.getTime();
  let changedBy: string | null = null;
  for (const change of changes) {
    if (change.atMs > fromMs) {
      intervals.push(interval(fromMs, change.atMs, paused ? null : baseDueMs, changedBy));
      fromMs = change.atMs;
    }
    changedBy = change.eventId;
    switch (change.kind) {
      case 'pause':
        paused = true;
        break;
      case 'resume':
        baseDueMs = pushOnClock(
          calendar,
          explanation.clock,
          new Date(baseDueMs),
          change.pausedMs,
        ).getTime();
        paused = false;
        break;
      case 'extend':
        baseDueMs = change.dueMs;
        break;
    }
  }
  // The interval in force now is exactly what computeDeadlines reports.
  intervals.push(
    stage.dueAt === null
      ? { fromMs, toMs: Infinity, dueMs: null, warningMs: null, changedByEventId: changedBy }
      : {
          fromMs,
          toMs: Infinity,
          dueMs: stage.dueAt.getTime(),
          warningMs: stage.warningAt?.getTime() ?? null,
          changedByEventId: changedBy,
        },
  );
  return intervals;
}

function pendingWindows(stage: StageDeadline, timed: readonly TimedEvent[]): PendingWindow[] {
  const startIndex = timed.findIndex(
    ({ event }) => event.eventId === stage.explanation.start.eventId,
  );
  if (startIndex < 0) return [];
  const windows: PendingWindow[] = [];
  let openFromMs: number | null = stage.startAt.getTime();
  const close = (atMs: number, closedBy: WindowCloser, eventId: string): void => {
    if (openFromMs === null) return;
    windows.push({ fromMs: openFromMs, toMs: atMs, closedBy, closedByEventId: eventId });
    openFromMs = null;
  };
  scan: for (const { event, atMs } of timed.slice(startIndex + 1)) {
    switch (event.type) {
      case 'dispatched':
        close(atMs, 'redispatched', event.eventId);
        break scan;
      case 'returned':
      case 'closed':
        close(atMs, event.type, event.eventId);
        break scan;
      case 'reopened':
        // Acceptance is done at a reopening; the completion stage is superseded by the new round.
        close(atMs, 'reopened', event.eventId);
        break scan;
      case 'accepted':
        if (stage.stage === 'accept') {
          close(atMs, 'accepted', event.eventId);
          break scan;
        }
        break;
      case 'replied':
        close(atMs, 'replied', event.eventId);
        if (stage.stage === 'accept') break scan;
        break;
      case 'reply_rejected':
        if (stage.stage === 'complete' && openFromMs === null) openFromMs = atMs;
        break;
      case 'return_requested':
      case 'return_rejected':
      case 'extension_requested':
      case 'extension_approved':
      case 'extension_rejected':
      case 'suspended':
      case 'resumed':
      case 'callback':
      case 'verified':
      case 'excluded':
      case 'flagged':
        break;
    }
  }
  if (openFromMs !== null) {
    windows.push({ fromMs: openFromMs, toMs: Infinity, closedBy: null, closedByEventId: null });
  }
  return windows;
}

export function stageTimeline(
  calendar: WorkingCalendar,
  stage: StageDeadline,
  deadlines: DeadlineResult,
  timed: readonly TimedEvent[],
): StageTimeline {
  return {
    stage,
    dueIntervals: dueIntervals(calendar, stage, deadlines),
    windows: pendingWindows(stage, timed),
  };
}

/**
 * The first instant the stage is open past its warning (or due) instant: the earliest (interval,
 * window) pair where `max(instant, interval start, window start) < min(interval end, window end)`.
 */
export function detect(timeline: StageTimeline, trigger: 'warning' | 'due'): Detection | null {
  for (const interval of timeline.dueIntervals) {
    const firedMs = trigger === 'due' ? interval.dueMs : interval.warningMs;
    if (firedMs === null || interval.dueMs === null) continue;
    for (const window of timeline.windows) {
      const detectedMs = Math.max(firedMs, interval.fromMs, window.fromMs);
      if (detectedMs < Math.min(interval.toMs, window.toMs)) {
        return { firedMs, detectedMs, dueMs: interval.dueMs, window };
      }
    }
  }
  return null;
}
