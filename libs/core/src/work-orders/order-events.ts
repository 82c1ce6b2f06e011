import type { WorkOrderEvent } from '../events/work-order-event';

/** Milliseconds since the epoch of an event's `occurredAt` (already validated as RFC 3339). */
export function occurredAtMs(event: WorkOrderEvent): number {
  return Date.parse(event.occurredAt);
}

/**
 * The contract's order: `occurredAt`, then `sequence` (an event without one after those with one
 * at the same instant), then `eventId` so that even ties are total and the fold is deterministic.
 */
export function compareEvents(a: WorkOrderEvent, b: WorkOrderEvent): number {
  const byTime = occurredAtMs(a) - occurredAtMs(b);
  if (byTime !== 0) return byTime;
  const seqA = a.sequence ?? Number.MAX_SAFE_INTEGER;
  const seqB = b.sequence ?? Number.MAX_SAFE_INTEGER;
  if (seqA !== seqB) return seqA - seqB;
  return a.eventId < b.eventId ? -1 : a.eventId > b.eventId ? 1 : 0;
}

/** The set of an order's events in contract order, duplicates (same `eventId`) removed. */
export function orderEvents(events: readonly WorkOrderEvent[]): WorkOrderEvent[] {
  const unique = new Map<string, WorkOrderEvent>();
  for (const event of events) if (!unique.has(event.eventId)) unique.set(event.eventId, event);
  return [...unique.values()].sort(compareEvents);
}
