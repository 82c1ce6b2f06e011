import type { QueryRunner } from 'typeorm';

/**
 * Orders whose events never got a `dispatched` (an `accepted` for an order the street never
 * received): after a grace period for late arrivals, their events leave the event log for the
 * dead-letter topic (contract.md §1: never dropped silently), through the outbox so that the
 * removal and the dead letters commit together. Returns how many orders were dead-lettered.
 */
export async function deadLetterOrphans(
  runner: QueryRunner,
  options: { quietSince: Date; limit: number; deadLetterTopic: string; now: Date },
): Promise<{ orders: number; events: number }> {
  const orders = (await runner.query(
    `SELECT work_order_id FROM work_orders
      WHERE status = 'awaiting_dispatch' AND updated_at < $1
      ORDER BY work_order_id LIMIT $2 FOR UPDATE SKIP LOCKED`,
    [options.quietSince, options.limit],
  )) as { work_order_id: string }[];
  if (orders.length === 0) return { orders: 0, events: 0 };
  const ids = orders.map((o) => o.work_order_id);
  const events = (await runner.query(
    `DELETE FROM work_order_events WHERE work_order_id = ANY($1::text[])
     RETURNING work_order_id, payload, source_topic, source_partition, source_offset`,
    [ids],
  )) as [
    {
      work_order_id: string;
      payload: unknown;
      source_topic: string;
      source_partition: number;
      source_offset: string;
    }[],
    number,
  ];
  const rows = events[0];
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
            'x-dlq-code': 'orphan_event',
            'x-dlq-message': `no dispatched event arrived for work order ${row.work_order_id} before ${options.quietSince.toISOString()}; the event is re-serialized from the event log`,
            'x-dlq-source-topic': row.source_topic,
            'x-dlq-source-partition': String(row.source_partition),
            'x-dlq-source-offset': String(row.source_offset),
            'x-dlq-rejected-at': options.now.toISOString(),
          },
        })),
      ),
    ],
  );
  await runner.query(`DELETE FROM work_order_due WHERE work_order_id = ANY($1::text[])`, [ids]);
  await runner.query(`DELETE FROM work_orders WHERE work_order_id = ANY($1::text[])`, [ids]);
  return { orders: ids.length, events: rows.length };
}
