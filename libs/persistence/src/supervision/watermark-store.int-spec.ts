/**
 * Partition clocks on the real PostgreSQL: stored and read back whole, one writer per partition at
 * a time, and the sweep's claim judged against each partition's own effective watermark.
 */
import {
  DEFAULT_WATERMARK_POLICY,
  emptyPartitionClock,
  observeChunk,
  type ChunkObservation,
  type PartitionClock,
} from '@hotline/core';
import { createFreshDatabase, type FreshDatabase } from '@hotline/testing';
import type { DataSource } from 'typeorm';
import { createDataSource } from '../data-source';
import { withTransaction } from '../transaction';
import {
  claimDueOrders,
  confirmPartitionsRead,
  effectiveWatermarks,
  lockPartitionClock,
  savePartitionClock,
  slowestWatermark,
} from './watermark-store';

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const DAY = 24 * 60 * MINUTE;
const policy = DEFAULT_WATERMARK_POLICY;
const at = (local: string) => new Date(`${local}+08:00`);
const TOPIC = 'events';
/** The sweep looks at 10:00 on a June morning. */
const NOW = at('2025-06-02T10:00:00');

function read(chunks: ChunkObservation[]): PartitionClock {
  return chunks.reduce((clock, chunk) => observeChunk(clock, chunk, policy), emptyPartitionClock());
}

/**
 * Last March's events, 20 a chunk ten minutes apart, read while they are being produced: every
 * chunk ends at the partition's end (lag 0), the last one 2 seconds before the sweep.
 */
const backfill = read(
  Array.from({ length: 50 }, (_, c) => ({
    occurredMs: Array.from(
      { length: 20 },
      (_, i) => at('2024-03-01T08:00:00').getTime() + (c * 20 + i) * 10 * MINUTE,
    ),
    receivedMs: NOW.getTime() - (50 - c) * 2 * SECOND,
    caughtUp: true,
  })),
);
/** The median of its last 100 events (the 950th), less a minute. */
const backfillAt = new Date(at('2024-03-01T08:00:00').getTime() + 949 * 10 * MINUTE - MINUTE);
/** A live partition: events received 2 seconds after they happen, the last an hour ago. */
const live = read(
  Array.from({ length: 10 }, (_, i) => {
    const occurredMs = NOW.getTime() - 60 * MINUTE - (10 - i) * 5 * MINUTE;
    return { occurredMs: [occurredMs], receivedMs: occurredMs + 2 * SECOND, caughtUp: true };
  }),
);
/** The same backfill, finished: nothing received for ten minutes. */
const ended = read(
  Array.from({ length: 10 }, (_, c) => ({
    occurredMs: [at('2024-03-01T08:00:00').getTime() + c * 10 * MINUTE],
    receivedMs: NOW.getTime() - 10 * MINUTE - (10 - c) * SECOND,
    caughtUp: true,
  })),
);

describe('partition clocks in PostgreSQL', () => {
  let db: FreshDatabase;
  let ds: DataSource;

  beforeAll(async () => {
    db = await createFreshDatabase('watermarks');
    ds = createDataSource({ url: db.url, poolSize: 4 });
    await ds.initialize();
  });

  afterAll(async () => {
    await ds?.destroy();
    await db?.drop();
  });

  beforeEach(async () => {
    await ds.query(`TRUNCATE consumer_watermarks, work_orders, work_order_due`);
  });

  const save = (partition: number, clock: PartitionClock) =>
    withTransaction(ds, (runner) => savePartitionClock(runner, TOPIC, partition, clock));

  it('reads back what was saved: the watermark, the window in arrival order, the last read', async () => {
    await save(0, backfill);
    const loaded = await withTransaction(ds, (runner) => lockPartitionClock(runner, TOPIC, 0));
    expect(loaded).toEqual(backfill);
    expect(loaded.recent).toHaveLength(policy.windowEvents);
  });

  it('starts a partition it has not seen with no watermark, and lists it as none', async () => {
    const clock = await withTransaction(ds, (runner) => lockPartitionClock(runner, TOPIC, 7));
    expect(clock).toEqual(emptyPartitionClock());
    const marks = await effectiveWatermarks(ds, TOPIC, NOW, policy);
    expect(marks.get(7)).toEqual({ partition: 7, at: null, mode: 'none' });
    expect(await slowestWatermark(ds, TOPIC, NOW, policy)).toBeNull();
  });

  it('lets one writer of a partition at a time hold its clock', async () => {
    await save(0, live);
    const first = ds.createQueryRunner();
    await first.connect();
    await first.startTransaction();
    try {
      await lockPartitionClock(first, TOPIC, 0);
      let second = false;
      const waiting = withTransaction(ds, async (runner) => {
        await lockPartitionClock(runner, TOPIC, 0);
        second = true;
      });
      await new Promise((r) => setTimeout(r, 300));
      expect(second).toBe(false);
      await savePartitionClock(first, TOPIC, 0, backfill);
      await first.commitTransaction();
      await waiting;
      expect(second).toBe(true);
    } finally {
      await first.release();
    }
  });

  it('gives each partition its effective watermark and mode at the wall clock', async () => {
    await save(0, live);
    await save(1, backfill);
    await save(2, ended);
    // Until the worker confirms a partition read to its end, the wall clock does not drive it.
    const unconfirmed = await effectiveWatermarks(ds, TOPIC, NOW, policy);
    expect(unconfirmed.get(2)?.mode).toBe('event_time');
    expect(unconfirmed.get(0)?.at!.getTime()).toBeLessThan(NOW.getTime() - MINUTE);
    await confirmPartitionsRead(ds, TOPIC, [0, 2], NOW);
    const marks = await effectiveWatermarks(ds, TOPIC, NOW, policy);
    expect([...marks.values()]).toEqual([
      { partition: 0, at: new Date(NOW.getTime() - MINUTE), mode: 'live' },
      { partition: 1, at: backfillAt, mode: 'event_time' },
      { partition: 2, at: new Date(NOW.getTime() - MINUTE), mode: 'idle' },
    ]);
    // Month close waits for the slowest: the backfill.
    expect(await slowestWatermark(ds, TOPIC, NOW, policy)).toEqual(backfillAt);
    // A topic no longer read (EVENTS_TOPIC renamed) does not hold it back for ever.
    await withTransaction(ds, (runner) =>
      savePartitionClock(runner, `${TOPIC}-retired`, 0, backfill),
    );
    await save(1, live);
    expect(await slowestWatermark(ds, TOPIC, NOW, policy)).not.toEqual(backfillAt);
  });

  it("claims due orders against their own partition's watermark, not the wall clock of a backfill whose lag touched 0", async () => {
    await save(0, live);
    await save(1, backfill);
    await save(2, ended);
    await confirmPartitionsRead(ds, TOPIC, [0, 2], NOW);
    const order = (id: string, partition: number | null, nextDueAt: Date) => [
      id,
      partition,
      nextDueAt,
    ];
    const orders = [
      order('LIVE-DUE', 0, at('2025-06-02T09:30:00')),
      order('LIVE-LATER', 0, at('2025-06-02T10:30:00')),
      order('BACKFILL-DUE', 1, new Date(backfillAt.getTime() - DAY)),
      // Due last April: today's date would claim it, the backfill has not reached it.
      order('BACKFILL-NOT-YET', 1, at('2024-04-15T09:00:00')),
      order('ENDED-DUE', 2, at('2025-06-01T09:00:00')),
      // No partition recorded: waits for the slowest.
      order('NO-PARTITION', null, at('2025-01-01T09:00:00')),
    ];
    await ds.query(
      `WITH o AS (SELECT * FROM unnest($1::text[], $2::int[], $3::timestamptz[]) AS o(id, partition, next_due_at)),
       orders AS (
         INSERT INTO work_orders (work_order_id, status, unit_id, state, event_count, source_partition)
         SELECT id, 'dispatched', 'teda-enforcement', '{}', 1, partition FROM o)
       INSERT INTO work_order_due (work_order_id, next_due_at) SELECT id, next_due_at FROM o`,
      [orders.map((o) => o[0]), orders.map((o) => o[1]), orders.map((o) => o[2])],
    );
    const claimed = await withTransaction(ds, (runner) =>
      claimDueOrders(runner, TOPIC, NOW, 100, policy),
    );
    expect(claimed.map((c) => [c.workOrderId, c.watermarkAt.toISOString()]).sort()).toEqual(
      [
        ['BACKFILL-DUE', backfillAt.toISOString()],
        ['ENDED-DUE', new Date(NOW.getTime() - MINUTE).toISOString()],
        ['LIVE-DUE', new Date(NOW.getTime() - MINUTE).toISOString()],
      ].sort(),
    );

    // Five minutes after its last chunk the backfill has ended (the worker confirms it read to
    // its end): the wall clock takes over.
    const later = new Date(backfill.lastReceivedMs! + policy.idleAfterMs);
    await confirmPartitionsRead(ds, TOPIC, [0, 1, 2], later);
    const afterwards = await withTransaction(ds, (runner) =>
      claimDueOrders(runner, TOPIC, later, 100, policy),
    );
    expect(afterwards.map((c) => c.workOrderId).sort()).toEqual(
      ['BACKFILL-DUE', 'BACKFILL-NOT-YET', 'ENDED-DUE', 'LIVE-DUE', 'NO-PARTITION'].sort(),
    );
  });

  it('claims nothing while no partition has a watermark', async () => {
    await save(0, read([{ occurredMs: [], receivedMs: NOW.getTime(), caughtUp: true }]));
    await ds.query(
      `INSERT INTO work_orders (work_order_id, status, unit_id, state, event_count, source_partition)
       VALUES ('W1', 'dispatched', 'teda-enforcement', '{}', 1, 0)`,
    );
    await ds.query(
      `INSERT INTO work_order_due (work_order_id, next_due_at) VALUES ('W1', '2024-01-01T00:00:00Z')`,
    );
    expect(
      await withTransaction(ds, (runner) => claimDueOrders(runner, TOPIC, NOW, 100, policy)),
    ).toEqual([]);
  });
});
