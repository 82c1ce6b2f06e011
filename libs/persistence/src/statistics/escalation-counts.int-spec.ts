/**
 * The escalation counts kept by triggers (migration 1733900000000) equal a count of the
 * escalation rows joined to their orders, after any sequence of the writes the product and an
 * operator make: batches of new escalations, withdrawals and firings again, re-dated and moved
 * escalations, orders changing category or going away, rows without a `fired_on` and their
 * backfill, the changes folded into the counts at any point. On a real PostgreSQL, on random
 * histories.
 */
import { createDataSource } from '@hotline/persistence';
import { createFreshDatabase, type FreshDatabase } from '@hotline/testing';
import fc from 'fast-check';
import type { DataSource, QueryRunner } from 'typeorm';
import { foldStatisticsCounts } from './counts-fold';
import {
  escalationCounts,
  escalationCountsByScan,
  escalationCountsDrift,
  type EscalationCount,
} from './statistics-reads';

const ZONE = 'Asia/Shanghai';
/** 2024-03-01 00:00 in ZONE; escalations fire on a grid of 6 hours over 4 days. */
const BASE = Date.parse('2024-02-29T16:00:00Z');
const firedAt = (slot: number) => new Date(BASE + slot * 6 * 3_600_000).toISOString();
const SLOTS = 16;
const ORDERS = ['o0', 'o1', 'o2'];
const KINDS = ['accept_overdue', 'complete_warning', 'priority'] as const;

const escalation = fc.record({
  order: fc.constantFrom(...ORDERS),
  kind: fc.constantFrom(...KINDS),
  round: fc.integer({ min: 0, max: 2 }),
  unit: fc.constantFrom('u1', 'u2'),
  slot: fc.integer({ min: 0, max: SLOTS - 1 }),
  withdrawn: fc.boolean(),
  /** Most rows carry their day, as the product writes them; the others wait for a backfill. */
  dated: fc.oneof({ arbitrary: fc.constant(true), weight: 3 }, fc.constant(false)),
});

const step = fc.oneof(
  {
    arbitrary: fc.record({
      op: fc.constant('insert' as const),
      rows: fc.array(escalation, { maxLength: 6 }),
    }),
    weight: 4,
  },
  fc.record({ op: fc.constant('withdraw' as const), pick: fc.nat() }),
  fc.record({ op: fc.constant('fireAgain' as const), pick: fc.nat(), slot: fc.nat(SLOTS - 1) }),
  fc.record({
    op: fc.constant('moveUnit' as const),
    pick: fc.nat(),
    unit: fc.constantFrom('u1', 'u2'),
  }),
  fc.record({ op: fc.constant('acknowledge' as const), pick: fc.nat() }),
  fc.record({ op: fc.constant('deleteEscalation' as const), pick: fc.nat() }),
  {
    arbitrary: fc.record({
      op: fc.constant('category' as const),
      order: fc.constantFrom(...ORDERS),
      category: fc.option(fc.constantFrom('complaint', 'help', 'report'), { nil: null }),
    }),
    weight: 2,
  },
  {
    arbitrary: fc.record({
      op: fc.constant('deleteOrder' as const),
      order: fc.constantFrom(...ORDERS),
    }),
    weight: 2,
  },
  fc.record({ op: fc.constant('backfill' as const) }),
  fc.record({
    op: fc.constant('legacyFireAgain' as const),
    pick: fc.nat(),
    slot: fc.nat(SLOTS - 1),
  }),
  fc.record({ op: fc.constant('truncateOrders' as const) }),
  fc.record({ op: fc.constant('recount' as const) }),
  { arbitrary: fc.record({ op: fc.constant('fold' as const) }), weight: 2 },
);
type Step = typeof step extends fc.Arbitrary<infer T> ? T : never;

const sorted = (counts: EscalationCount[]) =>
  [...counts].sort((a, b) =>
    `${a.unitId}|${a.category}|${a.kind}`.localeCompare(`${b.unitId}|${b.category}|${b.kind}`),
  );

/** The day `fired_at` falls on in ZONE, as the product writes it. */
const FIRED_ON = `(fired_at AT TIME ZONE '${ZONE}')::date`;

describe('escalation counts kept by triggers (PostgreSQL)', () => {
  let db: FreshDatabase;
  let dataSource: DataSource;
  let runner: QueryRunner;

  beforeAll(async () => {
    db = await createFreshDatabase('escalation_counts');
    dataSource = createDataSource({ url: db.url, poolSize: 2 });
    await dataSource.initialize();
    runner = dataSource.createQueryRunner();
  });

  afterAll(async () => {
    await runner?.release();
    await dataSource?.destroy();
    await db?.drop();
  });

  const reset = async () => {
    // The TRUNCATE triggers leave no count behind.
    await runner.query(`TRUNCATE escalations CASCADE`);
    await runner.query(`TRUNCATE work_orders`);
    await insertOrders();
  };

  const insertOrders = async () => {
    await runner.query(
      `INSERT INTO work_orders (work_order_id, status, unit_id, category, state, event_count)
       SELECT id, 'dispatched', 'u1', 'complaint', '{}', 1 FROM unnest($1::text[]) AS id`,
      [ORDERS],
    );
  };

  /** The id of the `pick`-th escalation row (in key order), or null when there are none. */
  const picked = async (pick: number): Promise<string | null> => {
    const rows = (await runner.query(
      `SELECT escalation_id FROM escalations ORDER BY escalation_key`,
    )) as { escalation_id: string }[];
    return rows.length === 0 ? null : rows[pick % rows.length]!.escalation_id;
  };

  const apply = async (s: Step) => {
    switch (s.op) {
      case 'insert':
        // One statement, as a sweep batch writes them; a key already there is left as it is.
        await runner.query(
          `INSERT INTO escalations (escalation_id, escalation_key, work_order_id, unit_id, kind,
                                    segment, round, level, status, reason, fired_at, fired_on,
                                    level_changed_at, recipients, withdrawal)
           SELECT gen_random_uuid(), r.order_id || '|' || r.kind || '|' || r.round, r.order_id,
                  r.unit, r.kind, 1, r.round, 1,
                  CASE WHEN r.withdrawn THEN 'withdrawn' ELSE 'open' END, 'test', r.fired_at,
                  CASE WHEN r.dated THEN (r.fired_at AT TIME ZONE '${ZONE}')::date END,
                  r.fired_at, '[]', CASE WHEN r.withdrawn THEN '{"reason": "test"}'::jsonb END
             FROM jsonb_to_recordset($1::jsonb) AS r(order_id text, kind text, round int,
                    unit text, fired_at timestamptz, withdrawn boolean, dated boolean)
             JOIN work_orders w ON w.work_order_id = r.order_id
           ON CONFLICT DO NOTHING`,
          [
            JSON.stringify(
              s.rows.map((r) => ({
                order_id: r.order,
                kind: r.kind,
                round: r.round,
                unit: r.unit,
                fired_at: firedAt(r.slot),
                withdrawn: r.withdrawn,
                dated: r.dated,
              })),
            ),
          ],
        );
        return;
      case 'withdraw': {
        const id = await picked(s.pick);
        if (id === null) return;
        await runner.query(
          `UPDATE escalations SET status = 'withdrawn', withdrawal = '{"reason": "test"}'
            WHERE escalation_id = $1`,
          [id],
        );
        return;
      }
      case 'fireAgain': {
        const id = await picked(s.pick);
        if (id === null) return;
        await runner.query(
          `UPDATE escalations SET status = 'open', withdrawal = NULL, fired_at = $2,
                  fired_on = CASE WHEN fired_on IS NULL THEN NULL ELSE ($2::timestamptz AT TIME ZONE '${ZONE}')::date END
            WHERE escalation_id = $1`,
          [id, firedAt(s.slot)],
        );
        return;
      }
      case 'moveUnit': {
        const id = await picked(s.pick);
        if (id === null) return;
        await runner.query(`UPDATE escalations SET unit_id = $2 WHERE escalation_id = $1`, [
          id,
          s.unit,
        ]);
        return;
      }
      case 'acknowledge': {
        const id = await picked(s.pick);
        if (id === null) return;
        await runner.query(
          `UPDATE escalations SET status = 'acknowledged', level = 2, acknowledged_at = fired_at
            WHERE escalation_id = $1 AND status = 'open'`,
          [id],
        );
        return;
      }
      case 'deleteEscalation': {
        const id = await picked(s.pick);
        if (id === null) return;
        await runner.query(`DELETE FROM escalation_levels WHERE escalation_id = $1`, [id]);
        await runner.query(`DELETE FROM escalations WHERE escalation_id = $1`, [id]);
        return;
      }
      case 'category':
        // As the ingestion's upsert writes it: every column set, the category among them.
        await runner.query(
          `INSERT INTO work_orders (work_order_id, status, unit_id, category, state, event_count)
           VALUES ($1, 'dispatched', 'u1', $2, '{}', 1)
           ON CONFLICT (work_order_id) DO UPDATE SET category = EXCLUDED.category,
                                                     event_count = work_orders.event_count + 1`,
          [s.order, s.category],
        );
        return;
      case 'deleteOrder':
        await runner.query(`DELETE FROM work_orders WHERE work_order_id = $1`, [s.order]);
        return;
      case 'backfill':
        // As the README gives it: the escalations of orders that have a row.
        await runner.query(
          `UPDATE escalations e SET fired_on = ${FIRED_ON}
            WHERE fired_on IS NULL
              AND EXISTS (SELECT 1 FROM work_orders w WHERE w.work_order_id = e.work_order_id)`,
        );
        return;
      case 'fold':
        await foldStatisticsCounts(runner);
        return;
      case 'legacyFireAgain': {
        // As a writer that predates `fired_on` fires it again: `fired_at` alone.
        const id = await picked(s.pick);
        if (id === null) return;
        await runner.query(
          `UPDATE escalations SET status = 'open', withdrawal = NULL, fired_at = $2 WHERE escalation_id = $1`,
          [id, firedAt(s.slot)],
        );
        return;
      }
      case 'truncateOrders':
        await runner.query(`TRUNCATE work_orders`);
        await insertOrders();
        return;
      case 'recount':
        await runner.query(`SELECT escalation_counts_recount()`);
        return;
    }
  };

  const expectCountsEqualRows = async (label: string) => {
    expect({ label, drift: await escalationCountsDrift(runner) }).toEqual({ label, drift: [] });
    for (const [fromOn, toOn] of [
      ['2024-03-01', '2024-03-04'],
      ['2024-03-02', '2024-03-02'],
      ['2024-02-01', '2024-02-29'],
      ['2024-03-01', '2024-03-31'],
      ['2024-02-15', '2024-04-10'],
    ] as const) {
      for (const unitId of [undefined, 'u2']) {
        const expected = sorted(await escalationCountsByScan(runner, fromOn, toOn, ZONE, unitId));
        const actual = sorted(await escalationCounts(runner, fromOn, toOn, ZONE, unitId));
        expect({ label, fromOn, toOn, unitId, counts: actual }).toEqual({
          label,
          fromOn,
          toOn,
          unitId,
          counts: expected,
        });
      }
    }
  };

  // 150 histories of up to 12 steps, each checked against a count of the rows: 25–70 s on 2 cores
  // shared with the rest of the suite.
  it('equal a count of the rows after every step of random histories', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 12 }), async (steps) => {
        await reset();
        for (const [i, s] of steps.entries()) {
          await apply(s);
          await expectCountsEqualRows(`step ${i} ${s.op}`);
        }
      }),
      { numRuns: 150 },
    );
  }, 180_000);

  it('count escalations loaded before their orders once recounted', async () => {
    await runner.query(`TRUNCATE escalations CASCADE`);
    await runner.query(`TRUNCATE work_orders`);
    // Written around the insert's join (a restore): the escalation first, then its order.
    await runner.query(
      `INSERT INTO escalations (escalation_id, escalation_key, work_order_id, unit_id, kind, segment,
                                round, level, status, reason, fired_at, fired_on, level_changed_at, recipients)
       VALUES (gen_random_uuid(), 'early', 'o0', 'u1', 'priority', 1, 0, 1, 'open', 'test', $1,
               ($1::timestamptz AT TIME ZONE '${ZONE}')::date, $1, '[]')`,
      [firedAt(1)],
    );
    await insertOrders();
    expect((await escalationCountsDrift(runner)).length).toBeGreaterThan(0);
    await runner.query(`SELECT escalation_counts_recount()`);
    await expectCountsEqualRows('recounted');
  });

  it('count a firing on the day it falls on in the zone, not in UTC', async () => {
    await reset();
    // 2024-03-01 23:30 in Shanghai is 15:30 UTC the same day; 2024-03-02 00:30 is 16:30 UTC on the 1st.
    await apply({
      op: 'insert',
      rows: [
        {
          order: 'o0',
          kind: 'priority',
          round: 0,
          unit: 'u1',
          slot: 0,
          withdrawn: false,
          dated: true,
        },
      ],
    });
    await runner.query(
      `UPDATE escalations SET fired_at = '2024-03-01T16:30:00Z', fired_on = '2024-03-02'`,
    );
    const on = async (day: string) =>
      (await escalationCounts(runner, day, day, ZONE)).reduce((n, c) => n + c.count, 0);
    expect([await on('2024-03-01'), await on('2024-03-02')]).toEqual([0, 1]);
    expect(await escalationCountsDrift(runner)).toEqual([]);
  });

  it('reads whole months from the monthly counts, parts of one from the days, not the escalation rows', async () => {
    await reset();
    await runner.query(`SET enable_seqscan = off`);
    try {
      const sent: { sql: string; parameters: unknown[] }[] = [];
      await escalationCounts(
        {
          query: (sql: string, parameters: unknown[] = []) => {
            sent.push({ sql, parameters });
            return Promise.resolve([]);
          },
        },
        '2024-02-15',
        '2024-03-31',
        ZONE,
      );
      const [{ sql, parameters } = { sql: '', parameters: [] }] = sent;
      const plan = (
        (await runner.query(`EXPLAIN ${sql}`, parameters)) as { 'QUERY PLAN': string }[]
      )
        .map((r) => r['QUERY PLAN'])
        .join('\n');
      expect(plan).toContain('escalation_counts_monthly_pkey');
      expect(plan).toContain('escalation_counts_daily_pkey');
      expect(plan).toContain('escalations_uncounted_idx');
      expect(plan).not.toMatch(/Seq Scan on escalations/);
    } finally {
      await runner.query(`RESET enable_seqscan`);
    }
  });
});
