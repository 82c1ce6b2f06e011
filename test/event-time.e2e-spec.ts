/**
 * Event time end to end: a backfill of last year's orders, produced while the worker reads it, is
 * judged at its own event time although the worker keeps reaching the end of the partition; once
 * the backlog has ended and the partition has been idle, the wall clock takes over.
 */
import {
  anEvent,
  createWorkerEnvironment,
  produceRaw,
  startWorker,
  waitFor,
  waitUntilJoined,
  type WorkerEnvironment,
  type WorkerProcess,
} from '@hotline/testing';

const HOUR = 3_600_000;
const ORDERS = 200;
const BATCH = 20;
const FIRST_DISPATCH = Date.parse('2024-03-01T08:00:00+08:00');
/** One order an hour from Friday 2024-03-01 08:00, none ever accepted. */
const dispatch = (n: number) =>
  anEvent(
    'dispatched',
    `BF-${String(n).padStart(3, '0')}`,
    new Date(FIRST_DISPATCH + n * HOUR).toISOString(),
    { unitId: 'teda-enforcement', category: 'complaint', urgency: 'normal' },
    { eventId: `BF-${n}-dispatched`, sequence: 1 },
  );
/** The median of the last 100 dispatches (order 149's), less a minute of lateness. */
const WATERMARK = '2024-03-07T12:59:00+08:00';

describe('event time end to end', () => {
  let run: WorkerEnvironment;
  const workers: WorkerProcess[] = [];

  beforeAll(async () => {
    run = await createWorkerEnvironment('event_time');
  });

  afterAll(async () => {
    for (const worker of workers) await worker.stop();
    await run?.dispose();
  });

  const count = async (query: string, params: unknown[] = []) =>
    (await run.sql.query<{ n: number }>(query, params)).rows[0]!.n;
  const escalatedOrders = async () =>
    (
      await run.sql.query<{ id: string; last: Date }>(
        `SELECT work_order_id AS id, max(fired_at) AS last FROM escalations GROUP BY 1 ORDER BY 1`,
      )
    ).rows;

  it('judges a backfill read while it is written at its event time, though its lag touches 0', async () => {
    const worker = await startWorker(run.env);
    workers.push(worker);
    await waitUntilJoined(worker);
    const caughtUp: boolean[] = [];
    for (let from = 0; from < ORDERS; from += BATCH) {
      const events = Array.from({ length: BATCH }, (_, i) => dispatch(from + i));
      await produceRaw(
        run.topics.events,
        events.map((e) => ({ key: e.workOrderId, value: JSON.stringify(e) })),
      );
      await waitFor('the batch to be applied', async () =>
        (await count(`SELECT count(*)::int AS n FROM work_order_events`)) === from + BATCH
          ? true
          : undefined,
      );
      const { rows } = await run.sql.query<{ caught_up: boolean }>(
        `SELECT caught_up FROM consumer_watermarks WHERE topic = $1 AND partition = 0`,
        [run.topics.events],
      );
      caughtUp.push(rows[0]!.caught_up);
    }
    // The worker reached the end of the partition after every batch of the backfill.
    expect(caughtUp.every(Boolean)).toBe(true);

    // The sweep settles at the backfill's watermark, not at today's date.
    await waitFor('the sweep to reach the watermark', async () =>
      (await count(`SELECT count(*)::int AS n FROM work_order_due WHERE next_due_at <= $1`, [
        WATERMARK,
      ])) === 0
        ? true
        : undefined,
    );
    const { body } = await worker.health();
    expect(body.consumer.watermarks).toEqual([
      { partition: 0, watermark: WATERMARK, mode: 'event_time' },
    ]);
    expect(body.consumer.eventTimeWatermark).toBe(WATERMARK);
    expect(await worker.metric('hotline_watermark_lag_seconds')).toBeGreaterThan(365 * 86_400);
    const escalated = await escalatedOrders();
    expect(escalated.length).toBeGreaterThan(0);
    expect(escalated.every((o) => o.last.getTime() <= Date.parse(WATERMARK))).toBe(true);
    // Orders dispatched from 03-07 on are due after the watermark: nothing yet, whatever today is.
    expect(escalated.filter((o) => o.id >= 'BF-144')).toEqual([]);
  });

  it('hands the partition to the wall clock once the backlog has ended and it has been idle', async () => {
    await workers.pop()!.stop();
    const worker = await startWorker({ ...run.env, WATERMARK_IDLE_MS: '1000' });
    workers.push(worker);
    await waitUntilJoined(worker);
    await waitFor('every order to be overdue at the wall clock', async () =>
      (await escalatedOrders()).length === ORDERS ? true : undefined,
    );
    const { body } = await worker.health();
    expect(body.consumer.watermarks).toEqual([
      { partition: 0, watermark: expect.stringMatching(/\+08:00$/), mode: 'idle' },
    ]);
    expect(Date.parse(body.consumer.eventTimeWatermark!)).toBeGreaterThan(Date.now() - 5 * HOUR);
  });
});
