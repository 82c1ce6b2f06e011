import { createDatabase, databaseUrl, resolvePostgresAdminUrl } from '@hotline/platform/postgres';

export interface ResolvedDatabase {
  url: string;
  source: 'configured' | 'local' | 'embedded';
  /** Stops an embedded server started for this process; nothing otherwise. */
  stop: () => Promise<void>;
}

/**
 * The application database: DATABASE_URL as given; otherwise database `name` on the local server
 * (127.0.0.1:5432) or, where none is reachable, on an embedded one, created if missing.
 */
export async function resolveDatabase(
  configuredUrl: string | undefined,
  name: string,
  log: (line: string) => void = () => undefined,
): Promise<ResolvedDatabase> {
  if (configuredUrl)
    return { url: configuredUrl, source: 'configured', stop: () => Promise.resolve() };
  const admin = await resolvePostgresAdminUrl({ log });
  try {
    await createDatabase(admin.url, name);
    log(`postgres: created database ${name}`);
  } catch (error) {
    // 42P04 duplicate_database; 23505 when two replicas create it at the same instant.
    const code = (error as { code?: string }).code;
    if (code !== '42P04' && code !== '23505') throw error;
  }
  return { url: databaseUrl(admin.url, name), source: admin.source, stop: () => admin.stop() };
}
