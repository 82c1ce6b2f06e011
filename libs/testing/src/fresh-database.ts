/**
 * A fresh, uniquely named database per test file on the resolved PostgreSQL server (DATABASE_URL,
 * else 127.0.0.1:5432, else the embedded server), so integration tests never share state and can
 * run in parallel.
 */
import { randomBytes } from 'node:crypto';
import {
  createDatabase,
  databaseUrl,
  dropDatabase,
  resolvePostgresAdminUrl,
  type PostgresAdmin,
} from '@hotline/platform/postgres';
import { createDataSource, migrate } from '@hotline/persistence';

export interface FreshDatabase {
  /** Connection URL of the new database. */
  url: string;
  name: string;
  /** Admin URL of the server it lives on. */
  adminUrl: string;
  /** Drops the database, ending sessions still connected; safe to call twice. */
  drop(): Promise<void>;
}

// One resolution per module instance (Jest: per test file). An embedded server started here lives
// as long as this process and stops when it exits, so it is shared by later files of the worker.
let admin: Promise<PostgresAdmin> | undefined;

/** The server's admin connection, resolved once. */
export function postgresAdmin(): Promise<PostgresAdmin> {
  admin ??= resolvePostgresAdminUrl({ databaseUrl: process.env.DATABASE_URL || undefined });
  return admin;
}

/** Creates database `<prefix>_<time>_<random>`, e.g. `hotline_t_mgx3k2a1_5f2c9e`. */
export async function createFreshDatabase(prefix = 'hotline_t'): Promise<FreshDatabase> {
  const { url: adminUrl } = await postgresAdmin();
  const name = `${prefix}_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
  await createDatabase(adminUrl, name);
  const url = databaseUrl(adminUrl, name);
  try {
    await prepareSchema(url);
  } catch (error) {
    await dropDatabase(adminUrl, name);
    throw error;
  }
  return { url, name, adminUrl, drop: () => dropDatabase(adminUrl, name) };
}

/** Brings a new database to the current schema with the product's own migrations. */
async function prepareSchema(url: string): Promise<void> {
  const dataSource = createDataSource({ url, poolSize: 2 });
  await dataSource.initialize();
  try {
    await migrate(dataSource);
  } finally {
    await dataSource.destroy();
  }
}
