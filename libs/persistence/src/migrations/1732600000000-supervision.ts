import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Supervision (督办): escalations with their level history, the transactional outbox that feeds
 * the escalations topic, per-partition event-time watermarks, and the audit log of unmasked reads.
 */
export class Supervision1732600000000 implements MigrationInterface {
  name = 'Supervision1732600000000';

  async up(q: QueryRunner): Promise<void> {
    // The input partition an order lives on: the sweeper judges it against that partition's watermark.
    await q.query(`ALTER TABLE work_orders ADD COLUMN source_partition integer`);
    await q.query(`
      CREATE TABLE escalations (
        escalation_id    uuid PRIMARY KEY,
        escalation_key   text NOT NULL UNIQUE,
        work_order_id    text NOT NULL,
        unit_id          text NOT NULL,
        kind             text NOT NULL,
        segment          integer NOT NULL,
        round            integer NOT NULL,
        level            smallint NOT NULL CHECK (level BETWEEN 1 AND 3),
        status           text NOT NULL CHECK (status IN ('open', 'acknowledged', 'resolved')),
        reason           text NOT NULL,
        due_at           timestamptz,
        fired_at         timestamptz NOT NULL,
        level_changed_at timestamptz NOT NULL,
        recipients       jsonb NOT NULL,
        acknowledged_at  timestamptz,
        acknowledged_by  text,
        acknowledge_note text,
        resolved_at      timestamptz,
        resolved_by      text,
        resolution       text CHECK (resolution IN ('auto', 'manual')),
        resolution_note  text,
        created_at       timestamptz NOT NULL DEFAULT now(),
        updated_at       timestamptz NOT NULL DEFAULT now(),
        UNIQUE (work_order_id, kind, segment, round)
      )`);
    await q.query(`CREATE INDEX escalations_order_idx ON escalations (work_order_id)`);
    await q.query(
      `CREATE INDEX escalations_status_idx ON escalations (status, unit_id, kind, level)`,
    );
    // Each (order, kind, round, level) is reached at most once: the schema says so.
    await q.query(`
      CREATE TABLE escalation_levels (
        escalation_id uuid NOT NULL REFERENCES escalations (escalation_id) ON DELETE CASCADE,
        level         smallint NOT NULL CHECK (level BETWEEN 1 AND 3),
        reached_at    timestamptz NOT NULL,
        why           text NOT NULL,
        PRIMARY KEY (escalation_id, level)
      )`);
    await q.query(`
      CREATE TABLE outbox (
        id           bigserial PRIMARY KEY,
        topic        text NOT NULL,
        message_key  text NOT NULL,
        payload      jsonb NOT NULL,
        headers      jsonb,
        created_at   timestamptz NOT NULL DEFAULT now(),
        published_at timestamptz
      )`);
    await q.query(`CREATE INDEX outbox_unpublished_idx ON outbox (id) WHERE published_at IS NULL`);
    await q.query(`
      CREATE TABLE consumer_watermarks (
        topic        text NOT NULL,
        partition    integer NOT NULL,
        watermark_at timestamptz NOT NULL,
        caught_up    boolean NOT NULL,
        updated_at   timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (topic, partition)
      )`);
    await q.query(`
      CREATE TABLE audit_log (
        id            bigserial PRIMARY KEY,
        at            timestamptz NOT NULL DEFAULT now(),
        subject       text NOT NULL,
        role          text NOT NULL,
        action        text NOT NULL,
        work_order_id text,
        detail        jsonb
      )`);
    await q.query(
      `ALTER TABLE outbox SET (autovacuum_vacuum_scale_factor = 0.05, autovacuum_analyze_scale_factor = 0.02)`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE audit_log`);
    await q.query(`DROP TABLE consumer_watermarks`);
    await q.query(`DROP TABLE outbox`);
    await q.query(`DROP TABLE escalation_levels`);
    await q.query(`DROP TABLE escalations`);
    await q.query(`ALTER TABLE work_orders DROP COLUMN source_partition`);
  }
}
