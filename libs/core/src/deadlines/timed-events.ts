import type { WorkOrderEvent } from '../events/work-order-event';
import { compareEvents } from '../work-orders/order-events';
import { parseInstantMs } from '../calendar/parse-instant';

export interface TimedEvent {
  event: WorkOrderEvent;
  /** `occurredAt`, parsed once. */
  atMs: number;
}

/**
 * Exactly orderEvents' result (contract order; of events sharing an eventId the first given is
 * kept), each with its instant parsed once (and fast, see parseInstantMs). orderEvents'
 * comparator parses both `occurredAt` strings at every comparison, which was the largest single
 * cost of computing a million orders' deadlines; here compareEvents only breaks ties between
 * events at the same instant.
 */
export function timedEventsInOrder(events: readonly WorkOrderEvent[]): TimedEvent[] {
  const unique = new Map<string, WorkOrderEvent>();
  for (const event of events) if (!unique.has(event.eventId)) unique.set(event.eventId, event);
  const timed: TimedEvent[] = [];
  for (const event of unique.values())
    timed.push({ event, atMs: parseInstantMs(event.occurredAt) });
  return timed.sort((a, b) => a.atMs - b.atMs || compareEvents(a.event, b.event));
}
