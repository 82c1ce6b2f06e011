/**
 * A binary min-heap of per-order event lists, keyed by each list's next event (instant, then the
 * order's index): a k-way merge of orders that are each already in contract order. It holds only
 * the orders still "open" in event time (a few weeks of traffic), never the year.
 */
import type { TimedEvent } from './order-lifecycle';

/** An order's events and the next one to release; `ms` is that event's instant (the heap key). */
interface Cursor {
  events: TimedEvent[];
  next: number;
  ms: number;
  order: number;
}

function before(a: Cursor, b: Cursor): boolean {
  return a.ms < b.ms || (a.ms === b.ms && a.order < b.order);
}

export class OrderEventHeap {
  private readonly cursors: Cursor[] = [];
  private pending = 0;

  /** Events held. */
  get size(): number {
    return this.pending;
  }

  /** Adds one order's events (in contract order). */
  push(events: TimedEvent[]): void {
    if (events.length === 0) return;
    const first = events[0] as TimedEvent;
    this.cursors.push({ events, next: 0, ms: first.ms, order: first.order });
    this.pending += events.length;
    this.siftUp(this.cursors.length - 1);
  }

  /** The earliest held event's instant, or Infinity when empty. */
  peekMs(): number {
    return this.cursors[0]?.ms ?? Infinity;
  }

  /** Removes and returns the earliest event. */
  pop(): TimedEvent | undefined {
    const top = this.cursors[0];
    if (top === undefined) return undefined;
    const event = top.events[top.next] as TimedEvent;
    top.next += 1;
    this.pending -= 1;
    const following = top.events[top.next];
    if (following === undefined) {
      const last = this.cursors.pop() as Cursor;
      if (this.cursors.length === 0) return event;
      this.cursors[0] = last;
    } else {
      top.ms = following.ms;
    }
    this.siftDown(0);
    return event;
  }

  private siftUp(index: number): void {
    const cursors = this.cursors;
    const item = cursors[index] as Cursor;
    let i = index;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const p = cursors[parent] as Cursor;
      if (!before(item, p)) break;
      cursors[i] = p;
      i = parent;
    }
    cursors[i] = item;
  }

  private siftDown(index: number): void {
    const cursors = this.cursors;
    const n = cursors.length;
    const item = cursors[index] as Cursor;
    let i = index;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= n) break;
      const right = left + 1;
      let child = left;
      if (right < n && before(cursors[right] as Cursor, cursors[left] as Cursor)) child = right;
      const c = cursors[child] as Cursor;
      if (!before(c, item)) break;
      cursors[i] = c;
      i = child;
    }
    cursors[i] = item;
  }
}
