import {
  CalendarError,
  computeDeadlines,
  computeSupervisedDeadlines,
  foldHoldingEarly,
  foldWorkOrder,
  isoInstant,
  stateDocument,
  type DeadlineResult,
  orderFacts,
  type RuleProfile,
  type StatisticsFormula,
  type SupervisedDeadlines,
  type WorkingCalendar,
  type WorkOrderEvent,
  type WorkOrderState,
} from '@hotline/core';
import { upsertWorkOrders, type WorkOrderRecord } from '@hotline/persistence';
import { applyFactDeltas, loadStoredFacts } from '@hotline/persistence/statistics';
import type { QueryRunner } from 'typeorm';
import { profileFor, type HandlingRules } from '@hotline/platform';

const isoOrNull = (at: Date | null): string | null => (at === null ? null : isoInstant(at));

/** The profile version an order is pinned to, as stored on its row. */
export interface PinnedProfile {
  profileId: string | null;
  profileVersion: string | null;
}

export interface ProjectionRules {
  calendar: WorkingCalendar;
  /** The profile to compute under; undefined when the pinned version is not loaded. */
  profile: RuleProfile | undefined;
  pinned?: PinnedProfile;
}

/** An existing order is computed under the version it is pinned to, a new one under the active. */
export function pinnedProjectionRules(
  rules: HandlingRules,
  pinned: PinnedProfile | undefined,
): ProjectionRules {
  return {
    calendar: rules.calendar,
    profile: profileFor(rules, pinned),
    ...(pinned ? { pinned } : {}),
  };
}

export interface Projection {
  record: WorkOrderRecord;
  state: WorkOrderState;
  deadlines: DeadlineResult | null;
  /**
   * Why a deadline could not be computed: the order's (profile_unavailable: none computed) or a
   * stage's (calendar_out_of_range: that stage left out, the others computed); null when all were.
   */
  deadlineError: string | null;
}

/**
 * The row an order's events imply: the pure fold, and the deadlines under the order's profile.
 * A stage the calendar cannot compute is left out with the reason (the others stand), and a
 * pinned profile version that is not loaded leaves the deadlines empty with the reason, never a
 * guess; the order itself is still recorded and stays pinned to its version. The row's deadlines
 * summary marks an order whose deadlines rest on provisional days (`provisional`) or miss a stage
 * (`unavailable`): what a holiday notice's import recomputes.
 */
export function projectWorkOrder(
  workOrderId: string,
  events: readonly WorkOrderEvent[],
  rules: ProjectionRules,
): Projection {
  const { state, held } = foldHoldingEarly(workOrderId, events);
  let deadlines: DeadlineResult | null = null;
  let failure: { error: { code: string; message: string } } | null = null;
  if (state.segment > 0 && rules.profile === undefined) {
    const ref = `${rules.pinned?.profileId}@${rules.pinned?.profileVersion}`;
    failure = {
      error: { code: 'profile_unavailable', message: `rule profile ${ref} is not loaded` },
    };
  } else if (state.segment > 0 && rules.profile) {
    try {
      deadlines = computeDeadlines(events, rules.profile, rules.calendar);
    } catch (error) {
      if (!(error instanceof CalendarError)) throw error;
      failure = { error: { code: error.code, message: error.message } };
    }
  }
  const record: WorkOrderRecord = {
    workOrderId,
    status: state.status,
    unitId: state.unitId,
    category: state.category,
    urgency: state.urgency,
    tags: state.tags,
    segment: state.segment,
    reworkRound: state.reworkRound,
    receivedAt: state.receivedAt,
    dispatchedAt: state.dispatchedAt,
    acceptedAt: state.acceptedAt,
    repliedAt: state.repliedAt,
    closedAt: state.closedAt,
    excluded: state.excluded,
    acceptDueAt: deadlines?.accept?.dueAt ?? null,
    completeDueAt: deadlines?.complete?.dueAt ?? null,
    nextDueAt: deadlines?.nextDueAt ?? null,
    acceptOutcome: deadlines?.accept?.outcome ?? null,
    completeOutcome: deadlines?.complete?.outcome ?? null,
    profileId: deadlines?.profileId ?? rules.pinned?.profileId ?? null,
    profileVersion: deadlines?.profileVersion ?? rules.pinned?.profileVersion ?? null,
    state: stateDocument(state),
    // A small summary: the columns hold the deadlines, and the full explanation is derivable
    // from the event log, so the API recomputes it on a detail read instead of this hot row
    // carrying kilobytes per order.
    deadlines: deadlines
      ? {
          profileId: deadlines.profileId,
          profileVersion: deadlines.profileVersion,
          acceptWarningAt: isoOrNull(deadlines.accept?.warningAt ?? null),
          completeWarningAt: isoOrNull(deadlines.complete?.warningAt ?? null),
          returnDueAt: isoOrNull(deadlines.returnDueAt),
          flags: deadlines.flags,
          ...(deadlines.provisional ? { provisional: deadlines.provisional } : {}),
          ...(deadlines.unavailable.length > 0
            ? {
                unavailable: deadlines.unavailable.map(({ stage, segment, round, code }) => ({
                  stage,
                  segment,
                  round,
                  code,
                })),
              }
            : {}),
        }
      : failure,
    eventCount: state.eventCount,
    heldEvents: held.length,
    lastEventAt: state.lastEventAt,
    sourcePartition: null,
  };
  const deadlineError = failure?.error.code ?? deadlines?.unavailable[0]?.code ?? null;
  return { record, state, deadlines, deadlineError };
}

/**
 * What the sweep decides on: the fold and what supervision reads of the deadlines
 * (computeSupervisedDeadlines), null exactly when projectWorkOrder's are (before any dispatch, a
 * pinned profile not loaded, an order the calendar cannot compute). The row, explanations and
 * summary the sweep never writes are not built.
 */
export function projectForSupervision(
  workOrderId: string,
  events: readonly WorkOrderEvent[],
  rules: ProjectionRules,
): { state: WorkOrderState; deadlines: SupervisedDeadlines | null } {
  const state = foldWorkOrder(workOrderId, events);
  if (state.segment === 0 || rules.profile === undefined) return { state, deadlines: null };
  try {
    return {
      state,
      deadlines: computeSupervisedDeadlines(events, rules.profile, rules.calendar),
    };
  } catch (error) {
    if (!(error instanceof CalendarError)) throw error;
    return { state, deadlines: null };
  }
}

/**
 * Writes orders projected again outside the ingestion path (a deadline recompute, the held events'
 * grace check): their rows, due at `now` so that the sweep re-decides them at once, and their
 * statistics facts by the difference from those stored (a closed month records a restatement).
 */
export async function rewriteProjectedOrders(
  runner: QueryRunner,
  projections: readonly Projection[],
  options: { formula: StatisticsFormula; calendar: WorkingCalendar; cause: string; now: Date },
): Promise<void> {
  const written = await upsertWorkOrders(
    runner,
    projections.map(({ record }) => ({ ...record, nextDueAt: options.now })),
  );
  const stored = await loadStoredFacts(runner, [...written]);
  await applyFactDeltas(
    runner,
    projections
      .filter(({ record }) => written.has(record.workOrderId))
      .map(({ record, state, deadlines }) => ({
        workOrderId: record.workOrderId,
        before: stored.get(record.workOrderId) ?? [],
        after: orderFacts(state, deadlines, options.formula, options.calendar),
        cause: options.cause,
      })),
  );
}
