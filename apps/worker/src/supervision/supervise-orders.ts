/**
 * The supervision step shared by ingestion and the sweeper: decide (pure core) for each order
 * against its partition's event-time watermark, and collect the ordered changes and the next due
 * instants.
 */
import {
  decideSupervision,
  escalationChanges,
  type EscalationChange,
  type EscalationRecord,
  type SupervisedDeadlines,
  type SupervisionPolicy,
  type WorkingCalendar,
  type WorkOrderEvent,
  type WorkOrderState,
} from '@hotline/core';

export interface OrderToSupervise {
  workOrderId: string;
  events: readonly WorkOrderEvent[];
  state: WorkOrderState;
  deadlines: SupervisedDeadlines | null;
  watermark: Date;
}

export interface SupervisionOutcome {
  changes: EscalationChange[];
  nextDueAt: Map<string, Date | null>;
}

export function superviseOrders(
  orders: readonly OrderToSupervise[],
  existing: ReadonlyMap<string, EscalationRecord[]>,
  calendar: WorkingCalendar,
  policy: SupervisionPolicy,
): SupervisionOutcome {
  const changes: EscalationChange[] = [];
  const nextDueAt = new Map<string, Date | null>();
  for (const order of orders) {
    const before = existing.get(order.workOrderId) ?? [];
    // Orders not yet dispatched have nothing to supervise until their dispatch arrives.
    if (order.state.segment === 0 && before.length === 0) {
      nextDueAt.set(order.workOrderId, null);
      continue;
    }
    const decision = decideSupervision({
      workOrderId: order.workOrderId,
      events: order.events,
      state: order.state,
      deadlines: order.deadlines,
      existing: before,
      watermark: order.watermark,
      calendar,
      policy,
    });
    changes.push(...escalationChanges(before, decision));
    nextDueAt.set(order.workOrderId, decision.nextDueAt);
  }
  return { changes, nextDueAt };
}
