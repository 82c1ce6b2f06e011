/**
 * Applies one batch of input messages in one database transaction: parse (contract), append to
 * the event log, move the partition's event-time watermark, fold the touched orders with their
 * deadlines, decide their supervision (event-driven escalations, auto-resolutions, anything
 * already due), and upsert everything. Rejected messages are returned for the dead-letter topic;
 * nothing here commits Kafka offsets.
 */
import {
  effectiveWatermark,
  observeChunk,
  orderFacts,
  parseWorkOrderEvent,
  type EscalationLevel,
  type StatisticsFormula,
  type WorkOrderEvent,
  type RejectionCode,
  type SupervisionPolicy,
  type WatermarkPolicy,
} from '@hotline/core';
import {
  appendEvents,
  applyEscalationChanges,
  loadEscalations,
  loadEvents,
  loadOrderContext,
  lockOrders,
  lockPartitionClock,
  savePartitionClock,
  upsertWorkOrders,
  withTransaction,
  type AppliedChanges,
  type IncomingEvent,
} from '@hotline/persistence';
import { applyFactDeltas, fromStored, storedFactsOf } from '@hotline/persistence/statistics';
import type { DataSource, QueryRunner } from 'typeorm';
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
  escalations: AppliedChanges;
}

/** How supervision is decided and told: the pieces the ingestion path and the sweeper share. */
export interface SupervisionSettings {
  escalationsTopic: string;
  policy: SupervisionPolicy;
  recipients: (unitId: string, level: EscalationLevel) => string[];
  /** How each input partition's event-time watermark moves (libs/core watermark-policy). */
  watermark: WatermarkPolicy;
}

/** How far an event's `occurredAt` may lie after the time it is received (clock skew, zones). */
export const MAX_FUTURE_SKEW_MS = 86_400_000;

export interface BatchContext {
  /** The batch ends at the partition's end (evidence for the idle rule, not a switch by itself). */
  caughtUp: boolean;
  /** The consumer's clock when the batch is handled: the events' receive time and `now`. */
  receivedAt: Date;
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
    for (const message of messages) {
      const key = message.key === null ? null : message.key.toString('utf8');
      const parsed = parseWorkOrderEvent(message.value, key);
      if (!parsed.ok) {
        rejected.push({ message, code: parsed.code, reason: parsed.message });
        continue;
      }
      const at = Date.parse(parsed.event.occurredAt);
      // An instant far ahead of the clock is impossible (a producer's clock or a typo in the year):
      // kept out of the event log, and out of the evidence the event-time watermark moves on.
      if (at > context.receivedAt.getTime() + MAX_FUTURE_SKEW_MS) {
        rejected.push({
          message,
          code: 'in_future',
          reason: `occurredAt ${parsed.event.occurredAt} is more than a day after the time of receipt ${context.receivedAt.toISOString()}`,
        });
        continue;
      }
      if (seen.has(parsed.event.eventId)) {
        duplicatesInBatch += 1;
        continue;
      }
      seen.add(parsed.event.eventId);
      incoming.push({
        event: parsed.event,
        topic: message.topic,
        partition: message.partition,
        offset: message.offset,
      });
    }

    const deadlineErrors: Record<string, number> = {};
    const result = await withTransaction(this.dataSource, async (runner) => {
      const inserted = await appendEvents(runner, incoming);
      const newEvents = new Set(inserted.map((row) => row.eventId));
      // Duplicates are no evidence of time: only the events new to the log move the watermark.
      const fresh = incoming.filter((item) => newEvents.has(item.event.eventId));
      const watermarks = await this.observePartitions(runner, messages, fresh, context);
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
        await loadEscalations(runner, known, { lock: true }),
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
      const escalations = await applyEscalationChanges(runner, existing, supervision.changes, {
        recipients: this.supervision.recipients,
        topic: this.supervision.escalationsTopic,
        timeZone: this.rules.calendar.timeZone,
      });
      return { applied: inserted.length, ordersUpdated: records.length, escalations };
    });

    return {
      consumed: messages.length,
      applied: result.applied,
      duplicates: duplicatesInBatch + (incoming.length - result.applied),
      ordersUpdated: result.ordersUpdated,
      deadlineErrors,
      rejected,
      escalations: result.escalations,
    };
  }

  /**
   * Moves the watermark of each partition the batch was read from (one, unless tests mix them) on
   * the evidence of its events new to the log, in arrival order, and returns the effective
   * watermark its orders are judged against now. A partition whose messages were all rejected or
   * duplicates still records whether it was read to its end. Partitions are locked in order.
   */
  private async observePartitions(
    runner: QueryRunner,
    messages: readonly RawMessage[],
    incoming: readonly IncomingEvent[],
    context: BatchContext,
  ): Promise<Map<string, Date>> {
    const slot = (m: { topic: string; partition: number }) => `${m.topic}|${m.partition}`;
    const read = new Map<string, { topic: string; partition: number; occurredMs: number[] }>();
    for (const { topic, partition } of messages) {
      if (!read.has(slot({ topic, partition }))) {
        read.set(slot({ topic, partition }), { topic, partition, occurredMs: [] });
      }
    }
    for (const item of incoming) {
      read.get(slot(item))?.occurredMs.push(Date.parse(item.event.occurredAt));
    }
    const receivedMs = context.receivedAt.getTime();
    const watermarks = new Map<string, Date>();
    for (const [key, { topic, partition, occurredMs }] of [...read].sort(([a], [b]) =>
      a.localeCompare(b),
    )) {
      const clock = observeChunk(
        await lockPartitionClock(runner, topic, partition),
        { occurredMs, receivedMs, caughtUp: context.caughtUp },
        this.supervision.watermark,
      );
      await savePartitionClock(runner, topic, partition, clock);
      const { atMs } = effectiveWatermark(clock, receivedMs, this.supervision.watermark);
      if (atMs !== null) watermarks.set(key, new Date(atMs));
    }
    return watermarks;
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
