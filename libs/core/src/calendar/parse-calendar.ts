/**
 * Validates calendar data (config/calendars/*.json, already parsed from JSON by the caller) and
 * builds the WorkingCalendar. Every problem is listed at once. Unknown keys (`source`, `rule`,
 * `noticeYear`, `notices` …) are allowed: they document the data and are kept out of the
 * computation (so is a `provisionalFrom`: provisional days are computed, never read).
 */
import { z } from 'zod';
import { describeIssues, type ValidationResult } from './validation-result';
import { epochDayOf, isoWeekdayOfEpochDay } from './day-on';
import { CALENDAR_DAY_KINDS, WorkingCalendar, type CalendarDefinition } from './working-calendar';
import { CalendarError } from './calendar-errors';
import { MAX_PROVISIONAL_YEARS, withProvisionalYears } from './provisional-years';

export interface CalendarOptions {
  /**
   * Years after the official data computed from the law (provisional-years.ts), so the calendar
   * does not run out before the next notice is imported; 0 (the default): none.
   */
  provisionalYears?: number;
}

/** Guards the precomputed arrays against a typo like `2024` → `9024`. */
const MAX_COVERAGE_DAYS = 100 * 366;

function isKnownTimeZone(timeZone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone });
    return true;
  } catch {
    return false;
  }
}

const dayOnSchema = z.iso.date({ error: 'must be a real YYYY-MM-DD date' });

const daySchema = z.object({
  date: dayOnSchema,
  kind: z.enum(CALENDAR_DAY_KINDS),
  name: z.string().trim().min(1).max(100),
});

const coverageSchema = z.object({ from: dayOnSchema, to: dayOnSchema });

const calendarSchema = z.object({
  timeZone: z
    .string()
    .min(1)
    .refine(isKnownTimeZone, { error: 'must be an IANA time zone such as Asia/Shanghai' }),
  coverage: coverageSchema,
  days: z.array(daySchema),
  source: z.string().optional(),
});

/** The checks that relate entries to each other, run on whatever parts are individually valid. */
function crossCheck(raw: unknown): string[] {
  const errors: string[] = [];
  const input = (typeof raw === 'object' && raw !== null ? raw : {}) as Record<string, unknown>;
  const coverage = coverageSchema.safeParse(input.coverage);
  let first: number | null = null;
  let last: number | null = null;
  if (coverage.success) {
    first = epochDayOf(coverage.data.from);
    last = epochDayOf(coverage.data.to);
    if (first !== null && last !== null && last < first) {
      errors.push(`coverage: from ${coverage.data.from} is after to ${coverage.data.to}`);
      first = last = null;
    } else if (first !== null && last !== null && last - first + 1 > MAX_COVERAGE_DAYS) {
      errors.push(`coverage: more than ${MAX_COVERAGE_DAYS} days; check the years`);
    }
  }
  const seen = new Map<string, number>();
  const days = Array.isArray(input.days) ? (input.days as unknown[]) : [];
  days.forEach((rawDay, index) => {
    const day = daySchema.safeParse(rawDay);
    if (!day.success) return;
    const { date, kind } = day.data;
    const epochDay = epochDayOf(date);
    if (epochDay === null) return;
    const previous = seen.get(date);
    if (previous !== undefined)
      errors.push(`days[${index}].date: ${date} is already listed at days[${previous}]`);
    else seen.set(date, index);
    if (first !== null && last !== null && (epochDay < first || epochDay > last)) {
      errors.push(`days[${index}].date: ${date} is outside the coverage`);
    }
    if (kind === 'workday' && isoWeekdayOfEpochDay(epochDay) < 6) {
      errors.push(
        `days[${index}]: ${date} is a Monday–Friday; a make-up workday (调休上班) must be a weekend day`,
      );
    }
  });
  return errors;
}

/** Validates the data without building the calendar. */
export function parseCalendarDefinition(json: unknown): ValidationResult<CalendarDefinition> {
  const parsed = calendarSchema.safeParse(json);
  const errors = [...(parsed.success ? [] : describeIssues(parsed.error)), ...crossCheck(json)];
  if (!parsed.success || errors.length > 0) return { ok: false, errors };
  return { ok: true, value: parsed.data };
}

/**
 * Validates calendar data and builds the WorkingCalendar (its day index is precomputed here),
 * with `provisionalYears` years computed from the law after the data.
 */
export function parseCalendar(
  json: unknown,
  options: CalendarOptions = {},
): ValidationResult<WorkingCalendar> {
  const definition = parseCalendarDefinition(json);
  if (!definition.ok) return definition;
  const years = options.provisionalYears ?? 0;
  if (!Number.isInteger(years) || years < 0 || years > MAX_PROVISIONAL_YEARS) {
    return {
      ok: false,
      errors: [`provisional years: an integer from 0 to ${MAX_PROVISIONAL_YEARS}, got ${years}`],
    };
  }
  try {
    return { ok: true, value: new WorkingCalendar(withProvisionalYears(definition.value, years)) };
  } catch (error) {
    if (!(error instanceof CalendarError)) throw error;
    return { ok: false, errors: [`provisional years: ${error.message}`] };
  }
}
