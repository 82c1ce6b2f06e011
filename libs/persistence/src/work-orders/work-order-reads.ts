import type { WorkOrderEvent, WorkOrderState } from '@hotline/core';
import type { DataSource } from 'typeorm';
import { cappedCountSql, cappedTotal } from '../supervision/escalation-reads';
import { WorkOrderEntity, WorkOrderEventEntity } from './work-order.entities';

/** An order as the read side sees it: the folded state plus its deadline columns. */
export interface WorkOrderView {
  workOrderId: string;
  status: string;
  unitId: string | null;
  category: string | null;
  urgency: string | null;
  tags: string[];
  acceptDueAt: Date | null;
  completeDueAt: Date | null;
  nextDueAt: Date | null;
  acceptOutcome: string | null;
  completeOutcome: string | null;
  profileId: string | null;
  profileVersion: string | null;
  state: WorkOrderState;
  deadlines: unknown;
  eventCount: number;
  updatedAt?: Date;
}

export async function findWorkOrder(
  dataSource: DataSource,
  workOrderId: string,
): Promise<WorkOrderView | null> {
  const row = await dataSource.getRepository(WorkOrderEntity).findOneBy({ workOrderId });
  if (!row) return null;
  const [due] = await dataSource.query<{ next_due_at: Date }[]>(
    `SELECT next_due_at FROM work_order_due WHERE work_order_id = $1`,
    [workOrderId],
  );
  return {
    workOrderId: row.workOrderId,
    status: row.status,
    unitId: row.unitId,
    category: row.category,
    urgency: row.urgency,
    tags: row.tags,
    acceptDueAt: row.acceptDueAt,
    completeDueAt: row.completeDueAt,
    nextDueAt: due?.next_due_at ?? null,
    acceptOutcome: row.acceptOutcome,
    completeOutcome: row.completeOutcome,
    profileId: row.profileId,
    profileVersion: row.profileVersion,
    state: row.state as WorkOrderState,
    deadlines: row.deadlines,
    eventCount: row.eventCount,
  };
}

/** An order's logged events (unsorted: the core orders them). */
export async function findWorkOrderEvents(
  dataSource: DataSource,
  workOrderId: string,
): Promise<WorkOrderEvent[]> {
  const rows = await dataSource
    .getRepository(WorkOrderEventEntity)
    .find({ where: { workOrderId }, select: { payload: true } });
  return rows.map((row) => row.payload as WorkOrderEvent);
}

export interface WorkOrderFilter {
  unitId?: string;
  status?: string;
  /**
   * `true`: an open stage is past its due instant at `now` — acceptance or completion whose outcome
   * is still `pending` with its due instant at or before `now` (a stage is overdue from `dueAt` on;
   * a suspended completion has no due instant, so it is not overdue). `false`: none is.
   */
  overdue?: boolean;
  /** A unit caller's own unit: `supervisionLevel` then counts that unit's escalations only. */
  escalationsOfUnit?: string;
}

/** One line of the list: no personal data, so lists need no unmasking rules. */
export interface WorkOrderSummary {
  workOrderId: string;
  status: string;
  unitId: string | null;
  category: string | null;
  urgency: string | null;
  title: string | null;
  /** Free text like the title: whoever shows it masks its personal numbers first. */
  address: string | null;
  receivedAt: Date | null;
  acceptDueAt: Date | null;
  completeDueAt: Date | null;
  nextDueAt: Date | null;
  acceptOutcome: string | null;
  completeOutcome: string | null;
  overdue: boolean;
  /** Highest level among the order's escalations not resolved; null when none. */
  supervisionLevel: number | null;
}

interface WorkOrderSummaryRow {
  work_order_id: string;
  status: string;
  unit_id: string | null;
  category: string | null;
  urgency: string | null;
  title: string | null;
  address: string | null;
  received_at: Date | null;
  accept_due_at: Date | null;
  complete_due_at: Date | null;
  next_due_at: Date | null;
  accept_outcome: string | null;
  complete_outcome: string | null;
  overdue: boolean;
  supervision_level: number | null;
}

/** SQL for "an open stage is past its due instant", `now` being the parameter `$n`. */
const overdueAt = (now: string) =>
  `((w.accept_outcome = 'pending' AND w.accept_due_at <= ${now})
    OR (w.complete_outcome = 'pending' AND w.complete_due_at <= ${now}))`;

/**
 * Newest received first, then by id, so pages are stable; `total` is counted up to TOTAL_CAP
 * (`totalIsExact` false beyond it).
 */
export async function listWorkOrders(
  dataSource: DataSource,
  filter: WorkOrderFilter,
  page: { page: number; pageSize: number },
  now: Date,
): Promise<{ items: WorkOrderSummary[]; total: number; totalIsExact: boolean }> {
  const params: unknown[] = [];
  const conditions: string[] = [];
  const param = (value: unknown) => {
    params.push(value);
    return `$${params.length}`;
  };
  if (filter.unitId !== undefined) conditions.push(`w.unit_id = ${param(filter.unitId)}`);
  if (filter.status !== undefined) conditions.push(`w.status = ${param(filter.status)}`);
  if (filter.overdue !== undefined) {
    const overdue = `COALESCE(${overdueAt(param(now))}, false)`;
    conditions.push(filter.overdue ? overdue : `NOT ${overdue}`);
  }
  const where = conditions.length ? `WHERE ${conditions.join(' AND ')}` : '';
  const [count] = await dataSource.query<{ total: number }[]>(
    cappedCountSql(`FROM work_orders w ${where}`),
    params,
  );
  const rows = await dataSource.query<WorkOrderSummaryRow[]>(
    `SELECT w.work_order_id, w.status, w.unit_id, w.category, w.urgency, w.state->>'title' AS title,
            w.state->>'address' AS address,
            w.received_at, w.accept_due_at, w.complete_due_at,
            (SELECT d.next_due_at FROM work_order_due d WHERE d.work_order_id = w.work_order_id) AS next_due_at,
            w.accept_outcome, w.complete_outcome,
            COALESCE(${overdueAt(`$${params.length + 1}`)}, false) AS overdue,
            (SELECT max(e.level)::int FROM escalations e
              WHERE e.work_order_id = w.work_order_id AND e.status IN ('open', 'acknowledged')
                AND ($${params.length + 4}::text IS NULL OR e.unit_id = $${params.length + 4})) AS supervision_level
       FROM work_orders w ${where}
      ORDER BY w.received_at DESC NULLS LAST, w.work_order_id
      LIMIT $${params.length + 2} OFFSET $${params.length + 3}`,
    [
      ...params,
      now,
      page.pageSize,
      (page.page - 1) * page.pageSize,
      filter.escalationsOfUnit ?? null,
    ],
  );
  return {
    ...cappedTotal(count?.total ?? 0),
    items: rows.map((r) => ({
      workOrderId: r.work_order_id,
      status: r.status,
      unitId: r.unit_id,
      category: r.category,
      urgency: r.urgency,
      title: r.title,
      address: r.address,
      receivedAt: r.received_at,
      acceptDueAt: r.accept_due_at,
      completeDueAt: r.complete_due_at,
      nextDueAt: r.next_due_at,
      acceptOutcome: r.accept_outcome,
      completeOutcome: r.complete_outcome,
      overdue: r.overdue,
      supervisionLevel: r.supervision_level,
    })),
  };
}
