import { checkDay, checkDayRange, checkMonth, type YearSpan } from '@hotline/core';
import { REPORT_GROUPINGS } from '@hotline/persistence/statistics';
import { z } from 'zod';
import { unitIdField } from '../validation/page.query';

/**
 * The statistics routes' parameters. Months and days must lie in the configured span of years
 * (API_YEAR_MIN–API_YEAR_MAX) and a range is at most MAX_RANGE_DAYS long: the rules are core's
 * (libs/core day-range), so no request reaches the database with a year it cannot hold or a range
 * whose work is unbounded. The schemas are built once per process, for its span.
 */

/** Shape only, so the OpenAPI document states the pattern; the span is checked after it. */
const MONTH = /^\d{4}-(0[1-9]|1[0-2])$/;
const DAY = /^\d{4}-\d{2}-\d{2}$/;

function fromCheck(ctx: z.RefinementCtx, result: { ok: true } | { ok: false; errors: string[] }) {
  if (!result.ok) for (const message of result.errors) ctx.addIssue({ code: 'custom', message });
}

/** `YYYY-MM`, a real month inside the span. */
export function monthField(span: YearSpan) {
  return z
    .string()
    .regex(MONTH, 'use YYYY-MM')
    .superRefine((month, ctx) => fromCheck(ctx, checkMonth(month, span)));
}

/** `YYYY-MM-DD`, a real calendar day (2024-02-30 is refused) inside the span. */
function dayField(span: YearSpan) {
  return z
    .string()
    .regex(DAY, 'use YYYY-MM-DD')
    .superRefine((day, ctx) => fromCheck(ctx, checkDay(day, span)));
}

const groupByField = z.enum(REPORT_GROUPINGS).optional();

/** `GET /statistics/monthly` and its exports: unknown parameters are refused. */
export function monthlyQuery(span: YearSpan) {
  return z
    .object({ month: monthField(span), groupBy: groupByField, unitId: unitIdField.optional() })
    .strict();
}
export type MonthlyQuery = z.output<ReturnType<typeof monthlyQuery>>;

/** `GET /statistics/monthly.csv|.xlsx`: one row per unit and the total, always. */
export function exportQuery(span: YearSpan) {
  return z.object({ month: monthField(span), unitId: unitIdField.optional() }).strict();
}
export type ExportQuery = z.output<ReturnType<typeof exportQuery>>;

/** `GET /statistics/summary`: days `[from, to]` inclusive, at most MAX_RANGE_DAYS. */
export function summaryQuery(span: YearSpan) {
  return z
    .object({
      from: dayField(span),
      to: dayField(span),
      unitId: unitIdField.optional(),
      groupBy: groupByField,
    })
    .strict()
    .superRefine((q, ctx) => {
      const range = checkDayRange({ fromOn: q.from, toOn: q.to }, span);
      if (range.ok) return;
      for (const error of range.errors) {
        const [field, ...rest] = error.split(': ');
        ctx.addIssue({ code: 'custom', path: [field ?? 'to'], message: rest.join(': ') });
      }
    });
}
export type SummaryQuery = z.output<ReturnType<typeof summaryQuery>>;
