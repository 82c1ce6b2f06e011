import { z } from 'zod';

/** Largest page a list returns (performance-and-reliability.md, Security: page-size caps). */
export const MAX_PAGE_SIZE = 100;
export const DEFAULT_PAGE_SIZE = 20;
/** Deep offsets cost a scan each; past this, narrow the filter instead. */
export const MAX_PAGE = 10_000;

export const pageFields = {
  page: z.coerce.number().int().min(1).max(MAX_PAGE).default(1),
  pageSize: z.coerce.number().int().min(1).max(MAX_PAGE_SIZE).default(DEFAULT_PAGE_SIZE),
};

/** Unit ids as the organisation config spells them. */
export const unitIdField = z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/, 'not a unit id');

/** `true` or `false`, spelled out: `?overdue=1` or `?overdue=yes` are refused, not guessed. */
export const booleanFlag = z.enum(['true', 'false']);
