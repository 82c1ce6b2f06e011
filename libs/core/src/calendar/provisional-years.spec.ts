import { readFileSync } from 'fs';
import { join } from 'path';
import { dayOnOfEpochDay, epochDayOf } from './day-on';
import { formatInstant } from './format-instant';
import { parseCalendar } from './parse-calendar';
import { provisionalDaysWithin } from './provisional-years';
import type { WorkingCalendar } from './working-calendar';

const file = JSON.parse(
  readFileSync(join(__dirname, '../../../../config/calendars/cn-2023-2026.json'), 'utf8'),
) as { coverage: { from: string; to: string }; days: { date: string }[] };

function build(json: unknown, provisionalYears: number): WorkingCalendar {
  const parsed = parseCalendar(json, { provisionalYears });
  if (!parsed.ok) throw new Error(parsed.errors.join('\n'));
  return parsed.value;
}
const bj = (local: string): Date => new Date(`${local.replace(' ', 'T')}:00+08:00`);
const show = (at: Date) => formatInstant(at, 'Asia/Shanghai');
const daysOf = (year: number) => {
  const first = epochDayOf(`${year}-01-01`)!;
  const last = epochDayOf(`${year}-12-31`)!;
  return Array.from({ length: last - first + 1 }, (_, i) => dayOnOfEpochDay(first + i));
};

const official = build(file, 0);
const withProvisional = build(file, 4);

describe('provisional years: the calendar after the last notice, from the law', () => {
  it('covers four years after the official data, and says where the official data ends', () => {
    expect(withProvisional.officialCoverage).toEqual({ fromOn: '2022-12-31', toOn: '2026-12-31' });
    expect(withProvisional.provisional).toEqual({ fromOn: '2027-01-01', toOn: '2030-12-31' });
    expect(withProvisional.coverage).toEqual({ fromOn: '2022-12-31', toOn: '2030-12-31' });
    expect(official.provisional).toBeNull();
    expect(official.officialCoverage).toEqual(official.coverage);
  });

  it.each`
    dayOn           | working  | kind         | name                | provisional
    ${'2026-12-31'} | ${true}  | ${'workday'} | ${null}             | ${false}
    ${'2027-01-01'} | ${false} | ${'holiday'} | ${'元旦'}           | ${true}
    ${'2027-01-04'} | ${true}  | ${'workday'} | ${null}             | ${true}
    ${'2027-02-05'} | ${false} | ${'holiday'} | ${'春节'}           | ${true}
    ${'2027-02-08'} | ${false} | ${'holiday'} | ${'春节'}           | ${true}
    ${'2027-02-09'} | ${true}  | ${'workday'} | ${null}             | ${true}
    ${'2027-05-02'} | ${false} | ${'holiday'} | ${'劳动节'}         | ${true}
    ${'2027-10-04'} | ${true}  | ${'workday'} | ${null}             | ${true}
    ${'2028-10-03'} | ${false} | ${'holiday'} | ${'国庆节、中秋节'} | ${true}
    ${'2030-12-31'} | ${true}  | ${'workday'} | ${null}             | ${true}
  `('$dayOn is $kind $name (provisional: $provisional)', ({ dayOn, ...expected }) => {
    expect(withProvisional.describeDay(dayOn as string)).toMatchObject(expected);
  });

  it('keeps no make-up workday in a provisional year: only the notice has them', () => {
    const makeUp = daysOf(2027).filter(
      (dayOn) => withProvisional.describeDay(dayOn).kind === 'makeup_workday',
    );
    expect(makeUp).toEqual([]);
  });

  it('the provisional 2026 differs from the official 2026 only in the notice’s arrangements', () => {
    // The calendar as it stood before the 2026 notice: official data through 2025.
    const before2026 = build(
      {
        ...file,
        coverage: { from: file.coverage.from, to: '2025-12-31' },
        days: file.days.filter((d) => d.date <= '2025-12-31'),
      },
      1,
    );
    const differences = daysOf(2026)
      .filter((dayOn) => before2026.isWorkingDay(dayOn) !== official.isWorkingDay(dayOn))
      .map((dayOn) => {
        const day = official.describeDay(dayOn);
        return `${dayOn} ${day.working ? '调休上班' : '调休放假'} ${day.name}`;
      });
    expect(differences).toEqual([
      '2026-01-02 调休放假 元旦',
      '2026-01-04 调休上班 元旦',
      '2026-02-14 调休上班 春节',
      '2026-02-20 调休放假 春节',
      '2026-02-23 调休放假 春节',
      '2026-02-28 调休上班 春节',
      '2026-04-06 调休放假 清明节', // 补休: 清明 fell on Sunday 04-05
      '2026-05-04 调休放假 劳动节',
      '2026-05-05 调休放假 劳动节',
      '2026-05-09 调休上班 劳动节',
      '2026-09-20 调休上班 国庆节',
      '2026-10-05 调休放假 国庆节',
      '2026-10-06 调休放假 国庆节',
      '2026-10-07 调休放假 国庆节',
      '2026-10-10 调休上班 国庆节',
    ]);
    // And every provisional holiday is an official one.
    const provisionalHolidays = daysOf(2026).filter(
      (dayOn) => before2026.describeDay(dayOn).kind === 'holiday',
    );
    expect(provisionalHolidays.filter((d) => official.describeDay(d).kind !== 'holiday')).toEqual(
      [],
    );
    expect(provisionalHolidays).toHaveLength(13);
  });

  it.each`
    what                                                  | from                  | to                    | span
    ${'an interval inside the official data'}             | ${'2026-12-28 10:00'} | ${'2026-12-31 10:00'} | ${null}
    ${'an interval ending at 24:00 of 2026-12-31'}        | ${'2026-12-28 10:00'} | ${'2027-01-01 00:00'} | ${null}
    ${'an interval across the new year'}                  | ${'2026-12-28 10:00'} | ${'2027-01-07 10:00'} | ${{ fromOn: '2027-01-01', toOn: '2027-01-07' }}
    ${'an interval inside the provisional days'}          | ${'2027-03-01 09:00'} | ${'2027-03-02 09:00'} | ${{ fromOn: '2027-03-01', toOn: '2027-03-02' }}
    ${'an instant (empty interval) on a provisional day'} | ${'2027-03-01 09:00'} | ${'2027-03-01 09:00'} | ${{ fromOn: '2027-03-01', toOn: '2027-03-01' }}
  `('provisionalSpan: $what → $span', ({ from, to, span }) => {
    expect(withProvisional.provisionalSpan(bj(from as string), bj(to as string))).toEqual(span);
  });

  it('counts working time across the new year on the provisional days: 7 working days from 2026-12-28 10:00', () => {
    // 12-28…31 (4 days from 10:00), 2027-01-01 元旦 and the weekend skipped, 01-04…07.
    expect(show(withProvisional.addWorkingRolling(bj('2026-12-28 10:00'), 7 * 1440))).toBe(
      '2027-01-07T10:00:00+08:00',
    );
  });

  it('refuses an impossible number of provisional years, listing the problem', () => {
    expect(parseCalendar(file, { provisionalYears: -1 })).toEqual({
      ok: false,
      errors: [expect.stringContaining('provisional years')],
    });
  });
});

describe('provisionalDaysWithin: a report over provisional days says so', () => {
  it.each`
    fromOn          | toOn            | within
    ${'2026-12-01'} | ${'2026-12-31'} | ${null}
    ${'2026-12-01'} | ${'2027-01-31'} | ${{ fromOn: '2027-01-01', toOn: '2027-01-31' }}
    ${'2027-03-01'} | ${'2027-03-31'} | ${{ fromOn: '2027-03-01', toOn: '2027-03-31' }}
    ${'2031-01-01'} | ${'2031-01-31'} | ${null}
  `('$fromOn…$toOn → $within', ({ fromOn, toOn, within }) => {
    expect(
      provisionalDaysWithin(withProvisional.provisional, fromOn as string, toOn as string),
    ).toEqual(within);
  });
});
