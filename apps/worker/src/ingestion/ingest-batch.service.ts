/**
 * Applies one batch of input messages in one database transaction: parse (contract), append to
 * the event log, move the partition's event-time watermark, fold the touched orders with their
 * deadlines, decide their supervision (event-driven escalations, auto-resolutions, anything
 * already due), and upsert everything. Rejected messages are returned for the dead-letter topic;
 * nothing here commits Kafka offsets.
 */
import { createHash } from 'node:crypto';
import {
  canonicalEventJson,
  effectiveWatermark,
  observeChunk,
  orderFacts,
  parseInstantMs,
  parseWorkOrderMessage,
  type EscalationChange,
  type EscalationLevel,
  type EscalationRecord,
  type StatisticsFormula,
  type WorkOrderEvent,
  type RejectionCode,
  type SupervisionPolicy,
  type WatermarkPolicy,
} from '@hotline/core';
import {
  appendEvents,
  applyEscalationChanges,
  findConflictingEvents,
  findLoggedVerbatim,
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
  type RawProbe,
  type WorkOrderRecord,
} from '@hotline/persistence';
import {
  applyFactDeltas,
  fromStored,
  storedFactsOf,
  type OrderFactChange,
} from '@hotline/persistence/statistics';
import type { DataSource, QueryRunner } from 'typeorm';
import type { HandlingRules } from '@hotline/platform';
import { superviseOrders } from '../supervision/supervise-orders';
import { probeRawMessage, rawDigest } from './probe-raw-message';
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
  /** More `x-dlq-*` headers that say why (e.g. both digests of an event-id conflict). */
  details?: Record<string, string>;
}

/** What the door does with a `dispatched` to a unit the organisation does not list. */
export type UnknownUnitPolicy = 'accept' | 'dead_letter';

export interface DoorPolicy {
  /** `accept`: the order is kept under its unit id and counted (`unknownUnits`); else refused. */
  unknownUnits: UnknownUnitPolicy;
  knownUnits: ReadonlySet<string>;
}

export const ACCEPT_EVERY_UNIT: DoorPolicy = { unknownUnits: 'accept', knownUnits: new Set() };

/** SHA-256 of an event's canonical JSON: how a conflict names the two versions of one event id. */
export function eventDigest(event: unknown): string {
  return createHash('sha256').update(canonicalEventJson(event)).digest('hex');
}

export interface BatchOutcome {
  consumed: number;
  applied: number;
  /** True duplicates: an event already logged (or earlier in the batch) with the same content. */
  duplicates: number;
  /** Accepted `dispatched` events to a unit the organisation does not list (policy `accept`). */
  unknownUnits: number;
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

/** How many of a batch's first messages are looked up before the whole batch is (findVerbatim). */
const VERBATIM_SAMPLE = 16;

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
    private readonly door: DoorPolicy = ACCEPT_EVERY_UNIT,
  ) {}

  async ingest(messages: readonly RawMessage[], context: BatchContext): Promise<BatchOutcome> {
    const rejected: Rejection[] = [];
    const incoming: (IncomingEvent & { message: RawMessage })[] = [];
    const seen = new Map<string, WorkOrderEvent>();
    const probes = messages.map((m) => probeRawMessage(m.value, m.key));
    const verbatim = await this.findVerbatim(probes);
    let duplicatesInBatch = verbatim.size;
    for (const [index, message] of messages.entries()) {
      if (verbatim.has(index)) continue;
      const key = message.key === null ? null : message.key.toString('utf8');
      const parsed = parseWorkOrderMessage(message.value, key);
      if (!parsed.ok) {
        rejected.push({ message, code: parsed.code, reason: parsed.message });
        continue;
      }
      const { event } = parsed;
      if (event.type === 'dispatched' && !this.door.knownUnits.has(event.data.unitId)) {
        if (this.door.unknownUnits === 'dead_letter') {
          rejected.push({
            message,
            code: 'unknown_unit',
            reason: `unit ${JSON.stringify(event.data.unitId)} is not in the organisation file`,
          });
          continue;
        }
      }
      const at = parseInstantMs(parsed.event.occurredAt);
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
      const earlier = seen.get(event.eventId);
      if (earlier) {
        const conflict = conflictOf(message, earlier, event);
        if (conflict) rejected.push(conflict);
        else duplicatesInBatch += 1;
        continue;
      }
      seen.set(event.eventId, event);
      const probe = probes[index];
      incoming.push({
        event,
        topic: message.topic,
        partition: message.partition,
        offset: message.offset,
        // The digest is recorded only for the bytes this event was read from.
        rawSha256: probe?.rawSha256 ?? (message.value ? rawDigest(message.value) : undefined),
        // The payload is stored from the bytes received when they are the event exactly.
        ...(parsed.verbatim && message.value ? { json: message.value } : {}),
        message,
      });
    }

    const deadlineErrors: Record<string, number> = {};
    const result = await withTransaction(this.dataSource, async (runner) => {
      // Every event is logged, one dated before its order's first `dispatched` too: it is held
      // (not folded) until a `dispatched` dated before it arrives or its grace period ends
      // (foldHoldingEarly), whatever order the events arrive in.
      const inserted = await appendEvents(runner, incoming);
      const newEvents = new Set(inserted.map((row) => row.eventId));
      // An id already logged is a duplicate only if its content is the same: a different event
      // under a reused id is a conflict, refused and dead-lettered, never folded.
      const conflicts = await this.findConflicts(runner, incoming, newEvents);
      rejected.push(...conflicts.rejections);
      const unknownUnits = incoming.filter(
        ({ event }) =>
          event.type === 'dispatched' &&
          newEvents.has(event.eventId) &&
          !this.door.knownUnits.has(event.data.unitId),
      ).length;
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
      const { records, factChanges, changes } = this.decide(
        touched,
        { rows, logged, batchEvents, partitionOf, watermarks, existing },
        deadlineErrors,
      );
      const written = await upsertWorkOrders(runner, records);
      await applyFactDeltas(
        runner,
        factChanges.filter(({ workOrderId }) => written.has(workOrderId)),
        { factsWrittenWithOrders: true },
      );
      const escalations = await applyEscalationChanges(runner, existing, changes, {
        recipients: this.supervision.recipients,
        topic: this.supervision.escalationsTopic,
        timeZone: this.rules.calendar.timeZone,
      });
      return {
        applied: inserted.length,
        duplicates: conflicts.duplicates,
        unknownUnits,
        ordersUpdated: records.length,
        escalations,
      };
    });

    return {
      consumed: messages.length,
      applied: result.applied,
      duplicates: duplicatesInBatch + result.duplicates,
      unknownUnits: result.unknownUnits,
      ordersUpdated: result.ordersUpdated,
      deadlineErrors,
      rejected,
      escalations: result.escalations,
    };
  }

  /**
   * What the touched orders' events imply, decided in one synchronous step: each order's row
   * (fold, deadlines, facts, next due instant), its change of facts, and the escalation changes.
   * The projections, deadlines and explanations it builds are garbage when it returns, before the
   * batch's writes wait on the database: they are not kept (and copied by the collector) meanwhile.
   */
  private decide(
    touched: readonly string[],
    read: {
      rows: Awaited<ReturnType<typeof loadOrderContext>>;
      logged: ReadonlyMap<string, WorkOrderEvent[]>;
      batchEvents: ReadonlyMap<string, WorkOrderEvent[]>;
      partitionOf: ReadonlyMap<string, IncomingEvent>;
      watermarks: ReadonlyMap<string, Date>;
      existing: ReadonlyMap<string, EscalationRecord[]>;
    },
    deadlineErrors: Record<string, number>,
  ): { records: WorkOrderRecord[]; factChanges: OrderFactChange[]; changes: EscalationChange[] } {
    const projections = touched.map((id) => {
      const row = read.rows.get(id);
      const pinned = row
        ? { profileId: row.profileId, profileVersion: row.profileVersion }
        : undefined;
      const events = row ? (read.logged.get(id) ?? []) : (read.batchEvents.get(id) ?? []);
      const projection = projectWorkOrder(id, events, pinnedProjectionRules(this.rules, pinned));
      const source = read.partitionOf.get(id);
      projection.record.sourcePartition = source?.partition ?? null;
      const watermark = source
        ? read.watermarks.get(`${source.topic}|${source.partition}`)
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
      const code = projection.deadlineError;
      if (code) deadlineErrors[code] = (deadlineErrors[code] ?? 0) + 1;
      return {
        id,
        events,
        projection,
        change: {
          workOrderId: id,
          before: fromStored(row?.facts),
          after: facts,
          cause: lastEventType(events),
        },
        watermark: watermark ?? new Date(0),
      };
    });
    const supervision = superviseOrders(
      projections.map(({ id, events, projection, watermark }) => ({
        workOrderId: id,
        events,
        state: projection.state,
        deadlines: projection.deadlines,
        watermark,
      })),
      read.existing,
      this.rules.calendar,
      this.supervision.policy,
    );
    const records = projections.map(({ id, projection }) => {
      projection.record.nextDueAt = supervision.nextDueAt.get(id) ?? null;
      // An order its supervision could not decide on the calendar is counted as one whose
      // deadlines could not be computed, once.
      const undecided = supervision.undecided.get(id);
      if (undecided && !projection.deadlineError) {
        deadlineErrors[undecided] = (deadlineErrors[undecided] ?? 0) + 1;
      }
      return projection.record;
    });
    return {
      records,
      factChanges: projections.map(({ change }) => change),
      changes: supervision.changes,
    };
  }

  /**
   * The messages already logged byte for byte (positions in `probes`): re-deliveries, known by id
   * and digest alone, never decoded nor sent to the database. Only an optimisation: a message not
   * found here takes the full path, which finds duplicates and conflicts by itself. So the batch's
   * first few messages are looked up first, and the whole batch only if one of them is a
   * re-delivery (a replay starts at an applied message): a first delivery pays one small lookup.
   * Under UNKNOWN_UNITS=dead_letter every dispatch is judged again, so none is skipped.
   */
  private async findVerbatim(probes: readonly (RawProbe | null)[]): Promise<Set<number>> {
    if (this.door.unknownUnits !== 'accept') return new Set();
    let sampled = 0;
    let leftOut = false;
    const sample = probes.map((probe) => {
      if (probe === null) return null;
      if (sampled >= VERBATIM_SAMPLE) {
        leftOut = true;
        return null;
      }
      sampled += 1;
      return probe;
    });
    const found = await findLoggedVerbatim(this.dataSource, sample);
    if (found.size === 0 || !leftOut) return found;
    return findLoggedVerbatim(this.dataSource, probes);
  }

  /** Of the incoming events not new to the log: the true duplicates and the conflicts. */
  private async findConflicts(
    runner: QueryRunner,
    incoming: readonly (IncomingEvent & { message: RawMessage })[],
    newEvents: ReadonlySet<string>,
  ): Promise<{ duplicates: number; rejections: Rejection[] }> {
    const old = incoming.filter((item) => !newEvents.has(item.event.eventId));
    const logged = await findConflictingEvents(
      runner,
      old.map((item) => ({ eventId: item.event.eventId, payload: item.event })),
    );
    const rejections: Rejection[] = [];
    for (const item of old) {
      if (!logged.has(item.event.eventId)) continue;
      const conflict = conflictOf(item.message, logged.get(item.event.eventId), item.event);
      if (conflict) rejections.push(conflict);
    }
    return { duplicates: old.length - rejections.length, rejections };
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
    const read = new Map<string, { topic: string; partition: number; occurredMs: number[] }>();
    // A batch comes from one partition (unless tests mix them): its slot is looked up once per run
    // of messages from the same partition, not once per message.
    let last: { topic: string; partition: number; occurredMs: number[] } | undefined;
    const slotOf = (m: { topic: string; partition: number }) => {
      if (last?.partition === m.partition && last.topic === m.topic) return last;
      last = read.get(`${m.topic}|${m.partition}`);
      return last;
    };
    for (const { topic, partition } of messages) {
      if (slotOf({ topic, partition }) === undefined) {
        last = { topic, partition, occurredMs: [] };
        read.set(`${topic}|${partition}`, last);
      }
    }
    // Only the partitions the batch was read from move (an event carries its message's).
    for (const item of incoming) {
      slotOf(item)?.occurredMs.push(parseInstantMs(item.event.occurredAt));
    }
    const receivedMs = context.receivedAt.getTime();
    const watermarks = new Map<string, Date>();
    for (const [key, { topic, partition, occurredMs }] of [...read].sort(([a], [b]) =>
      a.localeCompare(b),
    )) {
      const locked = await lockPartitionClock(runner, topic, partition);
      const clock = observeChunk(
        locked,
        { occurredMs, receivedMs, caughtUp: context.caughtUp },
        this.supervision.watermark,
      );
      // Nothing new and the same caught-up evidence: the clock is as stored (a replay writes none).
      if (occurredMs.length > 0 || clock.caughtUp !== locked.caughtUp) {
        await savePartitionClock(runner, topic, partition, clock);
      }
      const { atMs } = effectiveWatermark(clock, receivedMs, this.supervision.watermark);
      if (atMs !== null) watermarks.set(key, new Date(atMs));
    }
    return watermarks;
  }
}

/**
 * The rejection of `received` when the event already known under its id (logged or earlier in
 * the batch) has other content after canonical comparison; null when it is the same event.
 */
function conflictOf(
  message: RawMessage,
  known: unknown,
  received: WorkOrderEvent,
): Rejection | null {
  const knownDigest = eventDigest(known ?? null);
  const receivedDigest = eventDigest(received);
  if (knownDigest === receivedDigest) return null;
  return {
    message,
    code: 'event_id_conflict',
    reason: `eventId ${JSON.stringify(received.eventId)} is already logged with other content (sha256 ${knownDigest}); this one (sha256 ${receivedDigest}) is not applied`,
    details: { 'x-dlq-logged-sha256': knownDigest, 'x-dlq-received-sha256': receivedDigest },
  };
}

/** The type of an order's latest event: what caused a change of its statistics. */
function lastEventType(events: readonly WorkOrderEvent[]): string {
  let latest: WorkOrderEvent | undefined;
  let latestMs = -Infinity;
  for (const event of events) {
    const ms = parseInstantMs(event.occurredAt);
    if (!latest || ms >= latestMs) {
      latest = event;
      latestMs = ms;
    }
  }
  return latest?.type ?? 'unknown';
}
