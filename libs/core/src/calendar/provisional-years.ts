/**
 * Provisional years: the calendar after the last notice's data, computed from the law
 * (statutory-holidays.ts) so that it never runs out. Weekends as usual, the statutory holidays as
 * holidays, no bridge days and no make-up workdays (only the notice has them). Computed when the
 * calendar is loaded and never written to the calendar file: importing the year's notice
 * (import-holiday-notice.ts) replaces them with the official days.
 */
import { InvalidCalendarArgumentError } from './calendar-errors';
import { dayOnOfEpochDay, epochDayOf } from './day-on';
import { statutoryHolidays } from './statutory-holidays';
import type { CalendarDefinition, DaySpan } from './working-calendar';

/** At most this many provisional years: a guard against a typo, not a policy. */
export const MAX_PROVISIONAL_YEARS = 20;

/**
 * The definition extended by `years` provisional years after the official data: from the day
 * after `coverage.to` through 31 December of `coverage.to`'s year + `years`. Zero years returns
 * the definition unchanged (an instant after the data is then out of range).
 */
export function withProvisionalYears(
  definition: CalendarDefinition,
  years: number,
): CalendarDefinition {
  if (!Number.isInteger(years) || years < 0 || years > MAX_PROVISIONAL_YEARS) {
    throw new InvalidCalendarArgumentError(
      `provisional years must be an integer from 0 to ${MAX_PROVISIONAL_YEARS}, got ${years}`,
    );
  }
  if (years === 0 || definition.provisionalFrom !== undefined) return definition;
  const officialEnd = epochDayOf(definition.coverage.to);
  if (officialEnd === null) {
    throw new InvalidCalendarArgumentError(`invalid coverage end ${definition.coverage.to}`);
  }
  const provisionalFrom = dayOnOfEpochDay(officialEnd + 1);
  const firstYear = Number(provisionalFrom.slice(0, 4));
  const lastYear = Number(definition.coverage.to.slice(0, 4)) + years;
  const days = [...definition.days];
  for (let year = firstYear; year <= lastYear; year += 1) {
    for (const { dayOn, name } of statutoryHolidays(year)) {
      if (dayOn >= provisionalFrom) days.push({ date: dayOn, kind: 'holiday', name });
    }
  }
  return {
    ...definition,
    coverage: { from: definition.coverage.from, to: `${lastYear}-12-31` },
    days,
    provisionalFrom,
  };
}

/**
 * The provisional days within the period `fromOn…toOn` (inclusive), or null: a report over them
 * rests on deadlines that may move when the notice is imported, and says so.
 */
export function provisionalDaysWithin(
  provisional: DaySpan | null,
  fromOn: string,
  toOn: string,
): DaySpan | null {
  if (provisional === null || toOn < provisional.fromOn || fromOn > provisional.toOn) return null;
  return {
    fromOn: fromOn > provisional.fromOn ? fromOn : provisional.fromOn,
    toOn: toOn < provisional.toOn ? toOn : provisional.toOn,
  };
}
