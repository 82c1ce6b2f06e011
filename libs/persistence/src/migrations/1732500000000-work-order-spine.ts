import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The ingestion spine: the append-only event log (idempotent by event id) and one row per
 * work order holding its folded state, deadlines and next due instant.
 */
export class WorkOrderSpine1732500000000 implements MigrationInterface {
  name = 'WorkOrderSpine1732500000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE work_order_events (
        event_id         text PRIMARY KEY,
        work_order_id    text NOT NULL,
        type             text NOT NULL,
        occurred_at      timestamptz NOT NULL,
        sequence         bigint,
        payload          jsonb NOT NULL,
        source_topic     text NOT NULL,
        source_partition integer NOT NULL,
        source_offset    bigint NOT NULL,
        ingested_at      timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX work_order_events_order_idx ON work_order_events (work_order_id)`);
    await q.query(`
      CREATE TABLE work_orders (
        work_order_id    text PRIMARY KEY,
        status           text NOT NULL,
        unit_id          text,
        category         text,
        urgency          text,
        tags             text[] NOT NULL DEFAULT '{}',
        segment          integer NOT NULL DEFAULT 0,
        rework_round     integer NOT NULL DEFAULT 0,
        received_at      timestamptz,
        dispatched_at    timestamptz,
        accepted_at      timestamptz,
        replied_at       timestamptz,
        closed_at        timestamptz,
        excluded         boolean NOT NULL DEFAULT false,
        accept_due_at    timestamptz,
        complete_due_at  timestamptz,
        next_due_at      timestamptz,
        accept_outcome   text,
        complete_outcome text,
        profile_id       text,
        profile_version  text,
        state            jsonb NOT NULL,
        deadlines        jsonb,
        event_count      integer NOT NULL,
        last_event_at    timestamptz,
        updated_at       timestamptz NOT NULL DEFAULT now()
      )`);
    // The sweeper reads only open orders with a pending instant: a small partial index.
    await q.query(
      `CREATE INDEX work_orders_next_due_idx ON work_orders (next_due_at) WHERE next_due_at IS NOT NULL`,
    );
    await q.query(`CREATE INDEX work_orders_unit_status_idx ON work_orders (unit_id, status)`);
    // Hot tables: vacuum and analyze sooner than the defaults.
    await q.query(
      `ALTER TABLE work_orders SET (autovacuum_vacuum_scale_factor = 0.05, autovacuum_analyze_scale_factor = 0.02)`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE work_orders`);
    await q.query(`DROP TABLE work_order_events`);
  }
}
