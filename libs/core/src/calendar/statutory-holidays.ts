/**
 * The statutory public holidays (全体公民放假的节日) of 《全国年节及纪念日放假办法》 for a year, as
 * the law in force that year defines them, before any State Council notice arranges them:
 *
 * | holiday | 2014–2024 (国务院令第644号) | from 2025 (国务院令第795号, amended 2024-11-10) |
 * |---|---|---|
 * | 元旦 | 1 January | 1 January |
 * | 春节 | 正月初一 to 初三 | 除夕 and 正月初一 to 初三 (4 days) |
 * | 清明节 | the day of the solar term 清明 | the same |
 * | 劳动节 | 1 May | 1–2 May |
 * | 端午节 | 五月初五 | the same |
 * | 中秋节 | 八月十五 | the same |
 * | 国庆节 | 1–3 October | the same |
 *
 * The notice (国务院办公厅关于YYYY年部分节假日安排的通知) only adds to these: bridge days (调休放假),
 * days in lieu of a holiday on a weekend (补休) and make-up workdays (调休上班), none of which the law
 * fixes. So a year computed from this alone is provisional: every statutory day is a holiday in the
 * notice, but the notice's other days off and its make-up workdays are unknown until it is out.
 */
import { InvalidCalendarArgumentError } from './calendar-errors';
import { dayOnOfEpochDay, epochDayOf } from './day-on';
import { lunarDayOn, qingmingDayOn } from './lunar-dates';

/** The first year of the current law's holidays (the 2013 revision took effect 2014-01-01). */
const FIRST_YEAR = 2014;
/** 国务院令第795号 (2024 revision): 除夕 and 2 May added from 2025-01-01. */
const AMENDED_FROM_YEAR = 2025;

export interface StatutoryHoliday {
  dayOn: string;
  /** As the notices name it: 元旦, 春节, 清明节, 劳动节, 端午节, 中秋节, 国庆节. */
  name: string;
}

function daysFrom(firstOn: string, count: number): string[] {
  const first = epochDayOf(firstOn);
  if (first === null) throw new InvalidCalendarArgumentError(`not a day: ${firstOn}`);
  return Array.from({ length: count }, (_, i) => dayOnOfEpochDay(first + i));
}

/**
 * The statutory holidays of `year`, in date order. A day two holidays share (中秋 on 1–3 October)
 * is listed once, named after both as the notices do (国庆节、中秋节).
 */
export function statutoryHolidays(year: number): StatutoryHoliday[] {
  if (!Number.isInteger(year) || year < FIRST_YEAR) {
    throw new InvalidCalendarArgumentError(
      `statutory holidays are computed from ${FIRST_YEAR} on (the law in force since), not ${year}`,
    );
  }
  const amended = year >= AMENDED_FROM_YEAR;
  const y = String(year);
  const springFestival = lunarDayOn(year, 1, 1);
  const springFestivalEve = dayOnOfEpochDay((epochDayOf(springFestival) ?? 0) - 1);
  const named: [string, string[]][] = [
    ['元旦', [`${y}-01-01`]],
    [
      '春节',
      amended ? [springFestivalEve, ...daysFrom(springFestival, 3)] : daysFrom(springFestival, 3),
    ],
    ['清明节', [qingmingDayOn(year)]],
    ['劳动节', daysFrom(`${y}-05-01`, amended ? 2 : 1)],
    ['端午节', [lunarDayOn(year, 5, 5)]],
    ['国庆节', daysFrom(`${y}-10-01`, 3)],
    ['中秋节', [lunarDayOn(year, 8, 15)]],
  ];
  const byDay = new Map<string, string>();
  for (const [name, days] of named) {
    for (const dayOn of days) {
      const other = byDay.get(dayOn);
      byDay.set(dayOn, other === undefined ? name : `${other}、${name}`);
    }
  }
  return [...byDay.entries()]
    .filter(([dayOn]) => dayOn.startsWith(y))
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([dayOn, name]) => ({ dayOn, name }));
}
