import { createFreshDatabase, type FreshDatabase } from '@hotline/testing';
import type { DataSource } from 'typeorm';
import { createDataSource, migrate } from '../data-source';
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
});
