import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Withdrawal (contract.md §2): an escalation the event log later proved false is `withdrawn`, with
 * the reason and the evidence, and keeps its history. `version` counts the changes published for
 * it (consumers keep the highest); `generation` counts its firings, so that one fired again after
 * a withdrawal records its levels anew while the earlier ones stay in `escalation_levels`.
 */
export class EscalationWithdrawal1733000000000 implements MigrationInterface {
  name = 'EscalationWithdrawal1733000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE escalations DROP CONSTRAINT escalations_status_check`);
    await q.query(`
      ALTER TABLE escalations
        ADD CONSTRAINT escalations_status_check
          CHECK (status IN ('open', 'acknowledged', 'resolved', 'withdrawn')),
        ADD COLUMN version    integer NOT NULL DEFAULT 1,
        ADD COLUMN generation integer NOT NULL DEFAULT 1,
        ADD COLUMN withdrawal jsonb,
        ADD CONSTRAINT escalations_withdrawal_check
          CHECK ((status = 'withdrawn') = (withdrawal IS NOT NULL))`);
    // Existing rows had one message per change; an advance across two levels was one message.
    await q.query(`
      UPDATE escalations e SET version = 1
        + (SELECT count(*) FROM escalation_levels l WHERE l.escalation_id = e.escalation_id AND l.why <> 'fired')
        + (CASE WHEN acknowledged_at IS NOT NULL THEN 1 ELSE 0 END)
        + (CASE WHEN resolved_at IS NOT NULL THEN 1 ELSE 0 END)`);
    // Never below a version already published (a database migrated down and up again): consumers
    // keep the highest and would ignore the next changes.
    await q.query(`
      UPDATE escalations e SET version = GREATEST(e.version, p.version)
        FROM (SELECT payload->>'escalationId' AS escalation_id, max((payload->>'version')::int) AS version
                FROM outbox WHERE payload ? 'version' AND payload ? 'escalationId' GROUP BY 1) AS p
       WHERE p.escalation_id = e.escalation_id::text`);
    await q.query(`ALTER TABLE escalation_levels ADD COLUMN generation integer NOT NULL DEFAULT 1`);
    await q.query(`ALTER TABLE escalation_levels DROP CONSTRAINT escalation_levels_pkey`);
    await q.query(
      `ALTER TABLE escalation_levels ADD PRIMARY KEY (escalation_id, generation, level)`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DELETE FROM escalation_levels WHERE generation > 1`);
    await q.query(`ALTER TABLE escalation_levels DROP CONSTRAINT escalation_levels_pkey`);
    await q.query(`ALTER TABLE escalation_levels ADD PRIMARY KEY (escalation_id, level)`);
    await q.query(`ALTER TABLE escalation_levels DROP COLUMN generation`);
    // The earlier schema has no withdrawn status: such rows end as resolved, their note the reason.
    await q.query(`ALTER TABLE escalations DROP CONSTRAINT escalations_withdrawal_check`);
    await q.query(`
      UPDATE escalations
         SET status = 'resolved', resolution = 'auto', resolved_at = (withdrawal->>'at')::timestamptz,
             resolution_note = 'withdrawn: ' || (withdrawal->>'reason')
       WHERE status = 'withdrawn'`);
    await q.query(`
      ALTER TABLE escalations
        DROP COLUMN withdrawal,
        DROP COLUMN generation,
        DROP COLUMN version,
        DROP CONSTRAINT escalations_status_check`);
    await q.query(`
      ALTER TABLE escalations ADD CONSTRAINT escalations_status_check
        CHECK (status IN ('open', 'acknowledged', 'resolved'))`);
  }
}
