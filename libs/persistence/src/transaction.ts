import type { DataSource, QueryRunner } from 'typeorm';

/** Runs `work` in one database transaction on one connection; rolls back on any error. */
export async function withTransaction<T>(
  dataSource: DataSource,
  work: (runner: QueryRunner) => Promise<T>,
): Promise<T> {
  const runner = dataSource.createQueryRunner();
  await runner.connect();
  try {
    await runner.startTransaction();
    try {
      const result = await work(runner);
      await runner.commitTransaction();
      return result;
    } catch (error) {
      if (runner.isTransactionActive) await runner.rollbackTransaction().catch(() => undefined);
      throw error;
    }
  } finally {
    await runner.release();
  }
}

// 08 connection, 53 resources, 57 operator intervention (shutdown), 58 system (I/O);
// 25006: a read-only transaction, as on a standby right after a failover.
const TRANSIENT_SQLSTATE_CLASSES = ['08', '53', '57', '58'];
const TRANSIENT_SQLSTATES = ['40001', '40P01', '55P03', '25006'];
const TRANSIENT_NODE_CODES = [
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'ENOTFOUND',
  'EAI_AGAIN',
];

/**
 * True when an error from the database is worth retrying as it is: the server is unreachable,
 * shutting down, out of resources, or the transaction lost a serialization race.
 */
export function isTransientDatabaseError(error: unknown): boolean {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current; depth += 1) {
    const e = current as {
      code?: unknown;
      message?: unknown;
      driverError?: unknown;
      cause?: unknown;
    };
    if (typeof e.code === 'string') {
      if (TRANSIENT_NODE_CODES.includes(e.code) || TRANSIENT_SQLSTATES.includes(e.code))
        return true;
      if (e.code.length === 5 && TRANSIENT_SQLSTATE_CLASSES.includes(e.code.slice(0, 2)))
        return true;
    }
    if (
      typeof e.message === 'string' &&
      /Connection terminated|timeout exceeded when trying to connect|connect ECONNREFUSED|Client has encountered a connection error|terminating connection/i.test(
        e.message,
      )
    ) {
      return true;
    }
    current = e.driverError ?? e.cause;
  }
  return false;
}

/**
 * SQLSTATE classes a message's content can cause: 22 data exception (an out-of-range value, text
 * the server cannot store), 23 integrity constraint violation. Any other failure of a statement
 * that works for other messages is the database's, not the message's.
 */
const DATA_SQLSTATE_CLASSES = ['22', '23'];

/**
 * True when an error from the database is one no message can cause: a missing table or column, a
 * permission, a read-only or failing server (any SQLSTATE outside classes 22 and 23). Such a
 * failure is retried, never blamed on the messages being applied.
 */
export function isSystemicDatabaseError(error: unknown): boolean {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current; depth += 1) {
    const e = current as { code?: unknown; driverError?: unknown; cause?: unknown };
    if (typeof e.code === 'string' && /^[0-9A-Z]{5}$/.test(e.code)) {
      return !DATA_SQLSTATE_CLASSES.includes(e.code.slice(0, 2));
    }
    current = e.driverError ?? e.cause;
  }
  return false;
}

/**
 * Readiness probe: `up` or `down`. The driver's message stays out of the answer (the probe is
 * public and the message can name hosts and users); callers log it.
 */
export async function pingDatabase(
  dataSource: DataSource,
): Promise<{ status: 'up' } | { status: 'down'; error: unknown }> {
  try {
    await dataSource.query('SELECT 1');
    return { status: 'up' };
  } catch (error) {
    return { status: 'down', error };
  }
}
