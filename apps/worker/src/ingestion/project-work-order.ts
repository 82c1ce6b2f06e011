import {
  CalendarError,
  computeDeadlines,
  foldWorkOrder,
  type StageDeadline,
  type DeadlineResult,
  type RuleProfile,
  type WorkingCalendar,
  type WorkOrderEvent,
} from '@hotline/core';
import type { WorkOrderRecord } from '@hotline/persistence';

export interface DeadlineRules {
  profile: RuleProfile;
  calendar: WorkingCalendar;
}

/**
 * The deadline summary kept on the order row. The full explanation is derivable from the event
 * log and the profile, so the API recomputes it on a detail read instead of storing kilobytes
 * per order on the hot table.
 */
function summarizeStage(stage: StageDeadline | null) {
  if (!stage) return null;
  const {
    segment,
    round,
    unitId,
    startAt,
    dueAt,
    warningAt,
    doneAt,
    outcome,
    endedAt,
    endedBy,
    pausedSince,
  } = stage;
  return {
    segment,
    round,
    unitId,
    startAt,
    dueAt,
    warningAt,
    doneAt,
    outcome,
    endedAt,
    endedBy,
    pausedSince,
  };
}

/** Stored in `deadlines` when they could not be computed (e.g. a date outside the calendar). */
export interface DeadlineFailure {
  error: { code: string; message: string };
}

/**
 * The row an order's events imply: the pure fold, and the deadlines under the rule profile.
 * A calendar error (a year without holiday data) leaves the deadlines empty with the reason,
 * never a guess; the order itself is still recorded.
 */
export function projectWorkOrder(
  workOrderId: string,
  events: readonly WorkOrderEvent[],
  rules: DeadlineRules,
): WorkOrderRecord & { deadlineError: string | null } {
  const state = foldWorkOrder(workOrderId, events);
  let deadlines: DeadlineResult | null = null;
  let failure: DeadlineFailure | null = null;
  if (state.segment > 0) {
    try {
      deadlines = computeDeadlines(events, rules.profile, rules.calendar);
    } catch (error) {
      if (!(error instanceof CalendarError)) throw error;
      failure = { error: { code: error.code, message: error.message } };
    }
  }
  return {
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
    profileId: deadlines?.profileId ?? null,
    profileVersion: deadlines?.profileVersion ?? null,
    state,
    deadlines: deadlines
      ? {
          profileId: deadlines.profileId,
          profileVersion: deadlines.profileVersion,
          accept: summarizeStage(deadlines.accept),
          complete: summarizeStage(deadlines.complete),
          returnDueAt: deadlines.returnDueAt,
          dueInstants: deadlines.dueInstants,
          flags: deadlines.flags,
        }
      : failure,
    eventCount: state.eventCount,
    lastEventAt: state.lastEventAt,
    deadlineError: failure?.error.code ?? null,
  };
}
