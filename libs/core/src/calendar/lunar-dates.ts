/**
 * The Gregorian dates of the lunar festivals and of 清明 that the statutory holidays are defined
 * by, from lunar-javascript (a maintained library of the Chinese calendar, computed, not
 * tabulated). Pure: the same year gives the same dates, whatever the clock or the process's zone.
 * The only module that calls the library.
 */
import { Lunar } from 'lunar-javascript';
import { InvalidCalendarArgumentError } from './calendar-errors';

/** lunar-javascript's range is wider; this keeps a typo in a year out of it. */
const FIRST_YEAR = 1901;
const LAST_YEAR = 2099;

const pad = (n: number) => String(n).padStart(2, '0');
const dayOnOf = (day: { getYear(): number; getMonth(): number; getDay(): number }) =>
  `${day.getYear()}-${pad(day.getMonth())}-${pad(day.getDay())}`;

function checkYear(year: number): void {
  if (!Number.isInteger(year) || year < FIRST_YEAR || year > LAST_YEAR) {
    throw new InvalidCalendarArgumentError(
      `lunar dates are computed for ${FIRST_YEAR}–${LAST_YEAR}, not ${year}`,
    );
  }
}

/**
 * The Gregorian day (`YYYY-MM-DD`) of a day of lunar year `lunarYear` (正月 = month 1). The lunar
 * year of a Gregorian year's 春节 has the same number: 正月初一 of lunar 2027 is 2027-02-06.
 */
export function lunarDayOn(lunarYear: number, lunarMonth: number, lunarDay: number): string {
  checkYear(lunarYear);
  return dayOnOf(Lunar.fromYmd(lunarYear, lunarMonth, lunarDay).getSolar());
}

/** The day of the solar term 清明 in Gregorian year `year` (4 or 5 April, China time). */
export function qingmingDayOn(year: number): string {
  checkYear(year);
  // 清明 falls in April, inside the lunar year that begins at that Gregorian year's 春节.
  const term = Lunar.fromYmd(year, 1, 1).getJieQiTable()['清明'];
  if (term === undefined || term.getYear() !== year) {
    throw new InvalidCalendarArgumentError(`no 清明 found for ${year}`);
  }
  return dayOnOf(term);
}
