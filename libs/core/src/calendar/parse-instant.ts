/**
 * Milliseconds since the epoch of an RFC 3339 instant, exactly as Date.parse reads it, but about
 * ten times faster for the shape the hotline sends (`2023-12-01T09:30:00+08:00`, optional
 * fraction, `Z` or `±HH:MM`). Date.parse costs ~0.3 µs, the largest single cost of computing a
 * million orders' deadlines. Any other shape, or a field out of range, goes to Date.parse.
 */

const ZERO = 48;

function digits(text: string, from: number, count: number): number {
  let value = 0;
  for (let i = from; i < from + count; i += 1) {
    const d = text.charCodeAt(i) - ZERO;
    if (d < 0 || d > 9) return -1;
    value = value * 10 + d;
  }
  return value;
}

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function daysInMonth(year: number, month: number): number {
  if (month === 2 && year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0)) return 29;
  return DAYS_IN_MONTH[month - 1] ?? 31;
}

export function parseInstantMs(text: string): number {
  // YYYY-MM-DDTHH:MM:SS at fixed positions
  if (
    text.length < 20 ||
    text.charCodeAt(4) !== 45 || // -
    text.charCodeAt(7) !== 45 ||
    text.charCodeAt(10) !== 84 || // T
    text.charCodeAt(13) !== 58 || // :
    text.charCodeAt(16) !== 58
  ) {
    return Date.parse(text);
  }
  const year = digits(text, 0, 4);
  const month = digits(text, 5, 2);
  const day = digits(text, 8, 2);
  const hour = digits(text, 11, 2);
  const minute = digits(text, 14, 2);
  const second = digits(text, 17, 2);
  if (
    year < 100 || // Date.UTC would read years 0–99 as 1900–1999
    month < 1 ||
    month > 12 ||
    day < 1 ||
    day > 31 ||
    hour < 0 ||
    hour > 23 ||
    minute < 0 ||
    minute > 59 ||
    second < 0 ||
    second > 59
  ) {
    return Date.parse(text);
  }
  let i = 19;
  let ms = 0;
  if (text.charCodeAt(i) === 46) {
    // fraction: Date.parse keeps milliseconds and truncates the rest
    i += 1;
    const start = i;
    while (i < text.length) {
      const d = text.charCodeAt(i) - ZERO;
      if (d < 0 || d > 9) break;
      if (i - start < 3) ms = ms * 10 + d;
      i += 1;
    }
    const count = i - start;
    if (count === 0) return Date.parse(text);
    if (count === 1) ms *= 100;
    else if (count === 2) ms *= 10;
  }
  let offsetMinutes: number;
  const sign = text.charCodeAt(i);
  if (sign === 90 && i + 1 === text.length) {
    offsetMinutes = 0; // Z
  } else if (
    (sign === 43 || sign === 45) &&
    i + 6 === text.length &&
    text.charCodeAt(i + 3) === 58
  ) {
    const offsetHours = digits(text, i + 1, 2);
    const offsetRest = digits(text, i + 4, 2);
    if (offsetHours < 0 || offsetHours > 23 || offsetRest < 0 || offsetRest > 59) {
      return Date.parse(text);
    }
    offsetMinutes = (sign === 45 ? -1 : 1) * (offsetHours * 60 + offsetRest);
  } else {
    return Date.parse(text);
  }
  if (day > daysInMonth(year, month)) return Date.parse(text);
  return Date.UTC(year, month - 1, day, hour, minute, second, ms) - offsetMinutes * 60_000;
}
