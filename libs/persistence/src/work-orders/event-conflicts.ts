import type { QueryRunner } from 'typeorm';

/**
 * The logged payload of each given event id that is in the event log (read in the ingestion
 * transaction after its insert, so a concurrent writer's committed event is seen): what a
 * re-delivered event is compared with before it is called a duplicate.
 */
export async function loadLoggedPayloads(
  runner: QueryRunner,
  eventIds: readonly string[],
): Promise<Map<string, unknown>> {
  const logged = new Map<string, unknown>();
  if (eventIds.length === 0) return logged;
  const rows = (await runner.query(
    `SELECT event_id, payload FROM work_order_events WHERE event_id = ANY($1::text[])`,
    [eventIds],
  )) as { event_id: string; payload: unknown }[];
  for (const row of rows) logged.set(row.event_id, row.payload);
  return logged;
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
