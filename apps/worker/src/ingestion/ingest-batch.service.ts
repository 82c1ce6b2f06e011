/**
 * Applies one batch of input messages: parse (contract), append to the event log, fold the
 * touched orders and upsert them, all in one database transaction. Rejected messages are returned
 * for the dead-letter topic; nothing here commits Kafka offsets.
 */
import { parseWorkOrderEvent, type RejectionCode } from '@hotline/core';
import {
  appendEvents,
  loadEvents,
  loadPinnedProfiles,
  upsertWorkOrders,
  withTransaction,
  type IncomingEvent,
} from '@hotline/persistence';
import type { DataSource } from 'typeorm';
import { profileFor, type HandlingRules } from '@hotline/platform';
import { projectWorkOrder } from './project-work-order';

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
}

export class IngestBatchService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly rules: HandlingRules,
  ) {}

  async ingest(messages: readonly RawMessage[]): Promise<BatchOutcome> {
    const rejected: Rejection[] = [];
    const incoming: IncomingEvent[] = [];
    const seen = new Set<string>();
    let duplicatesInBatch = 0;
    let maxOccurredMs = Number.NEGATIVE_INFINITY;
    for (const message of messages) {
      const key = message.key === null ? null : message.key.toString('utf8');
      const parsed = parseWorkOrderEvent(message.value, key);
      if (!parsed.ok) {
        rejected.push({ message, code: parsed.code, reason: parsed.message });
        continue;
      }
      if (seen.has(parsed.event.eventId)) {
        duplicatesInBatch += 1;
        continue;
      }
      seen.add(parsed.event.eventId);
      maxOccurredMs = Math.max(maxOccurredMs, Date.parse(parsed.event.occurredAt));
      incoming.push({
        event: parsed.event,
        topic: message.topic,
        partition: message.partition,
        offset: message.offset,
      });
    }

    const deadlineErrors: Record<string, number> = {};
    const { applied, ordersUpdated } = await withTransaction(this.dataSource, async (runner) => {
      const inserted = await appendEvents(runner, incoming);
      const touched = [...new Set(inserted.map((row) => row.workOrderId))];
      const eventsByOrder = await loadEvents(runner, touched);
      const pinnedByOrder = await loadPinnedProfiles(runner, touched);
      const projections = touched.map((id) => {
        const pinned = pinnedByOrder.get(id);
        return projectWorkOrder(id, eventsByOrder.get(id) ?? [], {
          calendar: this.rules.calendar,
          profile: profileFor(this.rules, pinned),
          ...(pinned ? { pinned } : {}),
        });
      });
      for (const { deadlineError } of projections) {
        if (deadlineError) deadlineErrors[deadlineError] = (deadlineErrors[deadlineError] ?? 0) + 1;
      }
      const records = projections.map((p) => p.record);
      await upsertWorkOrders(runner, records);
      return { applied: inserted.length, ordersUpdated: records.length };
    });

    return {
      consumed: messages.length,
      applied,
      duplicates: duplicatesInBatch + (incoming.length - applied),
      ordersUpdated,
      deadlineErrors,
      rejected,
      maxOccurredAt: Number.isFinite(maxOccurredMs) ? new Date(maxOccurredMs) : null,
    };
  }
}
