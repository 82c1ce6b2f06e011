/**
 * Applies one batch of input messages in one database transaction: parse (contract), append to
 * the event log, move the partition's event-time watermark, fold the touched orders with their
 * deadlines, decide their supervision (event-driven escalations, auto-resolutions, anything
 * already due), and upsert everything. Rejected messages are returned for the dead-letter topic;
 * nothing here commits Kafka offsets.
 */
import {
  orderFacts,
  parseWorkOrderEvent,
  type EscalationLevel,
  type StatisticsFormula,
  type WorkOrderEvent,
  type RejectionCode,
  type SupervisionPolicy,
} from '@hotline/core';
import {
  advanceWatermark,
  appendEvents,
  applySupervisionChanges,
  effectiveWatermarks,
  loadEscalations,
  loadEvents,
  loadOrderContext,
  lockOrders,
  upsertWorkOrders,
  withTransaction,
  type AppliedChanges,
  type IncomingEvent,
} from '@hotline/persistence';
import { applyFactDeltas, fromStored, storedFactsOf } from '@hotline/persistence/statistics';
import type { DataSource } from 'typeorm';
import type { HandlingRules } from '@hotline/platform';
import { superviseOrders } from '../supervision/supervise-orders';
import { pinnedProjectionRules, projectWorkOrder } from './project-work-order';

export interface RawMessage {
  topic: string;
  partition: number;
  offset: string;
  key: Buffer | null;
  value: Buffer | null;
  headers: Record<string, Buffer | string | (Buffer | string)[] | undefined>;
}

export type DeadLetterCode = RejectionCode | 'processing_failed';

export interface Rejection {
  message: RawMessage;
  code: DeadLetterCode;
  reason: string;
}

export interface BatchOutcome {
  consumed: number;
  applied: number;
  duplicates: number;
  ordersUpdated: number;
  /** Orders whose deadlines could not be computed (code → count), e.g. calendar_out_of_range. */
  deadlineErrors: Record<string, number>;
  rejected: Rejection[];
  /** The latest `occurredAt` among the valid events of the batch (event-time watermark input). */
  maxOccurredAt: Date | null;
  escalations: AppliedChanges;
}

/** How supervision is decided and told: the pieces the ingestion path and the sweeper share. */
export interface SupervisionSettings {
  escalationsTopic: string;
  policy: SupervisionPolicy;
  recipients: (unitId: string, level: EscalationLevel) => string[];
  /** While a partition catches up, its watermark trails its latest event time by this much. */
  latenessMs: number;
}

/** How far an event's `occurredAt` may lie after the time it is received (clock skew, zones). */
export const MAX_FUTURE_SKEW_MS = 86_400_000;

export interface BatchContext {
  /** The partition has no more messages after this batch: the wall clock takes over. */
  caughtUp: boolean;
  now: Date;
}

export class IngestBatchService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly rules: HandlingRules,
    private readonly supervision: SupervisionSettings,
    private readonly formula: StatisticsFormula,
  ) {}

  async ingest(messages: readonly RawMessage[], context: BatchContext): Promise<BatchOutcome> {
    const rejected: Rejection[] = [];
    const incoming: IncomingEvent[] = [];
    const seen = new Set<string>();
    let duplicatesInBatch = 0;
    // Latest event time per input partition (a chunk is one partition; tests may mix them).
    const latestByPartition = new Map<string, { topic: string; partition: number; ms: number }>();
    for (const message of messages) {
      const key = message.key === null ? null : message.key.toString('utf8');
      const parsed = parseWorkOrderEvent(message.value, key);
      if (!parsed.ok) {
        rejected.push({ message, code: parsed.code, reason: parsed.message });
        continue;
      }
      const at = Date.parse(parsed.event.occurredAt);
      // An instant far ahead of the clock is impossible, and would drag the event-time watermark
      // (which never moves back) into the future, firing every open order's escalations.
      if (at > context.now.getTime() + MAX_FUTURE_SKEW_MS) {
        rejected.push({
          message,
          code: 'in_future',
          reason: `occurredAt ${parsed.event.occurredAt} is more than a day after the time of receipt ${context.now.toISOString()}`,
        });
        continue;
      }
      if (seen.has(parsed.event.eventId)) {
        duplicatesInBatch += 1;
        continue;
      }
      seen.add(parsed.event.eventId);
      const slot = `${message.topic}|${message.partition}`;
      const latest = latestByPartition.get(slot);
      if (!latest || at > latest.ms) {
        latestByPartition.set(slot, { topic: message.topic, partition: message.partition, ms: at });
      }
      incoming.push({
        event: parsed.event,
        topic: message.topic,
        partition: message.partition,
        offset: message.offset,
      });
    }

    const deadlineErrors: Record<string, number> = {};
    const result = await withTransaction(this.dataSource, async (runner) => {
      const watermarks = new Map<string, Date>();
      // A partition whose chunk held no valid event still records whether it has caught up.
      for (const message of messages) {
        const slot = `${message.topic}|${message.partition}`;
        if (!latestByPartition.has(slot)) {
          latestByPartition.set(slot, {
            topic: message.topic,
            partition: message.partition,
            ms: 0,
          });
        }
      }
      for (const [slot, { topic, partition, ms }] of latestByPartition) {
        const watermarkAt = new Date(
          context.caughtUp || ms === 0 ? ms : ms - this.supervision.latenessMs,
        );
        await advanceWatermark(
          runner,
          { topic, partition, watermarkAt, caughtUp: context.caughtUp },
          context.now,
        );
        const effective = (await effectiveWatermarks(runner, topic, context.now)).get(partition);
        watermarks.set(slot, effective ?? watermarkAt);
      }

      const inserted = await appendEvents(runner, incoming);
      const newEvents = new Set(inserted.map((row) => row.eventId));
      const batchEvents = new Map<string, WorkOrderEvent[]>();
      const partitionOf = new Map<string, IncomingEvent>();
      for (const item of incoming) {
        partitionOf.set(item.event.workOrderId, item);
        if (!newEvents.has(item.event.eventId)) continue;
        const list = batchEvents.get(item.event.workOrderId);
        if (list) list.push(item.event);
        else batchEvents.set(item.event.workOrderId, [item.event]);
      }
      const touched = [...batchEvents.keys()];
      // One writer per order from here on; then read what exists. Rows and events are always
      // written together, so an order without a row has no events but this batch's.
      await lockOrders(runner, touched);
      const rows = await loadOrderContext(runner, touched);
      const known = touched.filter((id) => rows.has(id));
      const [logged, existing] = [
        await loadEvents(runner, known),
        await loadEscalations(runner, known),
      ];
      const projections = touched.map((id) => {
        const row = rows.get(id);
        const pinned = row
          ? { profileId: row.profileId, profileVersion: row.profileVersion }
          : undefined;
        const events = row ? (logged.get(id) ?? []) : (batchEvents.get(id) ?? []);
        const projection = projectWorkOrder(id, events, pinnedProjectionRules(this.rules, pinned));
        const source = partitionOf.get(id);
        projection.record.sourcePartition = source?.partition ?? null;
        const watermark = source
          ? watermarks.get(`${source.topic}|${source.partition}`)
          : undefined;
        // The statistics rollup moves by the difference between the facts counted for the order
        // and those its new state implies; the new facts are stored with the row.
        const facts = orderFacts(
          projection.state,
          projection.deadlines,
          this.formula,
          this.rules.calendar,
        );
        projection.record.facts = storedFactsOf(facts);
        return {
          id,
          events,
          projection,
          facts,
          before: fromStored(row?.facts),
          watermark: watermark ?? new Date(0),
        };
      });
      for (const { projection } of projections) {
        const code = projection.deadlineError;
        if (code) deadlineErrors[code] = (deadlineErrors[code] ?? 0) + 1;
      }
      const supervision = superviseOrders(
        projections.map(({ id, events, projection, watermark }) => ({
          workOrderId: id,
          events,
          state: projection.state,
          deadlines: projection.deadlines,
          watermark,
        })),
        existing,
        this.rules.calendar,
        this.supervision.policy,
      );
      const records = projections.map(({ id, projection }) => ({
        ...projection.record,
        nextDueAt: supervision.nextDueAt.get(id) ?? null,
      }));
      const written = await upsertWorkOrders(runner, records);
      await applyFactDeltas(
        runner,
        projections
          .filter(({ id }) => written.has(id))
          .map(({ id, events, facts, before }) => ({
            workOrderId: id,
            before,
            after: facts,
            cause: lastEventType(events),
          })),
        { factsWrittenWithOrders: true },
      );
      const escalations = await applySupervisionChanges(
        runner,
        supervision.changes,
        this.supervision.recipients,
        this.supervision.escalationsTopic,
      );
      return { applied: inserted.length, ordersUpdated: records.length, escalations };
    });

    let maxOccurredMs = Number.NEGATIVE_INFINITY;
    for (const { ms } of latestByPartition.values()) {
      if (ms > 0) maxOccurredMs = Math.max(maxOccurredMs, ms);
    }
    return {
      consumed: messages.length,
      applied: result.applied,
      duplicates: duplicatesInBatch + (incoming.length - result.applied),
      ordersUpdated: result.ordersUpdated,
      deadlineErrors,
      rejected,
      maxOccurredAt: Number.isFinite(maxOccurredMs) ? new Date(maxOccurredMs) : null,
      escalations: result.escalations,
    };
  }
}

/** The type of an order's latest event: what caused a change of its statistics. */
function lastEventType(events: readonly WorkOrderEvent[]): string {
  let latest: WorkOrderEvent | undefined;
  for (const event of events) {
    if (!latest || Date.parse(event.occurredAt) >= Date.parse(latest.occurredAt)) latest = event;
  }
  return latest?.type ?? 'unknown';
}
