/**
 * Reads the State Council General Office's yearly notice as published (国务院办公厅关于YYYY年部分节假日
 * 安排的通知): its title, document number and date, and each holiday's line —
 *
 *   二、春节：2月15日（农历腊月二十八、周日）至23日（农历正月初七、周一）放假调休，共9天。2月14日（周六）、2月28日（周六）上班。
 *
 * — into the days off (放假) and the make-up workdays (上班) it names. Every problem is listed at
 * once: a line that cannot be read, a weekday in brackets that is not the date's, a "共N天" that
 * does not match the range, a day named twice, a make-up workday that is not a weekend day.
 * Sentences that arrange nothing (鼓励…安排职工在除夕（2月9日）休息, 与周末连休, 不调休) are passed over.
 */
import { dayOnOfEpochDay, epochDayOf, isoWeekdayOfEpochDay } from './day-on';
import type { CalendarDayKind } from './working-calendar';
import type { ValidationResult } from './validation-result';

export interface NoticeDay {
  date: string;
  kind: CalendarDayKind;
  /** The holiday's heading in the notice (春节, 中秋节、国庆节 …). */
  name: string;
}

export interface HolidayNoticeItem {
  name: string;
  /** The days off (放假), in order. */
  holidays: string[];
  /** The make-up workdays (调休上班), in order. */
  workdays: string[];
}

export interface HolidayNotice {
  /** The year the notice arranges (from its title). */
  year: number;
  title: string;
  /** 国办发明电〔2024〕12号, when the text carries it. */
  number: string | null;
  /** The date it was issued (its closing line), `YYYY-MM-DD`; null when the text lacks it. */
  issuedOn: string | null;
  items: HolidayNoticeItem[];
  /** Every day the notice names, in date order. */
  days: NoticeDay[];
}

const TITLE = /国务院办公厅关于(\d{4})年部分节假日安排的通知/;
const NUMBER = /国办发明电〔\d{4}〕\d+号/;
const ISSUED = /^(\d{4})年(\d{1,2})月(\d{1,2})日$/;
const ITEM = /^[一二三四五六七八九十]+、([^：:]+)[：:](.+)$/;
/** A date as the notices write it: [YYYY年][M月]D日[（…）]. */
const DATE = /^(?:(\d{4})年)?(?:(\d{1,2})月)?(\d{1,2})日(?:（([^）]*)）)?/;
const WEEKDAYS: Record<string, number> = { 一: 1, 二: 2, 三: 3, 四: 4, 五: 5, 六: 6, 日: 7, 天: 7 };

interface ParsedDate {
  year: number | null;
  month: number | null;
  day: number;
  /** ISO weekday named in the brackets (周日, 星期六), if any. */
  weekday: number | null;
  length: number;
}

function readDate(text: string): ParsedDate | null {
  const match = DATE.exec(text);
  if (!match) return null;
  const weekday = /(?:周|星期)([一二三四五六日天])/.exec(match[4] ?? '');
  return {
    year: match[1] === undefined ? null : Number(match[1]),
    month: match[2] === undefined ? null : Number(match[2]),
    day: Number(match[3]),
    weekday: weekday ? (WEEKDAYS[weekday[1] ?? ''] ?? null) : null,
    length: match[0].length,
  };
}

const pad = (n: number) => String(n).padStart(2, '0');

/** The epoch day of a parsed date, its year and month defaulting to `context`'s; errors collected. */
function resolveDate(
  date: ParsedDate,
  context: { year: number; month: number | null },
  where: string,
  errors: string[],
): number | null {
  const month = date.month ?? context.month;
  if (month === null) {
    errors.push(`${where}: ${date.day}日 has no month`);
    return null;
  }
  const year = date.year ?? context.year;
  const dayOn = `${year}-${pad(month)}-${pad(date.day)}`;
  const epochDay = epochDayOf(dayOn);
  if (epochDay === null) {
    errors.push(`${where}: ${dayOn} is not a date`);
    return null;
  }
  if (date.weekday !== null && isoWeekdayOfEpochDay(epochDay) !== date.weekday) {
    errors.push(`${where}: ${dayOn} is not the weekday the notice gives it`);
  }
  return epochDay;
}

/** "2月15日（…）至23日（…）放假…，共9天" → the days of the range. */
function readHolidays(sentence: string, year: number, where: string, errors: string[]): string[] {
  const head = sentence.slice(0, sentence.indexOf('放假'));
  const first = readDate(head);
  if (!first) {
    errors.push(`${where}: no date before 放假 in "${sentence}"`);
    return [];
  }
  const start = resolveDate(first, { year, month: null }, where, errors);
  let end = start;
  const rest = head.slice(first.length);
  if (rest.startsWith('至')) {
    const second = readDate(rest.slice(1));
    if (!second) {
      errors.push(`${where}: no date after 至 in "${sentence}"`);
      return [];
    }
    const startYear = first.year ?? year;
    end = resolveDate(second, { year: startYear, month: first.month }, where, errors);
  } else if (rest.trim() !== '') {
    errors.push(`${where}: cannot read "${head}"`);
    return [];
  }
  if (start === null || end === null) return [];
  if (end < start || end - start > 31) {
    errors.push(`${where}: the range in "${sentence}" runs backwards or is too long`);
    return [];
  }
  const days = Array.from({ length: end - start + 1 }, (_, i) => dayOnOfEpochDay(start + i));
  const stated = /(?:共|放假)(\d+)天/.exec(sentence);
  if (stated && Number(stated[1]) !== days.length) {
    errors.push(`${where}: the notice says ${stated[1]} days, the range has ${days.length}`);
  }
  return days;
}

/** "2月14日（周六）、2月28日（周六）上班" → the days, each a weekend day. */
function readWorkdays(sentence: string, year: number, where: string, errors: string[]): string[] {
  const days: string[] = [];
  let text = sentence.slice(0, sentence.lastIndexOf('上班'));
  let month: number | null = null;
  while (text.length > 0) {
    const date = readDate(text);
    if (!date) {
      errors.push(`${where}: cannot read the make-up workdays in "${sentence}"`);
      return days;
    }
    const epochDay = resolveDate(date, { year, month }, where, errors);
    month = date.month ?? month;
    if (epochDay !== null) {
      if (isoWeekdayOfEpochDay(epochDay) < 6) {
        errors.push(`${where}: make-up workday ${dayOnOfEpochDay(epochDay)} is not a weekend day`);
      }
      days.push(dayOnOfEpochDay(epochDay));
    }
    text = text.slice(date.length).replace(/^[、，,和及\s]+/, '');
  }
  return days;
}

function readItem(
  name: string,
  body: string,
  year: number,
  errors: string[],
): HolidayNoticeItem | null {
  const where = name;
  const item: HolidayNoticeItem = { name, holidays: [], workdays: [] };
  for (const raw of body.split('。')) {
    const sentence = raw.trim();
    if (sentence === '') continue;
    if (/^\d/.test(sentence) && sentence.includes('放假') && item.holidays.length === 0) {
      item.holidays = readHolidays(sentence, year, where, errors);
    } else if (/^\d/.test(sentence) && sentence.endsWith('上班')) {
      item.workdays.push(...readWorkdays(sentence, year, where, errors));
    }
  }
  if (item.holidays.length === 0) {
    errors.push(`${where}: no days off found in "${body}"`);
    return null;
  }
  return item;
}

/** Parses the notice's text (as published: title, number, the numbered holidays, date). */
export function parseHolidayNotice(text: string): ValidationResult<HolidayNotice> {
  const errors: string[] = [];
  const lines = text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '');
  const titleLine = lines.find((line) => TITLE.test(line));
  const titleMatch = titleLine === undefined ? null : TITLE.exec(titleLine);
  if (!titleMatch) {
    return { ok: false, errors: ['no title 国务院办公厅关于YYYY年部分节假日安排的通知 found'] };
  }
  const year = Number(titleMatch[1]);
  const number = lines.map((line) => NUMBER.exec(line)?.[0]).find((n) => n !== undefined) ?? null;
  const issued = [...lines]
    .reverse()
    .map((line) => ISSUED.exec(line))
    .find((m) => m !== null);
  const issuedOn = issued
    ? `${issued[1]}-${pad(Number(issued[2]))}-${pad(Number(issued[3]))}`
    : null;
  if (issuedOn !== null && epochDayOf(issuedOn) === null) errors.push(`${issuedOn} is not a date`);

  const items: HolidayNoticeItem[] = [];
  for (const line of lines) {
    const match = ITEM.exec(line);
    if (!match) continue;
    const item = readItem((match[1] ?? '').trim(), match[2] ?? '', year, errors);
    if (item) items.push(item);
  }
  if (items.length === 0) errors.push('no holiday lines (一、元旦：…) found');

  const days: NoticeDay[] = [];
  const seen = new Map<string, string>();
  for (const item of items) {
    const named: [string, CalendarDayKind][] = [
      ...item.holidays.map((date): [string, CalendarDayKind] => [date, 'holiday']),
      ...item.workdays.map((date): [string, CalendarDayKind] => [date, 'workday']),
    ];
    for (const [date, kind] of named) {
      const other = seen.get(date);
      if (other !== undefined) {
        errors.push(`${item.name}: ${date} is already named under ${other}`);
        continue;
      }
      seen.set(date, item.name);
      // A notice arranges its own year and, for 元旦, the last days of the year before.
      if (date < `${year - 1}-12-01` || date > `${year}-12-31`) {
        errors.push(`${item.name}: ${date} is outside the notice's year ${year}`);
      }
      days.push({ date, kind, name: item.name });
    }
  }
  days.sort((a, b) => a.date.localeCompare(b.date));
  if (errors.length > 0) return { ok: false, errors };
  return {
    ok: true,
    value: { year, title: titleMatch[0], number, issuedOn, items, days },
  };
}
