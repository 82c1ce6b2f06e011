/**
 * The rollup's write path and month close on a real, freshly migrated PostgreSQL.
 */
import {
  DEFAULT_WATERMARK_POLICY,
  type FactKey,
  type FactMeasure,
  type StatisticsFormula,
} from '@hotline/core';
import { createDataSource, withTransaction } from '@hotline/persistence';
import { createFreshDatabase, type FreshDatabase } from '@hotline/testing';
import fc from 'fast-check';
import type { DataSource } from 'typeorm';
import {
  applyFactDeltas,
  closeMonth,
  findClosedMonth,
  listRestatements,
  loadStoredFacts,
  monthReport,
  rollupRows,
  type OrderFactChange,
} from './index';

/** No partition has been read here: nothing holds the close back but the sweep. */
const SUPERVISION = { eventsTopic: 'events', watermark: DEFAULT_WATERMARK_POLICY };

const formula: StatisticsFormula = {
  id: 'test',
  version: '1',
  satisfied: ['satisfied', 'basically_satisfied'],
  outsideDenominator: ['unreachable', 'declined'],
  leaveOutExcludedOrders: true,
  ratingAfterRework: 'latest',
  ratingPeriod: 'callback',
  rounding: { decimals: 2, mode: 'half_up' },
  source: 'test',
};
const ZONE = 'Asia/Shanghai';

const fact = (
  dayOn: string,
  measure: FactMeasure,
  unitId = 'teda-enforcement',
  category: FactKey['category'] = 'complaint',
): FactKey => ({ dayOn, unitId, category, measure });

describe('statistics rollup (PostgreSQL)', () => {
  let db: FreshDatabase;
  let dataSource: DataSource;

  const rollup = async () =>
    dataSource.query<
      { day_on: string; unit_id: string; category: string; measure: string; count: number }[]
    >(
      `SELECT to_char(day_on, 'YYYY-MM-DD') AS day_on, unit_id, category, measure, count::int AS count
         FROM statistics_daily WHERE count <> 0 ORDER BY 1, 2, 3, 4`,
    );

  /** Loads the stored facts and applies the new ones, as the ingestion transaction does. */
  const apply = (orders: Record<string, FactKey[]>, cause: string) =>
    withTransaction(dataSource, async (runner) => {
      const stored = await loadStoredFacts(runner, Object.keys(orders));
      const changes: OrderFactChange[] = Object.entries(orders).map(([workOrderId, after]) => ({
        workOrderId,
        before: stored.get(workOrderId) ?? [],
        after,
        cause,
      }));
      return applyFactDeltas(runner, changes);
    });

  beforeAll(async () => {
    db = await createFreshDatabase('stats_rollup');
    dataSource = createDataSource({ url: db.url, poolSize: 4 });
    await dataSource.initialize();
    await dataSource.query(
      `INSERT INTO work_orders (work_order_id, status, state, event_count)
       SELECT id, 'dispatched', '{}'::jsonb, 1 FROM unnest($1::text[]) AS id`,
      [['A', 'B', 'C']],
    );
  });

  afterAll(async () => {
    await dataSource?.destroy();
    await db?.drop();
  });

  /** The months' rows that differ from the sum of their days (none, whatever was written). */
  const monthsApartFromDays = () =>
    dataSource.query<{ month_on: string; unit_id: string; monthly: number; daily: number }[]>(
      `SELECT to_char(coalesce(m.month_on, d.month_on), 'YYYY-MM-DD') AS month_on,
              coalesce(m.unit_id, d.unit_id) AS unit_id, m.count::int AS monthly, d.count::int AS daily
         FROM statistics_monthly m
         FULL JOIN (SELECT date_trunc('month', day_on)::date AS month_on, unit_id, category, measure,
                           sum(count) AS count
                      FROM statistics_daily GROUP BY 1, 2, 3, 4) d
           ON (m.month_on, m.unit_id, m.category, m.measure) = (d.month_on, d.unit_id, d.category, d.measure)
        WHERE m.count IS DISTINCT FROM d.count`,
    );

  afterEach(async () => {
    expect(await monthsApartFromDays()).toEqual([]);
  });

  it('adds the facts of new orders and stores them on the rows', async () => {
    const outcome = await apply(
      {
        A: [fact('2024-01-10', 'received'), fact('2024-01-12', 'rated_satisfied')],
        B: [fact('2024-01-10', 'received'), fact('2024-01-11', 'received', 'teda-community-1')],
      },
      'dispatched',
    );
    expect(outcome).toEqual({ rowsChanged: 3, ordersChanged: 2, restatements: 0 });
    expect(await rollup()).toEqual([
      {
        day_on: '2024-01-10',
        unit_id: 'teda-enforcement',
        category: 'complaint',
        measure: 'received',
        count: 2,
      },
      {
        day_on: '2024-01-11',
        unit_id: 'teda-community-1',
        category: 'complaint',
        measure: 'received',
        count: 1,
      },
      {
        day_on: '2024-01-12',
        unit_id: 'teda-enforcement',
        category: 'complaint',
        measure: 'rated_satisfied',
        count: 1,
      },
    ]);
    const stored = await withTransaction(dataSource, (r) => loadStoredFacts(r, ['A', 'B', 'C']));
    expect(stored.get('A')).toEqual([
      fact('2024-01-10', 'received'),
      fact('2024-01-12', 'rated_satisfied'),
    ]);
    expect(stored.has('C')).toBe(false);
  });

  it('writes nothing when an order is applied again in the same state', async () => {
    const before = await rollup();
    const outcome = await apply(
      { A: [fact('2024-01-12', 'rated_satisfied'), fact('2024-01-10', 'received')] },
      'callback',
    );
    expect(outcome).toEqual({ rowsChanged: 0, ordersChanged: 0, restatements: 0 });
    expect(await rollup()).toEqual(before);
  });

  it('moves a rating by difference when a later callback replaces it', async () => {
    await apply(
      { A: [fact('2024-01-10', 'received'), fact('2024-01-20', 'rated_dissatisfied')] },
      'callback',
    );
    const rows = await rollup();
    expect(rows.filter((r) => r.measure.startsWith('rated_'))).toEqual([
      expect.objectContaining({ day_on: '2024-01-20', measure: 'rated_dissatisfied', count: 1 }),
    ]);
  });

  it('freezes a closed month, records a late change as a restatement, and refuses a second close', async () => {
    const now = new Date('2024-02-05T00:00:00Z');
    const closed = await closeMonth(dataSource, {
      month: '2024-01',
      closedBy: 'leader-1',
      now,
      formula,
      timeZone: ZONE,
      supervision: SUPERVISION,
    });
    expect(closed.ok).toBe(true);
    const frozen = await findClosedMonth(dataSource, '2024-01');
    expect(frozen?.figures.summary.total).toMatchObject({ received: 3, dissatisfied: 1 });

    // A late callback turns A's dissatisfied into satisfied, in January.
    const outcome = await apply(
      { A: [fact('2024-01-10', 'received'), fact('2024-01-28', 'rated_satisfied')] },
      'callback',
    );
    expect(outcome.restatements).toBe(2);
    const restatements = await listRestatements(dataSource, '2024-01');
    expect(
      restatements.map(({ workOrderId, measure, unitId, delta, cause }) => ({
        workOrderId,
        measure,
        unitId,
        delta,
        cause,
      })),
    ).toEqual([
      {
        workOrderId: 'A',
        measure: 'rated_dissatisfied',
        unitId: 'teda-enforcement',
        delta: -1,
        cause: 'callback',
      },
      {
        workOrderId: 'A',
        measure: 'rated_satisfied',
        unitId: 'teda-enforcement',
        delta: 1,
        cause: 'callback',
      },
    ]);
    // The live rollup moved; the closed month's report did not.
    expect((await rollup()).filter((r) => r.measure === 'rated_satisfied')).toHaveLength(1);
    const report = await monthReport(dataSource, '2024-01', {
      groupBy: null,
      unitId: null,
      formula,
      timeZone: ZONE,
      now,
    });
    expect(report.total).toMatchObject({ satisfied: 0, dissatisfied: 1, satisfactionRate: 0 });
    expect(report.restatements).toHaveLength(2);
    expect(report.closed?.closedBy).toBe('leader-1');

    // A change in an open month is no restatement.
    expect((await apply({ C: [fact('2024-02-01', 'received')] }, 'dispatched')).restatements).toBe(
      0,
    );

    const again = await closeMonth(dataSource, {
      month: '2024-01',
      closedBy: 'leader-2',
      now,
      formula,
      timeZone: ZONE,
      supervision: SUPERVISION,
    });
    expect(again).toMatchObject({ ok: false, reason: 'already_closed', closedBy: 'leader-1' });
    expect(
      await closeMonth(dataSource, {
        month: '2024-02',
        closedBy: 'leader-1',
        now,
        formula,
        timeZone: ZONE,
        supervision: SUPERVISION,
      }),
    ).toMatchObject({ ok: false, reason: 'not_over' });
  });

  it('lets concurrent transactions touch the same rollup rows in opposite orders without deadlock', async () => {
    const keys = Array.from({ length: 40 }, (_, i) =>
      fact(`2024-03-${String((i % 28) + 1).padStart(2, '0')}`, 'received', `unit-${i % 5}`),
    );
    const ids = Array.from({ length: 20 }, (_, i) => `P-${i}`);
    await dataSource.query(
      `INSERT INTO work_orders (work_order_id, status, state, event_count)
       SELECT id, 'dispatched', '{}'::jsonb, 1 FROM unnest($1::text[]) AS id`,
      [ids],
    );
    const half = (from: number) =>
      Object.fromEntries(
        ids.slice(from, from + 10).map((id) => [id, from === 0 ? keys : [...keys].reverse()]),
      );
    await Promise.all([apply(half(0), 'dispatched'), apply(half(10), 'dispatched')]);
    const rows = await dataSource.query<{ total: number }[]>(
      `SELECT sum(count)::int AS total FROM statistics_daily WHERE day_on >= '2024-03-01'`,
    );
    expect(rows[0]?.total).toBe(20 * 40);
  });

  it('keeps each month equal to the sum of its days through any sequence of changes, read whole or in part', async () => {
    const ids = ['M-1', 'M-2', 'M-3', 'M-4'];
    await dataSource.query(
      `INSERT INTO work_orders (work_order_id, status, state, event_count)
       SELECT id, 'dispatched', '{}'::jsonb, 1 FROM unnest($1::text[]) AS id`,
      [ids],
    );
    const factArb = fc
      .record({
        day: fc.constantFrom('2024-04-29', '2024-04-30', '2024-05-01', '2024-05-15', '2024-05-31'),
        measure: fc.constantFrom<FactMeasure>('received', 'rated_satisfied', 'returned'),
        unit: fc.constantFrom('unit-a', 'unit-b'),
      })
      .map(({ day, measure, unit }) => fact(day, measure, unit));
    // Each transaction of a pair changes its own orders, as two partitions do.
    const stepArb = (own: string[]) =>
      fc.dictionary(fc.constantFrom(...own), fc.array(factArb, { maxLength: 4 }), {
        minKeys: 1,
      });
    const sumOfDays = async (fromOn: string, toOn: string) =>
      (
        await dataSource.query<{ total: number }[]>(
          `SELECT coalesce(sum(count), 0)::int AS total FROM statistics_daily
            WHERE day_on BETWEEN $1::date AND $2::date`,
          [fromOn, toOn],
        )
      )[0]?.total;
    const sumOfRead = async (fromOn: string, toOn: string) =>
      (await rollupRows(dataSource, fromOn, toOn)).reduce((a, r) => a + r.count, 0);
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(stepArb(ids.slice(0, 2)), stepArb(ids.slice(2))), { maxLength: 5 }),
        async (steps) => {
          // Two transactions at a time, as two partitions commit.
          for (const [a, b] of steps)
            await Promise.all([apply(a, 'callback'), apply(b, 'callback')]);
          expect(await monthsApartFromDays()).toEqual([]);
          for (const [fromOn, toOn] of [
            ['2024-05-01', '2024-05-31'],
            ['2024-04-29', '2024-05-15'],
            ['2024-04-01', '2024-05-31'],
          ] as const) {
            expect(await sumOfRead(fromOn, toOn)).toBe(await sumOfDays(fromOn, toOn));
          }
        },
      ),
      { numRuns: 25 },
    );
  });

  it("never deadlocks two writers whose inserted and updated days lie in each other's months", async () => {
    // Its own database: a pause after each of the daily rollup's statement triggers holds a writer
    // between moving its inserted days' months and its updated days' months.
    const own = await createFreshDatabase('stats_rollup_order');
    const ds = createDataSource({ url: own.url, poolSize: 4 });
    await ds.initialize();
    try {
      await ds.query(`
        CREATE FUNCTION test_pause() RETURNS trigger LANGUAGE plpgsql AS $fn$
        BEGIN PERFORM pg_sleep(0.4); RETURN NULL; END $fn$`);
      for (const event of ['INSERT', 'UPDATE']) {
        await ds.query(
          `CREATE TRIGGER zz_test_pause_${event.toLowerCase()} AFTER ${event} ON statistics_daily
           FOR EACH STATEMENT EXECUTE FUNCTION test_pause()`,
        );
      }
      const write = (workOrderId: string, after: FactKey[]) =>
        withTransaction(ds, (runner) =>
          applyFactDeltas(runner, [{ workOrderId, before: [], after, cause: 'callback' }]),
        );
      await write('X', [fact('2024-04-10', 'received')]);
      await write('Y', [fact('2024-05-20', 'received')]);
      // A updates an April day and inserts a May one; B inserts an April day and updates a May
      // one: each moves one month from its insert trigger and the other from its update trigger.
      await Promise.all([
        write('A', [fact('2024-04-10', 'received'), fact('2024-05-10', 'received')]),
        write('B', [fact('2024-04-20', 'received'), fact('2024-05-20', 'received')]),
      ]);
      const months = await ds.query<{ month_on: string; count: number }[]>(
        `SELECT to_char(month_on, 'YYYY-MM') AS month_on, count::int AS count
           FROM statistics_monthly ORDER BY 1`,
      );
      expect(months).toEqual([
        { month_on: '2024-04', count: 3 },
        { month_on: '2024-05', count: 3 },
      ]);
    } finally {
      await ds.destroy();
      await own.drop();
    }
  });
});
