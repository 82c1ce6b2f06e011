/**
 * The output contract (contract.md §2): one message on `hotline.supervision.escalations` per
 * change of an escalation, keyed by `workOrderId`, built here and nowhere else. Every instant
 * carries the calendar's offset (`+08:00`), as in the HTTP API; `version` grows with every change
 * of the escalation, so a consumer keeps the highest whatever the delivery order.
 */
import { formatInstant } from '../calendar/format-instant';
import type {
  EscalationKind,
  EscalationRecord,
  EscalationStatus,
  WithdrawalReason,
} from '../supervision/escalation';

export const ESCALATION_CHANGES = [
  'created',
  'advanced',
  'acknowledged',
  'resolved',
  'withdrawn',
] as const;
/** What one message reports. */
export type EscalationChangeKind = (typeof ESCALATION_CHANGES)[number];

export interface EscalationMessage {
  escalationId: string;
  workOrderId: string;
  unitId: string;
  kind: EscalationKind;
  level: number;
  status: EscalationStatus;
  reason: string;
  dueAt: string | null;
  firedAt: string;
  recipients: string[];
  version: number;
  change: EscalationChangeKind;
  changedAt: string;
  /** A person's note (acknowledged, resolved by a supervisor) or what resolved it. */
  note?: string;
  /** On `withdrawn`: why, and the event that proved the premise false. */
  withdrawal?: {
    reason: WithdrawalReason;
    evidenceEventId: string | null;
    evidenceOccurredAt: string | null;
    evidenceReceivedAt: string | null;
  };
}

/** What a message is made of: the escalation as it stands after the change, and who is told. */
export type EscalationSnapshot = Pick<
  EscalationRecord,
  'workOrderId' | 'unitId' | 'kind' | 'status' | 'reason' | 'dueAt' | 'firedAt' | 'version'
> & { escalationId: string; level: number; recipients: readonly string[] };

export interface EscalationMessageChange {
  change: EscalationChangeKind;
  at: Date;
  note?: string | null;
  withdrawal?: {
    reason: WithdrawalReason;
    evidenceEventId: string | null;
    evidenceOccurredAt: Date | null;
    evidenceReceivedAt: Date | null;
  } | null;
}

export function escalationMessage(
  escalation: EscalationSnapshot,
  change: EscalationMessageChange,
  timeZone: string,
): EscalationMessage {
  const iso = (at: Date) => formatInstant(at, timeZone);
  const isoOrNull = (at: Date | null) => (at === null ? null : iso(at));
  const { withdrawal, note } = change;
  return {
    escalationId: escalation.escalationId,
    workOrderId: escalation.workOrderId,
    unitId: escalation.unitId,
    kind: escalation.kind,
    level: escalation.level,
    status: escalation.status,
    reason: escalation.reason,
    dueAt: isoOrNull(escalation.dueAt),
    firedAt: iso(escalation.firedAt),
    recipients: [...escalation.recipients],
    version: escalation.version,
    change: change.change,
    changedAt: iso(change.at),
    ...(note === undefined || note === null ? {} : { note }),
    ...(withdrawal === undefined || withdrawal === null
      ? {}
      : {
          withdrawal: {
            reason: withdrawal.reason,
            evidenceEventId: withdrawal.evidenceEventId,
            evidenceOccurredAt: isoOrNull(withdrawal.evidenceOccurredAt),
            evidenceReceivedAt: isoOrNull(withdrawal.evidenceReceivedAt),
          },
        }),
  };
}
