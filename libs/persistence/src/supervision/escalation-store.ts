/**
 * Escalation rows for the sweeper and the ingestion path: set-based, idempotent by the natural key
 * (order, kind, segment, round) and by (escalation, level). Every change that takes effect queues
 * its message in the outbox in the same transaction; a change that was already made (a replay, a
 * second replica) changes nothing and queues nothing.
 */
import type { EscalationLevel, EscalationRecord } from '@hotline/core';
import type { QueryRunner } from 'typeorm';
import { enqueueOutbox, escalationIdOf, type EscalationMessage } from './escalation-message';

interface EscalationRow {
  escalation_id: string;
  escalation_key: string;
  work_order_id: string;
  unit_id: string;
  kind: EscalationRecord['kind'];
  segment: number;
  round: number;
  level: EscalationLevel;
  status: EscalationRecord['status'];
  reason: string;
  due_at: Date | null;
  fired_at: Date;
  level_changed_at: Date;
  recipients: string[];
  acknowledged_at: Date | null;
  resolved_at: Date | null;
  resolution: EscalationRecord['resolution'];
}

const COLUMNS = `escalation_id, escalation_key, work_order_id, unit_id, kind, segment, round, level, status,
  reason, due_at, fired_at, level_changed_at, recipients, acknowledged_at, resolved_at, resolution`;

function toRecord(row: EscalationRow): EscalationRecord {
  return {
    escalationKey: row.escalation_key,
    workOrderId: row.work_order_id,
    unitId: row.unit_id,
    kind: row.kind,
    segment: row.segment,
    round: row.round,
    level: Number(row.level) as EscalationLevel,
    status: row.status,
    firedAt: row.fired_at,
    dueAt: row.due_at,
    reason: row.reason,
    levelChangedAt: row.level_changed_at,
    acknowledgedAt: row.acknowledged_at,
    resolvedAt: row.resolved_at,
    resolution: row.resolution,
  };
}

/** The escalations of the given orders, grouped by order. */
export async function loadEscalations(
  runner: QueryRunner,
  workOrderIds: readonly string[],
): Promise<Map<string, EscalationRecord[]>> {
  const byOrder = new Map<string, EscalationRecord[]>();
  if (workOrderIds.length === 0) return byOrder;
  const rows = (await runner.query(
    `SELECT ${COLUMNS} FROM escalations WHERE work_order_id = ANY($1::text[])`,
    [workOrderIds],
  )) as EscalationRow[];
  for (const row of rows) {
    const record = toRecord(row);
    byOrder.set(record.workOrderId, [...(byOrder.get(record.workOrderId) ?? []), record]);
  }
  return byOrder;
}

export interface SupervisionChanges {
  create: EscalationRecord[];
  advance: { escalationKey: string; toLevel: EscalationLevel; at: Date; why: string }[];
  resolve: { escalationKey: string; at: Date; why: string }[];
}

export interface AppliedChanges {
  created: number;
  advanced: number;
  resolved: number;
}

const iso = (d: Date | string | null): string | null =>
  d === null ? null : new Date(d).toISOString();

function message(
  row: EscalationRow,
  change: EscalationMessage['change'],
  at: Date,
  note?: string,
): EscalationMessage {
  return {
    escalationId: row.escalation_id,
    workOrderId: row.work_order_id,
    unitId: row.unit_id,
    kind: row.kind,
    level: Number(row.level),
    status: row.status,
    reason: row.reason,
    dueAt: iso(row.due_at),
    firedAt: iso(row.fired_at)!,
    recipients: row.recipients,
    change,
    changedAt: at.toISOString(),
    ...(note === undefined ? {} : { note }),
  };
}

/**
 * Applies a supervision decision. `recipients(unitId, level)` names who is told at each level.
 * Creation, advance and resolution each take effect at most once.
 */
export async function applySupervisionChanges(
  runner: QueryRunner,
  changes: SupervisionChanges,
  recipients: (unitId: string, level: EscalationLevel) => string[],
  topic: string,
): Promise<AppliedChanges> {
  const messages: EscalationMessage[] = [];
  let created: EscalationRow[] = [];
  if (changes.create.length > 0) {
    const rows = changes.create.map((e) => ({
      escalation_id: escalationIdOf(e.escalationKey),
      escalation_key: e.escalationKey,
      work_order_id: e.workOrderId,
      unit_id: e.unitId,
      kind: e.kind,
      segment: e.segment,
      round: e.round,
      level: e.level,
      status: e.status,
      reason: e.reason,
      due_at: e.dueAt,
      fired_at: e.firedAt,
      level_changed_at: e.levelChangedAt,
      recipients: recipients(e.unitId, e.level),
    }));
    created = (await runner.query(
      `INSERT INTO escalations (escalation_id, escalation_key, work_order_id, unit_id, kind, segment, round,
                                level, status, reason, due_at, fired_at, level_changed_at, recipients)
       SELECT r.escalation_id, r.escalation_key, r.work_order_id, r.unit_id, r.kind, r.segment, r.round,
              r.level, r.status, r.reason, r.due_at, r.fired_at, r.level_changed_at, r.recipients
         FROM jsonb_to_recordset($1::jsonb) AS r(
           escalation_id uuid, escalation_key text, work_order_id text, unit_id text, kind text,
           segment integer, round integer, level smallint, status text, reason text,
           due_at timestamptz, fired_at timestamptz, level_changed_at timestamptz, recipients jsonb)
       ON CONFLICT DO NOTHING
       RETURNING ${COLUMNS}`,
      [JSON.stringify(rows)],
    )) as EscalationRow[];
    if (created.length > 0) {
      await runner.query(
        `INSERT INTO escalation_levels (escalation_id, level, reached_at, why)
         SELECT (r->>'escalation_id')::uuid, (r->>'level')::smallint, (r->>'fired_at')::timestamptz, 'fired'
           FROM jsonb_array_elements($1::jsonb) AS r
         ON CONFLICT DO NOTHING`,
        [JSON.stringify(created)],
      );
    }
    for (const row of created) messages.push(message(row, 'created', row.fired_at));
  }

  let advanced: EscalationRow[] = [];
  if (changes.advance.length > 0) {
    // One row per escalation: the highest level decided, at its instant.
    const top = new Map<string, SupervisionChanges['advance'][number]>();
    for (const a of changes.advance) {
      const seen = top.get(a.escalationKey);
      if (!seen || a.toLevel > seen.toLevel) top.set(a.escalationKey, a);
    }
    const rows = [...top.values()].map((a) => ({
      escalation_key: a.escalationKey,
      to_level: a.toLevel,
      at: a.at,
      why: a.why,
    }));
    const updated = (await runner.query(
      `UPDATE escalations e SET level = r.to_level, level_changed_at = r.at, updated_at = now()
         FROM jsonb_to_recordset($1::jsonb) AS r(escalation_key text, to_level smallint, at timestamptz, why text)
        WHERE e.escalation_key = r.escalation_key AND e.level < r.to_level AND e.status <> 'resolved'
        RETURNING ${COLUMNS.split(',')
          .map((c) => `e.${c.trim()}`)
          .join(', ')}`,
      [JSON.stringify(rows)],
    )) as [EscalationRow[], number] | EscalationRow[];
    advanced = normalizeUpdate(updated);
    if (advanced.length > 0) {
      // Record every level passed through (1 → 3 records 2 and 3), each at most once.
      const steps = changes.advance.filter((a) =>
        advanced.some((row) => row.escalation_key === a.escalationKey),
      );
      await runner.query(
        `INSERT INTO escalation_levels (escalation_id, level, reached_at, why)
         SELECT e.escalation_id, r.to_level, r.at, r.why
           FROM jsonb_to_recordset($1::jsonb) AS r(escalation_key text, to_level smallint, at timestamptz, why text)
           JOIN escalations e ON e.escalation_key = r.escalation_key
         ON CONFLICT DO NOTHING`,
        [
          JSON.stringify(
            steps.map((a) => ({
              escalation_key: a.escalationKey,
              to_level: a.toLevel,
              at: a.at,
              why: a.why,
            })),
          ),
        ],
      );
      // Recipients follow the level.
      for (const row of advanced)
        row.recipients = recipients(row.unit_id, Number(row.level) as EscalationLevel);
      await runner.query(
        `UPDATE escalations e SET recipients = r.recipients
           FROM jsonb_to_recordset($1::jsonb) AS r(escalation_id uuid, recipients jsonb)
          WHERE e.escalation_id = r.escalation_id`,
        [
          JSON.stringify(
            advanced.map((row) => ({
              escalation_id: row.escalation_id,
              recipients: row.recipients,
            })),
          ),
        ],
      );
      for (const row of advanced) messages.push(message(row, 'advanced', row.level_changed_at));
    }
  }

  let resolved: EscalationRow[] = [];
  if (changes.resolve.length > 0) {
    const rows = changes.resolve.map((r) => ({
      escalation_key: r.escalationKey,
      at: r.at,
      why: r.why,
    }));
    resolved = normalizeUpdate(
      (await runner.query(
        `UPDATE escalations e SET status = 'resolved', resolved_at = r.at, resolution = 'auto',
                resolution_note = r.why, updated_at = now()
           FROM jsonb_to_recordset($1::jsonb) AS r(escalation_key text, at timestamptz, why text)
          WHERE e.escalation_key = r.escalation_key AND e.status <> 'resolved'
          RETURNING ${COLUMNS.split(',')
            .map((c) => `e.${c.trim()}`)
            .join(', ')}, r.why AS why`,
        [JSON.stringify(rows)],
      )) as [EscalationRow[], number] | EscalationRow[],
    );
    for (const row of resolved) {
      messages.push(
        message(
          row,
          'resolved',
          row.resolved_at ?? new Date(0),
          (row as EscalationRow & { why: string }).why,
        ),
      );
    }
  }

  await enqueueOutbox(runner, topic, messages);
  return { created: created.length, advanced: advanced.length, resolved: resolved.length };
}

/** The postgres driver returns `[rows, count]` for UPDATE … RETURNING through TypeORM. */
function normalizeUpdate(result: [EscalationRow[], number] | EscalationRow[]): EscalationRow[] {
  if (result.length === 2 && Array.isArray(result[0]) && typeof result[1] === 'number') {
    return result[0];
  }
  return result as EscalationRow[];
}
