import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * `escalation_key` is `order|kind|segment|round`, and `escalation_id` the name-based UUID of that
 * key (escalationIdOf): the unique natural key `(work_order_id, kind, segment, round)` and the
 * primary key already hold each escalation once, and the one write that looked rows up by the key
 * (a changed escalation's update) finds them by the natural key. Its unique index was a third
 * unique index kept on every escalation written for no read (a sweep batch writes hundreds at
 * once). The column stays: the store loads an order's escalations keyed by it.
 */
export class DropEscalationKeyUnique1734150000000 implements MigrationInterface {
  name = 'DropEscalationKeyUnique1734150000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE escalations DROP CONSTRAINT escalations_escalation_key_key`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(
      `ALTER TABLE escalations ADD CONSTRAINT escalations_escalation_key_key UNIQUE (escalation_key)`,
    );
  }
}
