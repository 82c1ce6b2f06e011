/**
 * A rule's clock applied to one stage: the deadline from a start instant, elapsed time between two
 * instants, pushing a deadline by paused time, and the warning instant. Natural clocks are plain
 * elapsed time; working clocks use the calendar's rolling arithmetic (next_day only decides the
 * initial deadline: later pushes by paused or extended time are working time, rolling).
 */
import type { WorkingCalendar } from '../calendar/working-calendar';
import {
  ruleLimitMinutes,
  type ClockKind,
  type HandlingRule,
  type RuleProfile,
} from '../rules/rule-profile';

const MINUTE_MS = 60_000;
const WORKING_DAY_MINUTES = 1440;

/** The deadline the rule gives for a stage started at `start`. */
export function dueFromRule(calendar: WorkingCalendar, rule: HandlingRule, start: Date): Date {
  const limitMs = ruleLimitMinutes(rule) * MINUTE_MS;
  if (rule.clock === 'natural') return calendar.addNaturalMs(start, limitMs);
  if (rule.convention === 'next_day') return calendar.addWorkingNextDay(start, rule.limit.value);
  return calendar.addWorkingRollingMs(start, limitMs);
}

/** Time in `[from, to)` on the clock: working time for a working clock, elapsed time otherwise. */
export function elapsedOnClockMs(
  calendar: WorkingCalendar,
  clock: ClockKind,
  from: Date,
  to: Date,
): number {
  return clock === 'natural' ? to.getTime() - from.getTime() : calendar.workingMsBetween(from, to);
}

/** `due` pushed later by `ms` of time on the clock (a pause, measured on the same clock). */
export function pushOnClock(
  calendar: WorkingCalendar,
  clock: ClockKind,
  due: Date,
  ms: number,
): Date {
  return clock === 'natural'
    ? calendar.addNaturalMs(due, ms)
    : calendar.addWorkingRollingMs(due, ms);
}

/**
 * The first instant the clock counts for a stage started at `start`: the start itself on a natural
 * clock or a working day; 00:00 of the next working day otherwise (rolling); 00:00 of the first
 * working day after the start's day (next_day).
 */
export function countingFrom(calendar: WorkingCalendar, rule: HandlingRule, start: Date): Date {
  if (rule.clock === 'natural') return start;
  return rule.convention === 'rolling'
    ? calendar.firstWorkingInstantFrom(start)
    : calendar.nextWorkingDayStartAfter(start);
}

/**
 * domain.md §4: warn when the time left on the stage's own clock is ≤ fraction × the rule's limit,
 * the lead capped at `capWorkingDays` (1440 minutes per day: working minutes on a working clock,
 * plain minutes on a natural one). 7 working days → 1 working day before; 3 → 18 working hours;
 * 24 hours → 6 hours. Never before the stage started, never after the deadline.
 */
export function warningInstant(
  calendar: WorkingCalendar,
  rule: HandlingRule,
  warning: RuleProfile['warning'],
  start: Date,
  due: Date,
): { at: Date; leftMinutes: number } {
  const leftMinutes = Math.min(
    warning.fraction * ruleLimitMinutes(rule),
    warning.capWorkingDays * WORKING_DAY_MINUTES,
  );
  const leftMs = Math.round(leftMinutes * MINUTE_MS);
  if (elapsedOnClockMs(calendar, rule.clock, start, due) <= leftMs) {
    // Already within the warning lead at the start (or an override due before the start).
    return { at: start.getTime() <= due.getTime() ? start : due, leftMinutes };
  }
  const at =
    rule.clock === 'natural'
      ? new Date(due.getTime() - leftMs)
      : calendar.workingInstantBeforeMs(due, leftMs);
  return { at: at.getTime() < start.getTime() ? start : at, leftMinutes };
}
