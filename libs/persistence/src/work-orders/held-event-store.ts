import type { QueryRunner } from 'typeorm';
import { textArray } from '../array-params';

/** An order that holds events (dated before its first `dispatched`) and has been quiet. */
export interface QuietHoldingOrder {
  workOrderId: string;
  profileId: string | null;
  profileVersion: string | null;
}

/**
 * Locks (skipping rows a batch holds) up to `limit` orders that hold events and whose row has not
 * changed since `quietSince` — their grace period for a late `dispatched` is over — and whose
 * input partition was confirmed read to its end since `readSince`: after an outage, a backlog
 * still unread may hold the `dispatched` they wait for, so none leaves before it is read.
 */
export async function lockQuietHoldingOrders(
  runner: QueryRunner,
  options: { quietSince: Date; limit: number; eventsTopic: string; readSince: Date },
): Promise<QuietHoldingOrder[]> {
  const rows = (await runner.query(
    `SELECT w.work_order_id, w.profile_id, w.profile_version FROM work_orders w
      WHERE w.held_events > 0 AND w.updated_at < $1
        AND (w.source_partition IS NULL OR EXISTS (
              SELECT 1 FROM consumer_watermarks c
               WHERE c.topic = $3 AND c.partition = w.source_partition AND c.confirmed_at >= $4))
      ORDER BY w.work_order_id LIMIT $2 FOR UPDATE OF w SKIP LOCKED`,
    [options.quietSince, options.limit, options.eventsTopic, options.readSince],
  )) as { work_order_id: string; profile_id: string | null; profile_version: string | null }[];
  return rows.map((row) => ({
    workOrderId: row.work_order_id,
    profileId: row.profile_id,
    profileVersion: row.profile_version,
  }));
}

/** A logged event to take out of the log, and why (the dead letter's code and message). */
export interface EventToDeadLetter {
  eventId: string;
  code: string;
  reason: string;
}

/**
 * Moves logged events to the dead-letter topic (contract.md §1: never dropped silently) through
 * the outbox, so that their removal from the log and the dead letters commit together. Each is
 * re-serialized from the log with its source topic, partition and offset. Returns how many moved.
 */
export async function moveEventsToDeadLetters(
  runner: QueryRunner,
  events: readonly EventToDeadLetter[],
  options: { deadLetterTopic: string; now: Date },
): Promise<number> {
  if (events.length === 0) return 0;
  const why = new Map(events.map((e) => [e.eventId, e]));
  const [rows] = (await runner.query(
    `DELETE FROM work_order_events WHERE event_id = ANY($1::text[])
     RETURNING event_id, work_order_id, payload, source_topic, source_partition, source_offset`,
    [textArray(events.map((e) => e.eventId))],
  )) as [
    {
      event_id: string;
      work_order_id: string;
      payload: unknown;
      source_topic: string;
      source_partition: number;
      source_offset: string;
    }[],
    number,
  ];
  if (rows.length === 0) return 0;
  await runner.query(
    `INSERT INTO outbox (topic, message_key, payload, headers)
     SELECT $1, r->>'work_order_id', r->'payload', r->'headers' FROM jsonb_array_elements($2::jsonb) AS r`,
    [
      options.deadLetterTopic,
      JSON.stringify(
        rows.map((row) => ({
          work_order_id: row.work_order_id,
          payload: row.payload,
          headers: {
            'x-dlq-code': why.get(row.event_id)!.code,
            'x-dlq-message': `${why.get(row.event_id)!.reason}; the event is re-serialized from the event log`,
            'x-dlq-source-topic': row.source_topic,
            'x-dlq-source-partition': String(row.source_partition),
            'x-dlq-source-offset': String(row.source_offset),
            'x-dlq-rejected-at': options.now.toISOString(),
          },
        })),
      ),
    ],
  );
  return rows.length;
}

/** Removes orders whose events have all left the log, with their place in the sweep's schedule. */
export async function deleteWorkOrders(
  runner: QueryRunner,
  workOrderIds: readonly string[],
): Promise<void> {
  if (workOrderIds.length === 0) return;
  const ids = textArray(workOrderIds);
  await runner.query(`DELETE FROM work_order_due WHERE work_order_id = ANY($1::text[])`, [ids]);
  await runner.query(`DELETE FROM work_orders WHERE work_order_id = ANY($1::text[])`, [ids]);
}
