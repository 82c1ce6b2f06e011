import { readFileSync } from 'fs';
import { join } from 'path';
import { CalendarOutOfRangeError, InvalidCalendarArgumentError } from './calendar-errors';
import { formatInstant } from './format-instant';
import { parseCalendar } from './parse-calendar';
import type { WorkingCalendar } from './working-calendar';

function loadCalendar(): WorkingCalendar {
  const path = join(__dirname, '../../../../config/calendars/cn-2023-2026.json');
  const parsed = parseCalendar(JSON.parse(readFileSync(path, 'utf8')));
  if (!parsed.ok) throw new Error(parsed.errors.join('\n'));
  return parsed.value;
}

const calendar = loadCalendar();
/** A wall-clock time in Beijing, written the way a supervisor would. */
const bj = (local: string): Date => new Date(`${local.replace(' ', 'T')}:00+08:00`);
const show = (at: Date): string => formatInstant(at, calendar.timeZone);
const DAY = 1440;

describe('WorkingCalendar days', () => {
  it.each`
    dayOn           | working  | kind                | name
    ${'2024-02-09'} | ${true}  | ${'workday'}        | ${null}
    ${'2024-02-10'} | ${false} | ${'holiday'}        | ${'春节'}
    ${'2024-02-12'} | ${false} | ${'holiday'}        | ${'春节'}
    ${'2024-02-18'} | ${true}  | ${'makeup_workday'} | ${'春节'}
    ${'2024-02-24'} | ${false} | ${'weekend'}        | ${null}
    ${'2023-09-29'} | ${false} | ${'holiday'}        | ${'中秋节、国庆节'}
    ${'2023-10-07'} | ${true}  | ${'makeup_workday'} | ${'中秋节、国庆节'}
    ${'2023-10-08'} | ${true}  | ${'makeup_workday'} | ${'中秋节、国庆节'}
    ${'2025-10-08'} | ${false} | ${'holiday'}        | ${'国庆节、中秋节'}
    ${'2025-10-11'} | ${true}  | ${'makeup_workday'} | ${'国庆节、中秋节'}
    ${'2026-01-02'} | ${false} | ${'holiday'}        | ${'元旦'}
    ${'2026-01-04'} | ${true}  | ${'makeup_workday'} | ${'元旦'}
  `('$dayOn is $kind (working: $working)', ({ dayOn, working, kind, name }) => {
    expect(calendar.isWorkingDay(dayOn as string)).toBe(working);
    expect(calendar.describeDay(dayOn as string)).toMatchObject({ dayOn, working, kind, name });
  });

  it('names the local day of an instant in Asia/Shanghai, not in UTC', () => {
    // 2024-02-09T16:30Z is already 00:30 on the 10th in Beijing.
    expect(calendar.dayOnOf(new Date('2024-02-09T16:30:00Z'))).toBe('2024-02-10');
    expect(calendar.startOfDay('2024-02-10').toISOString()).toBe('2024-02-09T16:00:00.000Z');
  });

  it.each`
    rule                                                                     | at                    | firstWorking                   | nextWorkingDay
    ${'a working day counts from the instant itself'}                        | ${'2024-02-09 10:00'} | ${'2024-02-09T10:00:00+08:00'} | ${'2024-02-18T00:00:00+08:00'}
    ${'a holiday counts from the make-up Sunday after it'}                   | ${'2024-02-12 10:00'} | ${'2024-02-18T00:00:00+08:00'} | ${'2024-02-18T00:00:00+08:00'}
    ${'a Saturday counts from Monday 00:00'}                                 | ${'2024-03-02 10:00'} | ${'2024-03-04T00:00:00+08:00'} | ${'2024-03-04T00:00:00+08:00'}
    ${'a Saturday before make-up Sunday 2025-09-28 counts from that Sunday'} | ${'2025-09-27 10:00'} | ${'2025-09-28T00:00:00+08:00'} | ${'2025-09-28T00:00:00+08:00'}
  `('$rule', ({ at, firstWorking, nextWorkingDay }) => {
    expect(show(calendar.firstWorkingInstantFrom(bj(at as string)))).toBe(firstWorking);
    expect(show(calendar.nextWorkingDayStartAfter(bj(at as string)))).toBe(nextWorkingDay);
    const dayOn = calendar.dayOnOf(bj(at as string));
    expect(show(calendar.startOfDay(calendar.nextWorkingDayOn(dayOn)))).toBe(nextWorkingDay);
  });

  it('lists the days a half-open interval touches', () => {
    const days = calendar.daysOverlapping(bj('2024-02-09 10:00'), bj('2024-02-12 00:00'));
    expect(days.map((day) => day.dayOn)).toEqual(['2024-02-09', '2024-02-10', '2024-02-11']);
  });
});

describe('WorkingCalendar.addWorkingRolling (a working day counts 24 h, other days nothing)', () => {
  it.each`
    rule                                                                            | start                 | minutes    | due
    ${'skips the Spring Festival holiday and counts the make-up Sunday 2024-02-18'} | ${'2024-02-09 10:00'} | ${DAY}     | ${'2024-02-18T10:00:00+08:00'}
    ${'skips the 2023 National Day block and counts make-up Saturday 10-07'}        | ${'2023-09-28 16:00'} | ${DAY}     | ${'2023-10-07T16:00:00+08:00'}
    ${'counts both 2023 make-up days 10-07 and 10-08'}                              | ${'2023-09-28 16:00'} | ${3 * DAY} | ${'2023-10-09T16:00:00+08:00'}
    ${'starts a Saturday dispatch at 00:00 of Monday'}                              | ${'2024-03-02 10:00'} | ${DAY}     | ${'2024-03-05T00:00:00+08:00'}
    ${'starts a Saturday dispatch at Monday 00:00 for 7 days too'}                  | ${'2024-03-02 10:00'} | ${7 * DAY} | ${'2024-03-13T00:00:00+08:00'}
    ${'skips the 2025-10-01…08 holiday'}                                            | ${'2025-09-30 09:00'} | ${DAY}     | ${'2025-10-09T09:00:00+08:00'}
    ${'starts a Saturday dispatch on make-up Sunday 2025-09-28'}                    | ${'2025-09-27 10:00'} | ${DAY}     | ${'2025-09-29T00:00:00+08:00'}
    ${'skips New Year 2026 and counts make-up Sunday 2026-01-04'}                   | ${'2025-12-31 14:00'} | ${DAY}     | ${'2026-01-04T14:00:00+08:00'}
    ${'skips New Year 2025 (one day)'}                                              | ${'2024-12-31 14:00'} | ${DAY}     | ${'2025-01-02T14:00:00+08:00'}
    ${'ends at the 00:00 that closes a working Friday'}                             | ${'2024-02-09 10:00'} | ${14 * 60} | ${'2024-02-10T00:00:00+08:00'}
    ${'adds within an ordinary week'}                                               | ${'2024-03-04 10:00'} | ${7 * DAY} | ${'2024-03-13T10:00:00+08:00'}
    ${'adds working hours, not only whole days'}                                    | ${'2024-03-08 20:00'} | ${18 * 60} | ${'2024-03-11T14:00:00+08:00'}
    ${'returns the start unchanged for zero minutes'}                               | ${'2024-03-02 10:00'} | ${0}       | ${'2024-03-02T10:00:00+08:00'}
  `('$rule', ({ start, minutes, due }) => {
    expect(show(calendar.addWorkingRolling(bj(start as string), minutes as number))).toBe(due);
  });
});

describe('WorkingCalendar.addWorkingNextDay (次日起 N 个工作日, due at 24:00 = the next 00:00)', () => {
  it.each`
    rule                                                                      | start                 | days | due
    ${'counts from the next day: Fri 2024-02-09 + 1 is the end of Sun 02-18'} | ${'2024-02-09 10:00'} | ${1} | ${'2024-02-19T00:00:00+08:00'}
    ${'counts make-up Sunday 02-18, then 02-19 and 02-20'}                    | ${'2024-02-09 10:00'} | ${3} | ${'2024-02-21T00:00:00+08:00'}
    ${'skips the 2023 National Day block to make-up Saturday 10-07'}          | ${'2023-09-28 16:00'} | ${1} | ${'2023-10-08T00:00:00+08:00'}
    ${'counts Monday as day 1 for a Saturday start'}                          | ${'2024-03-02 10:00'} | ${1} | ${'2024-03-05T00:00:00+08:00'}
    ${'does not count the start day even late in the evening'}                | ${'2024-03-04 23:59'} | ${1} | ${'2024-03-06T00:00:00+08:00'}
    ${'gives the end of the start day for 0 days'}                            | ${'2024-03-04 10:00'} | ${0} | ${'2024-03-05T00:00:00+08:00'}
  `('$rule', ({ start, days, due }) => {
    expect(show(calendar.addWorkingNextDay(bj(start as string), days as number))).toBe(due);
  });
});

describe('WorkingCalendar.addNatural', () => {
  it.each`
    rule                                                      | start                 | minutes | due
    ${'15 minutes across midnight'}                           | ${'2024-03-04 23:50'} | ${15}   | ${'2024-03-05T00:05:00+08:00'}
    ${'30 minutes across midnight'}                           | ${'2024-03-04 23:45'} | ${30}   | ${'2024-03-05T00:15:00+08:00'}
    ${'15 minutes into a holiday: the natural clock runs on'} | ${'2024-02-09 23:50'} | ${15}   | ${'2024-02-10T00:05:00+08:00'}
    ${'24 hours over a weekend'}                              | ${'2024-03-02 10:00'} | ${DAY}  | ${'2024-03-03T10:00:00+08:00'}
  `('$rule', ({ start, minutes, due }) => {
    expect(show(calendar.addNatural(bj(start as string), minutes as number))).toBe(due);
  });
});

describe('WorkingCalendar.workingMinutesBetween and workingInstantBefore', () => {
  it.each`
    rule                                                    | from                  | to                    | minutes
    ${'one working day across the Spring Festival'}         | ${'2024-02-09 10:00'} | ${'2024-02-18 10:00'} | ${DAY}
    ${'nothing over an ordinary weekend'}                   | ${'2024-03-02 10:00'} | ${'2024-03-03 20:00'} | ${0}
    ${'a suspension over the 2023 National Day: 9 h + 9 h'} | ${'2023-09-28 15:00'} | ${'2023-10-07 09:00'} | ${18 * 60}
    ${'negative when the interval is reversed'}             | ${'2024-02-18 10:00'} | ${'2024-02-09 10:00'} | ${-DAY}
  `('$rule', ({ from, to, minutes }) => {
    expect(calendar.workingMinutesBetween(bj(from as string), bj(to as string))).toBe(minutes);
  });

  it.each`
    rule                                                          | end                   | minutes    | at
    ${'one working day before a Monday deadline is Friday'}       | ${'2024-03-11 10:00'} | ${DAY}     | ${'2024-03-08T10:00:00+08:00'}
    ${'18 working hours before 2023-10-09 16:00 is 10-08 22:00'}  | ${'2023-10-09 16:00'} | ${18 * 60} | ${'2023-10-08T22:00:00+08:00'}
    ${'one working day before Sun 2024-02-18 10:00 is Fri 02-09'} | ${'2024-02-18 10:00'} | ${DAY}     | ${'2024-02-09T10:00:00+08:00'}
    ${'before a weekend it is the 00:00 that ends Friday'}        | ${'2024-03-11 06:00'} | ${6 * 60}  | ${'2024-03-09T00:00:00+08:00'}
  `('$rule', ({ end, minutes, at }) => {
    expect(show(calendar.workingInstantBefore(bj(end as string), minutes as number))).toBe(at);
  });
});

describe('WorkingCalendar coverage', () => {
  const outside: [string, () => unknown][] = [
    ['a start after the coverage', () => calendar.addWorkingRolling(bj('2027-01-05 10:00'), DAY)],
    ['a start before the coverage', () => calendar.addWorkingRolling(bj('2022-06-01 10:00'), DAY)],
    [
      'a result after the coverage',
      () => calendar.addWorkingRolling(bj('2026-12-30 10:00'), 7 * DAY),
    ],
    [
      'a next-day result after the coverage',
      () => calendar.addWorkingNextDay(bj('2026-12-30 10:00'), 3),
    ],
    ['a day after the coverage', () => calendar.isWorkingDay('2027-01-04')],
    ['a day before the coverage', () => calendar.describeDay('2022-12-30')],
    [
      'an interval ending after the coverage',
      () => calendar.workingMinutesBetween(bj('2026-12-30 10:00'), bj('2027-01-02 10:00')),
    ],
  ];

  it.each(outside)(
    'refuses %s with code calendar_out_of_range, never falling back to weekdays',
    (_, run) => {
      expect(run).toThrow(CalendarOutOfRangeError);
      expect(run).toThrow(expect.objectContaining({ code: 'calendar_out_of_range' }) as Error);
    },
  );

  it.each`
    what                                     | start                 | minutes | due
    ${'a natural result after the coverage'} | ${'2026-12-31 23:50'} | ${15}   | ${'2027-01-01T00:05:00+08:00'}
    ${'a natural start after the coverage'}  | ${'2027-03-01 09:00'} | ${1440} | ${'2027-03-02T09:00:00+08:00'}
    ${'a natural start before the coverage'} | ${'2022-06-01 09:00'} | ${30}   | ${'2022-06-01T09:30:00+08:00'}
  `('computes $what: the natural clock needs no calendar', ({ start, minutes, due }) => {
    expect(show(calendar.addNatural(bj(start as string), minutes as number))).toBe(due);
  });

  it('accepts a result exactly at the end of the coverage (24:00 of 2026-12-31)', () => {
    expect(show(calendar.addWorkingNextDay(bj('2026-12-30 10:00'), 1))).toBe(
      '2027-01-01T00:00:00+08:00',
    );
  });

  it.each([
    ['a negative duration', () => calendar.addWorkingRolling(bj('2024-03-04 10:00'), -1)],
    ['an infinite duration', () => calendar.addNatural(bj('2024-03-04 10:00'), Infinity)],
    [
      'a fractional number of next-day working days',
      () => calendar.addWorkingNextDay(bj('2024-03-04 10:00'), 1.5),
    ],
    ['an invalid Date', () => calendar.addWorkingRolling(new Date('nope'), 1)],
    ['an impossible day', () => calendar.isWorkingDay('2024-02-30')],
  ])('rejects %s with code invalid_calendar_argument', (_, run) => {
    expect(run).toThrow(InvalidCalendarArgumentError);
  });
});
