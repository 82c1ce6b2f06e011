/**
 * The naive way, kept only as the benchmark's baseline: one ORM transaction per message,
 * `save` of the event and of the re-folded order row. Never used by the product.
 */
import type { DataSource } from 'typeorm';
import type { WorkOrderEvent } from '@hotline/core';
import { WorkOrderEntity, WorkOrderEventEntity } from './work-order.entities';
import type { WorkOrderRecord } from './work-order-store';

export async function ingestOneByOneWithOrm(
  dataSource: DataSource,
  events: readonly WorkOrderEvent[],
  project: (workOrderId: string, events: WorkOrderEvent[]) => WorkOrderRecord,
): Promise<void> {
  for (const event of events) {
    await dataSource.transaction(async (manager) => {
      const eventRepo = manager.getRepository(WorkOrderEventEntity);
      if (await eventRepo.existsBy({ eventId: event.eventId })) return;
      await eventRepo.save(
        eventRepo.create({
          eventId: event.eventId,
          workOrderId: event.workOrderId,
          type: event.type,
          occurredAt: new Date(event.occurredAt),
          sequence: event.sequence === undefined ? null : String(event.sequence),
          payload: event,
          sourceTopic: 'baseline',
          sourcePartition: 0,
          sourceOffset: '0',
        }),
      );
      const logged = await eventRepo.findBy({ workOrderId: event.workOrderId });
      const record = project(
        event.workOrderId,
        logged.map((row) => row.payload as WorkOrderEvent),
      );
      await manager.getRepository(WorkOrderEntity).save({ ...record });
      await (record.nextDueAt === null
        ? manager.query(`DELETE FROM work_order_due WHERE work_order_id = $1`, [record.workOrderId])
        : manager.query(
            `INSERT INTO work_order_due (work_order_id, next_due_at) VALUES ($1, $2)
             ON CONFLICT (work_order_id) DO UPDATE SET next_due_at = EXCLUDED.next_due_at`,
            [record.workOrderId, record.nextDueAt],
          ));
    });
  }
}
