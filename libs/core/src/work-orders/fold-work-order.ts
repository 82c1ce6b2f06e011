/**
 * An order's state is a pure fold over the set of its events in contract order (order-events.ts):
 * duplicates and arrival order cannot change it. It also keeps what supervision's event-driven
 * escalations are decided from (callbacks, verifications, closes, the first tracked instant of a
 * 重点 order), each with its responsibility segment and rework round, so those rules count
 * segments and rounds here and nowhere else. Deadlines and each stage's timeline come from
 * computeDeadlines (../deadlines) over the same ordered events.
 */
import type {
  CallbackResult,
  Category,
  Tag,
  Urgency,
  VerificationOutcome,
  WorkOrderEvent,
} from '../events/work-order-event';
import { foldedBeforeDispatch, orderEvents } from './order-events';
import { isoInstant } from '../calendar/format-instant';

export const WORK_ORDER_STATUSES = [
  'awaiting_dispatch', // events arrived, no `dispatched` yet: held, waiting for late arrivals
  'dispatched',
  'in_progress',
  'replied',
  'returned',
  'closed',
] as const;
export type WorkOrderStatus = (typeof WORK_ORDER_STATUSES)[number];

export interface Citizen {
  name?: string;
  phone?: string;
}

export interface CallbackRecord {
  result: CallbackResult;
  resolved?: boolean;
  at: Date;
  /** The unit that held the order when the callback came (the unit that replied). */
  unitId: string | null;
  /** Responsibility segment (0 before any dispatch) and rework round at the callback. */
  segment: number;
  reworkRound: number;
  eventId: string;
}

export interface VerificationRecord {
  outcome: VerificationOutcome;
  by: string;
  at: Date;
  unitId: string | null;
  segment: number;
  reworkRound: number;
  eventId: string;
}

/** 重点督办 is tracked from the first instant a unit holds the order, not closed, with a tag. */
export interface TrackedSince {
  at: Date;
  /** The tags carried at that instant. */
  tags: Tag[];
  unitId: string;
  eventId: string;
}

export interface WorkOrderState {
  workOrderId: string;
  status: WorkOrderStatus;
  unitId: string | null;
  unitName: string | null;
  category: Category | null;
  urgency: Urgency | null;
  title: string | null;
  address: string | null;
  citizen: Citizen | null;
  tags: Tag[];
  /** First `dispatched`: when the street received the order. */
  receivedAt: Date | null;
  /** Latest `dispatched`: the start of the current responsibility segment. */
  dispatchedAt: Date | null;
  /** 1 for the first dispatch, +1 for each re-dispatch (改派). */
  segment: number;
  acceptedAt: Date | null;
  repliedAt: Date | null;
  closedAt: Date | null;
  returnedAt: Date | null;
  returnRequested: boolean;
  suspended: boolean;
  /** 0 before any `reopened`; +1 per rework round (重办). */
  reworkRound: number;
  extensionsRequested: number;
  extensionsApproved: number;
  extensionsRejected: number;
  replyRejections: number;
  callbacks: CallbackRecord[];
  /** Every verification (核实), in order; the latest decides. */
  verifications: VerificationRecord[];
  /** Every `closed`, in order (a reopened order may close again). */
  closures: { at: Date; eventId: string }[];
  /** Closed now: the latest of `closed`, `reopened` and `dispatched` was a close. */
  closed: boolean;
  trackedSince: TrackedSince | null;
  excluded: boolean;
  excludedReason: string | null;
  eventCount: number;
  lastEventAt: Date | null;
}

export function emptyWorkOrder(workOrderId: string): WorkOrderState {
  return {
    workOrderId,
    status: 'awaiting_dispatch',
    unitId: null,
    unitName: null,
    category: null,
    urgency: null,
    title: null,
    address: null,
    citizen: null,
    tags: [],
    receivedAt: null,
    dispatchedAt: null,
    segment: 0,
    acceptedAt: null,
    repliedAt: null,
    closedAt: null,
    returnedAt: null,
    returnRequested: false,
    suspended: false,
    reworkRound: 0,
    extensionsRequested: 0,
    extensionsApproved: 0,
    extensionsRejected: 0,
    replyRejections: 0,
    callbacks: [],
    verifications: [],
    closures: [],
    closed: false,
    trackedSince: null,
    excluded: false,
    excludedReason: null,
    eventCount: 0,
    lastEventAt: null,
  };
}

/**
 * A copy of the state, written field by field: V8 builds it from one object shape, where a spread
 * of states whose fields changed type (null, then a Date) took its slow path, the fold's largest
 * cost. Every field is required, so the compiler refuses a copy that leaves one out.
 */
function copyState(s: WorkOrderState): WorkOrderState {
  return {
    workOrderId: s.workOrderId,
    status: s.status,
    unitId: s.unitId,
    unitName: s.unitName,
    category: s.category,
    urgency: s.urgency,
    title: s.title,
    address: s.address,
    citizen: s.citizen,
    tags: s.tags,
    receivedAt: s.receivedAt,
    dispatchedAt: s.dispatchedAt,
    segment: s.segment,
    acceptedAt: s.acceptedAt,
    repliedAt: s.repliedAt,
    closedAt: s.closedAt,
    returnedAt: s.returnedAt,
    returnRequested: s.returnRequested,
    suspended: s.suspended,
    reworkRound: s.reworkRound,
    extensionsRequested: s.extensionsRequested,
    extensionsApproved: s.extensionsApproved,
    extensionsRejected: s.extensionsRejected,
    replyRejections: s.replyRejections,
    callbacks: s.callbacks,
    verifications: s.verifications,
    closures: s.closures,
    closed: s.closed,
    trackedSince: s.trackedSince,
    excluded: s.excluded,
    excludedReason: s.excludedReason,
    eventCount: s.eventCount,
    lastEventAt: s.lastEventAt,
  };
}

/** A value as its JSON document holds it: every instant as its ISO text. */
export type InstantsAsText<T> = T extends Date
  ? string
  : T extends readonly (infer U)[]
    ? InstantsAsText<U>[]
    : T extends object
      ? { [K in keyof T]: InstantsAsText<T[K]> }
      : T;

const isoOrNull = (at: Date | null): string | null => (at === null ? null : isoInstant(at));

/**
 * The state as the order row stores it (`work_orders.state`): the same JSON as
 * `JSON.stringify(state)`, with the instants already written as text. JSON.stringify leaves its
 * fast path at every Date (toJSON is a call back into JavaScript), which made a state's document
 * cost four times one without them. A Date field not listed here is still written right, by toJSON.
 */
export function stateDocument(s: WorkOrderState): InstantsAsText<WorkOrderState> {
  const doc: Record<keyof WorkOrderState, unknown> = copyState(s);
  doc.receivedAt = isoOrNull(s.receivedAt);
  doc.dispatchedAt = isoOrNull(s.dispatchedAt);
  doc.acceptedAt = isoOrNull(s.acceptedAt);
  doc.repliedAt = isoOrNull(s.repliedAt);
  doc.closedAt = isoOrNull(s.closedAt);
  doc.returnedAt = isoOrNull(s.returnedAt);
  doc.lastEventAt = isoOrNull(s.lastEventAt);
  doc.callbacks = s.callbacks.map((c) => ({ ...c, at: isoInstant(c.at) }));
  doc.verifications = s.verifications.map((v) => ({ ...v, at: isoInstant(v.at) }));
  doc.closures = s.closures.map((c) => ({ at: isoInstant(c.at), eventId: c.eventId }));
  doc.trackedSince =
    s.trackedSince === null ? null : { ...s.trackedSince, at: isoInstant(s.trackedSince.at) };
  return doc as InstantsAsText<WorkOrderState>;
}

function mergeTags(current: Tag[], added: readonly Tag[] | undefined): Tag[] {
  if (!added || added.length === 0) return current;
  return [...new Set([...current, ...added])].sort();
}

/** Applies one event; events are applied in contract order by foldWorkOrder. */
export function applyEvent(state: WorkOrderState, event: WorkOrderEvent): WorkOrderState {
  const next = applyToState(state, event);
  if (next.trackedSince !== null || next.tags.length === 0 || next.closed || !next.unitId) {
    return next;
  }
  next.trackedSince = {
    at: new Date(event.occurredAt),
    tags: next.tags,
    unitId: next.unitId,
    eventId: event.eventId,
  };
  return next;
}

/** The state after one event: one copy of `state` per event, changed in place before it is seen. */
function applyToState(state: WorkOrderState, event: WorkOrderEvent): WorkOrderState {
  const at = new Date(event.occurredAt);
  const next = copyState(state);
  next.eventCount = state.eventCount + 1;
  next.lastEventAt = at;
  switch (event.type) {
    case 'dispatched': {
      const d = event.data;
      next.status = 'dispatched';
      next.unitId = d.unitId;
      next.unitName = d.unitName ?? null;
      next.category = d.category;
      next.urgency = d.urgency;
      next.title = d.title ?? state.title;
      next.address = d.address ?? state.address;
      next.citizen = d.citizen ?? state.citizen;
      next.tags = mergeTags(state.tags, d.tags);
      next.receivedAt = state.receivedAt ?? at;
      next.dispatchedAt = at;
      next.segment = state.segment + 1;
      next.acceptedAt = null;
      next.repliedAt = null;
      next.returnedAt = null;
      next.returnRequested = false;
      next.suspended = false;
      next.closed = false;
      break;
    }
    case 'accepted':
      next.acceptedAt = state.acceptedAt ?? at;
      next.status = state.status === 'dispatched' ? 'in_progress' : state.status;
      break;
    case 'return_requested':
      next.returnRequested = true;
      break;
    case 'returned':
      next.status = 'returned';
      next.returnedAt = at;
      next.returnRequested = false;
      break;
    case 'return_rejected':
      next.returnRequested = false;
      break;
    case 'extension_requested':
      next.extensionsRequested = state.extensionsRequested + 1;
      break;
    case 'extension_approved':
      next.extensionsApproved = state.extensionsApproved + 1;
      break;
    case 'extension_rejected':
      next.extensionsRejected = state.extensionsRejected + 1;
      break;
    case 'suspended':
      next.suspended = true;
      break;
    case 'resumed':
      next.suspended = false;
      break;
    case 'replied':
      next.status = state.status === 'closed' ? 'closed' : 'replied';
      next.repliedAt = at;
      // A reply implies acceptance even if the `accepted` event never came.
      next.acceptedAt = state.acceptedAt ?? at;
      break;
    case 'reply_rejected':
      next.status = state.status === 'replied' ? 'in_progress' : state.status;
      next.repliedAt = null;
      next.replyRejections = state.replyRejections + 1;
      break;
    case 'callback':
      next.callbacks = [
        ...state.callbacks,
        {
          result: event.data.result,
          ...(event.data.resolved === undefined ? {} : { resolved: event.data.resolved }),
          at,
          unitId: state.unitId,
          segment: state.segment,
          reworkRound: state.reworkRound,
          eventId: event.eventId,
        },
      ];
      break;
    case 'reopened':
      next.status = 'in_progress';
      next.reworkRound = state.reworkRound + 1;
      next.repliedAt = null;
      next.closedAt = null;
      next.closed = false;
      next.acceptedAt = state.acceptedAt ?? at;
      break;
    case 'verified':
      next.verifications = [
        ...state.verifications,
        {
          outcome: event.data.outcome,
          by: event.data.by,
          at,
          unitId: state.unitId,
          segment: state.segment,
          reworkRound: state.reworkRound,
          eventId: event.eventId,
        },
      ];
      break;
    case 'closed':
      next.status = 'closed';
      next.closedAt = at;
      next.closed = true;
      next.closures = [...state.closures, { at, eventId: event.eventId }];
      break;
    case 'excluded':
      next.excluded = true;
      next.excludedReason = event.data.reason;
      break;
    case 'flagged':
      next.tags = mergeTags(state.tags, event.data.tags);
      break;
  }
  return next;
}

/**
 * The state implied by a set of events (any order, duplicates allowed), and the events it holds:
 * those before the order's first `dispatched` in contract order (all of them when it has none),
 * but a `flagged` of a dispatched order, which is folded. No stage can start before the street received the order, so a held event is not applied (a
 * `closed` before it would leave the order closed and open at once); it is kept in the log, since
 * a `dispatched` dated before it may still arrive, and after a grace period it is dead-lettered
 * (`before_dispatch`, or `orphan_event` for an order never dispatched). Whether an event is held
 * depends on the set of events only, never on the order they arrived in.
 */
export function foldHoldingEarly(
  workOrderId: string,
  events: readonly WorkOrderEvent[],
): { state: WorkOrderState; held: WorkOrderEvent[] } {
  const ordered = orderEvents(events);
  const dispatch = ordered.findIndex((event) => event.type === 'dispatched');
  if (dispatch === -1) return { state: emptyWorkOrder(workOrderId), held: ordered };
  let state = emptyWorkOrder(workOrderId);
  const held: WorkOrderEvent[] = [];
  for (let i = 0; i < ordered.length; i += 1) {
    const event = ordered[i]!;
    if (i < dispatch && !foldedBeforeDispatch(event.type)) held.push(event);
    else state = applyEvent(state, event);
  }
  return { state, held };
}

/** The state implied by a set of events (any order, duplicates allowed); see foldHoldingEarly. */
export function foldWorkOrder(
  workOrderId: string,
  events: readonly WorkOrderEvent[],
): WorkOrderState {
  return foldHoldingEarly(workOrderId, events).state;
}
