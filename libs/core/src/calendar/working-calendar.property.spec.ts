import fc from 'fast-check';
import { readFileSync } from 'fs';
import { join } from 'path';
import { parseCalendar } from './parse-calendar';
import type { WorkingCalendar } from './working-calendar';

const data = JSON.parse(
  readFileSync(join(__dirname, '../../../../config/calendars/cn-2023-2026.json'), 'utf8'),
) as { days: { date: string; kind: 'holiday' | 'workday' }[] };

function buildCalendar(): WorkingCalendar {
  const parsed = parseCalendar(data);
  if (!parsed.ok) throw new Error(parsed.errors.join('\n'));
  return parsed.value;
}

const calendar = buildCalendar();
const MINUTE = 60_000;
const DAY_MS = 86_400_000;
/** Asia/Shanghai has been UTC+8 all year since 1991: the reference uses the fixed offset. */
const OFFSET_MS = 8 * 3_600_000;

/**
 * A deliberately naive reference: walk day by day, asking the raw notice list (not the
 * calendar's index) whether each day counts.
 */
const notices = new Map(data.days.map((day) => [day.date, day.kind]));
function referenceWorking(dayStartMs: number): boolean {
  const local = new Date(dayStartMs + OFFSET_MS);
  const notice = notices.get(local.toISOString().slice(0, 10));
  if (notice !== undefined) return notice === 'workday';
  const weekday = local.getUTCDay();
  return weekday !== 0 && weekday !== 6;
}
function referenceAddWorking(startMs: number, minutes: number): number {
  let remaining = minutes * MINUTE;
  let t = startMs;
  if (remaining === 0) return t;
  for (;;) {
    const dayStart = Math.floor((t + OFFSET_MS) / DAY_MS) * DAY_MS - OFFSET_MS;
    const dayEnd = dayStart + DAY_MS;
    if (referenceWorking(dayStart)) {
      if (remaining <= dayEnd - t) return t + remaining;
      remaining -= dayEnd - t;
    }
    t = dayEnd;
  }
}

// Instants from 2023-01-01 to 2026-06-30 (leaving room for results inside the coverage), on the
// minute so that day boundaries and exact 00:00 starts come up often.
const instant = fc
  .integer({
    min: Date.parse('2023-01-01T00:00:00+08:00') / MINUTE,
    max: Date.parse('2026-06-30T00:00:00+08:00') / MINUTE,
  })
  .chain((minute) =>
    fc.oneof(
      fc.constant(minute),
      // a local midnight near that minute
      fc.constant(
        Math.floor((minute * MINUTE + OFFSET_MS) / DAY_MS) * (DAY_MS / MINUTE) - OFFSET_MS / MINUTE,
      ),
    ),
  )
  .map((minute) => new Date(minute * MINUTE));
const duration = fc.oneof(
  fc.integer({ min: 0, max: 20 * 1440 }),
  fc.integer({ min: 0, max: 20 }).map((days) => days * 1440),
);

describe('working clock properties (rolling convention)', () => {
  it('agrees with a day-by-day walk over the raw notices', () => {
    fc.assert(
      fc.property(instant, duration, (start, minutes) => {
        expect(calendar.addWorkingRolling(start, minutes).getTime()).toBe(
          referenceAddWorking(start.getTime(), minutes),
        );
      }),
      { numRuns: 2000 },
    );
  });

  it('is additive: add(add(t, a), b) = add(t, a + b)', () => {
    fc.assert(
      fc.property(instant, duration, duration, (start, a, b) => {
        const stepwise = calendar.addWorkingRolling(calendar.addWorkingRolling(start, a), b);
        expect(stepwise.getTime()).toBe(calendar.addWorkingRolling(start, a + b).getTime());
      }),
      { numRuns: 2000 },
    );
  });

  it('is monotonic in the duration and in the start', () => {
    fc.assert(
      fc.property(instant, instant, duration, duration, (s1, s2, a, b) => {
        const [early, late] = s1 <= s2 ? [s1, s2] : [s2, s1];
        const [short, long] = a <= b ? [a, b] : [b, a];
        expect(calendar.addWorkingRolling(early, short).getTime()).toBeLessThanOrEqual(
          calendar.addWorkingRolling(early, long).getTime(),
        );
        expect(calendar.addWorkingRolling(early, short).getTime()).toBeLessThanOrEqual(
          calendar.addWorkingRolling(late, short).getTime(),
        );
      }),
      { numRuns: 2000 },
    );
  });

  it('never ends strictly inside a non-working day (only at the 00:00 that starts it)', () => {
    fc.assert(
      fc.property(instant, fc.integer({ min: 1, max: 20 * 1440 }), (start, minutes) => {
        const due = calendar.addWorkingRolling(start, minutes);
        const dayOn = calendar.dayOnOf(due);
        if (!calendar.isWorkingDay(dayOn)) {
          expect(due.getTime()).toBe(calendar.startOfDay(dayOn).getTime());
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('measures back what it added: workingMinutesBetween(t, add(t, a)) = a', () => {
    fc.assert(
      fc.property(instant, duration, (start, minutes) => {
        const due = calendar.addWorkingRolling(start, minutes);
        expect(calendar.workingMinutesBetween(start, due)).toBe(minutes);
      }),
      { numRuns: 2000 },
    );
  });

  it('finds the warning instant with exactly the asked working time left before a due instant', () => {
    fc.assert(
      fc.property(
        instant,
        fc.integer({ min: 1, max: 10 * 1440 }),
        fc.integer({ min: 0, max: 1440 }),
        (start, limit, lead) => {
          const due = calendar.addWorkingRolling(start, limit + lead);
          const warningAt = calendar.workingInstantBefore(due, lead);
          expect(calendar.workingMinutesBetween(warningAt, due)).toBe(lead);
          // and it is the earliest such instant: one minute earlier leaves more than `lead`
          expect(
            calendar.workingMinutesBetween(new Date(warningAt.getTime() - MINUTE), due),
          ).toBeGreaterThan(lead);
        },
      ),
      { numRuns: 2000 },
    );
  });
});

describe('next-day convention properties', () => {
  it('ends at 00:00 after the Nth working day counted from the day after the start', () => {
    fc.assert(
      fc.property(instant, fc.integer({ min: 1, max: 15 }), (start, days) => {
        const due = calendar.addWorkingNextDay(start, days);
        const lastDay = calendar.dayOnOf(new Date(due.getTime() - 1));
        expect(calendar.startOfDay(calendar.dayOnOf(due)).getTime()).toBe(due.getTime());
        expect(calendar.isWorkingDay(lastDay)).toBe(true);
        const counted = calendar
          .daysOverlapping(calendar.startOfDay(calendar.dayOnOf(start)), due)
          .slice(1)
          .filter((day) => day.working).length;
        expect(counted).toBe(days);
      }),
      { numRuns: 1000 },
    );
  });
});
