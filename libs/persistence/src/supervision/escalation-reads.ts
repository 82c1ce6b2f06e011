/** The read side of escalations for the API: one, a page of a filtered list, and an order's. */
import type { EscalationKind, EscalationStatus, WithdrawalReason } from '@hotline/core';
import type { SqlRunner } from '../audit/audit-log';

export interface EscalationLevelView {
  /** 1, then +1 each time the escalation was fired again after a withdrawal. */
  generation: number;
  level: number;
  reachedAt: Date;
  why: string;
}

export interface EscalationWithdrawalView {
  reason: WithdrawalReason;
  /** Event time: the watermark of the decision that withdrew it. */
  at: Date;
  /** Wall clock: when the withdrawal was written. */
  recordedAt: Date | null;
  evidenceEventId: string | null;
  evidenceOccurredAt: Date | null;
  evidenceReceivedAt: Date | null;
}

export interface EscalationView {
  escalationId: string;
  workOrderId: string;
  unitId: string;
  kind: EscalationKind;
  segment: number;
  round: number;
  level: number;
  status: EscalationStatus;
  reason: string;
  dueAt: Date | null;
  firedAt: Date;
  levelChangedAt: Date;
  recipients: string[];
  acknowledgedAt: Date | null;
  acknowledgedBy: string | null;
  acknowledgeNote: string | null;
  resolvedAt: Date | null;
  resolvedBy: string | null;
  resolution: 'auto' | 'manual' | null;
  resolutionNote: string | null;
  /** Set while the status is `withdrawn`: why, and the event that proved the premise false. */
  withdrawal: EscalationWithdrawalView | null;
  /** Grows with every change published for the escalation. */
  version: number;
  /** Every level reached, oldest firing first, lowest level first. */
  levels: EscalationLevelView[];
}

export interface EscalationFilter {
  status?: EscalationStatus;
  kind?: string;
  unitId?: string;
  level?: number;
  workOrderId?: string;
}

/** 1-based page of at most `pageSize` rows. */
export interface PageRequest {
  page: number;
  pageSize: number;
}

export interface Page<T> {
  items: T[];
  /** The matching rows, counted up to TOTAL_CAP: exact when `totalIsExact`, else more than this. */
  total: number;
  totalIsExact: boolean;
}

/**
 * Lists count their matches up to here: an exact count(*) of a million rows costs ~100 ms per
 * request (it reads every match), a capped one ~1 ms; a supervisor narrows the filter long before.
 */
export const TOTAL_CAP = 10_000;

/** `SELECT count` of `FROM … WHERE …` up to TOTAL_CAP + 1 rows, as `total`. */
export function cappedCountSql(fromWhere: string): string {
  return `SELECT count(*)::int AS total FROM (SELECT 1 ${fromWhere} LIMIT ${TOTAL_CAP + 1}) AS capped`;
}

/** The page's `total` and `totalIsExact` from a capped count. */
export function cappedTotal(counted: number): { total: number; totalIsExact: boolean } {
  return counted > TOTAL_CAP
    ? { total: TOTAL_CAP, totalIsExact: false }
    : { total: counted, totalIsExact: true };
}

interface EscalationRow {
  escalation_id: string;
  work_order_id: string;
  unit_id: string;
  kind: EscalationKind;
  segment: number;
  round: number;
  level: number;
  status: EscalationStatus;
  reason: string;
  due_at: Date | null;
  fired_at: Date;
  level_changed_at: Date;
  recipients: unknown;
  acknowledged_at: Date | null;
  acknowledged_by: string | null;
  acknowledge_note: string | null;
  resolved_at: Date | null;
  resolved_by: string | null;
  resolution: 'auto' | 'manual' | null;
  resolution_note: string | null;
  withdrawal: {
    reason: WithdrawalReason;
    at: string;
    recordedAt?: string;
    evidenceEventId: string | null;
    evidenceOccurredAt: string | null;
    evidenceReceivedAt: string | null;
  } | null;
  version: number;
  levels: { generation: number; level: number; reached_at: string; why: string }[];
}

const SELECT_ESCALATION = `
  SELECT e.escalation_id, e.work_order_id, e.unit_id, e.kind, e.segment, e.round, e.level, e.status,
         e.reason, e.due_at, e.fired_at, e.level_changed_at, e.recipients,
         e.acknowledged_at, e.acknowledged_by, e.acknowledge_note,
         e.resolved_at, e.resolved_by, e.resolution, e.resolution_note, e.withdrawal, e.version,
         COALESCE((SELECT json_agg(json_build_object('generation', l.generation, 'level', l.level,
                                                     'reached_at', l.reached_at, 'why', l.why)
                                  ORDER BY l.generation, l.level)
                     FROM escalation_levels l WHERE l.escalation_id = e.escalation_id), '[]') AS levels
    FROM escalations e`;

function withdrawalOf(stored: EscalationRow['withdrawal']): EscalationWithdrawalView | null {
  if (stored === null) return null;
  const at = (iso: string | null) => (iso === null ? null : new Date(iso));
  return {
    reason: stored.reason,
    at: new Date(stored.at),
    recordedAt: at(stored.recordedAt ?? null),
    evidenceEventId: stored.evidenceEventId,
    evidenceOccurredAt: at(stored.evidenceOccurredAt),
    evidenceReceivedAt: at(stored.evidenceReceivedAt),
  };
}

function toView(row: EscalationRow): EscalationView {
  return {
    escalationId: row.escalation_id,
    workOrderId: row.work_order_id,
    unitId: row.unit_id,
    kind: row.kind,
    segment: row.segment,
    round: row.round,
    level: Number(row.level),
    status: row.status,
    reason: row.reason,
    dueAt: row.due_at,
    firedAt: row.fired_at,
    levelChangedAt: row.level_changed_at,
    recipients: Array.isArray(row.recipients) ? row.recipients.map(String) : [],
    acknowledgedAt: row.acknowledged_at,
    acknowledgedBy: row.acknowledged_by,
    acknowledgeNote: row.acknowledge_note,
    resolvedAt: row.resolved_at,
    resolvedBy: row.resolved_by,
    resolution: row.resolution,
    resolutionNote: row.resolution_note,
    withdrawal: withdrawalOf(row.withdrawal),
    version: Number(row.version),
    levels: row.levels.map((l) => ({
      generation: Number(l.generation),
      level: Number(l.level),
      reachedAt: new Date(l.reached_at),
      why: l.why,
    })),
  };
}

export async function findEscalation(
  sql: SqlRunner,
  escalationId: string,
): Promise<EscalationView | null> {
  const rows = (await sql.query(`${SELECT_ESCALATION} WHERE e.escalation_id = $1`, [
    escalationId,
  ])) as EscalationRow[];
  return rows[0] ? toView(rows[0]) : null;
}

function whereOf(filter: EscalationFilter): { where: string; params: unknown[] } {
  const conditions: string[] = [];
  const params: unknown[] = [];
  const add = (column: string, value: unknown) => {
    params.push(value);
    conditions.push(`e.${column} = $${params.length}`);
  };
  if (filter.status !== undefined) add('status', filter.status);
  if (filter.kind !== undefined) add('kind', filter.kind);
  if (filter.unitId !== undefined) add('unit_id', filter.unitId);
  if (filter.level !== undefined) add('level', filter.level);
  if (filter.workOrderId !== undefined) add('work_order_id', filter.workOrderId);
  return { where: conditions.length ? `WHERE ${conditions.join(' AND ')}` : '', params };
}

/** Newest first (by `fired_at`, then id, so pages are stable). */
export async function listEscalations(
  sql: SqlRunner,
  filter: EscalationFilter,
  page: PageRequest,
): Promise<Page<EscalationView>> {
  const { where, params } = whereOf(filter);
  const [count] = (await sql.query(cappedCountSql(`FROM escalations e ${where}`), params)) as {
    total: number;
  }[];
  const rows = (await sql.query(
    `${SELECT_ESCALATION} ${where}
     ORDER BY e.fired_at DESC, e.escalation_id
     LIMIT $${params.length + 1} OFFSET $${params.length + 2}`,
    [...params, page.pageSize, (page.page - 1) * page.pageSize],
  )) as EscalationRow[];
  return { items: rows.map(toView), ...cappedTotal(count?.total ?? 0) };
}

/** An order's escalations, oldest first; `unitId` narrows them to one unit's. */
export async function findWorkOrderEscalations(
  sql: SqlRunner,
  workOrderId: string,
  unitId?: string,
): Promise<EscalationView[]> {
  const { where, params } = whereOf({ workOrderId, unitId });
  const rows = (await sql.query(
    `${SELECT_ESCALATION} ${where} ORDER BY e.fired_at, e.escalation_id`,
    params,
  )) as EscalationRow[];
  return rows.map(toView);
}
