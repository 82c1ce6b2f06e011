/**
 * Escalations (督办, domain.md §4): what fired, for which order, stage and round, at which level,
 * and where it stands. One row per natural key `(order, kind, segment, round)`: the key is a
 * stable string (escalationKey) the app layer hashes into the escalationId, so the same cause
 * never escalates twice, across restarts, replays and replicas.
 */

export const ESCALATION_KINDS = [
  'accept_warning',
  'accept_overdue',
  'complete_warning',
  'complete_overdue',
  'dissatisfied',
  'false_completion',
  'priority',
] as const;
export type EscalationKind = (typeof ESCALATION_KINDS)[number];

/**
 * `resolved`: its cause went away, or a supervisor resolved it with a note. `withdrawn`: the event
 * log later proved its premise false (the stage was done in time, the deadline had moved later);
 * it is kept with its history, the reason and the evidence, and left out of the statistics.
 */
export const ESCALATION_STATUSES = ['open', 'acknowledged', 'resolved', 'withdrawn'] as const;
export type EscalationStatus = (typeof ESCALATION_STATUSES)[number];

/**
 * Why an escalation was withdrawn:
 * - `done_in_time`: the log shows the stage done before the escalation's instant;
 * - `deadline_moved`: an extension or suspension before that instant had moved the deadline later;
 * - `deadline_recomputed`: the deadline in force now (a profile recompute) puts it later;
 * - `order_closed`: 重点督办 of an order the log shows closed at that instant;
 * - `resolved_earlier`: the log shows its cause gone before a level it was raised to (a reply
 *   that arrived after the advance); the log's version, at the level it really reached, replaces it;
 * - `restated`: the log now puts the escalation at another instant or stage (events that arrived
 *   out of order renumbered it); the log's version replaces it under the same id.
 */
export const WITHDRAWAL_REASONS = [
  'done_in_time',
  'deadline_moved',
  'deadline_recomputed',
  'order_closed',
  'resolved_earlier',
  'restated',
] as const;
export type WithdrawalReason = (typeof WITHDRAWAL_REASONS)[number];

export interface EscalationWithdrawal {
  reason: WithdrawalReason;
  /** Event time of the decision that withdrew it (the watermark then). */
  at: Date;
  /** The event that disproved the premise, when one did. */
  evidenceEventId: string | null;
  evidenceOccurredAt: Date | null;
}

export const ESCALATION_LEVELS = [1, 2, 3] as const;
/** 1 = the unit's liaison, 2 = unit head + supervision office (督查室), 3 = street leadership. */
export type EscalationLevel = (typeof ESCALATION_LEVELS)[number];

export const ESCALATION_RESOLUTIONS = ['auto', 'manual'] as const;
export type EscalationResolution = (typeof ESCALATION_RESOLUTIONS)[number];

/** Kinds that fire at an instant on a stage's clock (from the deadlines), not at an event. */
export const TIME_DRIVEN_KINDS = [
  'accept_warning',
  'accept_overdue',
  'complete_warning',
  'complete_overdue',
] as const satisfies readonly EscalationKind[];
export type TimeDrivenKind = (typeof TIME_DRIVEN_KINDS)[number];

/** Overdue kinds: still open one working day after the deadline, they go to level 3 (督办单). */
export const OVERDUE_KINDS = [
  'accept_overdue',
  'complete_overdue',
] as const satisfies readonly TimeDrivenKind[];

/** domain.md §4: the level an escalation starts at. */
export const DEFAULT_ESCALATION_LEVEL: Readonly<Record<EscalationKind, EscalationLevel>> = {
  accept_warning: 1,
  accept_overdue: 2,
  complete_warning: 1,
  complete_overdue: 2,
  dissatisfied: 2,
  false_completion: 3,
  priority: 2,
};

/** What a supervisor reads (the contract's `reason` starts with it). */
export const ESCALATION_KIND_LABELS: Readonly<Record<EscalationKind, string>> = {
  accept_warning: '接单预警',
  accept_overdue: '超时未接单',
  complete_warning: '办结预警',
  complete_overdue: '超时未办结',
  dissatisfied: '群众不满意',
  false_completion: '虚假办结',
  priority: '重点督办',
};

export const ESCALATION_LEVEL_LABELS: Readonly<Record<EscalationLevel, string>> = {
  1: '一级督办（承办单位联络员）',
  2: '二级督办（承办单位负责人、督查室）',
  3: '三级督办（街道领导）',
};

export interface EscalationRecord {
  /** escalationKey(workOrderId, kind, segment, round). */
  escalationKey: string;
  workOrderId: string;
  /** The unit that held the order when the escalation fired (the breach is attributed to it). */
  unitId: string;
  kind: EscalationKind;
  /** Responsibility segment (1 = first dispatch); 0 for `priority` (one per order). */
  segment: number;
  /** Rework round (0 before any 重办); 0 for `priority`. */
  round: number;
  level: EscalationLevel;
  status: EscalationStatus;
  /** Event time: the due instant (time-driven kinds) or the event's `occurredAt`. */
  firedAt: Date;
  /** The stage deadline the escalation is about; null for event-driven kinds. */
  dueAt: Date | null;
  reason: string;
  /** When `level` was last set (firedAt, then each advance's instant). */
  levelChangedAt: Date;
  acknowledgedAt: Date | null;
  resolvedAt: Date | null;
  resolution: EscalationResolution | null;
  /** Set while the status is `withdrawn`. */
  withdrawal: EscalationWithdrawal | null;
  /** 1 at creation, +1 at every change published for it (consumers keep the highest). */
  version: number;
  /** 1, +1 each time a withdrawn escalation is fired again by the log (levels count per generation). */
  generation: number;
}

/**
 * The natural key `TJ1|complete_overdue|s1|r0`. Stable across releases: the app layer derives
 * the escalationId from it, so changing the format would re-fire every escalation.
 */
export function escalationKey(
  workOrderId: string,
  kind: EscalationKind,
  segment: number,
  round: number,
): string {
  return `${workOrderId}|${kind}|s${segment}|r${round}`;
}

export function isTimeDrivenKind(kind: EscalationKind): kind is TimeDrivenKind {
  return (TIME_DRIVEN_KINDS as readonly EscalationKind[]).includes(kind);
}

export function isOverdueKind(kind: EscalationKind): boolean {
  return (OVERDUE_KINDS as readonly EscalationKind[]).includes(kind);
}
