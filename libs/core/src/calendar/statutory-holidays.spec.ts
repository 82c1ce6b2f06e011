import { readFileSync } from 'fs';
import { join } from 'path';
import { statutoryHolidays } from './statutory-holidays';

interface FileDay {
  date: string;
  kind: 'holiday' | 'workday';
  name: string;
  noticeYear: number;
}
const official = (
  JSON.parse(
    readFileSync(join(__dirname, '../../../../config/calendars/cn-2023-2026.json'), 'utf8'),
  ) as { days: FileDay[] }
).days;

describe('statutoryHolidays: 《全国年节及纪念日放假办法》 for a year', () => {
  it.each`
    year    | eve             | springFestival  | qingming        | dragonBoat      | midAutumn
    ${2023} | ${'2023-01-21'} | ${'2023-01-22'} | ${'2023-04-05'} | ${'2023-06-22'} | ${'2023-09-29'}
    ${2024} | ${'2024-02-09'} | ${'2024-02-10'} | ${'2024-04-04'} | ${'2024-06-10'} | ${'2024-09-17'}
    ${2025} | ${'2025-01-28'} | ${'2025-01-29'} | ${'2025-04-04'} | ${'2025-05-31'} | ${'2025-10-06'}
    ${2026} | ${'2026-02-16'} | ${'2026-02-17'} | ${'2026-04-05'} | ${'2026-06-19'} | ${'2026-09-25'}
    ${2027} | ${'2027-02-05'} | ${'2027-02-06'} | ${'2027-04-05'} | ${'2027-06-09'} | ${'2027-09-15'}
    ${2030} | ${'2030-02-02'} | ${'2030-02-03'} | ${'2030-04-05'} | ${'2030-06-05'} | ${'2030-09-12'}
  `(
    '$year: 除夕 $eve, 春节 $springFestival, 清明 $qingming, 端午 $dragonBoat, 中秋 $midAutumn',
    ({ year, eve, springFestival, qingming, dragonBoat, midAutumn }) => {
      const days = new Map(statutoryHolidays(year as number).map((d) => [d.dayOn, d.name]));
      // 除夕 is a statutory holiday from 2025 (国务院令第795号), not before.
      expect(days.get(eve as string)).toBe((year as number) >= 2025 ? '春节' : undefined);
      expect(days.get(springFestival as string)).toBe('春节');
      expect(days.get(qingming as string)).toBe('清明节');
      expect(days.get(dragonBoat as string)).toBe('端午节');
      expect(days.get(midAutumn as string)).toBe('中秋节');
    },
  );

  it.each`
    year    | count | mayDays
    ${2024} | ${11} | ${['2024-05-01']}
    ${2025} | ${13} | ${['2025-05-01', '2025-05-02']}
    ${2027} | ${13} | ${['2027-05-01', '2027-05-02']}
  `(
    '$year has $count statutory days (the 2024 amendment added 除夕 and 2 May from 2025)',
    ({ year, count, mayDays }) => {
      const days = statutoryHolidays(year as number);
      expect(days).toHaveLength(count as number);
      expect(days.filter((d) => d.name === '劳动节').map((d) => d.dayOn)).toEqual(mayDays);
      expect(days.filter((d) => d.name === '国庆节').map((d) => d.dayOn)).toEqual([
        `${year}-10-01`,
        `${year}-10-02`,
        `${year}-10-03`,
      ]);
    },
  );

  it('names a day two holidays share after both, as the notices do (中秋 on 3 October 2028)', () => {
    const days = statutoryHolidays(2028);
    expect(days.find((d) => d.dayOn === '2028-10-03')).toEqual({
      dayOn: '2028-10-03',
      name: '国庆节、中秋节',
    });
    expect(days).toHaveLength(12);
  });

  it.each([2023, 2024, 2025, 2026])(
    'every statutory day of %i is a holiday of that year’s official notice (the notice only adds)',
    (year) => {
      const holidays = new Set(
        official.filter((d) => d.noticeYear === year && d.kind === 'holiday').map((d) => d.date),
      );
      const missing = statutoryHolidays(year).filter((d) => !holidays.has(d.dayOn));
      expect(missing).toEqual([]);
    },
  );

  it('refuses a year before the law in force', () => {
    expect(() => statutoryHolidays(2013)).toThrow(
      expect.objectContaining({ code: 'invalid_calendar_argument' }) as Error,
    );
  });
});
