/**
 * A binary min-heap of per-order event lists, keyed by each list's next event (instant, then the
 * order's index): a k-way merge of orders that are each already in contract order. It holds only
 * the orders still "open" in event time (a few weeks of traffic), never the year.
 */
import type { TimedEvent } from './order-lifecycle';

interface Cursor {
  events: TimedEvent[];
  next: number;
}

function head(cursor: Cursor): TimedEvent {
  return cursor.events[cursor.next] as TimedEvent;
}

function before(a: Cursor, b: Cursor): boolean {
  const x = head(a);
  const y = head(b);
  return x.ms < y.ms || (x.ms === y.ms && x.order < y.order);
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
    this.cursors.push({ events, next: 0 });
    this.pending += events.length;
    this.siftUp(this.cursors.length - 1);
  }

  /** The earliest held event's instant, or Infinity when empty. */
  peekMs(): number {
    const top = this.cursors[0];
    return top === undefined ? Infinity : head(top).ms;
  }

  /** Removes and returns the earliest event. */
  pop(): TimedEvent | undefined {
    const top = this.cursors[0];
    if (top === undefined) return undefined;
    const event = head(top);
    top.next += 1;
    this.pending -= 1;
    if (top.next >= top.events.length) {
      const last = this.cursors.pop() as Cursor;
      if (this.cursors.length === 0) return event;
      this.cursors[0] = last;
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
