/**
 * What computeDeadlines returns: each stage's deadline, its outcome, the instants at which the
 * supervision sweep must look at the order again, and for every deadline an explanation a
 * supervisor can check by hand. Instants are Dates (format them with formatInstant).
 *
 * A stage's allowed time is the half-open interval `[startAt, dueAt)`; a stage done at `dueAt`
 * or earlier is on time (the brief's `doneAt <= dueAt`), and it is overdue from `dueAt` on.
 */
import type { Category, Urgency } from '../events/work-order-event';
import type { DayKind, DaySpan } from '../calendar/working-calendar';
import type { CalendarErrorCode } from '../calendar/calendar-errors';
import type {
  ClockConvention,
  ClockKind,
  LimitUnit,
  RuleMatch,
  RuleStage,
} from '../rules/rule-profile';

export const STAGE_OUTCOMES = ['pending', 'on_time', 'late', 'ended'] as const;
/**
 * `pending`: open; `on_time` / `late`: done at or before / after its due instant; `ended`: the
 * stage stopped without being done (returned, re-dispatched, closed, superseded by a rework
 * round). Compare `endedAt` with `dueAt` to see whether it had run out while the unit held it.
 */
export type StageOutcome = (typeof STAGE_OUTCOMES)[number];

export const STAGE_END_REASONS = ['returned', 'redispatched', 'closed', 'reopened'] as const;
export type StageEndReason = (typeof STAGE_END_REASONS)[number];

export const DUE_INSTANT_KINDS = [
  'accept_warning',
  'accept_overdue',
  'complete_warning',
  'complete_overdue',
] as const;
export type DueInstantKind = (typeof DUE_INSTANT_KINDS)[number];

export const DEADLINE_FLAGS = [
  /** Events but no `dispatched` yet: no clock runs. */
  'awaiting_dispatch',
  /** Events before the first `dispatched` were ignored for deadlines. */
  'events_before_dispatch',
  'accept_deadline_overridden',
  'complete_deadline_overridden',
  /** An extension approval beyond the approval cap, or with no working days left: not applied. */
  'extension_refused_over_cap',
  /** An approval partly applied: the total would have exceeded the working-day cap. */
  'extension_capped',
  /** An approval that changed nothing (`until` not after the deadline, or the stage had ended). */
  'extension_without_effect',
  /** The completion clock is paused now (suspended, not resumed). */
  'suspended',
  /** A suspension that began at or after the deadline: the clock had already run out. */
  'suspension_after_deadline',
  'return_requested_late',
  'redispatched',
  'reworked',
  /** A deadline depends on provisional days (the year's notice not imported): see `provisional`. */
  'provisional_calendar',
  /** A stage could not be computed (a day outside the calendar): see `unavailable`. */
  'deadline_unavailable',
] as const;
export type DeadlineFlag = (typeof DEADLINE_FLAGS)[number];

export interface DueInstant {
  kind: DueInstantKind;
  at: Date;
  /** Responsibility segment (1 = first dispatch) and rework round: together they name the stage. */
  segment: number;
  round: number;
  unitId: string;
}

export interface SkippedDay {
  dayOn: string;
  kind: Extract<DayKind, 'weekend' | 'holiday'>;
  /** The holiday's name from the notice, null for an ordinary weekend. */
  name: string | null;
}

export interface MakeUpWorkday {
  dayOn: string;
  /** The holiday the make-up day belongs to (调休上班 for 春节 …). */
  name: string | null;
}

export const PAUSE_END_REASONS = [
  'resumed',
  'replied',
  'returned',
  'closed',
  'redispatched',
  'reopened',
] as const;
export type PauseEndReason = (typeof PAUSE_END_REASONS)[number];

export interface PauseRecord {
  suspendedEventId: string;
  fromAt: Date;
  /** Null while the suspension is still open. */
  toAt: Date | null;
  endedBy: PauseEndReason | null;
  reason: string;
  /** Paused time measured on the rule's clock (working minutes for a working clock). */
  pausedMinutes: number;
  /** False when the suspension began at or after the deadline: nothing was left to pause. */
  effective: boolean;
}

export const EXTENSION_RESULTS = [
  'requested',
  'rejected',
  'applied',
  'capped',
  'refused_over_cap',
  'no_effect',
] as const;
export type ExtensionResult = (typeof EXTENSION_RESULTS)[number];

export interface ExtensionRecord {
  eventId: string;
  event: 'extension_requested' | 'extension_approved' | 'extension_rejected';
  at: Date;
  workdays: number | null;
  untilAt: Date | null;
  result: ExtensionResult;
  /** 1, 2 … for approvals within the approval cap; null otherwise. */
  approvalNumber: number | null;
  /** Working minutes added to the deadline by this approval (0 unless applied or capped). */
  appliedWorkingMinutes: number;
  dueBeforeAt: Date | null;
  dueAfterAt: Date | null;
}

export interface DeadlineExplanation {
  profile: { id: string; version: string };
  timeZone: string;
  stage: RuleStage;
  segment: number;
  round: number;
  unitId: string;
  order: { urgency: Urgency; category: Category };
  rule: { id: string; source: string; match: RuleMatch };
  start: {
    at: Date;
    event: 'dispatched' | 'reopened';
    eventId: string;
    /**
     * The first instant the clock counts: `at` itself on the natural clock or a working day;
     * 00:00 of the next working day for a working clock started on a non-working day (rolling),
     * or 00:00 of the first working day after the start day (next_day).
     */
    countingFromAt: Date;
  };
  clock: ClockKind;
  convention: ClockConvention;
  limit: { value: number; unit: LimitUnit; minutes: number };
  /**
   * The deadline the rule gives from the start, before overrides, pauses and extensions; null
   * when the calendar cannot give it and a deadline carried on the event stands instead.
   */
  computedDueAt: Date | null;
  /** A deadline carried on the event (`acceptDueAt`/`completeDueAt`), which replaces the computed one. */
  override: { eventId: string; event: 'dispatched' | 'reopened'; dueAt: Date } | null;
  /** Working clock only: the days in `[start, due)` that did not count, and why. */
  skippedDays: SkippedDay[];
  /** Working clock only: weekend days in `[start, due)` that counted (调休上班). */
  makeUpWorkdays: MakeUpWorkday[];
  /**
   * Working clock only: the provisional days in `[start, due)` — computed from the statutory
   * holidays of 《全国年节及纪念日放假办法》 because that year's notice is not imported yet. The
   * deadline may move when it is (the notice adds bridge days and make-up workdays). Null when the
   * deadline rests on official days only, and always on the natural clock.
   */
  provisional: DaySpan | null;
  pauses: PauseRecord[];
  extensions: ExtensionRecord[];
  /** The deadline after everything above; null while the clock is paused. */
  dueAt: Date | null;
  warning: {
    at: Date;
    /** Time left at the warning, on the stage's clock: min(fraction × limit, cap). */
    leftMinutes: number;
    fraction: number;
    capWorkingDays: number;
  } | null;
}

/** The deadline (and its warning instant) in force over `[fromMs, toMs)`. */
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

/** `[fromMs, toMs)` in which the stage was open (not done). */
export interface PendingWindow {
  fromMs: number;
  /** Exclusive; Infinity while the stage is still open. */
  toMs: number;
  closedBy: WindowCloser | null;
  closedByEventId: string | null;
}

/**
 * A stage's history in event time, from the same fold as its deadline: what supervision judges
 * an escalation by, as live processing would have at each instant. A 审核退回 opens a new pending
 * window; a suspension, resumption or extension starts a new due interval.
 */
export interface StageTimeline {
  dueIntervals: DueInterval[];
  windows: PendingWindow[];
}

export interface StageDeadline {
  stage: 'accept' | 'complete';
  segment: number;
  round: number;
  unitId: string;
  startAt: Date;
  /** Null only while the clock is paused (see `pausedSince`). */
  dueAt: Date | null;
  warningAt: Date | null;
  doneAt: Date | null;
  outcome: StageOutcome;
  endedAt: Date | null;
  endedBy: StageEndReason | null;
  pausedSince: Date | null;
  explanation: DeadlineExplanation;
  timeline: StageTimeline;
}

/** A stage as supervision reads it: its deadline and timeline, without the explanation. */
export type SupervisedStage = Omit<StageDeadline, 'explanation'>;

/**
 * What supervision reads of an order's deadlines (computeSupervisedDeadlines; a DeadlineResult
 * is one too): the current segment's stages and those superseded, oldest first.
 */
export interface SupervisedDeadlines {
  accept: SupervisedStage | null;
  complete: SupervisedStage | null;
  earlier: readonly SupervisedStage[];
}

export interface ReturnRequestDeadline {
  segment: number;
  unitId: string;
  dueAt: Date;
  /** The first `return_requested` of the segment, if any. */
  requestedAt: Date | null;
  requestedInTime: boolean | null;
  explanation: DeadlineExplanation;
}

/** Why a stage could not be computed. */
export interface StageFailure {
  code: CalendarErrorCode;
  message: string;
}

/** A stage left out of the result (its deadline cannot be computed), with the reason. */
export interface StageUnavailable extends StageFailure {
  stage: RuleStage;
  segment: number;
  round: number;
  unitId: string;
  startAt: Date;
}

export interface DeadlineResult {
  profileId: string;
  profileVersion: string;
  timeZone: string;
  /** 0 before any dispatch; +1 for each `dispatched` (改派 starts a new segment). */
  segment: number;
  unitId: string | null;
  /** 0 before any `reopened`; +1 per rework round (重办). */
  reworkRound: number;
  /** The current segment's stages; null before any dispatch, or when `unavailable` lists them. */
  accept: StageDeadline | null;
  complete: StageDeadline | null;
  returnDueAt: Date | null;
  returnRequest: ReturnRequestDeadline | null;
  /** Stages superseded by a re-dispatch or a rework round, oldest first. */
  earlier: StageDeadline[];
  /**
   * Stages whose deadline cannot be computed (a day outside the calendar), left out of `accept`,
   * `complete`, `returnRequest` and `earlier`; the others stand on their own.
   */
  unavailable: StageUnavailable[];
  /** The provisional days any of the deadlines depends on; null when none does. */
  provisional: DaySpan | null;
  /** Warning and overdue instants of the stages still open, sorted by time. */
  dueInstants: DueInstant[];
  /** The earliest of `dueInstants`; null when nothing is open. */
  nextDueAt: Date | null;
  flags: DeadlineFlag[];
}
