import { DELIVERY_STATUSES } from '@hotline/persistence';
import { z } from 'zod';
import { pageFields } from '../validation/page.query';

/** `GET /deliveries`: the notices' deliveries, for operators (`?status=failed`, `?status=dead`). */
export const deliveryListQuery = z
  .object({
    status: z.enum(DELIVERY_STATUSES).optional(),
    channel: z
      .string()
      .regex(/^[a-z0-9][a-z0-9._-]{0,63}$/, 'not a channel id')
      .optional(),
    escalationId: z.uuid().optional(),
    ...pageFields,
  })
  .strict();
export type DeliveryListQuery = z.output<typeof deliveryListQuery>;
