/**
 * fixtures/notice-YYYY.txt are the State Council notices for 2023–2026 in their published form
 * (title, number, the numbered holiday lines, the closing date), their holiday lines written from
 * config/calendars/cn-2023-2026.json. Importing them must give that file's days back exactly.
 */
import { readFileSync } from 'fs';
import { join } from 'path';
import { importHolidayNotice, type CalendarFile } from './import-holiday-notice';
import { parseHolidayNotice, type HolidayNotice } from './parse-holiday-notice';
import { parseCalendar } from './parse-calendar';

const calendarFile = JSON.parse(
  readFileSync(join(__dirname, '../../../../config/calendars/cn-2023-2026.json'), 'utf8'),
) as CalendarFile;
function notice(year: number): HolidayNotice {
  const result = parseHolidayNotice(
    readFileSync(join(__dirname, `fixtures/notice-${year}.txt`), 'utf8'),
  );
  if (!result.ok) throw new Error(result.errors.join('\n'));
  return result.value;
}
function imported(file: unknown, year: number) {
  const result = importHolidayNotice(file, notice(year));
  if (!result.ok) throw new Error(result.errors.join('\n'));
  return result.value;
}
/** The calendar file as it stood before the given year's notice. */
const fileBefore = (year: number): CalendarFile => ({
  ...calendarFile,
  coverage: { from: calendarFile.coverage.from, to: `${year - 1}-12-31` },
  days: calendarFile.days.filter((day) => day.noticeYear < year),
});

describe('importing the State Council notices into the calendar file', () => {
  it('reproduces the calendar file’s entries exactly from the 2023–2026 notices’ texts', () => {
    let file: unknown = null;
    for (const year of [2023, 2024, 2025, 2026]) file = imported(file, year).file;
    const result = file as CalendarFile;
    expect(result.days).toEqual(calendarFile.days);
    expect(result.coverage).toEqual(calendarFile.coverage);
    expect(result.notices?.map((n) => [n.year, n.issuedOn])).toEqual([
      [2023, '2022-12-08'],
      [2024, '2023-10-25'],
      [2025, '2024-11-12'],
      [2026, '2025-11-04'],
    ]);
    expect(result.source).toContain('国务院办公厅关于2026年部分节假日安排的通知 (2025-11-04)');
    expect(parseCalendar(result).ok).toBe(true);
  });

  it('imports the 2026 notice into the file as it stood after 2025: the same file, its source recorded', () => {
    const result = imported(fileBefore(2026), 2026);
    expect(result.file.days).toEqual(calendarFile.days);
    expect(result.file.coverage).toEqual(calendarFile.coverage);
    expect(result.replaced).toBe(0);
    // The file's other keys stay, in their order; the notice is named in `source` and `notices`.
    expect(Object.keys(result.file)).toEqual([
      'timeZone',
      'source',
      'rule',
      'coverage',
      'notices',
      'days',
      'copiedFrom',
    ]);
    expect(result.file.source).toBe(
      `${calendarFile.source}; 国务院办公厅关于2026年部分节假日安排的通知 (2025-11-04)`,
    );
    expect(result.file.notices).toEqual([
      {
        year: 2026,
        title: '国务院办公厅关于2026年部分节假日安排的通知',
        number: null,
        issuedOn: '2025-11-04',
      },
    ]);
  });

  it('shows where the 2026 notice differs from the provisional 2026: only its bridge days and make-up workdays', () => {
    const result = imported(fileBefore(2026), 2026);
    expect(result.differences.map((d) => `${d.dayOn} ${d.official} ${d.name}`)).toEqual([
      '2026-01-02 day_off 元旦',
      '2026-01-04 workday 元旦',
      '2026-02-14 workday 春节',
      '2026-02-20 day_off 春节',
      '2026-02-23 day_off 春节',
      '2026-02-28 workday 春节',
      '2026-04-06 day_off 清明节',
      '2026-05-04 day_off 劳动节',
      '2026-05-05 day_off 劳动节',
      '2026-05-09 workday 劳动节',
      '2026-09-20 workday 国庆节',
      '2026-10-05 day_off 国庆节',
      '2026-10-06 day_off 国庆节',
      '2026-10-07 day_off 国庆节',
      '2026-10-10 workday 国庆节',
    ]);
    expect(result.statutoryDaysNotOff).toEqual([]);
  });

  it('re-importing a notice replaces its days and changes nothing else', () => {
    const result = imported(calendarFile, 2026);
    expect(result.replaced).toBe(calendarFile.days.filter((d) => d.noticeYear === 2026).length);
    expect(result.file.days).toEqual(calendarFile.days);
    expect(result.file.coverage).toEqual(calendarFile.coverage);
  });

  it('refuses a notice that would leave a year between the data and it uncovered', () => {
    expect(importHolidayNotice(fileBefore(2025), notice(2026))).toEqual({
      ok: false,
      errors: [expect.stringContaining('import the notices of the years between first')],
    });
  });

  it('refuses a file that is not a valid calendar, listing every problem', () => {
    const result = importHolidayNotice({ timeZone: 'Mars/Olympus', days: [] }, notice(2026));
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.errors.length).toBeGreaterThanOrEqual(2);
  });
});
