import { ESCALATION_STATUSES } from '@hotline/persistence';
import { z } from 'zod';
import { pageFields, unitIdField } from '../validation/page.query';

/** The kinds of domain.md §4. */
export const ESCALATION_KIND_FILTERS = [
  'accept_warning',
  'accept_overdue',
  'complete_warning',
  'complete_overdue',
  'dissatisfied',
  'false_completion',
  'priority',
] as const;

/** `GET /escalations`: unknown parameters are refused. */
export const escalationListQuery = z
  .object({
    status: z.enum(ESCALATION_STATUSES).optional(),
    kind: z.enum(ESCALATION_KIND_FILTERS).optional(),
    unitId: unitIdField.optional(),
    level: z.coerce.number().int().min(1).max(3).optional(),
    ...pageFields,
  })
  .strict();
export type EscalationListQuery = z.output<typeof escalationListQuery>;

export const escalationIdParam = z.uuid();
