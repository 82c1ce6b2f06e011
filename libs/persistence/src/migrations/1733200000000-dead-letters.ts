import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Dead letters the broker could not take whole. A rejected message too large to forward with its
 * `x-dlq-*` headers keeps its original key, value and headers here (status `excerpted`) while the
 * dead-letter topic gets an excerpt, its digest and this row's id; one the broker refused
 * whatever its size waits here (status `parked`) and is forwarded later (then `forwarded`).
 * One row per source message: a redelivered rejection finds its row again (the same reference).
 */
export class DeadLetters1733200000000 implements MigrationInterface {
  name = 'DeadLetters1733200000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `CREATE TABLE dead_letters (
         id bigserial PRIMARY KEY,
         source_topic text NOT NULL,
         source_partition integer NOT NULL,
         source_offset bigint NOT NULL,
         code text NOT NULL,
         reason text NOT NULL,
         details jsonb NOT NULL DEFAULT '{}',
         message_key bytea,
         message_value bytea,
         headers jsonb NOT NULL DEFAULT '[]',
         value_bytes integer NOT NULL,
         value_sha256 text NOT NULL,
         status text NOT NULL CHECK (status IN ('excerpted', 'parked', 'forwarded')),
         attempts integer NOT NULL DEFAULT 0,
         last_error text,
         rejected_at timestamptz NOT NULL,
         stored_at timestamptz NOT NULL DEFAULT now(),
         forwarded_at timestamptz,
         CONSTRAINT dead_letters_source_key UNIQUE (source_topic, source_partition, source_offset)
       )`,
    );
    await q.query(
      `CREATE INDEX dead_letters_parked_idx ON dead_letters (id) WHERE status = 'parked'`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE dead_letters`);
  }
}
