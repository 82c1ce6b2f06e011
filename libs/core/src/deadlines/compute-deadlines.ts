/**
 * An order's deadlines as a pure function of the set of its events (any order, duplicates
 * allowed: they are put in contract order, exactly as orderEvents does, by timedEventsInOrder),
 * a rule profile and the working calendar (domain.md §2–§4).
 *
 * - `dispatched` starts a responsibility segment: acceptance and completion clocks both start at
 *   the dispatch (completion is not paused while the order waits to be accepted), plus the window
 *   for requesting a return. A later `dispatched` (改派) ends the open stages and starts new ones.
 * - `acceptDueAt` / `completeDueAt` on `dispatched` (and `completeDueAt` on `reopened`) replace the
 *   computed deadline; pauses and extensions still apply on top of them.
 * - `suspended` … `resumed` pauses the completion clock: the deadline moves later by the paused
 *   time measured on the rule's clock (working time for a working clock). A suspension that begins
 *   at or after the deadline pauses nothing (the clock had already run out) and is flagged. The
 *   acceptance clock does not pause.
 * - `extension_approved` adds working days (rolling) to the completion deadline, or moves it to
 *   `until`; at most `maxApprovals` approvals and `maxTotalWorkingDays` in total per segment, the
 *   excess recorded and flagged, not applied. Rework rounds share the segment's caps.
 * - `replied` completes the completion stage (and acceptance, if no `accepted` came);
 *   `reply_rejected` re-opens it with the same deadline; `reopened` starts rework round +1 with
 *   the category's completion limit again from the reopening; `returned` and `closed` end the
 *   open stages.
 *
 * Each stage stands or falls on its own. A stage whose working-clock arithmetic reaches a day the
 * calendar does not cover (CalendarOutOfRangeError) is left out and listed in `unavailable` with
 * the reason; the others are computed, and supervision works on them. A natural clock needs no
 * calendar, so a natural-clock stage always computes. A deadline that depends on provisional days
 * (computed from the law, the year's notice not imported yet) says so: `explanation.provisional`,
 * `provisional` on the result and the flag `provisional_calendar`.
 */
import type { Category, Urgency, WorkOrderEvent } from '../events/work-order-event';
import type { DaySpan, WorkingCalendar } from '../calendar/working-calendar';
import { CalendarError } from '../calendar/calendar-errors';
import { matchRule } from '../rules/match-rule';
import { ruleLimitMinutes, type HandlingRule, type RuleProfile } from '../rules/rule-profile';
import type {
  DeadlineExplanation,
  DeadlineFlag,
  DeadlineResult,
  DueInstant,
  DueInstantKind,
  ExtensionRecord,
  DueInterval,
  PauseEndReason,
  PauseRecord,
  PendingWindow,
  ReturnRequestDeadline,
  StageDeadline,
  StageEndReason,
  StageFailure,
  StageOutcome,
  StageTimeline,
  StageUnavailable,
  SupervisedDeadlines,
  SupervisedStage,
  WindowCloser,
} from './deadline-result';
import { DUE_INSTANT_KINDS } from './deadline-result';
import {
  countingFrom,
  dueFromRule,
  elapsedOnClockMs,
  pushOnClock,
  warningInstant,
} from './stage-clock';
import { timedEventsInOrder } from './timed-events';
import { foldedBeforeDispatch } from '../work-orders/order-events';
import { parseInstantMs } from '../calendar/parse-instant';

const MINUTE_MS = 60_000;
const WORKING_DAY_MS = 1440 * MINUTE_MS;

interface StageRun {
  stage: 'accept' | 'complete';
  segment: number;
  round: number;
  unitId: string;
  urgency: Urgency;
  category: Category;
  rule: HandlingRule;
  start: Date;
  startEvent: 'dispatched' | 'reopened';
  startEventId: string;
  /** Null when the rule's deadline could not be computed but the event carries one. */
  computedDue: Date | null;
  override: DeadlineExplanation['override'];
  /** The deadline so far, not counting a pause still open (meaningless once `failure` is set). */
  due: Date;
  /**
   * Why the stage cannot be computed (a day outside the calendar); from then on its clock is not
   * moved and only whether it is done is tracked: it is reported in `unavailable`.
   */
  failure: StageFailure | null;
  openPause: PauseRecord | null;
  pauses: PauseRecord[];
  extensions: ExtensionRecord[];
  done: Date | null;
  outcome: StageOutcome;
  ended: Date | null;
  endedBy: StageEndReason | null;
  /** Pending windows closed so far, and the start of the one open now (null when done). */
  windows: PendingWindow[];
  openFromMs: number | null;
  /** Ended for good (returned, closed, re-dispatched, reopened): a 审核退回 no longer reopens it. */
  sealed: boolean;
  /** Each change of the deadline in force: a pause (null), a resumption or an extension. */
  dueChanges: { atMs: number; eventId: string; dueMs: number | null }[];
}

interface SegmentRun {
  segment: number;
  unitId: string;
  urgency: Urgency;
  category: Category;
  accept: StageRun;
  complete: StageRun;
  returnRequest: {
    rule: HandlingRule;
    start: Date;
    eventId: string;
    /** Null when it cannot be computed (`failure`). */
    due: Date | null;
    failure: StageFailure | null;
    requested: Date | null;
  };
  approvals: number;
  extensionMsUsed: number;
}

interface Context {
  profile: RuleProfile;
  calendar: WorkingCalendar;
  flags: Set<DeadlineFlag>;
}

/**
 * Runs calendar arithmetic for one stage: its value, or null with the stage's `failure` set when
 * the calendar cannot answer (and null at once for a stage that has already failed).
 */
function onCalendar<T>(holder: { failure: StageFailure | null }, compute: () => T): T | null {
  if (holder.failure !== null) return null;
  try {
    return compute();
  } catch (error) {
    if (!(error instanceof CalendarError)) throw error;
    holder.failure = { code: error.code, message: error.message };
    return null;
  }
}

function startStage(
  ctx: Context,
  stage: 'accept' | 'complete',
  where: { segment: number; round: number; unitId: string; urgency: Urgency; category: Category },
  start: Date,
  startEvent: { type: 'dispatched' | 'reopened'; eventId: string },
  overrideDueAt: string | undefined,
): StageRun {
  const rule = matchRule(ctx.profile, stage, where.urgency, where.category);
  const holder: { failure: StageFailure | null } = { failure: null };
  const computedDue = onCalendar(holder, () => dueFromRule(ctx.calendar, rule, start));
  let override: StageRun['override'] = null;
  if (overrideDueAt !== undefined) {
    override = {
      eventId: startEvent.eventId,
      event: startEvent.type,
      dueAt: new Date(parseInstantMs(overrideDueAt)),
    };
    ctx.flags.add(
      stage === 'accept' ? 'accept_deadline_overridden' : 'complete_deadline_overridden',
    );
  }
  return {
    stage,
    ...where,
    rule,
    start,
    startEvent: startEvent.type,
    startEventId: startEvent.eventId,
    computedDue,
    override,
    // A deadline on the event stands without the calendar; without one the stage has failed.
    due: override?.dueAt ?? computedDue ?? start,
    failure: override === null ? holder.failure : null,
    openPause: null,
    pauses: [],
    extensions: [],
    done: null,
    outcome: 'pending',
    ended: null,
    endedBy: null,
    windows: [],
    openFromMs: start.getTime(),
    sealed: false,
    dueChanges: [],
  };
}

/** The event that closes or ends a stage, as its window records it. */
interface Closer {
  by: WindowCloser;
  eventId: string;
}

function closeWindow(run: StageRun, at: Date, closer: Closer): void {
  if (run.openFromMs === null) return;
  run.windows.push({
    fromMs: run.openFromMs,
    toMs: at.getTime(),
    closedBy: closer.by,
    closedByEventId: closer.eventId,
  });
  run.openFromMs = null;
}

function closePause(
  ctx: Context,
  run: StageRun,
  at: Date,
  endedBy: PauseEndReason,
  eventId: string,
): void {
  const pause = run.openPause;
  if (pause === null) return;
  pause.toAt = at;
  pause.endedBy = endedBy;
  const pushed = !pause.effective
    ? null
    : onCalendar(run, () => {
        const pausedMs = Math.max(
          0,
          elapsedOnClockMs(ctx.calendar, run.rule.clock, pause.fromAt, at),
        );
        return { pausedMs, due: pushOnClock(ctx.calendar, run.rule.clock, run.due, pausedMs) };
      });
  if (pushed !== null) {
    pause.pausedMinutes = pushed.pausedMs / MINUTE_MS;
    run.due = pushed.due;
    run.dueChanges.push({ atMs: at.getTime(), eventId, dueMs: run.due.getTime() });
  }
  run.openPause = null;
}

function finishStage(ctx: Context, run: StageRun, at: Date, closer: Closer): void {
  if (run.outcome !== 'pending') return;
  closePause(ctx, run, at, 'replied', closer.eventId);
  closeWindow(run, at, closer);
  run.done = at;
  // A failed stage has no deadline to be judged by; it is reported as unavailable, not as this.
  run.outcome = run.failure !== null || at.getTime() <= run.due.getTime() ? 'on_time' : 'late';
}

function endStage(
  ctx: Context,
  run: StageRun,
  at: Date,
  reason: StageEndReason,
  eventId: string,
): void {
  run.sealed = true;
  if (run.outcome !== 'pending') return;
  closePause(ctx, run, at, reason, eventId);
  closeWindow(run, at, { by: reason, eventId });
  run.outcome = 'ended';
  run.ended = at;
  run.endedBy = reason;
}

function suspend(ctx: Context, run: StageRun, at: Date, eventId: string, reason: string): void {
  if (run.outcome !== 'pending' || run.openPause !== null || run.failure !== null) return;
  const effective = at.getTime() < run.due.getTime();
  if (!effective) ctx.flags.add('suspension_after_deadline');
  else run.dueChanges.push({ atMs: at.getTime(), eventId, dueMs: null });
  const pause: PauseRecord = {
    suspendedEventId: eventId,
    fromAt: at,
    toAt: null,
    endedBy: null,
    reason,
    pausedMinutes: 0,
    effective,
  };
  run.pauses.push(pause);
  run.openPause = pause;
}

function recordExtension(
  ctx: Context,
  segment: SegmentRun,
  event: Extract<
    WorkOrderEvent,
    { type: 'extension_requested' | 'extension_approved' | 'extension_rejected' }
  >,
  at: Date,
): void {
  const run = segment.complete;
  if (run.failure !== null) return;
  const data = event.data as { workdays?: number; until?: string };
  const record: ExtensionRecord = {
    eventId: event.eventId,
    event: event.type,
    at,
    workdays: data.workdays ?? null,
    untilAt: data.until === undefined ? null : new Date(parseInstantMs(data.until)),
    result: event.type === 'extension_rejected' ? 'rejected' : 'requested',
    approvalNumber: null,
    appliedWorkingMinutes: 0,
    dueBeforeAt: null,
    dueAfterAt: null,
  };
  run.extensions.push(record);
  if (event.type !== 'extension_approved') return;

  const caps = ctx.profile.extension;
  record.dueBeforeAt = run.due;
  record.dueAfterAt = run.due;
  if (run.outcome === 'ended') {
    record.result = 'no_effect';
    ctx.flags.add('extension_without_effect');
    return;
  }
  if (segment.approvals >= caps.maxApprovals) {
    record.result = 'refused_over_cap';
    ctx.flags.add('extension_refused_over_cap');
    return;
  }
  segment.approvals += 1;
  record.approvalNumber = segment.approvals;
  const untilAt = record.untilAt;
  const wantedMs =
    untilAt === null
      ? (record.workdays ?? 0) * WORKING_DAY_MS
      : onCalendar(run, () => ctx.calendar.workingMsBetween(run.due, untilAt));
  if (wantedMs === null) return;
  const remainingMs = caps.maxTotalWorkingDays * WORKING_DAY_MS - segment.extensionMsUsed;
  if (wantedMs <= 0 || (record.untilAt !== null && record.untilAt.getTime() <= run.due.getTime())) {
    record.result = 'no_effect';
    ctx.flags.add('extension_without_effect');
    return;
  }
  if (remainingMs <= 0) {
    record.result = 'refused_over_cap';
    ctx.flags.add('extension_refused_over_cap');
    return;
  }
  const appliedMs = Math.min(wantedMs, remainingMs);
  // `until` is taken literally (it may name any instant); workdays are added rolling.
  const dueAfter =
    appliedMs === wantedMs && untilAt !== null
      ? untilAt
      : onCalendar(run, () => ctx.calendar.addWorkingRollingMs(run.due, appliedMs));
  if (dueAfter === null) return;
  segment.extensionMsUsed += appliedMs;
  record.appliedWorkingMinutes = appliedMs / MINUTE_MS;
  if (appliedMs < wantedMs) {
    record.result = 'capped';
    ctx.flags.add('extension_capped');
  } else {
    record.result = 'applied';
  }
  run.due = dueAfter;
  record.dueAfterAt = run.due;
  const paused = run.openPause !== null && run.openPause.effective;
  run.dueChanges.push({
    atMs: at.getTime(),
    eventId: event.eventId,
    dueMs: paused ? null : run.due.getTime(),
  });
}

/** What an explanation is made of: a stage run, or the return-request window's equivalent. */
type ExplainedRun = Pick<
  StageRun,
  | 'segment'
  | 'round'
  | 'unitId'
  | 'urgency'
  | 'category'
  | 'rule'
  | 'start'
  | 'startEvent'
  | 'startEventId'
  | 'computedDue'
  | 'override'
  | 'pauses'
  | 'extensions'
> & { stage: DeadlineExplanation['stage'] };

function explain(
  ctx: Context,
  run: ExplainedRun,
  rangeEnd: Date,
  dueAt: Date | null,
  warning: DeadlineExplanation['warning'],
): DeadlineExplanation {
  const { calendar, profile } = ctx;
  const skippedDays: DeadlineExplanation['skippedDays'] = [];
  const makeUpWorkdays: DeadlineExplanation['makeUpWorkdays'] = [];
  if (run.rule.clock === 'working') {
    for (const day of calendar.daysOverlapping(run.start, rangeEnd)) {
      if (day.kind === 'weekend' || day.kind === 'holiday') {
        skippedDays.push({ dayOn: day.dayOn, kind: day.kind, name: day.name });
      } else if (day.kind === 'makeup_workday') {
        makeUpWorkdays.push({ dayOn: day.dayOn, name: day.name });
      }
    }
  }
  return {
    profile: { id: profile.id, version: profile.version },
    timeZone: calendar.timeZone,
    stage: run.stage,
    segment: run.segment,
    round: run.round,
    unitId: run.unitId,
    order: { urgency: run.urgency, category: run.category },
    rule: { id: run.rule.id, source: run.rule.source, match: run.rule.match },
    start: {
      at: run.start,
      event: run.startEvent,
      eventId: run.startEventId,
      countingFromAt: countingFrom(calendar, run.rule, run.start),
    },
    clock: run.rule.clock,
    convention: run.rule.convention,
    limit: {
      value: run.rule.limit.value,
      unit: run.rule.limit.unit,
      minutes: ruleLimitMinutes(run.rule),
    },
    computedDueAt: run.computedDue,
    override: run.override,
    skippedDays,
    makeUpWorkdays,
    provisional:
      run.rule.clock === 'working' ? calendar.provisionalSpan(run.start, rangeEnd) : null,
    pauses: run.pauses.map((pause) => ({ ...pause })),
    extensions: run.extensions.map((extension) => ({ ...extension })),
    dueAt,
    warning,
  };
}

/**
 * The calendar look-ups of explain() that can fail (the days of a working clock's range, where the
 * rule starts counting), in its order, without building the explanation.
 */
function assertExplainable(ctx: Context, run: ExplainedRun, rangeEnd: Date): void {
  if (run.rule.clock === 'working') ctx.calendar.daysOverlapping(run.start, rangeEnd);
  countingFrom(ctx.calendar, run.rule, run.start);
}

/** The stage as computed, or null with its `failure` set when the calendar cannot answer. */
function toStageDeadline(ctx: Context, run: StageRun): StageDeadline | null {
  return onCalendar(run, () => stageDeadline(ctx, run));
}

function stageDeadline(ctx: Context, run: StageRun): StageDeadline {
  const { stage, rangeEnd, warning } = supervisedStage(ctx, run);
  // Added to the stage as built, not spread into a copy: computeDeadlines runs for every order
  // ingested, and the copy cost a quarter of its throughput (npm run bench:deadlines).
  return Object.assign(stage, { explanation: explain(ctx, run, rangeEnd, stage.dueAt, warning) });
}

/**
 * The stage as supervision reads it, or null with its `failure` set: the calendar look-ups its
 * explanation would make are made too (assertExplainable), so that a stage fails exactly when
 * toStageDeadline's does.
 */
function toSupervisedStage(ctx: Context, run: StageRun): SupervisedStage | null {
  return onCalendar(run, () => {
    const { stage, rangeEnd } = supervisedStage(ctx, run);
    assertExplainable(ctx, run, rangeEnd);
    return stage;
  });
}

/** A stage's deadline and timeline, and what its explanation is computed over. */
function supervisedStage(
  ctx: Context,
  run: StageRun,
): { stage: SupervisedStage; rangeEnd: Date; warning: DeadlineExplanation['warning'] } {
  const paused = run.openPause !== null && run.openPause.effective;
  const dueAt = paused ? null : run.due;
  let warning: DeadlineExplanation['warning'] = null;
  if (dueAt !== null) {
    const { at, leftMinutes } = warningInstant(
      ctx.calendar,
      run.rule,
      ctx.profile.warning,
      run.start,
      dueAt,
    );
    warning = {
      at,
      leftMinutes,
      fraction: ctx.profile.warning.fraction,
      capWorkingDays: ctx.profile.warning.capWorkingDays,
    };
  }
  const rangeEnd = run.due.getTime() > run.start.getTime() ? run.due : run.start;
  const stage: SupervisedStage = {
    timeline: stageTimeline(ctx, run, dueAt, warning?.at ?? null),
    stage: run.stage,
    segment: run.segment,
    round: run.round,
    unitId: run.unitId,
    startAt: run.start,
    dueAt,
    warningAt: warning?.at ?? null,
    doneAt: run.done,
    outcome: run.outcome,
    endedAt: run.ended,
    endedBy: run.endedBy,
    pausedSince: paused ? (run.openPause?.fromAt ?? null) : null,
  };
  return { stage, rangeEnd, warning };
}

/**
 * The stage's due intervals and pending windows, from what the fold recorded: each deadline in
 * force from the change that set it (the warning instant by warningInstant, as for the stage),
 * the interval in force now being exactly the stage's `dueAt`/`warningAt`.
 */
function stageTimeline(
  ctx: Context,
  run: StageRun,
  dueAt: Date | null,
  warningAt: Date | null,
): StageTimeline {
  const warningMs = (dueMs: number) =>
    warningInstant(
      ctx.calendar,
      run.rule,
      ctx.profile.warning,
      run.start,
      new Date(dueMs),
    ).at.getTime();
  const dueIntervals: DueInterval[] = [];
  let fromMs = run.start.getTime();
  let dueMs: number | null = (run.override?.dueAt ?? run.computedDue ?? run.due).getTime();
  let changedByEventId: string | null = null;
  for (const change of run.dueChanges) {
    if (change.atMs > fromMs) {
      const warning = dueMs === null ? null : warningMs(dueMs);
      dueIntervals.push({ fromMs, toMs: change.atMs, dueMs, warningMs: warning, changedByEventId });
      fromMs = change.atMs;
    }
    dueMs = change.dueMs;
    changedByEventId = change.eventId;
  }
  dueIntervals.push({
    fromMs,
    toMs: Infinity,
    dueMs: dueAt?.getTime() ?? null,
    warningMs: warningAt?.getTime() ?? null,
    changedByEventId,
  });
  const windows: PendingWindow[] = [...run.windows];
  if (run.openFromMs !== null) {
    windows.push({ fromMs: run.openFromMs, toMs: Infinity, closedBy: null, closedByEventId: null });
  }
  return { dueIntervals, windows };
}

function toReturnRequest(ctx: Context, segment: SegmentRun): ReturnRequestDeadline | null {
  const { rule, start, eventId, due, requested } = segment.returnRequest;
  if (due === null) return null;
  return onCalendar(segment.returnRequest, () => ({
    segment: segment.segment,
    unitId: segment.unitId,
    dueAt: due,
    requestedAt: requested,
    requestedInTime: requested === null ? null : requested.getTime() <= due.getTime(),
    explanation: explain(
      ctx,
      {
        stage: 'return_request',
        segment: segment.segment,
        round: segment.accept.round,
        unitId: segment.unitId,
        urgency: segment.urgency,
        category: segment.category,
        rule,
        start,
        startEvent: 'dispatched',
        startEventId: eventId,
        computedDue: due,
        override: null,
        pauses: [],
        extensions: [],
      },
      due,
      due,
      null,
    ),
  }));
}

/** The stages that could not be computed, with the reason (after toStageDeadline ran on each). */
function unavailableStages(segment: SegmentRun, earlier: readonly StageRun[]): StageUnavailable[] {
  const failed: StageUnavailable[] = [];
  for (const run of [...earlier, segment.accept, segment.complete]) {
    if (run.failure === null) continue;
    const { stage, segment: number, round, unitId, start } = run;
    failed.push({ stage, segment: number, round, unitId, startAt: start, ...run.failure });
  }
  const window = segment.returnRequest;
  if (window.failure !== null) {
    failed.push({
      stage: 'return_request',
      segment: segment.segment,
      round: segment.accept.round,
      unitId: segment.unitId,
      startAt: window.start,
      ...window.failure,
    });
  }
  return failed;
}

/** The smallest span holding every given span; null when there is none. */
function spanOf(spans: readonly (DaySpan | null)[]): DaySpan | null {
  const present = spans.filter((span): span is DaySpan => span !== null);
  if (present.length === 0) return null;
  return {
    fromOn: present.map((span) => span.fromOn).sort()[0] ?? '',
    toOn:
      present
        .map((span) => span.toOn)
        .sort()
        .at(-1) ?? '',
  };
}

const KIND_ORDER = new Map<DueInstantKind, number>(DUE_INSTANT_KINDS.map((kind, i) => [kind, i]));

function dueInstantsOf(stage: StageDeadline | null): DueInstant[] {
  if (stage === null || stage.outcome !== 'pending' || stage.dueAt === null) return [];
  const where = { segment: stage.segment, round: stage.round, unitId: stage.unitId };
  const instants: DueInstant[] = [];
  if (stage.warningAt !== null) {
    instants.push({ kind: `${stage.stage}_warning`, at: stage.warningAt, ...where });
  }
  instants.push({ kind: `${stage.stage}_overdue`, at: stage.dueAt, ...where });
  return instants;
}

/** The stages run through an order's events: the current segment's, and those it superseded. */
interface StageRuns {
  ctx: Context;
  segment: SegmentRun | null;
  earlier: StageRun[];
  reworkRound: number;
}

function runStages(
  events: readonly WorkOrderEvent[],
  profile: RuleProfile,
  calendar: WorkingCalendar,
): StageRuns {
  const ctx: Context = { profile, calendar, flags: new Set() };
  const earlier: StageRun[] = [];
  let segment: SegmentRun | null = null;
  let segmentCount = 0;
  let reworkRound = 0;

  for (const { event, atMs } of timedEventsInOrder(events)) {
    const at = new Date(atMs);
    if (event.type === 'dispatched') {
      if (segment !== null) {
        endStage(ctx, segment.accept, at, 'redispatched', event.eventId);
        endStage(ctx, segment.complete, at, 'redispatched', event.eventId);
        earlier.push(segment.accept, segment.complete);
        ctx.flags.add('redispatched');
      }
      segmentCount += 1;
      const { unitId, urgency, category } = event.data;
      const where = { segment: segmentCount, round: reworkRound, unitId, urgency, category };
      const startEvent = { type: 'dispatched' as const, eventId: event.eventId };
      const returnRule = matchRule(profile, 'return_request', urgency, category);
      const returnWindow: { failure: StageFailure | null } = { failure: null };
      const returnDue = onCalendar(returnWindow, () => dueFromRule(calendar, returnRule, at));
      segment = {
        segment: segmentCount,
        unitId,
        urgency,
        category,
        accept: startStage(ctx, 'accept', where, at, startEvent, event.data.acceptDueAt),
        complete: startStage(ctx, 'complete', where, at, startEvent, event.data.completeDueAt),
        returnRequest: {
          rule: returnRule,
          start: at,
          eventId: event.eventId,
          due: returnDue,
          failure: returnWindow.failure,
          requested: null,
        },
        approvals: 0,
        extensionMsUsed: 0,
      };
      continue;
    }
    if (segment === null) {
      // Held by the fold (foldHoldingEarly): counted in no stage, a `reopened` in no round.
      if (!foldedBeforeDispatch(event.type)) ctx.flags.add('events_before_dispatch');
      continue;
    }
    if (event.type === 'reopened') reworkRound += 1;
    const { accept, complete } = segment;
    switch (event.type) {
      case 'accepted':
        finishStage(ctx, accept, at, { by: 'accepted', eventId: event.eventId });
        break;
      case 'return_requested':
        if (segment.returnRequest.requested === null) {
          segment.returnRequest.requested = at;
          const due = segment.returnRequest.due;
          if (due !== null && at.getTime() > due.getTime()) {
            ctx.flags.add('return_requested_late');
          }
        }
        break;
      case 'returned':
        endStage(ctx, accept, at, 'returned', event.eventId);
        endStage(ctx, complete, at, 'returned', event.eventId);
        break;
      case 'extension_requested':
      case 'extension_approved':
      case 'extension_rejected':
        recordExtension(ctx, segment, event, at);
        break;
      case 'suspended':
        suspend(ctx, complete, at, event.eventId, event.data.reason);
        break;
      case 'resumed':
        closePause(ctx, complete, at, 'resumed', event.eventId);
        break;
      case 'replied':
        // A reply without an `accepted` counts as accepted at the reply.
        finishStage(ctx, accept, at, { by: 'replied', eventId: event.eventId });
        finishStage(ctx, complete, at, { by: 'replied', eventId: event.eventId });
        break;
      case 'reply_rejected':
        // 审核退回: back to work against the same deadline.
        if (complete.outcome === 'on_time' || complete.outcome === 'late') {
          complete.done = null;
          complete.outcome = 'pending';
        }
        if (!complete.sealed && complete.openFromMs === null) complete.openFromMs = atMs;
        break;
      case 'reopened': {
        ctx.flags.add('reworked');
        finishStage(ctx, accept, at, { by: 'reopened', eventId: event.eventId });
        accept.sealed = true;
        endStage(ctx, complete, at, 'reopened', event.eventId);
        earlier.push(complete);
        segment.complete = startStage(
          ctx,
          'complete',
          {
            segment: segment.segment,
            round: reworkRound,
            unitId: segment.unitId,
            urgency: segment.urgency,
            category: segment.category,
          },
          at,
          { type: 'reopened', eventId: event.eventId },
          event.data.completeDueAt,
        );
        break;
      }
      case 'closed':
        endStage(ctx, accept, at, 'closed', event.eventId);
        endStage(ctx, complete, at, 'closed', event.eventId);
        break;
      case 'return_rejected':
      case 'callback':
      case 'verified':
      case 'excluded':
      case 'flagged':
        break;
    }
  }

  return { ctx, segment, earlier, reworkRound };
}

/** The deadlines implied by an order's events under `profile` and `calendar`. */
export function computeDeadlines(
  events: readonly WorkOrderEvent[],
  profile: RuleProfile,
  calendar: WorkingCalendar,
): DeadlineResult {
  const { ctx, segment, earlier, reworkRound } = runStages(events, profile, calendar);
  if (segment === null) {
    if (events.length > 0) ctx.flags.add('awaiting_dispatch');
    return {
      profileId: profile.id,
      profileVersion: profile.version,
      timeZone: calendar.timeZone,
      segment: 0,
      unitId: null,
      reworkRound,
      accept: null,
      complete: null,
      returnDueAt: null,
      returnRequest: null,
      earlier: [],
      unavailable: [],
      provisional: null,
      dueInstants: [],
      nextDueAt: null,
      flags: [...ctx.flags].sort(),
    };
  }

  const accept = toStageDeadline(ctx, segment.accept);
  const complete = toStageDeadline(ctx, segment.complete);
  const returnRequest = toReturnRequest(ctx, segment);
  const earlierStages = earlier.map((run) => toStageDeadline(ctx, run));
  if (complete?.pausedSince) ctx.flags.add('suspended');
  const unavailable = unavailableStages(segment, earlier);
  if (unavailable.length > 0) ctx.flags.add('deadline_unavailable');
  const provisional = spanOf(
    [accept, complete, returnRequest, ...earlierStages].map(
      (stage) => stage?.explanation.provisional ?? null,
    ),
  );
  if (provisional !== null) ctx.flags.add('provisional_calendar');
  const dueInstants = [...dueInstantsOf(accept), ...dueInstantsOf(complete)].sort(
    (a, b) =>
      a.at.getTime() - b.at.getTime() ||
      (KIND_ORDER.get(a.kind) ?? 0) - (KIND_ORDER.get(b.kind) ?? 0),
  );
  return {
    profileId: profile.id,
    profileVersion: profile.version,
    timeZone: calendar.timeZone,
    segment: segment.segment,
    unitId: segment.unitId,
    reworkRound,
    accept,
    complete,
    returnDueAt: returnRequest?.dueAt ?? null,
    returnRequest,
    earlier: earlierStages.filter((stage): stage is StageDeadline => stage !== null),
    unavailable,
    provisional,
    dueInstants,
    nextDueAt: dueInstants[0]?.at ?? null,
    flags: [...ctx.flags].sort(),
  };
}

/**
 * What supervision reads of computeDeadlines (decideSupervision: each stage's deadline and
 * timeline), without what only people read: no explanations, no return-request window, no due
 * instants or flags. The stages are the same, and one the calendar could not explain is left out
 * here too; the sweep, which decides on nothing else, allocates a fraction of computeDeadlines'.
 */
export function computeSupervisedDeadlines(
  events: readonly WorkOrderEvent[],
  profile: RuleProfile,
  calendar: WorkingCalendar,
): SupervisedDeadlines {
  const { ctx, segment, earlier } = runStages(events, profile, calendar);
  if (segment === null) return { accept: null, complete: null, earlier: [] };
  return {
    accept: toSupervisedStage(ctx, segment.accept),
    complete: toSupervisedStage(ctx, segment.complete),
    earlier: earlier
      .map((run) => toSupervisedStage(ctx, run))
      .filter((stage): stage is SupervisedStage => stage !== null),
  };
}
