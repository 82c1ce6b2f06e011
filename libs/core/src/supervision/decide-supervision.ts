/**
 * What the supervision sweep does for one order at a watermark (domain.md §4): which escalations
 * to create, which to move up a level, which to resolve, and when to look at the order again.
 * Pure: the events, deadlines, existing escalations, calendar and watermark come in.
 *
 * **Event time.** Every decision is judged from the event log as of the instant it is about,
 * never from when the sweep runs or when events arrived:
 *
 * - A warning or overdue fires at its instant `T` (`firedAt = T`) when the event log shows the
 *   stage open at some instant from `T` on, under the deadline in force then (the stage's
 *   timeline from computeDeadlines, read by stage-timeline.ts):
 *   a stage done at or before `T` never escalates, however late its events arrived; a stage done
 *   late (the reply in the same batch as the catch-up) still yields its warning and overdue, each
 *   at its own instant, resolved at the reply. A warning that fired before an extension keeps its
 *   instant; the overdue fires at the extended deadline. Suspended stages fire nothing.
 * - `dissatisfied` fires at a `callback` rated dissatisfied (key round: the rework round at the
 *   callback), `false_completion` at a `verified` with outcome false_completion (round at the
 *   verification), `priority` at the first `dispatched`/`flagged` carrying a tag (重点, 热点, 难点,
 *   涉及面广, 影响大, 领导批示) while a unit holds the order and it is not closed (segment 0, round
 *   0: one per order). `firedAt` is the event's `occurredAt`.
 * - Auto-advance: an escalation neither acknowledged nor resolved at `levelChangedAt` + N working
 *   hours (the calendar's working clock: weekends and holidays do not count) moves up one level at
 *   that instant, repeatedly, up to 3. An overdue escalation not resolved at its `dueAt` + M working
 *   days goes to level 3 (督办单) at that instant, acknowledged or not. Acknowledging or resolving
 *   at or before the instant prevents the advance (half-open, as for stages).
 * - Auto-resolve (open or acknowledged escalations): accept_* when the acceptance stage is done or
 *   ended (accepted, replied, returned, re-dispatched, closed), complete_* when replied or ended;
 *   `dissatisfied` at a later callback rated satisfied or basically satisfied in a later rework
 *   round or responsibility segment; `priority` when the order is closed. `false_completion` is
 *   resolved only by a supervisor. A resolved escalation stays resolved (a 审核退回 after the reply
 *   does not reopen it; the key has fired).
 * - Each key `(order, kind, segment, round)` fires at most once: nothing in `existing` is created
 *   again. Only what happened at or before the watermark is decided; the earliest later instant
 *   at which something would be decided is `nextDueAt`.
 *
 * Consequences: deciding at w1 ≤ w2 ≤ … and feeding each result back (applySupervisionDecision)
 * ends with the same escalations as one decision at the last watermark, and a replay produces the
 * rows live processing did. One fold, read here, never re-derived: `deadlines` is computeDeadlines
 * over the same events (each stage's due intervals and pending windows), `state` is their
 * foldWorkOrder (callbacks, verifications, closes and the tracked instant, each with its segment
 * and round). Events after the watermark may be present and are treated as not yet happened:
 * every fact carries its instant, and nothing is decided after the watermark.
 *
 * A working-clock instant outside the calendar's coverage throws CalendarOutOfRangeError, as
 * computeDeadlines does: there is no natural-time fallback.
 */
import type { Tag, WorkOrderEvent } from '../events/work-order-event';
import type { WorkOrderState } from '../work-orders/fold-work-order';
import type { WorkingCalendar } from '../calendar/working-calendar';
import { formatInstant } from '../calendar/format-instant';
import type { SupervisedDeadlines, SupervisedStage } from '../deadlines/deadline-result';
import type { EscalationChangeKind } from '../events/escalation-message';
import { timedEventsInOrder } from '../deadlines/timed-events';
import {
  DEFAULT_ESCALATION_LEVEL,
  ESCALATION_KIND_LABELS,
  ESCALATION_KINDS,
  escalationKey,
  isOverdueKind,
  type EscalationKind,
  type EscalationLevel,
  type EscalationRecord,
  type TimeDrivenKind,
  type WithdrawalReason,
} from './escalation';
import { detect } from './stage-timeline';

export interface SupervisionPolicy {
  /** An escalation not acknowledged within this many working hours moves up one level. */
  acknowledgeWithinWorkingHours: number;
  /** An overdue escalation still unresolved this many working days after the deadline → level 3. */
  overdueToTopLevelAfterWorkingDays: number;
}

/** domain.md §4: 4 working hours to acknowledge; 督办单 one working day after the deadline. */
export const DEFAULT_SUPERVISION_POLICY: Readonly<SupervisionPolicy> = Object.freeze({
  acknowledgeWithinWorkingHours: 4,
  overdueToTopLevelAfterWorkingDays: 1,
});

export interface SupervisionInput {
  workOrderId: string;
  /** The order's events, any order, duplicates allowed. */
  events: readonly WorkOrderEvent[];
  state: WorkOrderState;
  /**
   * computeDeadlines (or computeSupervisedDeadlines) over the same events; null before any
   * dispatch (no clocks run).
   */
  deadlines: SupervisedDeadlines | null;
  /** The order's escalations so far (others' are ignored). */
  existing: readonly EscalationRecord[];
  /** Decide everything that happened at or before this instant. */
  watermark: Date;
  calendar: WorkingCalendar;
  policy: SupervisionPolicy;
}

export const ADVANCE_REASONS = ['not_acknowledged', 'overdue_one_working_day'] as const;
export type AdvanceReason = (typeof ADVANCE_REASONS)[number];

export interface EscalationAdvance {
  escalationKey: string;
  fromLevel: EscalationLevel;
  toLevel: EscalationLevel;
  /** Event time: levelChangedAt + N working hours, or dueAt + M working days. */
  at: Date;
  why: AdvanceReason;
}

export interface EscalationResolve {
  escalationKey: string;
  at: Date;
  /** What removed the cause: accepted, replied, returned, redispatched, closed, reopened, satisfied_after_rework. */
  why: string;
}

export interface EscalationWithdraw {
  escalationKey: string;
  /** The watermark of the decision: when, in event time, the log was known to disprove it. */
  at: Date;
  reason: WithdrawalReason;
  evidenceEventId: string | null;
  evidenceOccurredAt: Date | null;
}

export interface SupervisionDecision {
  /** Escalations whose premise the log now shows false; applied before `create`. */
  withdraw: EscalationWithdraw[];
  /**
   * New escalations: status open, default level, `levelChangedAt = firedAt`; a key that exists
   * withdrawn is fired again (the log supports it anew, at the instant given here).
   */
  create: EscalationRecord[];
  /** In order of `at`; a created escalation's advances follow its creation. */
  advance: EscalationAdvance[];
  resolve: EscalationResolve[];
  /** The earliest instant after the watermark at which something more would be decided. */
  nextDueAt: Date | null;
}

interface Candidate {
  escalationKey: string;
  /** Its instant and the deadline it names (null: none), as the record it creates holds them. */
  firedMs: number;
  dueMs: number | null;
  /** When the log first supports it (≥ firedMs); it is created once this is ≤ the watermark. */
  decidedMs: number;
  /**
   * The escalation it creates, built only when it does: most candidates of a sweep exist already,
   * and a record with its reason (instants formatted in the zone) is the decision's main cost.
   */
  record: () => EscalationRecord;
}

interface AutoResolution {
  atMs: number;
  why: string;
  /** The event that removed the cause. */
  eventId: string | null;
}

const TAG_LABELS: Readonly<Record<Tag, string>> = {
  key: '重点',
  hot: '热点',
  difficult: '难点',
  wide_scope: '涉及面广',
  high_impact: '影响大',
  leader_instructed: '领导批示',
};

function newRecord(
  workOrderId: string,
  kind: EscalationKind,
  where: { segment: number; round: number; unitId: string },
  firedMs: number,
  dueMs: number | null,
  reason: string,
): EscalationRecord {
  const firedAt = new Date(firedMs);
  return {
    escalationKey: escalationKey(workOrderId, kind, where.segment, where.round),
    workOrderId,
    unitId: where.unitId,
    kind,
    segment: where.segment,
    round: where.round,
    level: DEFAULT_ESCALATION_LEVEL[kind],
    status: 'open',
    firedAt,
    dueAt: dueMs === null ? null : new Date(dueMs),
    reason,
    levelChangedAt: firedAt,
    acknowledgedAt: null,
    resolvedAt: null,
    resolution: null,
    withdrawal: null,
    version: 1,
    generation: 1,
  };
}

// ---- time-driven kinds ------------------------------------------------------------------

interface StageEntry {
  stage: SupervisedStage;
  warningKind: TimeDrivenKind;
  overdueKind: TimeDrivenKind;
}

function stageEntries(input: SupervisionInput): Map<string, StageEntry> {
  const entries = new Map<string, StageEntry>();
  const deadlines = input.deadlines;
  if (deadlines === null) return entries;
  const stages = [...deadlines.earlier, deadlines.accept, deadlines.complete].filter(
    (stage): stage is SupervisedStage => stage !== null,
  );
  for (const stage of stages) {
    const warningKind = stage.stage === 'accept' ? 'accept_warning' : 'complete_warning';
    const overdueKind = stage.stage === 'accept' ? 'accept_overdue' : 'complete_overdue';
    const entry = { stage, warningKind, overdueKind } as const;
    entries.set(escalationKey(input.workOrderId, warningKind, stage.segment, stage.round), entry);
    entries.set(escalationKey(input.workOrderId, overdueKind, stage.segment, stage.round), entry);
  }
  return entries;
}

function timeDrivenCandidates(
  input: SupervisionInput,
  entries: ReadonlyMap<string, StageEntry>,
): Candidate[] {
  const zone = input.calendar.timeZone;
  const candidates: Candidate[] = [];
  for (const entry of new Set(entries.values())) {
    const { stage } = entry;
    for (const kind of [entry.warningKind, entry.overdueKind]) {
      const warning = kind === entry.warningKind;
      const found = detect(entry.stage, warning ? 'warning' : 'due');
      if (found === null) continue;
      const reason = () => {
        const due = formatInstant(new Date(found.dueMs), zone);
        return warning
          ? `${ESCALATION_KIND_LABELS[kind]}: due ${due}, warned at ${formatInstant(new Date(found.firedMs), zone)}`
          : `${ESCALATION_KIND_LABELS[kind]}: due ${due}`;
      };
      candidates.push({
        escalationKey: escalationKey(input.workOrderId, kind, stage.segment, stage.round),
        firedMs: found.firedMs,
        dueMs: found.dueMs,
        decidedMs: found.detectedMs,
        record: () =>
          newRecord(input.workOrderId, kind, stage, found.firedMs, found.dueMs, reason()),
      });
    }
  }
  return candidates;
}

function stageResolution(entry: StageEntry, record: EscalationRecord): AutoResolution | null {
  const kind = record.kind === entry.warningKind ? 'warning' : 'due';
  const found = detect(entry.stage, kind);
  // The window it fired in; if the data changed since it fired, the first open window after it.
  const window =
    found !== null && found.firedMs === record.firedAt.getTime()
      ? found.window
      : entry.stage.timeline.windows.find((candidate) => candidate.toMs > record.firedAt.getTime());
  if (window === undefined || window.closedBy === null) return null;
  return { atMs: window.toMs, why: window.closedBy, eventId: window.closedByEventId };
}

// ---- event-driven kinds -----------------------------------------------------------------

interface EventLog {
  candidates: Candidate[];
  satisfiedCallbacks: { atMs: number; segment: number; round: number; eventId: string }[];
  closed: { atMs: number; eventId: string }[];
}

/**
 * The event-driven candidates, read off the order's state (the fold keeps each callback,
 * verification and close with its segment and round, and the first tracked instant of a 重点
 * order): each key fires once, at its first event, while a unit holds the order.
 */
function readEventLog(workOrderId: string, state: WorkOrderState, zone: string): EventLog {
  const log: EventLog = {
    candidates: [],
    satisfiedCallbacks: [],
    closed: state.closures.map(({ at, eventId }) => ({ atMs: at.getTime(), eventId })),
  };
  const fired = new Set<string>();
  const fire = (
    kind: EscalationKind,
    where: { segment: number; round: number; unitId: string | null },
    at: Date,
    reason: string,
  ) => {
    if (where.unitId === null) return;
    const { segment, round, unitId } = where;
    const atMs = at.getTime();
    const key = escalationKey(workOrderId, kind, segment, round);
    if (fired.has(key)) return;
    fired.add(key);
    log.candidates.push({
      escalationKey: key,
      firedMs: atMs,
      dueMs: null,
      decidedMs: atMs,
      record: () => newRecord(workOrderId, kind, { segment, round, unitId }, atMs, null, reason),
    });
  };
  for (const callback of state.callbacks) {
    const { segment, reworkRound: round, unitId, at, eventId } = callback;
    if (callback.result === 'dissatisfied') {
      const when = formatInstant(at, zone);
      fire(
        'dissatisfied',
        { segment, round, unitId },
        at,
        `群众不满意: callback at ${when}, rework round ${round}`,
      );
    } else if (callback.result === 'satisfied' || callback.result === 'basically_satisfied') {
      log.satisfiedCallbacks.push({ atMs: at.getTime(), segment, round, eventId });
    }
  }
  for (const verification of state.verifications) {
    if (verification.outcome !== 'false_completion') continue;
    const { segment, reworkRound: round, unitId, at, by } = verification;
    fire(
      'false_completion',
      { segment, round, unitId },
      at,
      `虚假办结: verified by ${by} at ${formatInstant(at, zone)}`,
    );
  }
  const tracked = state.trackedSince;
  if (tracked !== null) {
    const labels = tracked.tags.map((tag) => TAG_LABELS[tag]);
    const reason = `重点督办: ${labels.join('、')}, from ${formatInstant(tracked.at, zone)}`;
    fire('priority', { segment: 0, round: 0, unitId: tracked.unitId }, tracked.at, reason);
  }
  return log;
}

function eventResolution(log: EventLog, record: EscalationRecord): AutoResolution | null {
  const firedMs = record.firedAt.getTime();
  switch (record.kind) {
    case 'dissatisfied': {
      const later = log.satisfiedCallbacks.find(
        (callback) =>
          callback.atMs >= firedMs &&
          (callback.round > record.round || callback.segment > record.segment),
      );
      return later === undefined
        ? null
        : { atMs: later.atMs, why: 'satisfied_after_rework', eventId: later.eventId };
    }
    case 'priority': {
      const closed = log.closed.find(({ atMs }) => atMs >= firedMs);
      return closed === undefined
        ? null
        : { atMs: closed.atMs, why: 'closed', eventId: closed.eventId };
    }
    case 'false_completion':
    case 'accept_warning':
    case 'accept_overdue':
    case 'complete_warning':
    case 'complete_overdue':
      return null;
  }
}

// ---- advances ---------------------------------------------------------------------------

function nextLevel(level: EscalationLevel): EscalationLevel {
  return level === 1 ? 2 : 3;
}

/**
 * The record's level changes from its current level on: one level per unacknowledged period,
 * and straight to 3 for an overdue one still unresolved a working day after its deadline. Stops
 * at the first instant after the watermark (returned as `nextMs`).
 */
function advancesOf(
  input: SupervisionInput,
  record: EscalationRecord,
  resolvedMs: number,
): { advances: EscalationAdvance[]; nextMs: number | null } {
  const { calendar, policy } = input;
  const watermarkMs = input.watermark.getTime();
  const ackMs = record.acknowledgedAt?.getTime() ?? Infinity;
  const ackMinutes = policy.acknowledgeWithinWorkingHours * 60;
  const topMs =
    isOverdueKind(record.kind) && record.dueAt !== null
      ? calendar
          .addWorkingRolling(record.dueAt, policy.overdueToTopLevelAfterWorkingDays * 1440)
          .getTime()
      : null;
  const advances: EscalationAdvance[] = [];
  let level = record.level;
  let changedMs = record.levelChangedAt.getTime();
  while (level < 3) {
    const ackDueMs =
      ackMs > changedMs
        ? calendar.addWorkingRolling(new Date(changedMs), ackMinutes).getTime()
        : Infinity;
    const byAck = ackDueMs < ackMs && ackDueMs < resolvedMs ? ackDueMs : Infinity;
    const byTop =
      topMs !== null && Math.max(topMs, changedMs) < resolvedMs
        ? Math.max(topMs, changedMs)
        : Infinity;
    const atMs = Math.min(byAck, byTop);
    if (atMs === Infinity) break;
    if (atMs > watermarkMs) return { advances, nextMs: atMs };
    const top = byTop <= byAck;
    const toLevel = top ? 3 : nextLevel(level);
    advances.push({
      escalationKey: record.escalationKey,
      fromLevel: level,
      toLevel,
      at: new Date(atMs),
      why: top ? 'overdue_one_working_day' : 'not_acknowledged',
    });
    level = toLevel;
    changedMs = atMs;
  }
  return { advances, nextMs: null };
}

// ---- withdrawal ------------------------------------------------------------------------

/** When each of the order's events occurred, by event id. */
interface OccurredAt {
  get(eventId: string): number | undefined;
}

/**
 * The events' instants, put in order only when a withdrawal or a disproof first names its
 * evidence: most decisions name none.
 */
function occurredAtOnDemand(events: readonly WorkOrderEvent[]): OccurredAt {
  let byId: Map<string, number> | null = null;
  return {
    get: (eventId) => {
      byId ??= new Map(timedEventsInOrder(events).map(({ event, atMs }) => [event.eventId, atMs]));
      return byId.get(eventId);
    },
  };
}

type Evidence = Omit<EscalationWithdraw, 'escalationKey' | 'at'>;

/**
 * Why the log no longer supports `record` (fired at F): for a stage's escalation, either the
 * stage was not open at F (done in time: the event that closed it), or the instant in force at F
 * lies after F (the deadline moved: the extension, suspension or resumption that moved it, or a
 * recompute when no event did); otherwise the log merely puts it elsewhere (restated).
 */
function withdrawalEvidence(
  record: EscalationRecord,
  entry: StageEntry | undefined,
  log: EventLog,
  occurredMs: OccurredAt,
): Evidence {
  const firedMs = record.firedAt.getTime();
  const evidence = (reason: WithdrawalReason, eventId: string | null) =>
    proof(reason, eventId, occurredMs);
  if (entry !== undefined) {
    const { windows, dueIntervals } = entry.stage.timeline;
    const open = windows.some((w) => w.fromMs <= firedMs && firedMs < w.toMs);
    if (!open) {
      const done = windows.filter((w) => w.toMs <= firedMs).at(-1);
      return done ? evidence('done_in_time', done.closedByEventId) : evidence('restated', null);
    }
    const interval = dueIntervals.find((i) => i.fromMs <= firedMs && firedMs < i.toMs);
    const instant = record.kind === entry.warningKind ? interval?.warningMs : interval?.dueMs;
    if (interval !== undefined && (instant === null || (instant ?? 0) > firedMs)) {
      const moved = dueIntervals.filter((i) => i.fromMs <= firedMs && i.changedByEventId).at(-1);
      return moved
        ? evidence('deadline_moved', moved.changedByEventId)
        : evidence('deadline_recomputed', null);
    }
    return evidence('restated', null);
  }
  if (record.kind === 'priority') {
    const closed = log.closed.filter(({ atMs }) => atMs <= firedMs).at(-1);
    if (closed) return evidence('order_closed', closed.eventId);
  }
  return evidence('restated', null);
}

/**
 * What the decision made on its own of an escalation the log still fires — its levels and its
 * automatic resolution — checked against the log's `resolution` (half-open, as in advancesOf):
 * a level reached at or after the cause went away (`resolved_earlier`), or a resolution the log
 * no longer shows by then (a reply that turned out not to end the stage: `restated`), disproves
 * it. A person's acknowledgement or resolution is never second-guessed.
 */
function automaticPartsDisproved(
  record: EscalationRecord,
  resolution: AutoResolution | null,
  occurredMs: OccurredAt,
): Evidence | null {
  if (record.resolution === 'manual') return null;
  const advancedMs = record.levelChangedAt.getTime();
  if (
    resolution !== null &&
    advancedMs > record.firedAt.getTime() &&
    advancedMs >= resolution.atMs
  ) {
    return proof('resolved_earlier', resolution.eventId, occurredMs);
  }
  const resolvedMs = record.resolvedAt?.getTime();
  if (record.status === 'resolved' && resolvedMs !== undefined) {
    if (resolution === null || resolution.atMs > resolvedMs)
      return proof('restated', null, occurredMs);
  }
  return null;
}

function proof(reason: WithdrawalReason, eventId: string | null, occurredMs: OccurredAt): Evidence {
  const atMs = eventId === null ? undefined : occurredMs.get(eventId);
  return {
    reason,
    evidenceEventId: atMs === undefined ? null : eventId,
    evidenceOccurredAt: atMs === undefined ? null : new Date(atMs),
  };
}

/**
 * Does the log still fire `record` as it was fired (same instant, same deadline), by this
 * watermark? (A stage the log now shows done at the instant and reopened later is not overdue
 * until the reopening.)
 */
function stillHolds(
  record: EscalationRecord,
  candidate: Candidate | undefined,
  watermarkMs: number,
): boolean {
  return (
    candidate !== undefined &&
    candidate.decidedMs <= watermarkMs &&
    candidate.firedMs === record.firedAt.getTime() &&
    candidate.dueMs === (record.dueAt?.getTime() ?? null)
  );
}

// ---- the decision -----------------------------------------------------------------------

const KIND_ORDER = new Map<EscalationKind, number>(ESCALATION_KINDS.map((kind, i) => [kind, i]));

/** By instant, then in the order of ESCALATION_KINDS (a warning before its overdue), then key. */
function byInstant<T extends { escalationKey: string }>(
  instant: (item: T) => Date,
  kindOf: (item: T) => EscalationKind | undefined,
): (a: T, b: T) => number {
  const rank = (item: T) => KIND_ORDER.get(kindOf(item) ?? 'priority') ?? 0;
  return (a, b) =>
    instant(a).getTime() - instant(b).getTime() ||
    rank(a) - rank(b) ||
    (a.escalationKey < b.escalationKey ? -1 : a.escalationKey > b.escalationKey ? 1 : 0);
}

/**
 * The instant an order's escalations show it was already judged at: what the decision made on
 * its own happened at or before the watermark it was made at (a person's acknowledgement or
 * resolution is wall-clock time, not evidence of a watermark). A later decision at a lower
 * watermark (clocks of two replicas a little apart) must not undo it.
 */
function judgedThroughMs(records: readonly EscalationRecord[]): number {
  let ms = Number.NEGATIVE_INFINITY;
  for (const r of records) {
    ms = Math.max(ms, r.firedAt.getTime(), r.levelChangedAt.getTime());
    if (r.resolution === 'auto' && r.resolvedAt) ms = Math.max(ms, r.resolvedAt.getTime());
    if (r.withdrawal) ms = Math.max(ms, r.withdrawal.at.getTime());
  }
  return ms;
}

/** The same escalation fired again: a person's acknowledgement of it still stands. */
function carryAcknowledgement(fresh: EscalationRecord, before: EscalationRecord | undefined) {
  if (
    before?.acknowledgedAt == null ||
    before.firedAt.getTime() !== fresh.firedAt.getTime() ||
    (before.dueAt?.getTime() ?? null) !== (fresh.dueAt?.getTime() ?? null)
  ) {
    return fresh;
  }
  return { ...fresh, status: 'acknowledged' as const, acknowledgedAt: before.acknowledgedAt };
}

export function decideSupervision(given: SupervisionInput): SupervisionDecision {
  const mine = given.existing.filter((record) => record.workOrderId === given.workOrderId);
  const watermarkMs = Math.max(given.watermark.getTime(), judgedThroughMs(mine));
  const input = { ...given, watermark: new Date(watermarkMs) };
  const entries = stageEntries(input);
  const log = readEventLog(input.workOrderId, input.state, input.calendar.timeZone);
  const occurredMs = occurredAtOnDemand(input.events);

  const existing = new Map<string, EscalationRecord>();
  for (const record of mine) existing.set(record.escalationKey, record);
  const candidates = new Map<string, Candidate>();
  for (const candidate of [...timeDrivenCandidates(input, entries), ...log.candidates]) {
    candidates.set(candidate.escalationKey, candidate);
  }

  const withdraw: EscalationWithdraw[] = [];
  const create: EscalationRecord[] = [];
  const advance: EscalationAdvance[] = [];
  const resolve: EscalationResolve[] = [];
  let nextMs = Infinity;
  const later = (atMs: number | null) => {
    if (atMs !== null && atMs > watermarkMs) nextMs = Math.min(nextMs, atMs);
  };
  // The records the decision goes on with: kept ones not resolved, and those created now.
  const live: EscalationRecord[] = [];
  const fire = (candidate: Candidate) => {
    if (candidate.decidedMs > watermarkMs) {
      later(candidate.decidedMs);
      return;
    }
    const record = carryAcknowledgement(candidate.record(), existing.get(candidate.escalationKey));
    create.push(record);
    live.push(record);
  };

  for (const [key, candidate] of candidates) if (!existing.has(key)) fire(candidate);
  for (const [key, record] of existing) {
    const candidate = candidates.get(key);
    if (record.status === 'withdrawn') {
      if (candidate) fire(candidate);
      continue;
    }
    const entry = entries.get(key);
    let evidence: Evidence | null = null;
    if (stillHolds(record, candidate, watermarkMs)) {
      const resolution =
        entry !== undefined ? stageResolution(entry, record) : eventResolution(log, record);
      evidence = automaticPartsDisproved(record, resolution, occurredMs);
      if (evidence === null) {
        if (record.status !== 'resolved') live.push(record);
        continue;
      }
    }
    evidence ??= withdrawalEvidence(record, entry, log, occurredMs);
    withdraw.push({ escalationKey: key, at: input.watermark, ...evidence });
    if (candidate) fire(candidate);
  }

  for (const record of live) {
    const entry = entries.get(record.escalationKey);
    const resolution =
      entry !== undefined ? stageResolution(entry, record) : eventResolution(log, record);
    const resolvedMs = resolution?.atMs ?? Infinity;
    const { advances, nextMs: nextAdvanceMs } = advancesOf(input, record, resolvedMs);
    advance.push(...advances);
    later(nextAdvanceMs);
    if (resolution === null) continue;
    if (resolution.atMs <= watermarkMs) {
      resolve.push({
        escalationKey: record.escalationKey,
        at: new Date(resolution.atMs),
        why: resolution.why,
      });
    } else {
      later(resolution.atMs);
    }
  }

  // Read only by a sort of two or more items.
  let kinds: Map<string, EscalationKind> | null = null;
  const kindOf = (item: { escalationKey: string }) =>
    (kinds ??= new Map([...existing.values(), ...live].map((r) => [r.escalationKey, r.kind]))).get(
      item.escalationKey,
    );
  return {
    withdraw: withdraw.sort(byInstant((item: EscalationWithdraw) => item.at, kindOf)),
    create: create.sort(byInstant((record: EscalationRecord) => record.firedAt, kindOf)),
    advance: advance.sort(byInstant((item: EscalationAdvance) => item.at, kindOf)),
    resolve: resolve.sort(byInstant((item: EscalationResolve) => item.at, kindOf)),
    nextDueAt: nextMs === Infinity ? null : new Date(nextMs),
  };
}

/** One change of one escalation, with the escalation as it stands after it. */
export interface EscalationChange {
  change: Exclude<EscalationChangeKind, 'acknowledged'>;
  /** Event time of the change: firedAt, the level's instant, the resolution, the withdrawal. */
  at: Date;
  record: EscalationRecord;
  /** Why: the advance's reason, what resolved it, or null. */
  why: string | null;
}

/**
 * A decision as the ordered changes it makes, each escalation's version +1 per change: per
 * escalation a withdrawal first, then its (re)creation, then one `advanced` per level reached (so
 * every level's recipients are told, whatever the batch boundaries), then its resolution. A key
 * fired again after a withdrawal keeps its id and history: version and generation go on.
 */
export function escalationChanges(
  existing: readonly EscalationRecord[],
  decision: SupervisionDecision,
): EscalationChange[] {
  const records = new Map<string, EscalationRecord>();
  for (const record of existing) records.set(record.escalationKey, record);
  const changes: EscalationChange[] = [];
  const change = (
    kind: EscalationChange['change'],
    at: Date,
    record: EscalationRecord,
    why: string | null,
  ) => {
    records.set(record.escalationKey, record);
    changes.push({ change: kind, at, record, why });
  };
  for (const item of decision.withdraw) {
    const record = records.get(item.escalationKey);
    if (record === undefined || record.status === 'withdrawn') continue;
    const { reason, at, evidenceEventId, evidenceOccurredAt } = item;
    change(
      'withdrawn',
      at,
      {
        ...record,
        status: 'withdrawn',
        withdrawal: { reason, at, evidenceEventId, evidenceOccurredAt },
        version: record.version + 1,
      },
      reason,
    );
  }
  for (const fresh of decision.create) {
    const before = records.get(fresh.escalationKey);
    if (before !== undefined && before.status !== 'withdrawn') continue;
    const record =
      before === undefined
        ? fresh
        : { ...fresh, version: before.version + 1, generation: before.generation + 1 };
    change('created', fresh.firedAt, record, null);
  }
  for (const item of decision.advance) {
    const record = records.get(item.escalationKey);
    if (record === undefined || record.level >= item.toLevel) continue;
    const moved = { ...record, level: item.toLevel, levelChangedAt: item.at };
    change('advanced', item.at, { ...moved, version: record.version + 1 }, item.why);
  }
  for (const item of decision.resolve) {
    const record = records.get(item.escalationKey);
    if (record === undefined || record.status === 'resolved' || record.status === 'withdrawn') {
      continue;
    }
    change(
      'resolved',
      item.at,
      {
        ...record,
        status: 'resolved',
        resolvedAt: item.at,
        resolution: 'auto',
        version: record.version + 1,
      },
      item.why,
    );
  }
  return changes;
}

/**
 * The escalations after a decision (escalationChanges applied): what the app layer persists, and
 * what a later decision expects as `existing`.
 */
export function applySupervisionDecision(
  existing: readonly EscalationRecord[],
  decision: SupervisionDecision,
): EscalationRecord[] {
  const records = new Map<string, EscalationRecord>();
  for (const record of existing) records.set(record.escalationKey, record);
  for (const { record } of escalationChanges(existing, decision)) {
    records.set(record.escalationKey, record);
  }
  return [...records.values()];
}
