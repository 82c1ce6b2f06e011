import type { WorkOrderEvent } from '../events/work-order-event';
import { parseInstantMs } from '../calendar/parse-instant';

export interface TimedEvent {
  event: WorkOrderEvent;
  /** `occurredAt`, parsed once. */
  atMs: number;
}

/**
 * The contract's order: `occurredAt`, then `sequence` (an event without one after those with one
 * at the same instant), then `eventId` so that even ties are total and the fold is deterministic.
 */
function compareTimed(a: TimedEvent, b: TimedEvent): number {
  const byTime = a.atMs - b.atMs;
  if (byTime !== 0) return byTime;
  const seqA = a.event.sequence ?? Number.MAX_SAFE_INTEGER;
  const seqB = b.event.sequence ?? Number.MAX_SAFE_INTEGER;
  if (seqA !== seqB) return seqA - seqB;
  return a.event.eventId < b.event.eventId ? -1 : a.event.eventId > b.event.eventId ? 1 : 0;
}

/**
 * An order's events in the contract's order (of events sharing an eventId the first given is
 * kept), each with its instant parsed once (and fast, see parseInstantMs): a comparator that
 * parsed both `occurredAt` strings at every comparison was the largest single cost of computing
 * a million orders' deadlines. orderEvents (the fold's order) is this without the instants.
 */
export function timedEventsInOrder(events: readonly WorkOrderEvent[]): TimedEvent[] {
  const unique = new Map<string, WorkOrderEvent>();
  for (const event of events) if (!unique.has(event.eventId)) unique.set(event.eventId, event);
  const timed: TimedEvent[] = [];
  for (const event of unique.values())
    timed.push({ event, atMs: parseInstantMs(event.occurredAt) });
  return timed.sort(compareTimed);
}
