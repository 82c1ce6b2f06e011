/**
 * When a stage's warning or overdue fires, read off the stage's timeline (its due intervals and
 * pending windows, recorded by the same fold that computed its deadline: computeDeadlines). So an
 * escalation is judged as live processing would have judged it at each instant, not from the
 * final deadline alone: a warning that fired before an extension keeps its instant, and the
 * overdue fires at the new deadline.
 *
 * Intervals are half-open: a stage done at an instant is no longer open at that instant, so a
 * stage done at its due instant (or its warning instant) never escalates.
 */
import type { PendingWindow, StageTimeline } from '../deadlines/deadline-result';

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
 * The first instant the stage is open past its warning (or due) instant: the earliest (interval,
 * window) pair where `max(instant, interval start, window start) < min(interval end, window end)`.
 */
export function detect(
  stage: { timeline: StageTimeline },
  trigger: 'warning' | 'due',
): Detection | null {
  const { dueIntervals, windows } = stage.timeline;
  for (const interval of dueIntervals) {
    const firedMs = trigger === 'due' ? interval.dueMs : interval.warningMs;
    if (firedMs === null || interval.dueMs === null) continue;
    for (const window of windows) {
      const detectedMs = Math.max(firedMs, interval.fromMs, window.fromMs);
      if (detectedMs < Math.min(interval.toMs, window.toMs)) {
        return { firedMs, detectedMs, dueMs: interval.dueMs, window };
      }
    }
  }
  return null;
}
