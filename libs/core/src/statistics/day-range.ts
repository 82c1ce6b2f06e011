/**
 * Calendar days (`YYYY-MM-DD`) and months (`YYYY-MM`) as reports name them, and ranges of days
 * `[fromOn, toOn]` (inclusive at both ends, as a report's period is said). Integer arithmetic on
 * day numbers only: no `Date`, whose years 0–99 map to 1900–1999 and whose strings gain a sign
 * and two digits after 9999 (which once made a string comparison walk to the end of time).
 */
import type { ValidationResult } from '../calendar/validation-result';

/** The years a request may name, both included (the API's API_YEAR_MIN and API_YEAR_MAX). */
export interface YearSpan {
  fromYear: number;
  toYear: number;
}

/** Orders of the hotline begin in this century: anything outside is a typo or a probe. */
export const DEFAULT_YEAR_SPAN: YearSpan = { fromYear: 2000, toYear: 2100 };

/** The longest range any read covers: a year, its leap day included. Bounds every report's work. */
export const MAX_RANGE_DAYS = 366;

const DAY = /^(\d{4})-(\d{2})-(\d{2})$/;
const MONTH = /^(\d{4})-(\d{2})$/;

interface Civil {
  year: number;
  month: number;
  day: number;
}

function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

/** Days in a month of the proleptic Gregorian calendar (`month` 1–12). */
function daysInMonth(year: number, month: number): number {
  if (month === 2) return isLeapYear(year) ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

/** Days since 1970-01-01 (H. Hinnant's days_from_civil: exact for every Gregorian year). */
function dayNumber({ year, month, day }: Civil): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yearOfEra = y - era * 400;
  const dayOfYear = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  const dayOfEra = yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100);
  return era * 146_097 + dayOfEra + dayOfYear - 719_468;
}

function pad(value: number, width: number): string {
  return String(value).padStart(width, '0');
}

function formatDay({ year, month, day }: Civil): string {
  return `${pad(year, 4)}-${pad(month, 2)}-${pad(day, 2)}`;
}

function parseDay(dayOn: string): Civil | null {
  const match = DAY.exec(dayOn);
  if (!match) return null;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return null;
  return { year, month, day };
}

function outsideSpan(year: number, span: YearSpan): string | null {
  return year < span.fromYear || year > span.toYear
    ? `must lie in the years ${span.fromYear}–${span.toYear}`
    : null;
}

/** A month `YYYY-MM` (01–12) whose year lies in `span`, or the reason it does not. */
export function checkMonth(month: string, span: YearSpan): ValidationResult<string> {
  const match = MONTH.exec(month);
  const year = Number(match?.[1]);
  const index = Number(match?.[2]);
  if (!match || index < 1 || index > 12) return { ok: false, errors: ['use YYYY-MM'] };
  const problem = outsideSpan(year, span);
  return problem === null ? { ok: true, value: month } : { ok: false, errors: [problem] };
}

/** A calendar day `YYYY-MM-DD` (2024-02-30 is none) whose year lies in `span`, or the reason. */
export function checkDay(dayOn: string, span: YearSpan): ValidationResult<string> {
  if (!DAY.test(dayOn)) return { ok: false, errors: ['use YYYY-MM-DD'] };
  const civil = parseDay(dayOn);
  if (civil === null) return { ok: false, errors: ['not a calendar day'] };
  const problem = outsideSpan(civil.year, span);
  return problem === null ? { ok: true, value: dayOn } : { ok: false, errors: [problem] };
}

/** Days in `[fromOn, toOn]`, both included: 1 for a single day, 0 or less when `toOn` is earlier. */
export function daysInRange(fromOn: string, toOn: string): number {
  const from = parseDay(fromOn);
  const to = parseDay(toOn);
  if (from === null || to === null) throw new RangeError(`not a range of days: ${fromOn}…${toOn}`);
  return dayNumber(to) - dayNumber(from) + 1;
}

/**
 * A range of days `[fromOn, toOn]`: both days in `span`, `toOn` not before `fromOn`, at most
 * `maxDays` long (never more than MAX_RANGE_DAYS). Problems are keyed by the field they concern.
 */
export function checkDayRange(
  range: { fromOn: string; toOn: string },
  span: YearSpan,
  maxDays = MAX_RANGE_DAYS,
): ValidationResult<{ fromOn: string; toOn: string }> {
  const errors = [
    ...fieldErrors('from', checkDay(range.fromOn, span)),
    ...fieldErrors('to', checkDay(range.toOn, span)),
  ];
  if (errors.length > 0) return { ok: false, errors };
  const days = daysInRange(range.fromOn, range.toOn);
  const limit = Math.min(maxDays, MAX_RANGE_DAYS);
  if (days < 1) return { ok: false, errors: ['to: must not be before from'] };
  if (days > limit) return { ok: false, errors: [`to: a range covers at most ${limit} days`] };
  return { ok: true, value: range };
}

function fieldErrors(field: string, result: ValidationResult<unknown>): string[] {
  return result.ok ? [] : result.errors.map((error) => `${field}: ${error}`);
}

/** `YYYY-MM` → its first and last day. */
export function monthDays(month: string): { fromOn: string; toOn: string } {
  const match = MONTH.exec(month);
  const year = Number(match?.[1]);
  const index = Number(match?.[2]);
  if (!match || index < 1 || index > 12) throw new RangeError(`not a month: ${month}`);
  return { fromOn: `${month}-01`, toOn: `${month}-${pad(daysInMonth(year, index), 2)}` };
}

/**
 * `[fromOn, toOn]` cut at month boundaries: `[month's first day, fromOn, toOn]` per month touched,
 * in order. Refuses (RangeError) anything but real days or a range longer than MAX_RANGE_DAYS, so
 * no caller can make it build more than 13 chunks.
 */
export function monthChunks(fromOn: string, toOn: string): [string, string, string][] {
  const days = daysInRange(fromOn, toOn);
  if (days > MAX_RANGE_DAYS) {
    throw new RangeError(`a range covers at most ${MAX_RANGE_DAYS} days: ${fromOn}…${toOn}`);
  }
  const to = parseDay(toOn) as Civil;
  const chunks: [string, string, string][] = [];
  let start = parseDay(fromOn) as Civil;
  while (dayNumber(start) <= dayNumber(to)) {
    const last = { ...start, day: daysInMonth(start.year, start.month) };
    const end = dayNumber(last) < dayNumber(to) ? last : to;
    chunks.push([formatDay({ ...start, day: 1 }), formatDay(start), formatDay(end)]);
    start =
      start.month === 12
        ? { year: start.year + 1, month: 1, day: 1 }
        : { year: start.year, month: start.month + 1, day: 1 };
  }
  return chunks;
}
