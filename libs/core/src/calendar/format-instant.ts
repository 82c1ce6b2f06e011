import { tzOffset } from '@date-fns/tz';
import { InvalidCalendarArgumentError } from './calendar-errors';

const MINUTE_MS = 60_000;

function pad(value: number, width = 2): string {
  return String(value).padStart(width, '0');
}

/**
 * RFC 3339 with the zone's offset at that instant, e.g. `2024-02-18T10:00:00+08:00`;
 * milliseconds are written only when not zero. Independent of the process's time zone.
 */
export function formatInstant(at: Date, timeZone: string): string {
  const ms = at.getTime();
  if (Number.isNaN(ms)) throw new InvalidCalendarArgumentError('cannot format an invalid Date');
  const offsetMinutes = tzOffset(timeZone, at);
  if (!Number.isFinite(offsetMinutes)) {
    throw new InvalidCalendarArgumentError(`unknown time zone ${JSON.stringify(timeZone)}`);
  }
  // Shift by the offset and read the UTC fields: the wall-clock time in `timeZone`.
  const local = new Date(ms + offsetMinutes * MINUTE_MS);
  const fraction = local.getUTCMilliseconds() === 0 ? '' : `.${pad(local.getUTCMilliseconds(), 3)}`;
  const sign = offsetMinutes < 0 ? '-' : '+';
  const absolute = Math.abs(offsetMinutes);
  return (
    `${pad(local.getUTCFullYear(), 4)}-${pad(local.getUTCMonth() + 1)}-${pad(local.getUTCDate())}` +
    `T${pad(local.getUTCHours())}:${pad(local.getUTCMinutes())}:${pad(local.getUTCSeconds())}` +
    `${fraction}${sign}${pad(Math.floor(absolute / 60))}:${pad(absolute % 60)}`
  );
}
