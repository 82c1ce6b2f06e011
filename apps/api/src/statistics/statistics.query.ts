import { REPORT_GROUPINGS } from '@hotline/persistence/statistics';
import { z } from 'zod';
import { unitIdField } from '../validation/page.query';

/** The longest range a summary covers: a year, leap day included. */
export const MAX_SUMMARY_DAYS = 366;

const MONTH = /^\d{4}-(0[1-9]|1[0-2])$/;
const DAY = /^\d{4}-\d{2}-\d{2}$/;

/** `YYYY-MM`, a real month. */
export const monthField = z.string().regex(MONTH, 'use YYYY-MM');

/** `YYYY-MM-DD`, a real calendar day (2024-02-30 is refused). */
const dayField = z
  .string()
  .regex(DAY, 'use YYYY-MM-DD')
  .refine((day) => {
    const at = new Date(`${day}T00:00:00Z`);
    return !Number.isNaN(at.getTime()) && at.toISOString().slice(0, 10) === day;
  }, 'not a calendar day');

const groupByField = z.enum(REPORT_GROUPINGS).optional();

/** `GET /statistics/monthly` and its exports: unknown parameters are refused. */
export const monthlyQuery = z
  .object({ month: monthField, groupBy: groupByField, unitId: unitIdField.optional() })
  .strict();
export type MonthlyQuery = z.output<typeof monthlyQuery>;

/** `GET /statistics/monthly.csv|.xlsx`: one row per unit and the total, always. */
export const exportQuery = z.object({ month: monthField, unitId: unitIdField.optional() }).strict();
export type ExportQuery = z.output<typeof exportQuery>;

function daysBetween(fromOn: string, toOn: string): number {
  return (Date.parse(`${toOn}T00:00:00Z`) - Date.parse(`${fromOn}T00:00:00Z`)) / 86_400_000 + 1;
}

/** `GET /statistics/summary`: days `[from, to]` inclusive, at most MAX_SUMMARY_DAYS. */
export const summaryQuery = z
  .object({
    from: dayField,
    to: dayField,
    unitId: unitIdField.optional(),
    groupBy: groupByField,
  })
  .strict()
  .superRefine((q, ctx) => {
    if (q.to < q.from) {
      ctx.addIssue({ code: 'custom', path: ['to'], message: 'must not be before from' });
    } else if (daysBetween(q.from, q.to) > MAX_SUMMARY_DAYS) {
      ctx.addIssue({
        code: 'custom',
        path: ['to'],
        message: `a summary covers at most ${MAX_SUMMARY_DAYS} days`,
      });
    }
  });
export type SummaryQuery = z.output<typeof summaryQuery>;
