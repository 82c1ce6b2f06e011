/**
 * The dead letters kept in PostgreSQL (migration 1733200000000): the original of a message too
 * large to forward whole, and any dead letter the broker refused (parked until it is forwarded).
 */
import type { DataSource, QueryRunner } from 'typeorm';

/** A header as Kafka carries it: a name and one value (repeated names keep their order). */
export interface StoredHeader {
  name: string;
  /** base64 of the value's bytes (headers are bytes, not text). */
  value: string;
}

export interface StoredDeadLetter {
  sourceTopic: string;
  sourcePartition: number;
  sourceOffset: string;
  code: string;
  reason: string;
  /** More `x-dlq-*` headers (name → text), e.g. the digests of an event-id conflict. */
  details: Record<string, string>;
  key: Buffer | null;
  value: Buffer | null;
  headers: StoredHeader[];
  valueSha256: string;
  rejectedAt: Date;
}

export type DeadLetterStatus = 'excerpted' | 'parked' | 'forwarded';

/**
 * A header as `dead_letters.headers` keeps it. `jsonb` cannot hold a NUL, which a header name may
 * have (Kafka's names are any UTF-8): such a name is kept as base64 of its UTF-8 instead, so the
 * letter is stored and forwarded with the name it came with, never refused over it.
 */
type KeptHeader = { name: string; value: string } | { nameBase64: string; value: string };

function keptHeader({ name, value }: StoredHeader): KeptHeader {
  return name.includes('\0')
    ? { nameBase64: Buffer.from(name, 'utf8').toString('base64'), value }
    : { name, value };
}

function storedHeader(kept: KeptHeader): StoredHeader {
  return 'nameBase64' in kept
    ? { name: Buffer.from(kept.nameBase64, 'base64').toString('utf8'), value: kept.value }
    : kept;
}

/** Our own texts (a reason, a detail, an error) may quote input: a NUL in them is shown as U+FFFD. */
function keptText(text: string): string {
  return text.includes('\0') ? text.replace(/\0/g, '\uFFFD') : text;
}

/**
 * Stores dead letters with the given status, one row per source message (a redelivered one keeps
 * its row and id, and takes the new status unless it was already forwarded); returns each one's id
 * in the order given.
 */
export async function storeDeadLetters(
  db: DataSource | QueryRunner,
  letters: readonly StoredDeadLetter[],
  status: 'excerpted' | 'parked',
  lastError: string | null = null,
): Promise<string[]> {
  if (letters.length === 0) return [];
  const rows = letters.map((l) => ({
    source_topic: l.sourceTopic,
    source_partition: l.sourcePartition,
    source_offset: l.sourceOffset,
    code: l.code,
    reason: keptText(l.reason),
    details: Object.fromEntries(
      Object.entries(l.details).map(([name, text]) => [keptText(name), keptText(text)]),
    ),
    message_key: l.key === null ? null : l.key.toString('base64'),
    message_value: l.value === null ? null : l.value.toString('base64'),
    headers: l.headers.map(keptHeader),
    value_bytes: l.value?.length ?? 0,
    value_sha256: l.valueSha256,
    rejected_at: l.rejectedAt.toISOString(),
  }));
  const stored = (await db.query(
    `INSERT INTO dead_letters AS d (source_topic, source_partition, source_offset, code, reason, details,
        message_key, message_value, headers, value_bytes, value_sha256, status, last_error, rejected_at)
     SELECT r.source_topic, r.source_partition, r.source_offset, r.code, r.reason, r.details,
            decode(r.message_key, 'base64'), decode(r.message_value, 'base64'), r.headers,
            r.value_bytes, r.value_sha256, $2, $3, r.rejected_at
       FROM jsonb_to_recordset($1::jsonb) AS r(
         source_topic text, source_partition integer, source_offset bigint, code text, reason text,
         details jsonb, message_key text, message_value text, headers jsonb, value_bytes integer,
         value_sha256 text, rejected_at timestamptz)
     ON CONFLICT (source_topic, source_partition, source_offset) DO UPDATE SET
        status = CASE WHEN d.status = 'forwarded' THEN d.status ELSE EXCLUDED.status END,
        attempts = d.attempts + 1, last_error = EXCLUDED.last_error
     RETURNING d.id, d.source_topic, d.source_partition, d.source_offset`,
    [JSON.stringify(rows), status, lastError === null ? null : keptText(lastError)],
  )) as { id: string; source_topic: string; source_partition: number; source_offset: string }[];
  const idOf = new Map(
    stored.map((r) => [`${r.source_topic}|${r.source_partition}|${r.source_offset}`, r.id]),
  );
  return letters.map(
    (l) => idOf.get(`${l.sourceTopic}|${l.sourcePartition}|${l.sourceOffset}`) ?? '',
  );
}

export interface ParkedDeadLetter extends StoredDeadLetter {
  id: string;
  attempts: number;
}

/** The oldest parked dead letters, for another try at forwarding them. */
export async function loadParkedDeadLetters(
  db: DataSource | QueryRunner,
  limit: number,
): Promise<ParkedDeadLetter[]> {
  const rows = (await db.query(
    `SELECT id, source_topic, source_partition, source_offset::text AS source_offset, code, reason,
            details, message_key, message_value, headers, value_sha256, rejected_at, attempts
       FROM dead_letters WHERE status = 'parked' ORDER BY id LIMIT $1`,
    [limit],
  )) as {
    id: string;
    source_topic: string;
    source_partition: number;
    source_offset: string;
    code: string;
    reason: string;
    details: Record<string, string>;
    message_key: Buffer | null;
    message_value: Buffer | null;
    headers: KeptHeader[];
    value_sha256: string;
    rejected_at: Date;
    attempts: number;
  }[];
  return rows.map((r) => ({
    id: r.id,
    sourceTopic: r.source_topic,
    sourcePartition: r.source_partition,
    sourceOffset: r.source_offset,
    code: r.code,
    reason: r.reason,
    details: r.details,
    key: r.message_key,
    value: r.message_value,
    headers: r.headers.map(storedHeader),
    valueSha256: r.value_sha256,
    rejectedAt: r.rejected_at,
    attempts: r.attempts,
  }));
}

/** Marks parked dead letters forwarded (the broker acknowledged them) or counts a failed try. */
export async function settleParkedDeadLetters(
  db: DataSource | QueryRunner,
  forwardedIds: readonly string[],
  failed: readonly { id: string; error: string }[],
): Promise<void> {
  if (forwardedIds.length > 0) {
    await db.query(
      `UPDATE dead_letters SET status = 'forwarded', forwarded_at = now()
        WHERE id = ANY($1::bigint[]) AND status = 'parked'`,
      [forwardedIds],
    );
  }
  if (failed.length > 0) {
    await db.query(
      `UPDATE dead_letters d SET attempts = d.attempts + 1, last_error = f.error
         FROM jsonb_to_recordset($1::jsonb) AS f(id bigint, error text)
        WHERE d.id = f.id`,
      [JSON.stringify(failed.map(({ id, error }) => ({ id, error: keptText(error) })))],
    );
  }
}

/** How many dead letters wait parked (for /health and the metric). */
export async function countParkedDeadLetters(db: DataSource | QueryRunner): Promise<number> {
  const [row] = (await db.query(
    `SELECT count(*)::int AS n FROM dead_letters WHERE status = 'parked'`,
  )) as { n: number }[];
  return row?.n ?? 0;
}
