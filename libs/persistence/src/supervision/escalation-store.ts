/**
 * Escalation rows for the sweeper and the ingestion path. The callers hold the order's lock and
 * read its escalations `FOR UPDATE` (loadEscalations), decide in the core, and write here the
 * ordered changes (escalationChanges): the rows as they end, a level row per level reached, and
 * one outbox message per change, built by the core's escalationMessage. Writes are idempotent by
 * the natural key and guarded by `version`, so a change already made (a replay, a second replica)
 * changes nothing and queues nothing.
 */
import {
  dayOnInZone,
  escalationMessage,
  type EscalationChange,
  type EscalationLevel,
  type EscalationMessage,
  type EscalationRecord,
  type EscalationWithdrawal,
} from '@hotline/core';
import type { QueryRunner } from 'typeorm';
import {
  column,
  dateArray,
  instantArray,
  instantColumn,
  integerArray,
  integerColumn,
  jsonColumn,
  smallintArray,
  textArray,
  textColumn,
  unnestRows,
  uuidArray,
  type ArrayColumn,
} from '../array-params';
import { enqueueOutbox, escalationIdOf } from './escalation-message';

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
  acknowledged_at: Date | null;
  resolved_at: Date | null;
  resolution: EscalationRecord['resolution'];
  withdrawal: StoredWithdrawal | null;
  version: number;
  generation: number;
}

/** `escalations.withdrawal`: the core's withdrawal with instants as ISO strings. */
interface StoredWithdrawal {
  reason: EscalationWithdrawal['reason'];
  at: string;
  evidenceEventId: string | null;
  evidenceOccurredAt: string | null;
  evidenceReceivedAt: string | null;
}

const COLUMNS = `escalation_id, escalation_key, work_order_id, unit_id, kind, segment, round, level, status,
  reason, due_at, fired_at, level_changed_at, acknowledged_at, resolved_at, resolution, withdrawal,
  version, generation`;

function toRecord(row: EscalationRow): EscalationRecord {
  const w = row.withdrawal;
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
    withdrawal:
      w === null
        ? null
        : {
            reason: w.reason,
            at: new Date(w.at),
            evidenceEventId: w.evidenceEventId,
            evidenceOccurredAt:
              w.evidenceOccurredAt === null ? null : new Date(w.evidenceOccurredAt),
          },
    version: Number(row.version),
    generation: Number(row.generation),
  };
}

/**
 * The escalations of the given orders, grouped by order; with `lock`, the rows are locked until
 * the transaction ends (in id order), so a supervisor's acknowledgement waits for the decision
 * that read them, or the decision reads it.
 */
export async function loadEscalations(
  runner: QueryRunner,
  workOrderIds: readonly string[],
  options: { lock: boolean } = { lock: false },
): Promise<Map<string, EscalationRecord[]>> {
  const byOrder = new Map<string, EscalationRecord[]>();
  if (workOrderIds.length === 0) return byOrder;
  const rows = (await runner.query(
    `SELECT ${COLUMNS} FROM escalations WHERE work_order_id = ANY($1::text[])
      ORDER BY escalation_id ${options.lock ? 'FOR UPDATE' : ''}`,
    [workOrderIds],
  )) as EscalationRow[];
  for (const row of rows) {
    const record = toRecord(row);
    const list = byOrder.get(record.workOrderId);
    if (list) list.push(record);
    else byOrder.set(record.workOrderId, [record]);
  }
  return byOrder;
}

export interface AppliedChanges {
  created: number;
  advanced: number;
  resolved: number;
  withdrawn: number;
}

export const NO_CHANGES: Readonly<AppliedChanges> = Object.freeze({
  created: 0,
  advanced: 0,
  resolved: 0,
  withdrawn: 0,
});

/** Who is told at each level, where the messages go, and the zone of their instants. */
export interface EscalationOutput {
  recipients: (unitId: string, level: EscalationLevel) => string[];
  topic: string;
  timeZone: string;
}

/** The last change of each escalation: the row it leaves. */
function finalRows(changes: readonly EscalationChange[]): Map<string, EscalationChange> {
  const last = new Map<string, EscalationChange>();
  for (const change of changes) last.set(change.record.escalationKey, change);
  return last;
}

/** The row as the escalation writes send it (ESCALATION_COLUMNS); `undefined` is NULL. */
function rowOf(
  change: EscalationChange,
  output: EscalationOutput,
  receivedAt: ReceivedAt,
  beforeVersion: number | undefined,
) {
  const r = change.record;
  const w = r.withdrawal;
  return {
    escalation_id: escalationIdOf(r.escalationKey),
    escalation_key: r.escalationKey,
    work_order_id: r.workOrderId,
    unit_id: r.unitId,
    kind: r.kind,
    segment: r.segment,
    round: r.round,
    level: r.level,
    status: r.status,
    reason: r.reason,
    due_at: r.dueAt ?? undefined,
    fired_at: r.firedAt,
    // The statistics' day of the firing (migration 1733900000000 counts escalations by it).
    fired_on: dayOnInZone(r.firedAt, output.timeZone),
    level_changed_at: r.levelChangedAt,
    recipients: output.recipients(r.unitId, r.level),
    acknowledged_at: r.acknowledgedAt ?? undefined,
    resolved_at: r.resolvedAt ?? undefined,
    resolution: r.resolution ?? undefined,
    resolution_note: change.change === 'resolved' ? (change.why ?? undefined) : undefined,
    withdrawal:
      w === null
        ? undefined
        : {
            reason: w.reason,
            at: w.at.toISOString(),
            evidenceEventId: w.evidenceEventId,
            evidenceOccurredAt: w.evidenceOccurredAt?.toISOString() ?? null,
            evidenceReceivedAt: receivedAt(w.evidenceEventId)?.toISOString() ?? null,
          },
    version: r.version,
    generation: r.generation,
    before_version: beforeVersion,
  };
}

type ReceivedAt = (eventId: string | null) => Date | null;

/** When each evidence event reached the event log (the contract's `evidenceReceivedAt`). */
async function evidenceReceivedAt(
  runner: QueryRunner,
  changes: readonly EscalationChange[],
): Promise<ReceivedAt> {
  const ids = [
    ...new Set(
      changes.flatMap((c) =>
        c.record.withdrawal?.evidenceEventId ? [c.record.withdrawal.evidenceEventId] : [],
      ),
    ),
  ];
  if (ids.length === 0) return () => null;
  const rows = (await runner.query(
    `SELECT event_id, ingested_at FROM work_order_events WHERE event_id = ANY($1::text[])`,
    [ids],
  )) as { event_id: string; ingested_at: Date }[];
  const byId = new Map(rows.map((r) => [r.event_id, r.ingested_at]));
  return (eventId) => (eventId === null ? null : (byId.get(eventId) ?? null));
}

type Row = ReturnType<typeof rowOf>;
const text = textColumn<Row>;
const instant = instantColumn<Row>;
const integer = integerColumn<Row>;

const ESCALATION_COLUMNS: readonly ArrayColumn<Row>[] = [
  column('escalation_id', 'uuid', uuidArray, (r) => r.escalation_id),
  text('escalation_key', (r) => r.escalation_key),
  text('work_order_id', (r) => r.work_order_id),
  text('unit_id', (r) => r.unit_id),
  text('kind', (r) => r.kind),
  integer('segment', (r) => r.segment),
  integer('round', (r) => r.round),
  column('level', 'smallint', smallintArray, (r) => r.level),
  text('status', (r) => r.status),
  text('reason', (r) => r.reason),
  instant('due_at', (r) => r.due_at),
  instant('fired_at', (r) => r.fired_at),
  column('fired_on', 'date', dateArray, (r) => r.fired_on),
  instant('level_changed_at', (r) => r.level_changed_at),
  jsonColumn('recipients', (r) => r.recipients),
  instant('acknowledged_at', (r) => r.acknowledged_at),
  instant('resolved_at', (r) => r.resolved_at),
  text('resolution', (r) => r.resolution),
  text('resolution_note', (r) => r.resolution_note),
  jsonColumn('withdrawal', (r) => r.withdrawal),
  integer('version', (r) => r.version),
  integer('generation', (r) => r.generation),
  integer('before_version', (r) => r.before_version),
];

interface LevelRow {
  escalation_id: string | undefined;
  generation: number;
  level: number;
  reached_at: Date;
  why: string;
}

const LEVEL_COLUMNS: readonly ArrayColumn<LevelRow>[] = [
  column('escalation_id', 'uuid', uuidArray, (r) => r.escalation_id),
  column('generation', 'integer', integerArray, (r) => r.generation),
  column('level', 'smallint', smallintArray, (r) => r.level),
  column('reached_at', 'timestamptz', instantArray, (r) => r.reached_at),
  column('why', 'text', textArray, (r) => r.why),
];

/**
 * Writes the ordered changes of one decision round (escalationChanges over `existing`, which the
 * caller loaded with `lock`). Returns how many changes of each kind took effect.
 */
export async function applyEscalationChanges(
  runner: QueryRunner,
  existing: ReadonlyMap<string, EscalationRecord[]>,
  changes: readonly EscalationChange[],
  output: EscalationOutput,
): Promise<AppliedChanges> {
  if (changes.length === 0) return { ...NO_CHANGES };
  const before = new Map<string, number>();
  for (const records of existing.values()) {
    for (const record of records) before.set(record.escalationKey, record.version);
  }
  const receivedAt = await evidenceReceivedAt(runner, changes);
  // Looked up once per unit and level: a burst of thousands shares a handful.
  const byUnitLevel = new Map<string, string[]>();
  const recipients = (unitId: string, level: EscalationLevel): string[] => {
    const key = `${unitId}|${level}`;
    let list = byUnitLevel.get(key);
    if (list === undefined) byUnitLevel.set(key, (list = output.recipients(unitId, level)));
    return list;
  };
  const shared = { ...output, recipients };
  const rows = [...finalRows(changes).values()].map((change) =>
    rowOf(change, shared, receivedAt, before.get(change.record.escalationKey)),
  );
  const fresh = rows.filter((r) => r.before_version === undefined);
  const kept = rows.filter((r) => r.before_version !== undefined);
  const freshRows = unnestRows(ESCALATION_COLUMNS, fresh);
  const inserted = (
    fresh.length === 0
      ? []
      : await runner.query(
          `INSERT INTO escalations (escalation_id, escalation_key, work_order_id, unit_id, kind, segment, round,
                              level, status, reason, due_at, fired_at, fired_on, level_changed_at, recipients,
                              acknowledged_at, resolved_at, resolution, resolution_note, withdrawal,
                              version, generation)
     SELECT r.escalation_id, r.escalation_key, r.work_order_id, r.unit_id, r.kind, r.segment, r.round,
            r.level, r.status, r.reason, r.due_at, r.fired_at, r.fired_on, r.level_changed_at, r.recipients,
            r.acknowledged_at, r.resolved_at, r.resolution, r.resolution_note, r.withdrawal,
            r.version, r.generation
       FROM ${freshRows.from}
     ON CONFLICT DO NOTHING
     RETURNING escalation_key, escalation_id`,
          freshRows.params,
        )
  ) as WrittenRow[];
  // A person's acknowledgement or resolution stays with the row until it is fired again.
  const keptRows = unnestRows(ESCALATION_COLUMNS, kept);
  const updated: unknown =
    kept.length === 0
      ? []
      : await runner.query(
          `UPDATE escalations e SET
            unit_id = r.unit_id, level = r.level, status = r.status, reason = r.reason,
            due_at = r.due_at, fired_at = r.fired_at, fired_on = r.fired_on,
            level_changed_at = r.level_changed_at,
            recipients = r.recipients, acknowledged_at = r.acknowledged_at,
            acknowledged_by = CASE WHEN r.acknowledged_at IS NULL THEN NULL ELSE e.acknowledged_by END,
            acknowledge_note = CASE WHEN r.acknowledged_at IS NULL THEN NULL ELSE e.acknowledge_note END,
            resolved_at = r.resolved_at, resolution = r.resolution,
            resolved_by = CASE WHEN r.resolved_at IS NULL THEN NULL ELSE e.resolved_by END,
            resolution_note = CASE WHEN r.resolved_at IS NULL THEN NULL
                                   ELSE COALESCE(r.resolution_note, e.resolution_note) END,
            withdrawal = CASE WHEN r.withdrawal IS NULL THEN NULL
                              WHEN e.status = 'withdrawn' THEN e.withdrawal
                              ELSE r.withdrawal || jsonb_build_object('recordedAt', now()) END,
            version = r.version, generation = r.generation,
            updated_at = now()
       FROM ${keptRows.from}
      WHERE e.work_order_id = r.work_order_id AND e.kind = r.kind AND e.segment = r.segment
        AND e.round = r.round AND e.version = r.before_version
      RETURNING e.escalation_key, e.escalation_id`,
          keptRows.params,
        );
  // The ids as stored: the name-based id of the key for every row this product wrote.
  const written = new Map<string, string>(
    [...inserted, ...updatedRows(updated)].map((row) => [row.escalation_key, row.escalation_id]),
  );
  const effective = changes.filter((c) => written.has(c.record.escalationKey));

  const levels = effective.flatMap((c): LevelRow[] =>
    c.change === 'created' || c.change === 'advanced'
      ? [
          {
            escalation_id: written.get(c.record.escalationKey),
            generation: c.record.generation,
            level: c.record.level,
            reached_at: c.at,
            why: c.why ?? 'fired',
          },
        ]
      : [],
  );
  if (levels.length > 0) {
    const rows = unnestRows(LEVEL_COLUMNS, levels);
    await runner.query(
      `INSERT INTO escalation_levels (escalation_id, generation, level, reached_at, why)
       SELECT r.escalation_id, r.generation, r.level, r.reached_at, r.why FROM ${rows.from}
       ON CONFLICT DO NOTHING`,
      rows.params,
    );
  }

  const messages: EscalationMessage[] = effective.map((c) => {
    const w = c.record.withdrawal;
    const key = c.record.escalationKey;
    const r = c.record;
    return escalationMessage(
      {
        escalationId: written.get(key) ?? escalationIdOf(key),
        workOrderId: r.workOrderId,
        unitId: r.unitId,
        kind: r.kind,
        level: r.level,
        status: r.status,
        reason: r.reason,
        dueAt: r.dueAt,
        firedAt: r.firedAt,
        recipients: recipients(r.unitId, r.level),
        version: r.version,
      },
      {
        change: c.change,
        at: c.at,
        note: c.change === 'withdrawn' ? null : c.why,
        withdrawal:
          c.change === 'withdrawn' && w !== null
            ? { ...w, evidenceReceivedAt: receivedAt(w.evidenceEventId) }
            : null,
      },
      output.timeZone,
    );
  });
  await enqueueOutbox(runner, output.topic, messages);
  const applied = { ...NO_CHANGES };
  for (const c of effective) applied[c.change] += 1;
  return applied;
}

/** The postgres driver returns `[rows, count]` for UPDATE … RETURNING through TypeORM. */
interface WrittenRow {
  escalation_key: string;
  escalation_id: string;
}

function updatedRows(result: unknown): WrittenRow[] {
  if (
    Array.isArray(result) &&
    result.length === 2 &&
    Array.isArray(result[0]) &&
    typeof result[1] === 'number'
  ) {
    return result[0] as WrittenRow[];
  }
  return result as WrittenRow[];
}
