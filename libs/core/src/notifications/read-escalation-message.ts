/**
 * Reading the escalations topic (the consumer's side of `events/escalation-message.ts`, which
 * builds the messages): the fields a notice needs, checked, so a malformed message is skipped
 * with a reason instead of a half-filled notice.
 */
import { z } from 'zod';
import { describeIssues, type ValidationResult } from '../calendar/validation-result';
import { ESCALATION_CHANGES, type EscalationMessage } from '../events/escalation-message';
import {
  ESCALATION_KINDS,
  ESCALATION_STATUSES,
  WITHDRAWAL_REASONS,
} from '../supervision/escalation';

const instant = z.iso.datetime({ offset: true });

const escalationMessageSchema = z.object({
  escalationId: z.string().min(1).max(100),
  workOrderId: z.string().min(1).max(200),
  unitId: z.string().max(200),
  kind: z.enum(ESCALATION_KINDS),
  level: z.number().int().min(1).max(3),
  status: z.enum(ESCALATION_STATUSES),
  reason: z.string().max(2000),
  dueAt: instant.nullable(),
  firedAt: instant,
  recipients: z.array(z.string().max(200)).max(100),
  version: z.number().int().positive(),
  change: z.enum(ESCALATION_CHANGES),
  changedAt: instant,
  note: z.string().max(4000).optional(),
  withdrawal: z
    .object({
      reason: z.enum(WITHDRAWAL_REASONS),
      evidenceEventId: z.string().nullable(),
      evidenceOccurredAt: instant.nullable(),
      evidenceReceivedAt: instant.nullable(),
    })
    .optional(),
}) satisfies z.ZodType<EscalationMessage>;

export function readEscalationMessage(
  value: Buffer | string | null,
): ValidationResult<EscalationMessage> {
  if (value === null) return { ok: false, errors: ['(root): empty message'] };
  let json: unknown;
  try {
    json = JSON.parse(typeof value === 'string' ? value : value.toString('utf8'));
  } catch {
    return { ok: false, errors: ['(root): not JSON'] };
  }
  const parsed = escalationMessageSchema.safeParse(json);
  return parsed.success
    ? { ok: true, value: parsed.data }
    : { ok: false, errors: describeIssues(parsed.error) };
}
