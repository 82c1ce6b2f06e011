import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The evidence a partition's event-time watermark moves on (libs/core watermark-policy): the
 * window of its last valid events as `[[occurredMs, receivedMs], …]` in arrival order, and the
 * wall clock of the last chunk read, and the last instant the partition was confirmed applied to
 * its end (`confirmed_at`: the wall clock drives a partition only as far as it is known read).
 * `watermark_at` is null for a partition that has not yet received a valid event (it has no
 * watermark, and never switches to the wall clock).
 *
 * Rows written before keep their watermark and an empty window; their last chunk was read at
 * `updated_at`; a quiet partition goes idle (wall clock) once the worker confirms it read to its end.
 */
export class WatermarkEvidence1732900000000 implements MigrationInterface {
  name = 'WatermarkEvidence1732900000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE consumer_watermarks
        ADD COLUMN recent jsonb NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(recent) = 'array'),
        ADD COLUMN last_received_at timestamptz,
        ADD COLUMN confirmed_at timestamptz,
        ALTER COLUMN watermark_at DROP NOT NULL`);
    await q.query(`UPDATE consumer_watermarks SET last_received_at = updated_at`);
  }

  async down(q: QueryRunner): Promise<void> {
    // A partition without a watermark had nothing to supervise: the old schema has no row for it.
    await q.query(`DELETE FROM consumer_watermarks WHERE watermark_at IS NULL`);
    await q.query(`
      ALTER TABLE consumer_watermarks
        ALTER COLUMN watermark_at SET NOT NULL,
        DROP COLUMN confirmed_at,
        DROP COLUMN last_received_at,
        DROP COLUMN recent`);
  }
}
