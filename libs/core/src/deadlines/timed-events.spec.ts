import fc from 'fast-check';
import type { WorkOrderEvent } from '../events/work-order-event';
import { orderEvents } from '../work-orders/order-events';
import { timedEventsInOrder } from './timed-events';

// The same few instants written in different offsets, so equal instants with different text occur.
const INSTANTS = [
  '2024-03-04T10:00:00+08:00',
  '2024-03-04T02:00:00Z',
  '2024-03-04T10:00:00.000+08:00',
  '2024-03-04T10:00:00.001+08:00',
  '2024-03-03T21:00:00-05:00',
  '2024-03-05T09:00:00+08:00',
];

const event = fc
  .record({
    id: fc.integer({ min: 0, max: 8 }),
    occurredAt: fc.constantFrom(...INSTANTS),
    sequence: fc.option(fc.nat(3), { nil: undefined }),
  })
  .map(({ id, occurredAt, sequence }): WorkOrderEvent => ({
    eventId: `e${id}`,
    type: 'accepted',
    workOrderId: 'W1',
    occurredAt,
    ...(sequence === undefined ? {} : { sequence }),
    data: {},
  }));

/** The contract's order, written plainly: instant (Date.parse), then sequence (absent last), then id. */
function contractOrder(events: readonly WorkOrderEvent[]): WorkOrderEvent[] {
  const first = events.filter((e, i) => events.findIndex((o) => o.eventId === e.eventId) === i);
  const seq = (e: WorkOrderEvent) => e.sequence ?? Infinity;
  return [...first].sort(
    (a, b) =>
      Date.parse(a.occurredAt) - Date.parse(b.occurredAt) ||
      (seq(a) === seq(b) ? 0 : seq(a) < seq(b) ? -1 : 1) ||
      (a.eventId < b.eventId ? -1 : a.eventId > b.eventId ? 1 : 0),
  );
}

describe('timedEventsInOrder', () => {
  it('orders and de-duplicates in the contract order (the first of an id kept), each instant parsed', () => {
    fc.assert(
      fc.property(fc.array(event, { maxLength: 16 }), (events) => {
        const timed = timedEventsInOrder(events);
        const ordered = contractOrder(events);
        expect(orderEvents(events)).toEqual(timed.map((t) => t.event));
        expect(timed).toHaveLength(ordered.length);
        timed.forEach(({ event: e, atMs }, i) => {
          expect(e).toBe(ordered[i]);
          expect(atMs).toBe(Date.parse(e.occurredAt));
        });
      }),
      { numRuns: 2000 },
    );
  });
});
