import { foldWorkOrder, type WorkOrderEvent, type WorkOrderState } from '@hotline/core';
import type { WorkOrderRecord } from '@hotline/persistence';

/** The row an order's events imply: the pure fold, flattened for the table. */
export function projectWorkOrder(
  workOrderId: string,
  events: readonly WorkOrderEvent[],
): WorkOrderRecord {
  const state: WorkOrderState = foldWorkOrder(workOrderId, events);
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
    acceptDueAt: null,
    completeDueAt: null,
    nextDueAt: null,
    acceptOutcome: null,
    completeOutcome: null,
    profileId: null,
    profileVersion: null,
    state,
    deadlines: null,
    eventCount: state.eventCount,
    lastEventAt: state.lastEventAt,
  };
}
