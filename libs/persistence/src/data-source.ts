import {
  explainPostgresFailure,
  postgresEndpoint,
  type PostgresConnectionSettings,
} from '@hotline/platform/postgres';
import { DataSource } from 'typeorm';
import { MIGRATIONS } from './migrations';
import { ENTITIES } from './work-orders/work-order.entities';

export interface DataSourceOptions {
  url: string;
  /** TLS and a password kept out of the URL (the configuration's `db.connection`). */
  connection?: PostgresConnectionSettings;
  poolSize?: number;
  applicationName?: string;
}

/**
 * The one TypeORM data source: schema by migrations only, never `synchronize`. The URL is taken
 * apart (postgresEndpoint) so TLS and the password apply to every pooled connection and to
 * migrations alike.
 */
export function createDataSource(options: DataSourceOptions): DataSource {
  const { parameters, user, ssl, ...endpoint } = postgresEndpoint(options.url, options.connection);
  return new DataSource({
    type: 'postgres',
    ...endpoint,
    username: user,
    synchronize: false,
    migrationsRun: false,
    migrations: MIGRATIONS,
    migrationsTableName: 'schema_migrations',
    entities: ENTITIES,
    logging: false,
    // TypeORM types `ssl` as server-side options; pg, which receives `extra`, takes client ones.
    extra: {
      ...parameters,
      ssl,
      max: options.poolSize ?? 6,
      application_name: options.applicationName ?? 'hotline-supervision',
      connectionTimeoutMillis: 5000,
    },
  });
}

/**
 * Creates and initializes the data source; a connection refused for its settings (an untrusted
 * certificate, a host the certificate does not name, a wrong password) fails naming the setting.
 */
export async function openDataSource(options: DataSourceOptions): Promise<DataSource> {
  const dataSource = createDataSource(options);
  try {
    await dataSource.initialize();
  } catch (error) {
    throw explainPostgresFailure(error, options.url, options.connection);
  }
  return dataSource;
}

/** An arbitrary constant: the advisory lock every replica takes before migrating. */
const MIGRATION_LOCK_KEY = 1_232_345_001;

/**
 * Runs pending migrations under a session advisory lock, so several replicas starting at once
 * migrate one after another (the later ones find nothing to do). Returns the names applied.
 * Needs two pooled connections: one holds the lock while TypeORM migrates on another.
 */
export async function migrate(dataSource: DataSource): Promise<string[]> {
  const runner = dataSource.createQueryRunner();
  await runner.connect();
  try {
    await runner.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    try {
      const applied = await dataSource.runMigrations({ transaction: 'each' });
      return applied.map((m) => m.name);
    } finally {
      await runner.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]);
    }
  } finally {
    await runner.release();
  }
}
