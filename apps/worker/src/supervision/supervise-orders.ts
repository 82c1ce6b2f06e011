/**
 * The supervision step shared by ingestion and the sweeper: decide (pure core) for each order
 * against its partition's event-time watermark, and collect the changes and next due instants.
 */
import {
  decideSupervision,
  type DeadlineResult,
  type EscalationRecord,
  type SupervisionPolicy,
  type WorkingCalendar,
  type WorkOrderEvent,
  type WorkOrderState,
} from '@hotline/core';
import type { SupervisionChanges } from '@hotline/persistence';

export interface OrderToSupervise {
  workOrderId: string;
  events: readonly WorkOrderEvent[];
  state: WorkOrderState;
  deadlines: DeadlineResult | null;
  watermark: Date;
}

export interface SupervisionOutcome {
  changes: SupervisionChanges;
  nextDueAt: Map<string, Date | null>;
}

export function superviseOrders(
  orders: readonly OrderToSupervise[],
  existing: ReadonlyMap<string, EscalationRecord[]>,
  calendar: WorkingCalendar,
  policy: SupervisionPolicy,
): SupervisionOutcome {
  const changes: SupervisionChanges = { create: [], advance: [], resolve: [] };
  const nextDueAt = new Map<string, Date | null>();
  for (const order of orders) {
    // Orders not yet dispatched have nothing to supervise until their dispatch arrives.
    if (order.state.segment === 0) {
      nextDueAt.set(order.workOrderId, null);
      continue;
    }
    const decision = decideSupervision({
      workOrderId: order.workOrderId,
      events: order.events,
      state: order.state,
      deadlines: order.deadlines,
      existing: existing.get(order.workOrderId) ?? [],
      watermark: order.watermark,
      calendar,
      policy,
    });
    changes.create.push(...decision.create);
    changes.advance.push(...decision.advance);
    changes.resolve.push(...decision.resolve);
    nextDueAt.set(order.workOrderId, decision.nextDueAt);
  }
  return { changes, nextDueAt };
}
