import type { WorkOrderEvent, WorkOrderState } from '@hotline/core';
import type { DataSource } from 'typeorm';
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
  return {
    workOrderId: row.workOrderId,
    status: row.status,
    unitId: row.unitId,
    category: row.category,
    urgency: row.urgency,
    tags: row.tags,
    acceptDueAt: row.acceptDueAt,
    completeDueAt: row.completeDueAt,
    nextDueAt: row.nextDueAt,
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
