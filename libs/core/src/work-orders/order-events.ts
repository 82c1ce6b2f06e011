import type { WorkOrderEvent } from '../events/work-order-event';
import { timedEventsInOrder } from '../deadlines/timed-events';

/** The set of an order's events in contract order, duplicates (same `eventId`) removed. */
export function orderEvents(events: readonly WorkOrderEvent[]): WorkOrderEvent[] {
  return timedEventsInOrder(events).map((timed) => timed.event);
}
