/**
 * How the year's orders spread over its days and hours. Each day gets a weight (its kind from the
 * working calendar, the month, a little noise), the year's total is shared out exactly by largest
 * remainder, and each order gets an instant from the hour-of-day profile.
 */
import type { WorkingCalendar } from '@hotline/core';
import { Random, WeightedTable } from './random';
import {
  AFTER_LONG_BREAK_WEIGHT,
  DAILY_NOISE,
  DAY_KIND_WEIGHTS,
  HOUR_WEIGHTS,
  LONG_BREAK_DAYS,
  MONTH_WEIGHTS,
  SPRING_FESTIVAL_NAME,
  SPRING_FESTIVAL_WEIGHT,
} from './traffic-mix';

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;

/** Streams of the seed's random numbers (see Random.derive). */
export const RANDOM_STREAMS = { dayVolume: 1, dayInstants: 2, order: 3 } as const;

export interface SimulatedDay {
  /** 0 for 1 January. */
  index: number;
  dayOn: string;
  /** The day is `[startMs, endMs)` in the calendar's zone. */
  startMs: number;
  endMs: number;
  orders: number;
}

function dayOnAt(year: number, index: number): string {
  return new Date(Date.UTC(year, 0, 1) + index * DAY_MS).toISOString().slice(0, 10);
}

function nextDayStartMs(calendar: WorkingCalendar, dayOn: string, startMs: number): number {
  const next = new Date(Date.parse(`${dayOn}T00:00:00Z`) + DAY_MS).toISOString().slice(0, 10);
  // The day after the coverage's last day is not in the calendar: a plain 24 h is right for
  // zones without daylight saving (Asia/Shanghai).
  return next > calendar.coverage.toOn ? startMs + DAY_MS : calendar.startOfDay(next).getTime();
}

/** The year's days with their order counts, summing exactly to `orders`. */
export function planDays(
  calendar: WorkingCalendar,
  seed: number,
  year: number,
  orders: number,
): SimulatedDay[] {
  const random = Random.derive(seed, RANDOM_STREAMS.dayVolume, year);
  const dayCount = Date.UTC(year + 1, 0, 1) / DAY_MS - Date.UTC(year, 0, 1) / DAY_MS;
  const weights: number[] = [];
  const days: SimulatedDay[] = [];
  let restRun = 0;
  let workingSinceBreak = Infinity;
  for (let index = 0; index < dayCount; index += 1) {
    const dayOn = dayOnAt(year, index);
    const day = calendar.describeDay(dayOn);
    let weight =
      day.kind === 'holiday' && day.name === SPRING_FESTIVAL_NAME
        ? SPRING_FESTIVAL_WEIGHT
        : DAY_KIND_WEIGHTS[day.kind];
    if (day.working) {
      if (restRun >= LONG_BREAK_DAYS) workingSinceBreak = 0;
      if (workingSinceBreak < 2) weight *= AFTER_LONG_BREAK_WEIGHT;
      workingSinceBreak += 1;
      restRun = 0;
    } else {
      restRun += 1;
    }
    const month = Number(dayOn.slice(5, 7));
    weight *= (MONTH_WEIGHTS[month - 1] ?? 1) * (1 + DAILY_NOISE * (2 * random.next() - 1));
    weights.push(weight);
    const startMs = calendar.startOfDay(dayOn).getTime();
    days.push({
      index,
      dayOn,
      startMs,
      endMs: nextDayStartMs(calendar, dayOn, startMs),
      orders: 0,
    });
  }

  // Largest remainder: floors first, then one more to the days with the biggest fractions.
  const total = weights.reduce((sum, w) => sum + w, 0);
  const fractions: { index: number; fraction: number }[] = [];
  let assigned = 0;
  days.forEach((day, i) => {
    const quota = (orders * (weights[i] ?? 0)) / total;
    day.orders = Math.floor(quota);
    assigned += day.orders;
    fractions.push({ index: i, fraction: quota - day.orders });
  });
  fractions.sort((a, b) => b.fraction - a.fraction || a.index - b.index);
  for (let k = 0; k < orders - assigned; k += 1) {
    const day = days[(fractions[k % fractions.length] as { index: number }).index];
    if (day) day.orders += 1;
  }
  return days;
}

const HOURS = new WeightedTable(
  HOUR_WEIGHTS.map((_, hour) => hour),
  HOUR_WEIGHTS,
);

/** The day's dispatch instants (whole seconds), in time order. */
export function dispatchInstants(seed: number, day: SimulatedDay): number[] {
  const epochDay = Date.parse(`${day.dayOn}T00:00:00Z`) / DAY_MS;
  const random = Random.derive(seed, RANDOM_STREAMS.dayInstants, epochDay);
  const instants: number[] = [];
  for (let i = 0; i < day.orders; i += 1) {
    const ms = day.startMs + HOURS.pick(random) * HOUR_MS + random.int(0, 3600) * 1000;
    instants.push(Math.min(ms, day.endMs - 1000));
  }
  return instants.sort((a, b) => a - b);
}
