import { Column, Entity, PrimaryColumn } from 'typeorm';

/** Mapped for simple reads and the per-message baseline; the hot path uses set-based SQL. */
@Entity({ name: 'work_order_events' })
export class WorkOrderEventEntity {
  @PrimaryColumn({ name: 'event_id', type: 'text' }) eventId!: string;
  @Column({ name: 'work_order_id', type: 'text' }) workOrderId!: string;
  @Column({ type: 'text' }) type!: string;
  @Column({ name: 'occurred_at', type: 'timestamptz' }) occurredAt!: Date;
  @Column({ type: 'bigint', nullable: true }) sequence!: string | null;
  @Column({ type: 'jsonb' }) payload!: unknown;
  @Column({ name: 'source_topic', type: 'text' }) sourceTopic!: string;
  @Column({ name: 'source_partition', type: 'integer' }) sourcePartition!: number;
  @Column({ name: 'source_offset', type: 'bigint' }) sourceOffset!: string;
}

@Entity({ name: 'work_orders' })
export class WorkOrderEntity {
  @PrimaryColumn({ name: 'work_order_id', type: 'text' }) workOrderId!: string;
  @Column({ type: 'text' }) status!: string;
  @Column({ name: 'unit_id', type: 'text', nullable: true }) unitId!: string | null;
  @Column({ type: 'text', nullable: true }) category!: string | null;
  @Column({ type: 'text', nullable: true }) urgency!: string | null;
  @Column({ type: 'text', array: true }) tags!: string[];
  @Column({ type: 'integer' }) segment!: number;
  @Column({ name: 'rework_round', type: 'integer' }) reworkRound!: number;
  @Column({ name: 'received_at', type: 'timestamptz', nullable: true }) receivedAt!: Date | null;
  @Column({ name: 'dispatched_at', type: 'timestamptz', nullable: true })
  dispatchedAt!: Date | null;
  @Column({ name: 'accepted_at', type: 'timestamptz', nullable: true }) acceptedAt!: Date | null;
  @Column({ name: 'replied_at', type: 'timestamptz', nullable: true }) repliedAt!: Date | null;
  @Column({ name: 'closed_at', type: 'timestamptz', nullable: true }) closedAt!: Date | null;
  @Column({ type: 'boolean' }) excluded!: boolean;
  @Column({ name: 'accept_due_at', type: 'timestamptz', nullable: true }) acceptDueAt!: Date | null;
  @Column({ name: 'complete_due_at', type: 'timestamptz', nullable: true })
  completeDueAt!: Date | null;
  @Column({ name: 'accept_outcome', type: 'text', nullable: true }) acceptOutcome!: string | null;
  @Column({ name: 'complete_outcome', type: 'text', nullable: true }) completeOutcome!:
    string | null;
  @Column({ name: 'profile_id', type: 'text', nullable: true }) profileId!: string | null;
  @Column({ name: 'profile_version', type: 'text', nullable: true }) profileVersion!: string | null;
  @Column({ type: 'jsonb' }) state!: unknown;
  @Column({ type: 'jsonb', nullable: true }) deadlines!: unknown;
  @Column({ name: 'event_count', type: 'integer' }) eventCount!: number;
  @Column({ name: 'held_events', type: 'integer', default: 0 }) heldEvents!: number;
  @Column({ name: 'last_event_at', type: 'timestamptz', nullable: true }) lastEventAt!: Date | null;
  @Column({ name: 'source_partition', type: 'integer', nullable: true }) sourcePartition!:
    number | null;
}

export const ENTITIES = [WorkOrderEventEntity, WorkOrderEntity];
