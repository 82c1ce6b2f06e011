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
import { orderEvents } from './order-events';

export const WORK_ORDER_STATUSES = [
  'awaiting_dispatch', // events arrived before any `dispatched`: kept, waiting for late arrivals
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
  const at = new Date(event.occurredAt);
  const tracked = { at, tags: next.tags, unitId: next.unitId, eventId: event.eventId };
  return { ...next, trackedSince: tracked };
}

function applyToState(state: WorkOrderState, event: WorkOrderEvent): WorkOrderState {
  const at = new Date(event.occurredAt);
  const next: WorkOrderState = { ...state, eventCount: state.eventCount + 1, lastEventAt: at };
  switch (event.type) {
    case 'dispatched': {
      const d = event.data;
      return {
        ...next,
        status: 'dispatched',
        unitId: d.unitId,
        unitName: d.unitName ?? null,
        category: d.category,
        urgency: d.urgency,
        title: d.title ?? state.title,
        address: d.address ?? state.address,
        citizen: d.citizen ?? state.citizen,
        tags: mergeTags(state.tags, d.tags),
        receivedAt: state.receivedAt ?? at,
        dispatchedAt: at,
        segment: state.segment + 1,
        acceptedAt: null,
        repliedAt: null,
        returnedAt: null,
        returnRequested: false,
        suspended: false,
        closed: false,
      };
    }
    case 'accepted':
      return {
        ...next,
        acceptedAt: state.acceptedAt ?? at,
        status: state.status === 'dispatched' ? 'in_progress' : state.status,
      };
    case 'return_requested':
      return { ...next, returnRequested: true };
    case 'returned':
      return { ...next, status: 'returned', returnedAt: at, returnRequested: false };
    case 'return_rejected':
      return { ...next, returnRequested: false };
    case 'extension_requested':
      return { ...next, extensionsRequested: state.extensionsRequested + 1 };
    case 'extension_approved':
      return { ...next, extensionsApproved: state.extensionsApproved + 1 };
    case 'extension_rejected':
      return { ...next, extensionsRejected: state.extensionsRejected + 1 };
    case 'suspended':
      return { ...next, suspended: true };
    case 'resumed':
      return { ...next, suspended: false };
    case 'replied':
      return {
        ...next,
        status: state.status === 'closed' ? 'closed' : 'replied',
        repliedAt: at,
        // A reply implies acceptance even if the `accepted` event never came.
        acceptedAt: state.acceptedAt ?? at,
      };
    case 'reply_rejected':
      return {
        ...next,
        status: state.status === 'replied' ? 'in_progress' : state.status,
        repliedAt: null,
        replyRejections: state.replyRejections + 1,
      };
    case 'callback':
      return {
        ...next,
        callbacks: [
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
        ],
      };
    case 'reopened':
      return {
        ...next,
        status: 'in_progress',
        reworkRound: state.reworkRound + 1,
        repliedAt: null,
        closedAt: null,
        closed: false,
        acceptedAt: state.acceptedAt ?? at,
      };
    case 'verified':
      return {
        ...next,
        verifications: [
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
        ],
      };
    case 'closed':
      return {
        ...next,
        status: 'closed',
        closedAt: at,
        closed: true,
        closures: [...state.closures, { at, eventId: event.eventId }],
      };
    case 'excluded':
      return { ...next, excluded: true, excludedReason: event.data.reason };
    case 'flagged':
      return { ...next, tags: mergeTags(state.tags, event.data.tags) };
  }
}

/** The state implied by a set of events (any order, duplicates allowed). */
export function foldWorkOrder(
  workOrderId: string,
  events: readonly WorkOrderEvent[],
): WorkOrderState {
  return orderEvents(events).reduce(applyEvent, emptyWorkOrder(workOrderId));
}
