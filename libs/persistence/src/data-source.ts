import { DataSource } from 'typeorm';
import { MIGRATIONS } from './migrations';
import { ENTITIES } from './work-orders/work-order.entities';

export interface DataSourceOptions {
  url: string;
  poolSize?: number;
  applicationName?: string;
}

/** The one TypeORM data source: schema by migrations only, never `synchronize`. */
export function createDataSource(options: DataSourceOptions): DataSource {
  return new DataSource({
    type: 'postgres',
    url: options.url,
    synchronize: false,
    migrationsRun: false,
    migrations: MIGRATIONS,
    migrationsTableName: 'schema_migrations',
    entities: ENTITIES,
    logging: false,
    extra: {
      max: options.poolSize ?? 6,
      application_name: options.applicationName ?? 'hotline-supervision',
      connectionTimeoutMillis: 5000,
    },
  });
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
