import { createFreshDatabase, type FreshDatabase } from '@hotline/testing';
import type { DataSource } from 'typeorm';
import { createDataSource, migrate } from '../data-source';
import { EscalationWithdrawal1733000000000 } from './1733000000000-escalation-withdrawal';
import { MIGRATIONS } from './index';

const tables = async (ds: DataSource) =>
  (
    await ds.query<{ table_name: string }[]>(
      `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1`,
    )
  ).map((r) => r.table_name);

describe('migrations', () => {
  let db: FreshDatabase;
  let ds: DataSource;

  beforeAll(async () => {
    db = await createFreshDatabase('migrations');
    ds = createDataSource({ url: db.url, poolSize: 3 });
    await ds.initialize();
  });

  afterAll(async () => {
    await ds?.destroy();
    await db?.drop();
  });

  it('go all the way down and up again, leaving the same schema', async () => {
    const migrated = await tables(ds);
    expect(migrated).toEqual(
      expect.arrayContaining(['work_order_events', 'work_orders', 'escalations', 'outbox']),
    );
    for (let i = 0; i < MIGRATIONS.length; i += 1)
      await ds.undoLastMigration({ transaction: 'each' });
    expect(await tables(ds)).toEqual(['schema_migrations']);
    expect(await migrate(ds)).toHaveLength(MIGRATIONS.length);
    expect(await tables(ds)).toEqual(migrated);
  });

  it('are applied once when several processes start at the same time', async () => {
    for (let i = 0; i < MIGRATIONS.length; i += 1)
      await ds.undoLastMigration({ transaction: 'each' });
    const others = [1, 2, 3].map(() => createDataSource({ url: db.url, poolSize: 2 }));
    await Promise.all(others.map((o) => o.initialize()));
    try {
      const applied = await Promise.all(others.map((o) => migrate(o)));
      // The advisory lock lets one process apply everything; the others find nothing to do.
      expect(applied.flat()).toHaveLength(MIGRATIONS.length);
      expect(applied.filter((names) => names.length > 0)).toHaveLength(1);
      const rows = await ds.query<{ n: number }[]>(
        `SELECT count(*)::int AS n FROM schema_migrations`,
      );
      expect(rows[0]!.n).toBe(MIGRATIONS.length);
    } finally {
      await Promise.all(others.map((o) => o.destroy()));
    }
  });

  it('take a database holding withdrawn escalations down and up again without lowering a published version', async () => {
    await migrate(ds);
    await ds.query(
      `INSERT INTO escalations (escalation_id, escalation_key, work_order_id, unit_id, kind, segment, round,
                                level, status, reason, fired_at, level_changed_at, recipients, version,
                                withdrawal)
       VALUES ('00000000-0000-5000-8000-000000000001', 'W|accept_overdue|s1|r0', 'W', 'u', 'accept_overdue',
               1, 0, 3, 'withdrawn', 'r', now(), now(), '[]', 9,
               '{"reason": "done_in_time", "at": "2024-03-05T02:00:00Z"}')`,
    );
    await ds.query(
      `INSERT INTO outbox (topic, message_key, payload)
       VALUES ('escalations', 'W', '{"escalationId": "00000000-0000-5000-8000-000000000001", "version": 9}')`,
    );
    // Down to just before the withdrawal migration (and whatever came after it).
    const after = MIGRATIONS.length - MIGRATIONS.indexOf(EscalationWithdrawal1733000000000);
    for (let i = 0; i < after; i += 1) await ds.undoLastMigration({ transaction: 'each' });
    const [down] = await ds.query<{ status: string; resolution_note: string }[]>(
      `SELECT status, resolution_note FROM escalations`,
    );
    expect(down).toEqual({ status: 'resolved', resolution_note: 'withdrawn: done_in_time' });
    await migrate(ds);
    const [up] = await ds.query<{ version: number }[]>(`SELECT version FROM escalations`);
    expect(up!.version).toBeGreaterThanOrEqual(9);
  });

  it('mark the orders written when early events were folded, so that the next writes pass and the grace check re-folds them', async () => {
    await migrate(ds);
    await ds.query(`DELETE FROM work_order_events`);
    await ds.query(`DELETE FROM work_orders`);
    await ds.undoLastMigration({ transaction: 'each' }); // down to before the held events
    const events: [string, string, string, string][] = [
      // never dispatched: an acceptance and a return request (awaiting_dispatch)
      ['M1', 'm1-a', 'accepted', '2024-03-04T10:00:00+08:00'],
      ['M1', 'm1-r', 'return_requested', '2024-03-04T10:10:00+08:00'],
      // never dispatched, and its close folded into a closed status
      ['M2', 'm2-c', 'closed', '2024-03-04T10:00:00+08:00'],
      // dispatched, with an acceptance dated before it and a flag before it
      ['M3', 'm3-a', 'accepted', '2024-03-04T08:00:00+08:00'],
      ['M3', 'm3-f', 'flagged', '2024-03-04T08:30:00+08:00'],
      ['M3', 'm3-d', 'dispatched', '2024-03-04T09:00:00+08:00'],
      // an ordinary order
      ['M4', 'm4-d', 'dispatched', '2024-03-04T09:00:00+08:00'],
      ['M4', 'm4-a', 'accepted', '2024-03-04T10:00:00+08:00'],
    ];
    for (const [order, id, type, at] of events) {
      await ds.query(
        `INSERT INTO work_order_events (event_id, work_order_id, type, occurred_at, payload,
                                        source_topic, source_partition, source_offset)
         VALUES ($1, $2, $3, $4, '{}', 'events', 0, 0)`,
        [id, order, type, at],
      );
    }
    const rows: [string, string, number, number][] = [
      ['M1', 'awaiting_dispatch', 0, 2],
      ['M2', 'closed', 0, 1],
      ['M3', 'in_progress', 1, 3],
      ['M4', 'in_progress', 1, 2],
    ];
    for (const [order, status, segment, count] of rows) {
      await ds.query(
        `INSERT INTO work_orders (work_order_id, status, segment, state, event_count)
         VALUES ($1, $2, $3, '{}', $4)`,
        [order, status, segment, count],
      );
    }
    await migrate(ds);
    const marked = await ds.query<{ id: string; folded: number; held: number }[]>(
      `SELECT work_order_id AS id, event_count AS folded, held_events AS held
         FROM work_orders ORDER BY 1`,
    );
    expect(marked).toEqual([
      { id: 'M1', folded: 0, held: 2 },
      { id: 'M2', folded: 0, held: 1 },
      { id: 'M3', folded: 2, held: 1 },
      { id: 'M4', folded: 2, held: 0 },
    ]);
  });
});
