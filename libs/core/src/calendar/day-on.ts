/**
 * Calendar days as `YYYY-MM-DD` strings and as epoch-day numbers (days since 1970-01-01). Pure
 * proleptic-Gregorian arithmetic on UTC fields: no time zone is involved in naming a day.
 */

const DAY_MS = 86_400_000;
const DAY_ON = /^(\d{4})-(\d{2})-(\d{2})$/;

/** The epoch-day number of a `YYYY-MM-DD` day, or null if the text is not a real date. */
export function epochDayOf(dayOn: string): number | null {
  const match = DAY_ON.exec(dayOn);
  if (!match) return null;
  const [, y, m, d] = match as unknown as [string, string, string, string];
  const year = Number(y);
  const month = Number(m);
  const day = Number(d);
  const ms = Date.UTC(year, month - 1, day);
  const check = new Date(ms);
  if (
    check.getUTCFullYear() !== year ||
    check.getUTCMonth() !== month - 1 ||
    check.getUTCDate() !== day
  ) {
    return null;
  }
  return ms / DAY_MS;
}

export function dayOnOfEpochDay(epochDay: number): string {
  return new Date(epochDay * DAY_MS).toISOString().slice(0, 10);
}

/** ISO weekday: 1 = Monday … 7 = Sunday. */
export function isoWeekdayOfEpochDay(epochDay: number): number {
  // 1970-01-01 was a Thursday (ISO 4).
  return ((((epochDay + 3) % 7) + 7) % 7) + 1;
}
