import { formatInstant } from '@hotline/core';
import type { EscalationView } from '@hotline/persistence';

/** An escalation as the API shows it: fields listed, instants with the calendar's offset. */
export function toEscalationResponse(view: EscalationView, timeZone: string) {
  const iso = (d: Date | null) => (d === null ? null : formatInstant(d, timeZone));
  return {
    escalationId: view.escalationId,
    workOrderId: view.workOrderId,
    unitId: view.unitId,
    kind: view.kind,
    level: view.level,
    status: view.status,
    reason: view.reason,
    segment: view.segment,
    round: view.round,
    dueAt: iso(view.dueAt),
    firedAt: iso(view.firedAt),
    levelChangedAt: iso(view.levelChangedAt),
    recipients: view.recipients,
    acknowledged:
      view.acknowledgedAt === null
        ? null
        : { at: iso(view.acknowledgedAt), by: view.acknowledgedBy, note: view.acknowledgeNote },
    resolved:
      view.resolvedAt === null
        ? null
        : {
            at: iso(view.resolvedAt),
            by: view.resolvedBy,
            resolution: view.resolution,
            note: view.resolutionNote,
          },
    withdrawn:
      view.withdrawal === null
        ? null
        : {
            at: iso(view.withdrawal.at),
            recordedAt: iso(view.withdrawal.recordedAt),
            reason: view.withdrawal.reason,
            evidence: {
              eventId: view.withdrawal.evidenceEventId,
              occurredAt: iso(view.withdrawal.evidenceOccurredAt),
              receivedAt: iso(view.withdrawal.evidenceReceivedAt),
            },
          },
    version: view.version,
    levels: view.levels.map((l) => ({
      generation: l.generation,
      level: l.level,
      reachedAt: iso(l.reachedAt),
      why: l.why,
    })),
  };
}
