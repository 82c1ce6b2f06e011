import type { DataSource, QueryRunner } from 'typeorm';
import { textArray } from '../array-params';

/** What a message claims to be, read without decoding it: its key, event id and value digest. */
export interface RawProbe {
  eventId: string;
  workOrderId: string;
  /** SHA-256 (hex) of the message value. */
  rawSha256: string;
}

/**
 * The positions (in `probes`) of the messages already logged byte for byte: an event under the
 * same id, of the same order, recorded with the same value digest. Those are re-deliveries and
 * nothing else; every other message (new, or logged with other bytes) takes the full path. One
 * statement over the primary key, read outside the batch's transaction: a logged event is never
 * changed, so what is read here stays true.
 */
export async function findLoggedVerbatim(
  db: DataSource | QueryRunner,
  probes: readonly (RawProbe | null)[],
): Promise<Set<number>> {
  const ids: string[] = [];
  const orders: string[] = [];
  const digests: string[] = [];
  const at: number[] = [];
  probes.forEach((probe, index) => {
    if (probe === null) return;
    ids.push(probe.eventId);
    orders.push(probe.workOrderId);
    digests.push(probe.rawSha256);
    at.push(index);
  });
  if (ids.length === 0) return new Set();
  // One primary-key probe per message (the LATERAL … LIMIT keeps it so): a hash join over the
  // whole event log, which the planner may pick for a large batch on a small log, reads every
  // logged event per batch. The answer names the probes NOT logged verbatim, one row each (the
  // LEFT JOIN keeps every probe; `hit` is null only where nothing matched): a replay's batch is
  // looked up whole only when its first messages were re-deliveries, so that list is short, where
  // the found ones would be a row per message. (A first delivery's sample of a few messages comes
  // back whole.)
  const rows = (await db.query(
    `SELECT r.n::int AS n
       FROM unnest($1::text[], $2::text[], $3::text[]) WITH ORDINALITY AS r(event_id, work_order_id, sha, n)
       LEFT JOIN LATERAL (SELECT true AS hit FROM work_order_events e
                           WHERE e.event_id = r.event_id AND e.work_order_id = r.work_order_id
                             AND e.raw_sha256 = decode(r.sha, 'hex')
                           LIMIT 1) AS logged ON true
      WHERE logged.hit IS NULL`,
    [textArray(ids), textArray(orders), textArray(digests)],
  )) as { n: number }[];
  const found = new Set(at);
  for (const { n } of rows) found.delete(at[n - 1]!);
  return found;
}

/**
 * Of the given events whose id is already in the event log, the ones logged with other content,
 * each with its logged payload. Compared as jsonb (key order, whitespace and number spelling do not
 * matter), in the ingestion transaction after its insert, so a concurrent writer's committed event
 * is seen; the re-deliveries that match come back as nothing.
 */
export async function findConflictingEvents(
  runner: QueryRunner,
  events: readonly { eventId: string; payload: unknown }[],
): Promise<Map<string, unknown>> {
  const conflicts = new Map<string, unknown>();
  if (events.length === 0) return conflicts;
  const rows = (await runner.query(
    `SELECT e.event_id, e.payload
       FROM jsonb_to_recordset($1::jsonb) AS r(event_id text, payload jsonb)
       JOIN work_order_events e ON e.event_id = r.event_id
      WHERE e.payload <> r.payload`,
    [JSON.stringify(events.map((e) => ({ event_id: e.eventId, payload: e.payload })))],
  )) as { event_id: string; payload: unknown }[];
  for (const row of rows) conflicts.set(row.event_id, row.payload);
  return conflicts;
}
