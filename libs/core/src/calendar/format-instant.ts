import { tzOffset } from '@date-fns/tz';
import { InvalidCalendarArgumentError } from './calendar-errors';

const MINUTE_MS = 60_000;
const HOUR_MS = 3_600_000;
/** Cached hours, all zones together; cleared when full (a burst formats a few hundred hours). */
const CACHED_HOURS_MAX = 10_000;
const offsetsByHour = new Map<string, number | null>();

/**
 * The zone's UTC offset in minutes at `ms`, as `tzOffset` gives it, asking Intl once per zone and
 * UTC hour: an hour whose first and last millisecond have the same offset has it throughout (no
 * zone changes its offset twice within an hour), and an hour with a change in it is asked per call.
 */
function offsetMinutesAt(timeZone: string, ms: number): number {
  const hourStart = Math.floor(ms / HOUR_MS) * HOUR_MS;
  const key = `${timeZone}|${hourStart}`;
  let offset = offsetsByHour.get(key);
  if (offset === undefined) {
    const first = tzOffset(timeZone, new Date(hourStart));
    const last = tzOffset(timeZone, new Date(hourStart + HOUR_MS - 1));
    offset = first === last ? first : null;
    if (offsetsByHour.size >= CACHED_HOURS_MAX) offsetsByHour.clear();
    offsetsByHour.set(key, offset);
  }
  return offset ?? tzOffset(timeZone, new Date(ms));
}

function pad(value: number, width = 2): string {
  return String(value).padStart(width, '0');
}

/** `00` … `99`: the two-digit fields, without a string made per call. */
const TWO_DIGITS = Array.from({ length: 100 }, (_, n) => pad(n));

function twoDigits(value: number): string {
  return TWO_DIGITS[value] ?? pad(value);
}

/**
 * The texts of recent instants, per zone, cleared when full: one escalation's message names its
 * firing, due and change instants, usually one instant, and the deadlines of a burst fall on a
 * few (a rule's limit from the same dispatch, the start of a working day).
 */
const CACHED_INSTANTS_MAX = 4096;
const textsByZone = new Map<string, Map<number, string>>();

/**
 * RFC 3339 with the zone's offset at that instant, e.g. `2024-02-18T10:00:00+08:00`;
 * milliseconds are written only when not zero. Independent of the process's time zone.
 */
export function formatInstant(at: Date, timeZone: string): string {
  const ms = at.getTime();
  if (Number.isNaN(ms)) throw new InvalidCalendarArgumentError('cannot format an invalid Date');
  let texts = textsByZone.get(timeZone);
  const cached = texts?.get(ms);
  if (cached !== undefined) return cached;
  const text = instantText(ms, timeZone);
  if (texts === undefined) textsByZone.set(timeZone, (texts = new Map<number, string>()));
  else if (texts.size >= CACHED_INSTANTS_MAX) texts.clear();
  texts.set(ms, text);
  return text;
}

function instantText(ms: number, timeZone: string): string {
  const offsetMinutes = offsetMinutesAt(timeZone, ms);
  if (!Number.isFinite(offsetMinutes)) {
    throw new InvalidCalendarArgumentError(`unknown time zone ${JSON.stringify(timeZone)}`);
  }
  // Shift by the offset and read the UTC fields: the wall-clock time in `timeZone`.
  const local = new Date(ms + offsetMinutes * MINUTE_MS);
  const fraction = local.getUTCMilliseconds() === 0 ? '' : `.${pad(local.getUTCMilliseconds(), 3)}`;
  const sign = offsetMinutes < 0 ? '-' : '+';
  const absolute = Math.abs(offsetMinutes);
  return (
    `${pad(local.getUTCFullYear(), 4)}-${twoDigits(local.getUTCMonth() + 1)}-${twoDigits(local.getUTCDate())}` +
    `T${twoDigits(local.getUTCHours())}:${twoDigits(local.getUTCMinutes())}:${twoDigits(local.getUTCSeconds())}` +
    `${fraction}${sign}${twoDigits(Math.floor(absolute / 60))}:${twoDigits(absolute % 60)}`
  );
}

/**
 * The calendar day (`YYYY-MM-DD`) an instant falls on in `timeZone`: the day statistics name an
 * instant by (the rollup's facts, the escalations' `fired_on`).
 */
export function dayOnInZone(at: Date, timeZone: string): string {
  return formatInstant(at, timeZone).slice(0, 10);
}

const DAY_MS = 86_400_000;
/** Years toISOString writes with four digits; others (and invalid Dates) are left to it. */
const FIRST_FAST_MS = new Date('0000-01-01T00:00:00.000Z').getTime();
const LAST_FAST_MS = Date.UTC(9999, 11, 31, 23, 59, 59, 999);

/** `000`…`999`: the milliseconds field. */
const THREE_DIGITS = Array.from({ length: 1000 }, (_, n) => pad(n, 3));

/**
 * Exactly `at.toISOString()` (`2024-03-05T01:00:00.000Z`), about three times faster: the civil
 * date from the day number by arithmetic (days since 1970 → year, month, day) instead of the
 * engine's general date fields. Every instant written to PostgreSQL goes through here (the
 * batches' instant arrays, the order rows' JSON documents), a few dozen per order.
 */
export function isoInstant(at: Date): string {
  const ms = at.getTime();
  if (!(ms >= FIRST_FAST_MS && ms <= LAST_FAST_MS)) return at.toISOString();
  const days = Math.floor(ms / DAY_MS);
  const inDay = ms - days * DAY_MS;
  // Civil date from days since 1970-01-01 (H. Hinnant's days_from_civil inverse, proleptic Gregorian).
  const z = days + 719_468;
  const era = Math.floor(z / 146_097);
  const dayOfEra = z - era * 146_097;
  const yearOfEra = Math.floor(
    (dayOfEra -
      Math.floor(dayOfEra / 1460) +
      Math.floor(dayOfEra / 36_524) -
      Math.floor(dayOfEra / 146_096)) /
      365,
  );
  const dayOfYear =
    dayOfEra - (365 * yearOfEra + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100));
  const mp = Math.floor((5 * dayOfYear + 2) / 153);
  const day = dayOfYear - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  const year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0);
  const seconds = Math.floor(inDay / 1000);
  return (
    `${year < 1000 ? pad(year, 4) : year}-${twoDigits(month)}-${twoDigits(day)}` +
    `T${twoDigits(Math.floor(seconds / 3600))}:${twoDigits(Math.floor(seconds / 60) % 60)}:${twoDigits(seconds % 60)}` +
    `.${THREE_DIGITS[inDay - seconds * 1000]}Z`
  );
}
