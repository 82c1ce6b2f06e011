/**
 * When a notice goes out (`now` is passed in; local times are the calendar's zone):
 *
 * - at once: levels 2 and 3, and any level for a life-safety (危及生命财产安全) or utility (水电气热)
 *   order; also level 1 when its route has no digest;
 * - level 1 with `digest: true`: at the next digest time (`digestTimes`) on a working day, so the
 *   warnings of a morning reach the liaison as one message, and none on a holiday;
 * - quiet hours of the level, [from, to) local time: the notice waits until `to`. Level 3 has none
 *   (the file is refused otherwise), and a life-safety order ignores them.
 */
import { dayOnOfEpochDay, epochDayOf } from '../calendar/day-on';
import type { WorkingCalendar } from '../calendar/working-calendar';
import type { Urgency } from '../events/work-order-event';
import type { NotificationRouting, QuietHours } from './notification-routing';

const MINUTE_MS = 60_000;
/** How far ahead a digest time is looked for (the longest holiday is 8 days). */
const DIGEST_SEARCH_DAYS = 40;

export interface NoticeTiming {
  sendAt: Date;
  /** Grouped with the recipient's other level-1 notices of the same digest time. */
  digest: boolean;
  why: 'immediate' | 'digest' | 'quiet_hours';
}

function minutesOf(clock: string): number {
  const [h, m] = clock.split(':').map(Number);
  return h! * 60 + m!;
}

/** The local day and minute of the day of `at`. */
function localTime(at: Date, calendar: WorkingCalendar): { dayOn: string; minute: number } {
  const dayOn = calendar.dayOnOf(at);
  const minute = Math.floor((at.getTime() - calendar.startOfDay(dayOn).getTime()) / MINUTE_MS);
  return { dayOn, minute };
}

function atLocal(dayOn: string, minute: number, calendar: WorkingCalendar): Date {
  return new Date(calendar.startOfDay(dayOn).getTime() + minute * MINUTE_MS);
}

function addDays(dayOn: string, days: number): string {
  return dayOnOfEpochDay(epochDayOf(dayOn)! + days);
}

/** The first digest time at or after `at` on a working day. */
export function nextDigestAt(
  at: Date,
  digestTimes: readonly string[],
  calendar: WorkingCalendar,
): Date {
  const minutes = digestTimes.map(minutesOf).sort((a, b) => a - b);
  const start = calendar.dayOnOf(at);
  for (let day = 0; day < DIGEST_SEARCH_DAYS; day += 1) {
    const dayOn = addDays(start, day);
    if (!calendar.isWorkingDay(dayOn)) continue;
    for (const minute of minutes) {
      const slot = atLocal(dayOn, minute, calendar);
      if (slot.getTime() >= at.getTime()) return slot;
    }
  }
  // Unreachable with any real calendar; an operator would rather get the notice than lose it.
  return at;
}

/** `at` itself outside the quiet hours, else the instant they end. */
export function afterQuietHours(at: Date, quiet: QuietHours, calendar: WorkingCalendar): Date {
  const from = minutesOf(quiet.from);
  const to = minutesOf(quiet.to);
  if (from === to) return at;
  const { dayOn, minute } = localTime(at, calendar);
  if (from < to) return minute >= from && minute < to ? atLocal(dayOn, to, calendar) : at;
  // Across midnight: [from, 24:00) ends tomorrow at `to`, [00:00, to) today.
  if (minute >= from) return atLocal(addDays(dayOn, 1), to, calendar);
  if (minute < to) return atLocal(dayOn, to, calendar);
  return at;
}

export function noticeTiming(
  routing: Pick<NotificationRouting, 'levels' | 'digestTimes'>,
  notice: { level: number; urgency: Urgency | null },
  now: Date,
  calendar: WorkingCalendar,
): NoticeTiming {
  const level = String(Math.min(3, Math.max(1, notice.level))) as '1' | '2' | '3';
  const route = routing.levels[level];
  const pressing = notice.urgency === 'life_safety' || notice.urgency === 'utility';
  if (level === '1' && route.digest && !pressing) {
    return {
      sendAt: nextDigestAt(now, routing.digestTimes, calendar),
      digest: true,
      why: 'digest',
    };
  }
  if (route.quietHours === undefined || level === '3' || notice.urgency === 'life_safety') {
    return { sendAt: now, digest: false, why: 'immediate' };
  }
  const sendAt = afterQuietHours(now, route.quietHours, calendar);
  return sendAt.getTime() === now.getTime()
    ? { sendAt, digest: false, why: 'immediate' }
    : { sendAt, digest: false, why: 'quiet_hours' };
}
