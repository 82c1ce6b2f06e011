/**
 * A person's commands on an escalation: acknowledge (签收) and resolve with a note (督办结果). Each
 * runs in one transaction that locks the escalation row (`FOR UPDATE`), so two people acting at
 * once are serialized and the second sees the first's outcome; the change's outbox message and its
 * audit row commit with it or not at all.
 */
import { escalationMessage, type EscalationStatus } from '@hotline/core';
import type { DataSource, QueryRunner } from 'typeorm';
import { appendAuditLog } from '../audit/audit-log';
import { withTransaction } from '../transaction';
import { enqueueOutbox } from './escalation-message';
import { findEscalation, type EscalationView } from './escalation-reads';

export interface EscalationCommand {
  escalationId: string;
  /** Who acts: recorded as acknowledged_by / resolved_by and in the audit log. */
  actor: { subject: string; role: string };
  /** Set for a unit's caller: an escalation of another unit is refused as `out_of_scope`. */
  unitScope: string | null;
  note: string | null;
  at: Date;
  /** The escalations topic (config.kafka.topics.escalations). */
  topic: string;
  /** The calendar's zone: instants in the message carry its offset (contract.md §2). */
  timeZone: string;
}

export type EscalationCommandResult =
  | { ok: true; escalation: EscalationView }
  | { ok: false; reason: 'not_found' | 'out_of_scope' }
  | {
      ok: false;
      reason: 'already_acknowledged' | 'already_resolved' | 'withdrawn';
      /** When and by whom it happened, for the caller's message. */
      at: Date | null;
      by: string | null;
    };

interface LockedRow {
  escalation_id: string;
  unit_id: string;
  status: EscalationStatus;
  acknowledged_at: Date | null;
  acknowledged_by: string | null;
  resolved_at: Date | null;
  resolved_by: string | null;
  withdrawn_at: string | null;
}

async function lock(runner: QueryRunner, escalationId: string): Promise<LockedRow | undefined> {
  const rows = (await runner.query(
    `SELECT escalation_id, unit_id, status, acknowledged_at, acknowledged_by, resolved_at, resolved_by,
            COALESCE(withdrawal->>'recordedAt', withdrawal->>'at') AS withdrawn_at
       FROM escalations WHERE escalation_id = $1 FOR UPDATE`,
    [escalationId],
  )) as LockedRow[];
  return rows[0];
}

async function runCommand(
  dataSource: DataSource,
  command: EscalationCommand,
  change: 'acknowledged' | 'resolved',
  apply: (runner: QueryRunner, row: LockedRow) => Promise<EscalationCommandResult | null>,
): Promise<EscalationCommandResult> {
  return withTransaction(dataSource, async (runner) => {
    const row = await lock(runner, command.escalationId);
    if (!row) return { ok: false, reason: 'not_found' };
    if (command.unitScope !== null && row.unit_id !== command.unitScope) {
      return { ok: false, reason: 'out_of_scope' };
    }
    if (row.status === 'resolved') {
      return { ok: false, reason: 'already_resolved', at: row.resolved_at, by: row.resolved_by };
    }
    // The log proved it false: there is nothing left to acknowledge or resolve.
    if (row.status === 'withdrawn') {
      const at = row.withdrawn_at === null ? null : new Date(row.withdrawn_at);
      return { ok: false, reason: 'withdrawn', at, by: null };
    }
    const refused = await apply(runner, row);
    if (refused) return refused;
    const view = await findEscalation(runner, command.escalationId);
    if (!view) throw new Error(`escalation ${command.escalationId} vanished inside its lock`);
    const message = escalationMessage(
      view,
      { change, at: command.at, note: command.note },
      command.timeZone,
    );
    await enqueueOutbox(runner, command.topic, [message]);
    await appendAuditLog(runner, {
      subject: command.actor.subject,
      role: command.actor.role,
      action: change === 'acknowledged' ? 'acknowledge_escalation' : 'resolve_escalation',
      workOrderId: view.workOrderId,
      detail: { escalationId: view.escalationId },
    });
    return { ok: true, escalation: view };
  });
}

/** open → acknowledged. Acknowledging twice, or a resolved escalation, is refused. */
export function acknowledgeEscalation(
  dataSource: DataSource,
  command: EscalationCommand,
): Promise<EscalationCommandResult> {
  return runCommand(dataSource, command, 'acknowledged', async (runner, row) => {
    if (row.status === 'acknowledged') {
      return {
        ok: false,
        reason: 'already_acknowledged',
        at: row.acknowledged_at,
        by: row.acknowledged_by,
      };
    }
    await runner.query(
      `UPDATE escalations
          SET status = 'acknowledged', acknowledged_at = $2, acknowledged_by = $3,
              acknowledge_note = $4, version = version + 1, updated_at = now()
        WHERE escalation_id = $1`,
      [row.escalation_id, command.at, command.actor.subject, command.note],
    );
    return null;
  });
}

/** open or acknowledged → resolved, resolution `manual`, with the note (督办结果). */
export function resolveEscalation(
  dataSource: DataSource,
  command: EscalationCommand & { note: string },
): Promise<EscalationCommandResult> {
  return runCommand(dataSource, command, 'resolved', async (runner, row) => {
    await runner.query(
      `UPDATE escalations
          SET status = 'resolved', resolved_at = $2, resolved_by = $3, resolution = 'manual',
              resolution_note = $4, version = version + 1, updated_at = now()
        WHERE escalation_id = $1`,
      [row.escalation_id, command.at, command.actor.subject, command.note],
    );
    return null;
  });
}
