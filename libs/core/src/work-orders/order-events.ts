import type { WorkOrderEvent } from '../events/work-order-event';
import { timedEventsInOrder } from '../deadlines/timed-events';

/** The set of an order's events in contract order, duplicates (same `eventId`) removed. */
export function orderEvents(events: readonly WorkOrderEvent[]): WorkOrderEvent[] {
  return timedEventsInOrder(events).map((timed) => timed.event);
}

/**
 * What may come before the street receives an order and still count: a flag (重点, 领导批示…) the
 * hotline put on it before dispatching it (its tags count from the dispatch on). Every other event
 * dated before an order's first `dispatched` is held (foldHoldingEarly).
 */
export function foldedBeforeDispatch(type: WorkOrderEvent['type']): boolean {
  return type === 'flagged';
}
