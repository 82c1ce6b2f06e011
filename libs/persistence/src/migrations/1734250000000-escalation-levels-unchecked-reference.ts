import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * `escalation_levels.escalation_id` without its foreign key. Level rows are written by one
 * statement only (applyEscalationChanges), with the ids the same transaction's escalation insert or
 * update returned, so each names a row that exists; and no escalation is ever deleted. The key's
 * check still cost each level row a query and a lock on its escalation (a share lock written to
 * the row, and to the WAL): in a burst of 10,000 deadlines, about a tenth of PostgreSQL's work.
 * level-announcements.int-spec.ts checks that every level row names an escalation.
 */
export class EscalationLevelsUncheckedReference1734250000000 implements MigrationInterface {
  name = 'EscalationLevelsUncheckedReference1734250000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `ALTER TABLE escalation_levels DROP CONSTRAINT escalation_levels_escalation_id_fkey`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    // A level row of an escalation deleted by hand meanwhile belongs to nothing: the key refuses it.
    await q.query(`DELETE FROM escalation_levels l
                    WHERE NOT EXISTS (SELECT 1 FROM escalations e WHERE e.escalation_id = l.escalation_id)`);
    await q.query(`ALTER TABLE escalation_levels ADD CONSTRAINT escalation_levels_escalation_id_fkey
                   FOREIGN KEY (escalation_id) REFERENCES escalations (escalation_id) ON DELETE CASCADE`);
  }
}
