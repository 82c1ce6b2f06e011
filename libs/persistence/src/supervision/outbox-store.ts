import type { DataSource } from 'typeorm';
import { withTransaction } from '../transaction';

export interface OutboxMessage {
  id: string;
  topic: string;
  key: string;
  /** The message value: the stored payload's JSON text, as it goes on the topic. */
  value: string;
  headers: Record<string, string> | null;
}

/** An arbitrary constant: the advisory lock of the one active relay. */
const OUTBOX_RELAY_LOCK = 1_232_345_002;

/**
 * Publishes one batch of unpublished outbox rows: they are locked (SKIP LOCKED, so several relays
 * share the work), handed to `publish`, and marked published only if it resolves, in the same
 * transaction. A failed publish leaves them for the next round: at least once, never lost.
 * Returns how many were published.
 */
export async function relayOutboxBatch(
  dataSource: DataSource,
  limit: number,
  publish: (messages: OutboxMessage[]) => Promise<void>,
): Promise<number> {
  return withTransaction(dataSource, async (runner) => {
    // One relay publishes at a time across replicas, in id order, so that a consumer sees an
    // escalation's `created` before its later changes.
    const [lock] = (await runner.query(`SELECT pg_try_advisory_xact_lock($1) AS relay`, [
      OUTBOX_RELAY_LOCK,
    ])) as { relay: boolean }[];
    if (!lock?.relay) return 0;
    const rows = (await runner.query(
      `SELECT id, topic, message_key, payload::text AS value, headers FROM outbox
        WHERE published_at IS NULL ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED`,
      [limit],
    )) as {
      id: string;
      topic: string;
      message_key: string;
      value: string;
      headers: Record<string, string> | null;
    }[];
    if (rows.length === 0) return 0;
    await publish(
      rows.map((r) => ({
        id: r.id,
        topic: r.topic,
        key: r.message_key,
        value: r.value,
        headers: r.headers,
      })),
    );
    await runner.query(`UPDATE outbox SET published_at = now() WHERE id = ANY($1::bigint[])`, [
      rows.map((r) => r.id),
    ]);
    return rows.length;
  });
}

/** Deletes published rows older than the retention; returns how many. */
export async function pruneOutbox(dataSource: DataSource, olderThan: Date): Promise<number> {
  const result = await dataSource.query<{ n: number }[]>(
    `WITH gone AS (DELETE FROM outbox WHERE published_at < $1 RETURNING 1) SELECT count(*)::int AS n FROM gone`,
    [olderThan],
  );
  return result[0]?.n ?? 0;
}

/** Rows not yet published (for /health and metrics). */
export async function countUnpublished(dataSource: DataSource): Promise<number> {
  const result = await dataSource.query<{ n: number }[]>(
    `SELECT count(*)::int AS n FROM outbox WHERE published_at IS NULL`,
  );
  return result[0]?.n ?? 0;
}
