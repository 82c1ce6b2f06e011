import type { QueryRunner } from 'typeorm';

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

/** The occurredAt of each given order's first `dispatched` in the event log. */
export async function loadDispatchInstants(
  runner: QueryRunner,
  workOrderIds: readonly string[],
): Promise<Map<string, Date>> {
  const instants = new Map<string, Date>();
  if (workOrderIds.length === 0) return instants;
  const rows = (await runner.query(
    `SELECT work_order_id, min(occurred_at) AS at FROM work_order_events
      WHERE work_order_id = ANY($1::text[]) AND type = 'dispatched'
      GROUP BY work_order_id`,
    [workOrderIds],
  )) as { work_order_id: string; at: Date }[];
  for (const row of rows) instants.set(row.work_order_id, row.at);
  return instants;
}
