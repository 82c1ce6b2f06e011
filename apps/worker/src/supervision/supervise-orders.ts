/**
 * The supervision step shared by ingestion and the sweeper: decide (pure core) for each order
 * against its partition's event-time watermark, and collect the ordered changes and the next due
 * instants.
 */
import {
  CalendarError,
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
  /**
   * Orders left undecided because a decision needs the working clock outside the calendar's
   * coverage (an order dispatched before its first year, say), with the calendar's error code:
   * nothing is changed for them and nothing is scheduled, so that one such order neither fails
   * its batch nor comes back first in every sweep. Such an order's deadlines are out of the
   * calendar too as a rule (it was dispatched before the coverage), so after the calendar is
   * extended `npm run deadlines:recompute -- --calendar` finds it and schedules it again; any
   * new event of the order decides it again as well.
   */
  undecided: Map<string, CalendarError['code']>;
}

export function superviseOrders(
  orders: readonly OrderToSupervise[],
  existing: ReadonlyMap<string, EscalationRecord[]>,
  calendar: WorkingCalendar,
  policy: SupervisionPolicy,
): SupervisionOutcome {
  const changes: EscalationChange[] = [];
  const nextDueAt = new Map<string, Date | null>();
  const undecided = new Map<string, CalendarError['code']>();
  for (const order of orders) {
    const before = existing.get(order.workOrderId) ?? [];
    // Orders not yet dispatched have nothing to supervise until their dispatch arrives.
    if (order.state.segment === 0 && before.length === 0) {
      nextDueAt.set(order.workOrderId, null);
      continue;
    }
    try {
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
    } catch (error) {
      if (!(error instanceof CalendarError)) throw error;
      undecided.set(order.workOrderId, error.code);
      nextDueAt.set(order.workOrderId, null);
    }
  }
  return { changes, nextDueAt, undecided };
}
