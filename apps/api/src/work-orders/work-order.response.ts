import {
  formatInstant,
  maskFreeText,
  maskName,
  maskPhone,
  type WorkOrderEvent,
} from '@hotline/core';
import type { WorkOrderSummary, WorkOrderView } from '@hotline/persistence';

const UTC_INSTANT = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/;

/** Instants leave the API in RFC 3339 with the calendar's offset (contract.md §3). */
export function withOffsets(value: unknown, timeZone: string): unknown {
  if (typeof value === 'string')
    return UTC_INSTANT.test(value) ? formatInstant(new Date(value), timeZone) : value;
  if (value instanceof Date) return formatInstant(value, timeZone);
  if (Array.isArray(value)) return value.map((v) => withOffsets(v, timeZone));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, withOffsets(v, timeZone)]));
  }
  return value;
}

/**
 * What `GET /work-orders/{id}` returns: fields listed one by one, personal data masked unless
 * the caller may see it in full — the citizen's name and phone, and the personal numbers inside
 * the title, content and address. `content` is the latest dispatch's (it is not folded state).
 */
export function toWorkOrderResponse(
  view: WorkOrderView,
  revealPersonalData: boolean,
  timeZone: string,
  content: string | null = null,
) {
  const text = (value: string | null | undefined) =>
    value === null || value === undefined ? null : revealPersonalData ? value : maskFreeText(value);
  const citizen = view.state.citizen;
  const iso = (d: Date | string | null | undefined): string | null =>
    d === null || d === undefined ? null : formatInstant(new Date(d), timeZone);
  return {
    workOrderId: view.workOrderId,
    status: view.status,
    unitId: view.unitId,
    unitName: view.state.unitName,
    category: view.category,
    urgency: view.urgency,
    tags: view.tags,
    title: text(view.state.title),
    content: text(content),
    address: text(view.state.address),
    citizen: citizen
      ? {
          name:
            citizen.name === undefined
              ? null
              : revealPersonalData
                ? citizen.name
                : maskName(citizen.name),
          phone:
            citizen.phone === undefined
              ? null
              : revealPersonalData
                ? citizen.phone
                : maskPhone(citizen.phone),
        }
      : null,
    receivedAt: iso(view.state.receivedAt),
    dispatchedAt: iso(view.state.dispatchedAt),
    acceptedAt: iso(view.state.acceptedAt),
    repliedAt: iso(view.state.repliedAt),
    closedAt: iso(view.state.closedAt),
    segment: view.state.segment,
    reworkRound: view.state.reworkRound,
    suspended: view.state.suspended,
    excluded: view.state.excluded,
    acceptDueAt: iso(view.acceptDueAt),
    completeDueAt: iso(view.completeDueAt),
    nextDueAt: iso(view.nextDueAt),
    stageOutcomes: { accept: view.acceptOutcome, complete: view.completeOutcome },
    profile: view.profileId ? { id: view.profileId, version: view.profileVersion } : null,
    deadlines: withOffsets(view.deadlines, timeZone),
    eventCount: view.eventCount,
  };
}

/** One line of `GET /work-orders`: no citizen, and the title's personal numbers masked. */
export function toWorkOrderSummaryResponse(summary: WorkOrderSummary, timeZone: string) {
  const iso = (d: Date | null) => (d === null ? null : formatInstant(d, timeZone));
  return {
    workOrderId: summary.workOrderId,
    status: summary.status,
    unitId: summary.unitId,
    category: summary.category,
    urgency: summary.urgency,
    title: maskFreeText(summary.title),
    receivedAt: iso(summary.receivedAt),
    acceptDueAt: iso(summary.acceptDueAt),
    completeDueAt: iso(summary.completeDueAt),
    nextDueAt: iso(summary.nextDueAt),
    stageOutcomes: { accept: summary.acceptOutcome, complete: summary.completeOutcome },
    overdue: summary.overdue,
    supervisionLevel: summary.supervisionLevel,
  };
}

/** Keys of event data that hold what a citizen or a handler wrote: masked for those without reveal. */
const FREE_TEXT_KEYS: ReadonlySet<string> = new Set([
  'title',
  'content',
  'address',
  'reason',
  'basis',
  'reply',
  'comment',
  'note',
]);

function maskEventData(data: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(data).map(([key, value]) => {
      if (key === 'citizen' && value !== null && typeof value === 'object') {
        const { name, phone } = value as { name?: string; phone?: string };
        return [
          key,
          {
            name: name === undefined ? null : maskName(name),
            phone: phone === undefined ? null : maskPhone(phone),
          },
        ];
      }
      return [
        key,
        FREE_TEXT_KEYS.has(key) && typeof value === 'string' ? maskFreeText(value) : value,
      ];
    }),
  );
}

/**
 * One line of `GET /work-orders/{id}/events` (the order's timeline, in the order the fold reads
 * it): the event as the hotline sent it, its citizen and free text masked unless revealed.
 */
export function toWorkOrderEventResponse(
  event: WorkOrderEvent,
  revealPersonalData: boolean,
  timeZone: string,
) {
  const data = event.data as Record<string, unknown>;
  return {
    eventId: event.eventId,
    type: event.type,
    occurredAt: formatInstant(new Date(event.occurredAt), timeZone),
    sequence: event.sequence ?? null,
    data: withOffsets(revealPersonalData ? data : maskEventData(data), timeZone),
  };
}
