import { maskName, maskPhone } from '@hotline/core';
import type { WorkOrderView } from '@hotline/persistence';

const iso = (d: Date | string | null | undefined): string | null =>
  d === null || d === undefined ? null : new Date(d).toISOString();

/**
 * What `GET /work-orders/{id}` returns: fields listed one by one, personal data masked unless
 * the caller may see it in full.
 */
export function toWorkOrderResponse(view: WorkOrderView, revealPersonalData: boolean) {
  const citizen = view.state.citizen;
  return {
    workOrderId: view.workOrderId,
    status: view.status,
    unitId: view.unitId,
    unitName: view.state.unitName,
    category: view.category,
    urgency: view.urgency,
    tags: view.tags,
    title: view.state.title,
    address: view.state.address,
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
    deadlines: view.deadlines,
    eventCount: view.eventCount,
  };
}
