/**
 * The ingestion hot path's SQL: set-based statements, one round trip per step per batch.
 * Idempotency lives in the schema (unique event id; state rows only move forward by event count).
 * Batches arrive as one array parameter per column (../array-params).
 */
import type { DataSource, QueryRunner } from 'typeorm';
import type { WorkOrderEvent } from '@hotline/core';
import {
  bigintArray,
  booleanArray,
  column,
  instantColumn,
  integerColumn,
  integerArray,
  jsonColumn,
  jsonTextColumn,
  textArray,
  textArrayRows,
  textColumn,
  unnestRows,
  type ArrayColumn,
} from '../array-params';
import { scheduleFrom } from './due-schedule';

export interface IncomingEvent {
  event: WorkOrderEvent;
  topic: string;
  partition: number;
  offset: string;
  /** SHA-256 (hex) of the message value the event arrived in; absent: not recorded. */
  rawSha256?: string;
  /** The message value, when it is the event's JSON exactly (parseWorkOrderMessage's verbatim). */
  json?: Buffer;
}

/** One work order's row as the worker computes it from the fold and the deadlines. */
export interface WorkOrderRecord {
  workOrderId: string;
  status: string;
  unitId: string | null;
  category: string | null;
  urgency: string | null;
  tags: string[];
  segment: number;
  reworkRound: number;
  receivedAt: Date | null;
  dispatchedAt: Date | null;
  acceptedAt: Date | null;
  repliedAt: Date | null;
  closedAt: Date | null;
  excluded: boolean;
  acceptDueAt: Date | null;
  completeDueAt: Date | null;
  nextDueAt: Date | null;
  acceptOutcome: string | null;
  completeOutcome: string | null;
  profileId: string | null;
  profileVersion: string | null;
  state: unknown;
  deadlines: unknown;
  /** The events folded (those after the order's first `dispatched`). */
  eventCount: number;
  /** The events logged but held: before the order's first `dispatched` (foldHoldingEarly). */
  heldEvents: number;
  lastEventAt: Date | null;
  /** The input partition the order's events arrive on (null: keep the stored one). */
  sourcePartition: number | null;
  /** The statistics facts counted for the order, as stored (undefined: keep the stored ones). */
  facts?: unknown;
}

/** An event row's columns as the event insert sends them. */
export const EVENT_COLUMNS: readonly ArrayColumn<IncomingEvent>[] = [
  jsonTextColumn(
    'payload',
    (i) => i.event,
    (i) => i.json,
  ),
  column('source_topic', 'text', textArray, (i) => i.topic),
  column('source_partition', 'integer', integerArray, (i) => i.partition),
  column('source_offset', 'bigint', bigintArray, (i) => i.offset),
  column('raw_sha256', 'text', textArray, (i) => i.rawSha256),
];

/** Appends events; returns the ones that were new (a re-delivered event id is skipped). */
export async function appendEvents(
  runner: QueryRunner,
  incoming: readonly IncomingEvent[],
): Promise<{ eventId: string; workOrderId: string }[]> {
  if (incoming.length === 0) return [];
  // The event's own columns (id, order, type, instant, sequence) are read from its payload there:
  // each is sent once.
  const rows = unnestRows(EVENT_COLUMNS, incoming);
  const inserted = (await runner.query(
    `INSERT INTO work_order_events
       (event_id, work_order_id, type, occurred_at, sequence, payload, source_topic, source_partition,
        source_offset, raw_sha256)
     SELECT r.payload ->> 'eventId', r.payload ->> 'workOrderId', r.payload ->> 'type',
            (r.payload ->> 'occurredAt')::timestamptz, (r.payload ->> 'sequence')::bigint, r.payload,
            r.source_topic, r.source_partition, r.source_offset, decode(r.raw_sha256, 'hex')
       FROM ${rows.from}
     ON CONFLICT (event_id) DO NOTHING
     RETURNING event_id, work_order_id`,
    rows.params,
  )) as { event_id: string; work_order_id: string }[];
  return inserted.map((r) => ({ eventId: r.event_id, workOrderId: r.work_order_id }));
}

/** Every stored event of the given orders, grouped by order (unsorted: the fold orders them). */
export async function loadEvents(
  runner: QueryRunner,
  workOrderIds: readonly string[],
): Promise<Map<string, WorkOrderEvent[]>> {
  const byOrder = new Map<string, WorkOrderEvent[]>();
  if (workOrderIds.length === 0) return byOrder;
  const rows = (await runner.query(
    `SELECT payload FROM work_order_events WHERE work_order_id = ANY($1::text[])`,
    [workOrderIds],
  )) as { payload: WorkOrderEvent }[];
  for (const { payload } of rows) {
    const list = byOrder.get(payload.workOrderId);
    if (list) list.push(payload);
    else byOrder.set(payload.workOrderId, [payload]);
  }
  return byOrder;
}

const text = textColumn<WorkOrderRecord>;
const instant = instantColumn<WorkOrderRecord>;
const integer = integerColumn<WorkOrderRecord>;
const json = (name: string, get: (r: WorkOrderRecord) => unknown) => jsonColumn(name, get);

/** An order row's columns as the upsert sends them (`tags`: one `text[]` literal per row). */
export const ORDER_COLUMNS: readonly ArrayColumn<WorkOrderRecord>[] = [
  text('work_order_id', (r) => r.workOrderId),
  text('status', (r) => r.status),
  text('unit_id', (r) => r.unitId),
  text('category', (r) => r.category),
  text('urgency', (r) => r.urgency),
  column('tags', 'text', textArrayRows, (r) => r.tags),
  integer('segment', (r) => r.segment),
  integer('rework_round', (r) => r.reworkRound),
  instant('received_at', (r) => r.receivedAt),
  instant('dispatched_at', (r) => r.dispatchedAt),
  instant('accepted_at', (r) => r.acceptedAt),
  instant('replied_at', (r) => r.repliedAt),
  instant('closed_at', (r) => r.closedAt),
  column('excluded', 'boolean', booleanArray, (r) => r.excluded),
  instant('accept_due_at', (r) => r.acceptDueAt),
  instant('complete_due_at', (r) => r.completeDueAt),
  instant('next_due_at', (r) => r.nextDueAt),
  text('accept_outcome', (r) => r.acceptOutcome),
  text('complete_outcome', (r) => r.completeOutcome),
  text('profile_id', (r) => r.profileId),
  text('profile_version', (r) => r.profileVersion),
  json('state', (r) => r.state),
  json('deadlines', (r) => r.deadlines),
  integer('event_count', (r) => r.eventCount),
  integer('held_events', (r) => r.heldEvents),
  instant('last_event_at', (r) => r.lastEventAt),
  integer('source_partition', (r) => r.sourcePartition),
  json('facts', (r) => r.facts),
];

/** The parameter number of an order column in the upsert (for the due instants' own row source). */
const orderParam = (name: string): number => ORDER_COLUMNS.findIndex((c) => c.name === name) + 1;

/**
 * Upserts order rows. A row is only replaced by one folded from at least as many events, so a
 * stale writer (a partition that moved during a rebalance) can never roll an order back.
 * The sweep's schedule moves with the rows written, in the same statement: an order with a next
 * due instant has it in `work_order_due`, one without has no row there.
 * Returns the ids of the rows written (a skipped stale row is not among them).
 */
export async function upsertWorkOrders(
  runner: QueryRunner,
  records: readonly WorkOrderRecord[],
): Promise<Set<string>> {
  if (records.length === 0) return new Set();
  const rows = unnestRows(ORDER_COLUMNS, records);
  const written = (await runner.query(
    `WITH written AS (
     INSERT INTO work_orders AS w (
        work_order_id, status, unit_id, category, urgency, tags, segment, rework_round,
        received_at, dispatched_at, accepted_at, replied_at, closed_at, excluded,
        accept_due_at, complete_due_at, accept_outcome, complete_outcome,
        profile_id, profile_version, state, deadlines, event_count, held_events, last_event_at, source_partition, facts, updated_at)
     SELECT r.work_order_id, r.status, r.unit_id, r.category, r.urgency, r.tags::text[], r.segment, r.rework_round,
            r.received_at, r.dispatched_at, r.accepted_at, r.replied_at, r.closed_at, r.excluded,
            r.accept_due_at, r.complete_due_at, r.accept_outcome, r.complete_outcome,
            r.profile_id, r.profile_version, r.state, r.deadlines, r.event_count, r.held_events, r.last_event_at, r.source_partition, r.facts, now()
       FROM ${rows.from}
      -- Rows locked in one order by every writer: no deadlock between batches.
      ORDER BY r.work_order_id
     ON CONFLICT (work_order_id) DO UPDATE SET
        status = EXCLUDED.status, unit_id = EXCLUDED.unit_id, category = EXCLUDED.category,
        urgency = EXCLUDED.urgency, tags = EXCLUDED.tags, segment = EXCLUDED.segment,
        rework_round = EXCLUDED.rework_round, received_at = EXCLUDED.received_at,
        dispatched_at = EXCLUDED.dispatched_at, accepted_at = EXCLUDED.accepted_at,
        replied_at = EXCLUDED.replied_at, closed_at = EXCLUDED.closed_at, excluded = EXCLUDED.excluded,
        accept_due_at = EXCLUDED.accept_due_at, complete_due_at = EXCLUDED.complete_due_at,
        accept_outcome = EXCLUDED.accept_outcome,
        complete_outcome = EXCLUDED.complete_outcome, profile_id = EXCLUDED.profile_id,
        profile_version = EXCLUDED.profile_version, state = EXCLUDED.state,
        deadlines = EXCLUDED.deadlines, event_count = EXCLUDED.event_count,
        held_events = EXCLUDED.held_events, last_event_at = EXCLUDED.last_event_at,
        source_partition = COALESCE(EXCLUDED.source_partition, w.source_partition),
        facts = COALESCE(EXCLUDED.facts, w.facts), updated_at = now()
      WHERE w.event_count <= EXCLUDED.event_count
     RETURNING w.work_order_id),
   due AS (
     SELECT d.work_order_id, d.next_due_at
       FROM unnest($${orderParam('work_order_id')}::text[], $${orderParam('next_due_at')}::timestamptz[])
              AS d(work_order_id, next_due_at)
       JOIN written USING (work_order_id)),
   ${scheduleFrom('due')}
   SELECT work_order_id FROM written`,
    rows.params,
  )) as { work_order_id: string }[];
  return new Set(written.map((row) => row.work_order_id));
}

/** The profile version each existing order is pinned to (absent: a new order). */
export async function loadPinnedProfiles(
  runner: QueryRunner,
  workOrderIds: readonly string[],
): Promise<Map<string, { profileId: string | null; profileVersion: string | null }>> {
  const pinned = new Map<string, { profileId: string | null; profileVersion: string | null }>();
  if (workOrderIds.length === 0) return pinned;
  const rows = (await runner.query(
    `SELECT work_order_id, profile_id, profile_version FROM work_orders WHERE work_order_id = ANY($1::text[])`,
    [workOrderIds],
  )) as { work_order_id: string; profile_id: string | null; profile_version: string | null }[];
  for (const row of rows) {
    pinned.set(row.work_order_id, {
      profileId: row.profile_id,
      profileVersion: row.profile_version,
    });
  }
  return pinned;
}

/** An open order's deadline columns, as the recompute command compares them. */
export interface OpenOrderDeadlines {
  workOrderId: string;
  status: string;
  profileId: string | null;
  profileVersion: string | null;
  acceptDueAt: Date | null;
  completeDueAt: Date | null;
  nextDueAt: Date | null;
  /** Its deadlines rest on provisional days (the summary's `provisional`). */
  provisional: boolean;
}

interface OpenOrderRow {
  work_order_id: string;
  status: string;
  profile_id: string | null;
  profile_version: string | null;
  accept_due_at: Date | null;
  complete_due_at: Date | null;
  next_due_at: Date | null;
  provisional: boolean | null;
}

const OPEN_ORDER_COLUMNS = `work_order_id, status, profile_id, profile_version, accept_due_at, complete_due_at,
       (SELECT d.next_due_at FROM work_order_due d WHERE d.work_order_id = work_orders.work_order_id) AS next_due_at,
       deadlines ? 'provisional' AS provisional`;

const openOrderOf = (r: OpenOrderRow): OpenOrderDeadlines => ({
  workOrderId: r.work_order_id,
  status: r.status,
  profileId: r.profile_id,
  profileVersion: r.profile_version,
  acceptDueAt: r.accept_due_at,
  completeDueAt: r.complete_due_at,
  nextDueAt: r.next_due_at,
  provisional: r.provisional === true,
});

/**
 * A page of open orders (not closed, not returned) that are not on profile `id@version`, in
 * work-order-id order after `afterId`. `lock` takes row locks for an apply in the same transaction.
 */
export async function pageOpenOrdersOffProfile(
  runner: QueryRunner,
  profile: { id: string; version: string },
  afterId: string,
  limit: number,
  lock: boolean,
): Promise<OpenOrderDeadlines[]> {
  const rows = (await runner.query(
    `SELECT ${OPEN_ORDER_COLUMNS}
       FROM work_orders
      WHERE status NOT IN ('closed', 'returned')
        AND (profile_id IS DISTINCT FROM $1 OR profile_version IS DISTINCT FROM $2)
        AND work_order_id > $3
      ORDER BY work_order_id
      LIMIT $4 ${lock ? 'FOR UPDATE' : ''}`,
    [profile.id, profile.version, afterId, limit],
  )) as OpenOrderRow[];
  return rows.map(openOrderOf);
}

/**
 * Open orders whose deadlines the calendar has not settled: computed on provisional days, or a
 * stage it could not compute. The same text as the partial index work_orders_calendar_dependent_idx
 * (migration 1733100000000), so that PostgreSQL reads the index.
 */
const CALENDAR_DEPENDENT = `status NOT IN ('closed', 'returned')
          AND (deadlines ? 'provisional' OR deadlines ? 'unavailable'
               OR (deadlines -> 'error' ->> 'code') = 'calendar_out_of_range')`;

/**
 * A page of the open orders whose deadlines depend on provisional days or could not be computed
 * (what a holiday notice's import must recompute), in work-order-id order after `afterId`.
 */
export async function pageOpenOrdersAwaitingCalendar(
  runner: QueryRunner,
  afterId: string,
  limit: number,
  lock: boolean,
): Promise<OpenOrderDeadlines[]> {
  const rows = (await runner.query(
    `SELECT ${OPEN_ORDER_COLUMNS}
       FROM work_orders
      WHERE ${CALENDAR_DEPENDENT}
        AND work_order_id > $1
      ORDER BY work_order_id
      LIMIT $2 ${lock ? 'FOR UPDATE' : ''}`,
    [afterId, limit],
  )) as OpenOrderRow[];
  return rows.map(openOrderOf);
}

/** Open orders with a deadline on provisional days; open orders with a stage not computed. */
export async function countOpenOrdersAwaitingCalendar(
  db: DataSource | QueryRunner,
): Promise<{ provisional: number; unavailable: number }> {
  const [row] = (await db.query(
    `SELECT count(*) FILTER (WHERE deadlines ? 'provisional')::int AS provisional,
            count(*) FILTER (WHERE deadlines ? 'unavailable' OR deadlines ? 'error')::int AS unavailable
       FROM work_orders
      WHERE ${CALENDAR_DEPENDENT}`,
  )) as { provisional: number; unavailable: number }[];
  return { provisional: row?.provisional ?? 0, unavailable: row?.unavailable ?? 0 };
}

/**
 * For the rest of the transaction, costs an index look-up as what it is on a server whose hot
 * tables are in memory (random_page_cost 1.1, not the default 4 of a spinning disk). Measured on
 * PostgreSQL 15, per batch of 500 orders: the sweep's claim walks the due-instant index in order
 * and stops at its batch (0.6 ms), where with the default it read and sorted every due order
 * first (11 ms with 10,000 due, each claim of a burst again); and it reads the claimed orders'
 * events and escalations through the order indexes (about 1 ms each), where with the default
 * tables of tens of thousands of rows (a sub-district's year) were scanned whole (3–5 ms each).
 */
export async function planForIndexLookups(runner: QueryRunner): Promise<void> {
  await runner.query(`SET LOCAL random_page_cost = 1.1`);
}

/**
 * Serialises work on the given orders across transactions (a partition that moves during a
 * rebalance can briefly have two writers): transaction-scoped advisory locks, taken in one
 * order so two batches cannot deadlock on them.
 */
export async function lockOrders(
  runner: QueryRunner,
  workOrderIds: readonly string[],
): Promise<void> {
  if (workOrderIds.length === 0) return;
  await runner.query(
    `SELECT pg_advisory_xact_lock(k) FROM (
       SELECT DISTINCT hashtextextended(id, 7) AS k FROM unnest($1::text[]) AS id ORDER BY 1) AS keys`,
    [workOrderIds],
  );
}

/**
 * What the ingestion path needs of each existing order row: its pinned profile and counted facts.
 * The rows are locked (in id order) until the transaction ends, so that the sweep, a deadline
 * recompute and the held events' grace check, which lock the same rows, never interleave with this batch:
 * whatever they committed first is read here, and they wait for what this batch writes.
 */
export async function loadOrderContext(
  runner: QueryRunner,
  workOrderIds: readonly string[],
): Promise<
  Map<string, { profileId: string | null; profileVersion: string | null; facts: unknown }>
> {
  const context = new Map<
    string,
    { profileId: string | null; profileVersion: string | null; facts: unknown }
  >();
  if (workOrderIds.length === 0) return context;
  const rows = (await runner.query(
    `SELECT work_order_id, profile_id, profile_version, facts FROM work_orders
      WHERE work_order_id = ANY($1::text[]) ORDER BY work_order_id FOR UPDATE`,
    [workOrderIds],
  )) as {
    work_order_id: string;
    profile_id: string | null;
    profile_version: string | null;
    facts: unknown;
  }[];
  for (const row of rows) {
    context.set(row.work_order_id, {
      profileId: row.profile_id,
      profileVersion: row.profile_version,
      facts: row.facts,
    });
  }
  return context;
}
