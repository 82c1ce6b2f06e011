import { Client } from 'pg';
import {
  createDatabase,
  databaseUrl,
  dropDatabase,
  resolvePostgresAdminUrl,
  type PostgresAdmin,
} from './local-postgres';

async function databaseExists(adminUrl: string, name: string): Promise<boolean> {
  const client = new Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const result = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    return result.rowCount === 1;
  } finally {
    await client.end();
  }
}

describe('local PostgreSQL', () => {
  let admin: PostgresAdmin;

  beforeAll(async () => {
    admin = await resolvePostgresAdminUrl({ databaseUrl: process.env.DATABASE_URL || undefined });
  });

  afterAll(async () => {
    await admin.stop();
  });

  it('creates a database that accepts connections and drops it, even with a session still open', async () => {
    const name = `hotline_t_pg_${Date.now().toString(36)}`;
    await createDatabase(admin.url, name);
    expect(await databaseExists(admin.url, name)).toBe(true);

    const session = new Client({ connectionString: databaseUrl(admin.url, name) });
    session.on('error', () => undefined); // DROP ... WITH (FORCE) ends this session
    await session.connect();
    const { rows } = await session.query<{ db: string }>('SELECT current_database() AS db');
    expect(rows[0]?.db).toBe(name);

    await dropDatabase(admin.url, name);
    expect(await databaseExists(admin.url, name)).toBe(false);
    await session.end().catch(() => undefined);
    await expect(dropDatabase(admin.url, name)).resolves.toBeUndefined();
  });

  it('rejects database names that would need quoting', async () => {
    await expect(createDatabase(admin.url, 'Robert"; DROP')).rejects.toThrow(
      /invalid database name/,
    );
  });

  it('falls back to an embedded PostgreSQL when the local server is unreachable', async () => {
    // A port nothing listens on forces the fallback; its own port and data dir keep it apart from a
    // developer's embedded server on 54329.
    const embedded = await resolvePostgresAdminUrl({
      localUrl: 'postgres://postgres@127.0.0.1:1/postgres',
      connectTimeoutMs: 500,
      embedded: { port: 54339, dataDir: '.data/pg-int-spec' },
    });
    try {
      expect(embedded.source).toBe('embedded');
      const name = `hotline_t_emb_${Date.now().toString(36)}`;
      await createDatabase(embedded.url, name);
      expect(await databaseExists(embedded.url, name)).toBe(true);
      await dropDatabase(embedded.url, name);
      expect(await databaseExists(embedded.url, name)).toBe(false);
    } finally {
      await embedded.stop();
    }
  });
});
