/**
 * The sweep: orders whose next due instant has passed their partition's event-time watermark are
 * claimed in batches (FOR UPDATE SKIP LOCKED: replicas share the work), re-decided by the pure
 * core, and their escalations, outbox messages and next due instants written in one transaction.
 * No timer per order: one indexed query finds what is due.
 */
import {
  applyEscalationChanges,
  claimDueOrders,
  loadEscalations,
  loadEvents,
  loadPinnedProfiles,
  NO_CHANGES,
  setNextDueAt,
  withTransaction,
  type AppliedChanges,
} from '@hotline/persistence';
import type { HandlingRules } from '@hotline/platform';
import type { DataSource } from 'typeorm';
import type { SupervisionSettings } from '../ingestion/ingest-batch.service';
import { pinnedProjectionRules, projectWorkOrder } from '../ingestion/project-work-order';
import { superviseOrders } from './supervise-orders';

export interface SweepOutcome extends AppliedChanges {
  claimed: number;
  /** The due instants of the escalations created: the caller measures lateness after the commit. */
  firedAt: Date[];
}

export class DueInstantsSweeper {
  constructor(
    private readonly dataSource: DataSource,
    private readonly rules: HandlingRules,
    private readonly supervision: SupervisionSettings,
    private readonly eventsTopic: string,
    private readonly batchSize: number,
  ) {}

  async sweep(now: Date): Promise<SweepOutcome> {
    return withTransaction(this.dataSource, async (runner) => {
      const claimed = await claimDueOrders(
        runner,
        this.eventsTopic,
        now,
        this.batchSize,
        this.supervision.watermark,
      );
      if (claimed.length === 0) {
        return { claimed: 0, ...NO_CHANGES, firedAt: [] };
      }
      const ids = claimed.map((c) => c.workOrderId);
      const [eventsByOrder, pinnedByOrder, existing] = [
        await loadEvents(runner, ids),
        await loadPinnedProfiles(runner, ids),
        await loadEscalations(runner, ids, { lock: true }),
      ];
      const orders = claimed.map(({ workOrderId, watermarkAt }) => {
        const events = eventsByOrder.get(workOrderId) ?? [];
        const { state, deadlines } = projectWorkOrder(
          workOrderId,
          events,
          pinnedProjectionRules(this.rules, pinnedByOrder.get(workOrderId)),
        );
        return { workOrderId, events, state, deadlines, watermark: watermarkAt };
      });
      const { changes, nextDueAt } = superviseOrders(
        orders,
        existing,
        this.rules.calendar,
        this.supervision.policy,
      );
      const applied = await applyEscalationChanges(runner, existing, changes, {
        recipients: this.supervision.recipients,
        topic: this.supervision.escalationsTopic,
        timeZone: this.rules.calendar.timeZone,
      });
      await setNextDueAt(
        runner,
        ids.map((workOrderId) => ({ workOrderId, nextDueAt: nextDueAt.get(workOrderId) ?? null })),
      );
      const firedAt = changes.filter((c) => c.change === 'created').map((c) => c.at);
      return { claimed: claimed.length, ...applied, firedAt };
    });
  }
}
