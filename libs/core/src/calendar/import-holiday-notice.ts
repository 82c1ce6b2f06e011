/**
 * Puts a parsed State Council notice (parse-holiday-notice.ts) into the calendar file's data: the
 * year's days replace any earlier import of the same notice, the coverage grows to the end of the
 * year, and the notice's title, number and date are recorded as the source (`source` and
 * `notices`). The days of that year are then official, and no longer computed from the law.
 * Pure: the caller reads and writes the file.
 */
import { dayOnOfEpochDay, epochDayOf, isoWeekdayOfEpochDay } from './day-on';
import { parseCalendarDefinition } from './parse-calendar';
import type { HolidayNotice, NoticeDay } from './parse-holiday-notice';
import { statutoryHolidays } from './statutory-holidays';
import type { ValidationResult } from './validation-result';

/** A day as the calendar file lists it. */
export interface CalendarFileDay extends NoticeDay {
  noticeYear: number;
}

export interface NoticeSource {
  year: number;
  title: string;
  number: string | null;
  issuedOn: string | null;
}

/** The calendar file's JSON: the keys the calendar reads, and whatever else documents it. */
export interface CalendarFile {
  timeZone: string;
  source?: string;
  coverage: { from: string; to: string };
  days: CalendarFileDay[];
  notices?: NoticeSource[];
  [documentation: string]: unknown;
}

/** One day the notice arranges differently from the provisional year computed from the law. */
export interface ProvisionalDifference {
  dayOn: string;
  /** ISO weekday: 1 = Monday … 7 = Sunday. */
  isoWeekday: number;
  /** 调休上班 (a make-up workday), or 调休放假 (a bridge day or a day in lieu, 补休). */
  official: 'workday' | 'day_off';
  name: string;
}

export interface NoticeImport {
  file: CalendarFile;
  /** Entries of an earlier import of the same notice, replaced. */
  replaced: number;
  /** Where the notice differs from the provisional year: its bridge days and make-up workdays. */
  differences: ProvisionalDifference[];
  /** Statutory days the notice does not give off (the law says it must): check the text. */
  statutoryDaysNotOff: string[];
}

/** The working days the notice changes against the law-only year (weekends, statutory days). */
export function differencesFromProvisional(notice: HolidayNotice): ProvisionalDifference[] {
  const statutory = new Set<string>();
  for (const year of [notice.year - 1, notice.year]) {
    for (const { dayOn } of statutoryHolidays(year)) statutory.add(dayOn);
  }
  const differences: ProvisionalDifference[] = [];
  for (const day of notice.days) {
    const epochDay = epochDayOf(day.date) ?? 0;
    const isoWeekday = isoWeekdayOfEpochDay(epochDay);
    const provisionalWorking = isoWeekday < 6 && !statutory.has(day.date);
    const officialWorking = day.kind === 'workday';
    if (provisionalWorking === officialWorking) continue;
    differences.push({
      dayOn: day.date,
      isoWeekday,
      official: officialWorking ? 'workday' : 'day_off',
      name: day.name,
    });
  }
  return differences;
}

function noticeSourceText(notice: HolidayNotice): string {
  const details = [notice.number, notice.issuedOn].filter((part) => part !== null).join(', ');
  return details === '' ? notice.title : `${notice.title} (${details})`;
}

/**
 * The calendar file with the notice imported. `fileJson` null starts a new file (Asia/Shanghai).
 * Refused, with every reason: a calendar file that is not valid, a notice that would leave a year
 * uncovered between the data and it, a day another notice already arranges.
 */
export function importHolidayNotice(
  fileJson: unknown,
  notice: HolidayNotice,
): ValidationResult<NoticeImport> {
  const yearStart = `${notice.year}-01-01`;
  const yearEnd = `${notice.year}-12-31`;
  const firstDay = notice.days[0]?.date ?? yearStart;
  const base: CalendarFile =
    fileJson === null
      ? {
          timeZone: 'Asia/Shanghai',
          source: '',
          coverage: { from: firstDay < yearStart ? firstDay : yearStart, to: yearEnd },
          days: [],
        }
      : (structuredClone(fileJson) as CalendarFile);
  const valid = parseCalendarDefinition(base);
  if (!valid.ok) return { ok: false, errors: valid.errors.map((e) => `calendar file: ${e}`) };

  const errors: string[] = [];
  const { from, to } = valid.value.coverage;
  const fromYear = Number(from.slice(0, 4));
  const toYear = Number(to.slice(0, 4));
  if (notice.year > toYear + 1 || notice.year < fromYear - 1) {
    errors.push(
      `the calendar covers ${from}…${to}: import the notices of the years between first, so no year is left out`,
    );
  }
  const kept = base.days.filter((day) => day.noticeYear !== notice.year);
  const taken = new Map(kept.map((day) => [day.date, day]));
  for (const day of notice.days) {
    const other = taken.get(day.date);
    if (other !== undefined) {
      errors.push(`${day.date} is already arranged by the ${other.noticeYear} notice`);
    }
  }
  if (errors.length > 0) return { ok: false, errors };

  const days = [...kept, ...notice.days.map((day) => ({ ...day, noticeYear: notice.year }))].sort(
    (a, b) => a.date.localeCompare(b.date),
  );
  const newFrom = [from, firstDay, notice.year < fromYear ? yearStart : from].sort()[0] ?? from;
  const newTo = to > yearEnd ? to : yearEnd;
  const sourceText = noticeSourceText(notice);
  const source =
    base.source === undefined || base.source === ''
      ? sourceText
      : base.source.includes(notice.title)
        ? base.source
        : `${base.source}; ${sourceText}`;
  const notices = [
    ...(base.notices ?? []).filter((n) => n.year !== notice.year),
    { year: notice.year, title: notice.title, number: notice.number, issuedOn: notice.issuedOn },
  ].sort((a, b) => a.year - b.year);
  // The file's keys stay in their order (a reviewable diff); `notices` goes before `days`.
  const replacements: Record<string, unknown> = {
    source,
    coverage: { from: newFrom, to: newTo },
    notices,
    days,
  };
  const entries = Object.entries(base).filter(([key]) => key !== 'notices');
  const daysAt = entries.findIndex(([key]) => key === 'days');
  entries.splice(daysAt < 0 ? entries.length : daysAt, 0, ['notices', notices]);
  const file = Object.fromEntries(
    entries.map(([key, value]) => [key, key in replacements ? replacements[key] : value]),
  ) as CalendarFile;
  const check = parseCalendarDefinition(file);
  if (!check.ok) return { ok: false, errors: check.errors.map((e) => `the result: ${e}`) };

  const off = new Set(notice.days.filter((d) => d.kind === 'holiday').map((d) => d.date));
  return {
    ok: true,
    value: {
      file,
      replaced: base.days.length - kept.length,
      differences: differencesFromProvisional(notice),
      statutoryDaysNotOff: statutoryHolidays(notice.year)
        .map((d) => d.dayOn)
        .filter((dayOn) => !off.has(dayOn)),
    },
  };
}

/** `2027-02-05…2027-02-12` style ranges of consecutive days, for showing what a notice gives. */
export function dayRanges(days: readonly string[]): string[] {
  const ranges: { from: string; to: string; last: number }[] = [];
  for (const dayOn of [...days].sort()) {
    const epochDay = epochDayOf(dayOn) ?? 0;
    const current = ranges[ranges.length - 1];
    if (current !== undefined && current.last + 1 === epochDay) {
      current.to = dayOnOfEpochDay(epochDay);
      current.last = epochDay;
    } else ranges.push({ from: dayOn, to: dayOn, last: epochDay });
  }
  return ranges.map(({ from, to }) => (from === to ? from : `${from}…${to}`));
}
