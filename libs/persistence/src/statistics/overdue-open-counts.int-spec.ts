/**
 * Overdue-and-open at an instant, read from the counts of settled orders and through partial
 * indexes (migrations 1733800000000, 1734000000000), equals the plain scan it replaced, on random
 * orders rewritten in place, at random instants over several days, on a real PostgreSQL.
 */
import { createDataSource } from '@hotline/persistence';
import { createFreshDatabase, type FreshDatabase } from '@hotline/testing';
import fc from 'fast-check';
import type { DataSource, QueryRunner } from 'typeorm';
import { foldStatisticsCounts } from './counts-fold';
import { overdueOpenCounts, overdueOpenCountsByScan, type OverdueCount } from './statistics-reads';

const BASE = Date.parse('2024-03-01T00:00:00Z');
const HOURS = 12;
/**
 * Instants on a coarse grid of 6-hour steps (three days: every fourth a UTC midnight, where the
 * read's counts of settled orders change day), so they tie with each other and with the
 * instants read.
 */
const hour = (h: number) => new Date(BASE + h * 6 * 3_600_000);
const instant = fc.option(fc.integer({ min: 0, max: HOURS }), { nil: null, freq: 4 });

const order = fc.record({
  unitId: fc.option(fc.constantFrom('u1', 'u2'), { nil: null, freq: 10 }),
  category: fc.option(fc.constantFrom('complaint', 'help'), { nil: null, freq: 10 }),
  status: fc.constantFrom('dispatched', 'accepted', 'replied', 'closed', 'returned'),
  returnedAt: fc.option(fc.integer({ min: 0, max: HOURS }), { nil: null, freq: 3 }),
  excluded: fc.boolean(),
  receivedAt: instant,
  acceptDueAt: instant,
  acceptedAt: instant,
  completeDueAt: instant,
  repliedAt: instant,
  closedAt: instant,
});
type Order = typeof order extends fc.Arbitrary<infer T> ? T : never;

const sorted = (counts: OverdueCount[]) =>
  [...counts].sort((a, b) =>
    `${a.unitId}|${a.category}|${a.stage}`.localeCompare(`${b.unitId}|${b.category}|${b.stage}`),
  );

describe('overdue and open at an instant (PostgreSQL)', () => {
  let db: FreshDatabase;
  let dataSource: DataSource;
  let runner: QueryRunner;

  beforeAll(async () => {
    db = await createFreshDatabase('overdue_open');
    dataSource = createDataSource({ url: db.url, poolSize: 2 });
    await dataSource.initialize();
    runner = dataSource.createQueryRunner();
  });

  afterAll(async () => {
    await runner?.release();
    await dataSource?.destroy();
    await db?.drop();
  });

  /**
   * Writes the orders as `o0`, `o1`, …: inserted, or rewritten in place where the previous run
   * left an order with that id (as the ingestion's upsert does), the rest of the previous run's
   * deleted; every write goes through the triggers that keep the counts.
   */
  const store = async (orders: Order[], fold = false, truncate = false) => {
    if (truncate) await runner.query(`TRUNCATE work_orders`);
    await runner.query(`DELETE FROM work_orders WHERE work_order_id <> ALL($1::text[])`, [
      orders.map((_, i) => `o${i}`),
    ]);
    const at = (h: number | null) => (h === null ? null : hour(h).toISOString());
    await runner.query(
      `INSERT INTO work_orders (work_order_id, status, unit_id, category, excluded, received_at,
                                accept_due_at, accepted_at, complete_due_at, replied_at, closed_at,
                                state, event_count)
       SELECT o.id, o.status, o.unit_id, o.category, o.excluded, o.received_at, o.accept_due_at,
              o.accepted_at, o.complete_due_at, o.replied_at, o.closed_at, o.state, 1
         FROM jsonb_to_recordset($1::jsonb) AS o(
                id text, status text, unit_id text, category text, excluded boolean,
                received_at timestamptz, accept_due_at timestamptz, accepted_at timestamptz,
                complete_due_at timestamptz, replied_at timestamptz, closed_at timestamptz,
                state jsonb)
       ON CONFLICT (work_order_id) DO UPDATE SET
         status = EXCLUDED.status, unit_id = EXCLUDED.unit_id, category = EXCLUDED.category,
         excluded = EXCLUDED.excluded, received_at = EXCLUDED.received_at,
         accept_due_at = EXCLUDED.accept_due_at, accepted_at = EXCLUDED.accepted_at,
         complete_due_at = EXCLUDED.complete_due_at, replied_at = EXCLUDED.replied_at,
         closed_at = EXCLUDED.closed_at, state = EXCLUDED.state`,
      [
        JSON.stringify(
          orders.map((o, i) => ({
            id: `o${i}`,
            status: o.status,
            unit_id: o.unitId,
            category: o.category,
            excluded: o.excluded,
            received_at: at(o.receivedAt),
            accept_due_at: at(o.acceptDueAt),
            accepted_at: at(o.acceptedAt),
            complete_due_at: at(o.completeDueAt),
            replied_at: at(o.repliedAt),
            closed_at: at(o.closedAt),
            state: o.returnedAt === null ? {} : { returnedAt: at(o.returnedAt) },
          })),
        ),
      ],
    );
    if (fold) await foldStatisticsCounts(runner);
  };

  /**
   * Every instant from before the orders' first to after their last, and halfway between them,
   * each way of asking.
   */
  const expectEqualAtEveryInstant = async () => {
    for (let h = -1; h <= HOURS + 1; h += 0.5) {
      for (const leaveOut of [true, false]) {
        for (const unitId of [undefined, 'u1']) {
          const expected = sorted(await overdueOpenCountsByScan(runner, hour(h), leaveOut, unitId));
          const actual = sorted(await overdueOpenCounts(runner, hour(h), leaveOut, unitId));
          expect({ h, leaveOut, unitId, counts: actual }).toEqual({
            h,
            leaveOut,
            unitId,
            counts: expected,
          });
        }
      }
    }
  };

  it('reads through the partial indexes, not a scan of the orders', async () => {
    await runner.query(`SET enable_seqscan = off`);
    try {
      const plans: string[] = [];
      for (const at of [hour(HOURS + 1), hour(0)]) {
        // The statement the read sends, explained on the same connection.
        const sent: { sql: string; parameters: unknown[] }[] = [];
        await overdueOpenCounts(
          {
            query: (sql: string, parameters: unknown[] = []) => {
              sent.push({ sql, parameters });
              return Promise.resolve([]);
            },
          },
          at,
          true,
        );
        const [{ sql, parameters } = { sql: '', parameters: [] }] = sent;
        const rows = (await runner.query(`EXPLAIN ${sql}`, parameters)) as {
          'QUERY PLAN': string;
        }[];
        plans.push(rows.map((r) => r['QUERY PLAN']).join('\n'));
      }
      for (const plan of plans) {
        // The changes not yet folded are a small heap without an index: read whole.
        expect(plan).not.toMatch(/Seq Scan on work_orders/);
        expect(plan).toMatch(/work_orders_pending_due_idx/);
        expect(plan).toMatch(/work_orders_open_done_late_idx/);
        expect(plan).toMatch(/work_orders_closed_late_idx/);
        expect(plan).toMatch(/work_orders_settles_late_idx/);
      }
    } finally {
      await runner.query(`RESET enable_seqscan`);
    }
  });

  it('counts what the plain scan counts, read by index or by scan, at every instant', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(order, { minLength: 1, maxLength: 60 }),
        fc.boolean(),
        fc.boolean(),
        fc.boolean(),
        async (orders, byIndex, fold, truncate) => {
          await store(orders, fold, truncate);
          // Without sequential scans every plan costs billions, and PostgreSQL would compile
          // each query (JIT) for longer than it runs.
          await runner.query(`SET enable_seqscan = ${byIndex ? 'off' : 'on'}`);
          await runner.query(`SET jit = off`);
          try {
            await expectEqualAtEveryInstant();
          } finally {
            await runner.query(`RESET enable_seqscan`);
            await runner.query(`RESET jit`);
          }
        },
      ),
      { numRuns: 40 },
    );
  }, 120_000);

  it('counts orders open, late, returned, excluded and closed after the instant', async () => {
    await store([
      // Never accepted, due at 2: overdue from 3 on.
      {
        ...blank,
        unitId: 'u1',
        category: 'help',
        receivedAt: 0,
        acceptDueAt: 2,
        completeDueAt: 8,
      },
      // Accepted late at 5, replied late at 10, closed at 11.
      {
        ...blank,
        unitId: 'u1',
        category: 'help',
        status: 'closed',
        receivedAt: 0,
        acceptDueAt: 2,
        acceptedAt: 5,
        completeDueAt: 8,
        repliedAt: 10,
        closedAt: 11,
      },
      // Open, accepted late at 6: overdue to accept in (2, 6], then on time to complete.
      {
        ...blank,
        unitId: 'u2',
        category: 'complaint',
        receivedAt: 1,
        acceptDueAt: 2,
        acceptedAt: 6,
        completeDueAt: 12,
      },
      // Returned at 4: not the unit's from then on.
      {
        ...blank,
        unitId: 'u2',
        category: 'complaint',
        status: 'returned',
        returnedAt: 4,
        receivedAt: 0,
        acceptDueAt: 1,
        completeDueAt: 8,
      },
      // Excluded from assessment.
      {
        ...blank,
        unitId: 'u1',
        category: 'help',
        excluded: true,
        receivedAt: 0,
        acceptDueAt: 1,
        completeDueAt: 8,
      },
    ]);
    const total = async (h: number, leaveOut: boolean) =>
      (await overdueOpenCounts(runner, hour(h), leaveOut)).reduce((n, c) => n + c.count, 0);
    expect(await total(2, true)).toBe(1); // the returned order, overdue since 1
    expect(await total(3, true)).toBe(4);
    expect(await total(3, false)).toBe(5);
    expect(await total(5, true)).toBe(3); // returned at 4
    expect(await total(7, true)).toBe(1); // the late acceptance at 6 done; order 2 accepted at 5
    expect(await total(9, true)).toBe(2); // orders 1 and 2 past completion
    expect(await total(12, true)).toBe(1); // order 2 closed at 11
    await expectEqualAtEveryInstant();
  });
});

const blank: Order = {
  unitId: null,
  category: null,
  status: 'dispatched',
  returnedAt: null,
  excluded: false,
  receivedAt: null,
  acceptDueAt: null,
  acceptedAt: null,
  completeDueAt: null,
  repliedAt: null,
  closedAt: null,
};
