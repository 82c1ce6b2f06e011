import { ESCALATION_KINDS, ESCALATION_STATUSES } from '@hotline/core';
import { z } from 'zod';
import { pageFields, unitIdField } from '../validation/page.query';

/** `GET /escalations`: unknown parameters are refused. */
export const escalationListQuery = z
  .object({
    status: z.enum(ESCALATION_STATUSES).optional(),
    kind: z.enum(ESCALATION_KINDS).optional(),
    unitId: unitIdField.optional(),
    level: z.coerce.number().int().min(1).max(3).optional(),
    ...pageFields,
  })
  .strict();
export type EscalationListQuery = z.output<typeof escalationListQuery>;

export const escalationIdParam = z.uuid();
