import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Notices of escalations to people (apps/notifier): one row per (escalation, version, recipient,
 * channel, purpose) — the idempotency key, so a message read twice from Kafka, by a restarted
 * notifier or by two replicas, plans each delivery once. `status`: `pending` (waiting for its
 * time, or in flight under a lease), `sent`, `failed` (the last attempt failed; another follows
 * at `next_attempt_at`), `dead` (given up; the 督查室 is alerted), `superseded` (a level-1 notice
 * still waiting for its digest when the escalation was resolved or withdrawn: nobody is told of
 * either). `notification_channel_requests` holds each request made to a channel, for the rate
 * limit's sliding window; rows older than an hour are pruned.
 */
export class NotificationDeliveries1733400000000 implements MigrationInterface {
  name = 'NotificationDeliveries1733400000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE notification_deliveries (
        id              bigserial PRIMARY KEY,
        escalation_id   uuid NOT NULL,
        version         integer NOT NULL,
        purpose         text NOT NULL CHECK (purpose IN ('notice', 'failure_alert')),
        recipient       text NOT NULL,
        channel         text NOT NULL,
        channel_type    text NOT NULL,
        work_order_id   text NOT NULL,
        unit_id         text,
        kind            text NOT NULL,
        level           smallint NOT NULL,
        change          text NOT NULL,
        address         jsonb NOT NULL,
        fields          jsonb NOT NULL,
        notice          jsonb NOT NULL,
        digest          boolean NOT NULL DEFAULT false,
        not_before      timestamptz NOT NULL,
        status          text NOT NULL DEFAULT 'pending'
                        CHECK (status IN ('pending', 'sent', 'failed', 'dead', 'superseded')),
        attempts        integer NOT NULL DEFAULT 0,
        next_attempt_at timestamptz NOT NULL,
        last_attempt_at timestamptz,
        last_error      text,
        sent_at         timestamptz,
        created_at      timestamptz NOT NULL DEFAULT now(),
        UNIQUE (escalation_id, version, recipient, channel, purpose)
      )`);
    await q.query(`
      CREATE INDEX notification_deliveries_due_idx ON notification_deliveries (next_attempt_at)
        WHERE status IN ('pending', 'failed')`);
    await q.query(
      `CREATE INDEX notification_deliveries_status_idx ON notification_deliveries (status, id)`,
    );
    await q.query(
      `CREATE INDEX notification_deliveries_escalation_idx ON notification_deliveries (escalation_id)`,
    );
    await q.query(`
      CREATE TABLE notification_channel_requests (
        channel text NOT NULL,
        at      timestamptz NOT NULL
      )`);
    await q.query(
      `CREATE INDEX notification_channel_requests_idx ON notification_channel_requests (channel, at)`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE notification_channel_requests`);
    await q.query(`DROP TABLE notification_deliveries`);
  }
}
