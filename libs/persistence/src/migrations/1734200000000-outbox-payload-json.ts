import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The outbox holds a message only until the relay has put its text on the topic: nothing queries
 * inside it. As `jsonb`, each message was parsed into the binary form when queued and printed back
 * to text when relayed; as `json` the text written by the worker is kept and relayed as it is
 * (still checked to be JSON on the way in). A burst of 10,000 escalations queues and relays
 * 10,000 messages, so that was two conversions of every message on the burst's path.
 */
export class OutboxPayloadJson1734200000000 implements MigrationInterface {
  name = 'OutboxPayloadJson1734200000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE outbox ALTER COLUMN payload TYPE json USING payload::json`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE outbox ALTER COLUMN payload TYPE jsonb USING payload::jsonb`);
  }
}
