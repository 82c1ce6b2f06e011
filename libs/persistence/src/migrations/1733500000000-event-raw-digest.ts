import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The SHA-256 of the message value each logged event arrived in. A re-delivery of the same bytes
 * under the same key is then known as a duplicate by its id and this digest alone, without
 * decoding its JSON or sending its payload to the database (a replay of applied events). Rows
 * logged before this column, or with no digest, take the full path: parse and compare as jsonb.
 */
export class EventRawDigest1733500000000 implements MigrationInterface {
  name = 'EventRawDigest1733500000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE work_order_events ADD COLUMN raw_sha256 bytea`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE work_order_events DROP COLUMN raw_sha256`);
  }
}
