/**
 * The working calendar: which days count on the working clock, and the clock arithmetic on it
 * (domain.md §2). Everything is evaluated in the calendar's IANA zone (Asia/Shanghai), never in
 * the process's zone: day boundaries are computed once with @date-fns/tz when the calendar is
 * built, and every later question is answered from those precomputed arrays.
 *
 * Index: day `i` of the coverage starts at `dayStartMs[i]` (its local 00:00) and ends at
 * `dayStartMs[i + 1]`; days are half-open `[00:00, next 00:00)`. `workingMsBefore[i]` is the
 * working time in days `0 … i-1`, so the working time elapsed up to an instant is one lookup, and
 * "the instant at which X of working time has elapsed" is one binary search. That keeps a deadline
 * computation to a few dozen arithmetic operations, whatever the limit.
 *
 * Rolling convention: a working day counts all of its hours (24 in Asia/Shanghai), a non-working
 * day counts nothing. A working-day limit is a whole number of such days' worth of working time.
 *
 * Provisional days: the days from `provisionalFrom` on were computed from the law, not read from a
 * notice (provisional-years.ts). They count like any other day; `provisionalSpan` says which of
 * them a computation depended on, so that its result can say it is provisional. The natural clock
 * needs no calendar at all: its arithmetic works for any instant.
 */
import { TZDate } from '@date-fns/tz';
import { CalendarOutOfRangeError, InvalidCalendarArgumentError } from './calendar-errors';
import { dayOnOfEpochDay, epochDayOf, isoWeekdayOfEpochDay } from './day-on';

const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;

export const CALENDAR_DAY_KINDS = ['holiday', 'workday'] as const;
/** As the notice says it: a holiday (放假) or a make-up workday (调休上班). */
export type CalendarDayKind = (typeof CALENDAR_DAY_KINDS)[number];

/** The calendar data (config/calendars/*.json) after validation (parse-calendar.ts). */
export interface CalendarDefinition {
  timeZone: string;
  /** Inclusive first and last covered days. */
  coverage: { from: string; to: string };
  days: readonly { date: string; kind: CalendarDayKind; name: string }[];
  source?: string;
  /**
   * The first day computed from the law instead of a notice (withProvisionalYears): every day
   * from it to `coverage.to` is provisional. Never read from a calendar file.
   */
  provisionalFrom?: string;
}

export const DAY_KINDS = ['workday', 'weekend', 'holiday', 'makeup_workday'] as const;
/**
 * `workday`: an ordinary Monday–Friday; `weekend`: an ordinary Saturday/Sunday; `holiday`: a
 * notice's day off (any weekday); `makeup_workday`: a weekend day the notice makes a workday.
 */
export type DayKind = (typeof DAY_KINDS)[number];

export interface DayDescription {
  dayOn: string;
  /** ISO weekday: 1 = Monday … 7 = Sunday. */
  isoWeekday: number;
  working: boolean;
  kind: DayKind;
  /** The notice's name (春节, 国庆节 …) for a holiday or make-up workday; null otherwise. */
  name: string | null;
  /** Computed from the law (statutory holidays and weekends), the notice not loaded yet. */
  provisional: boolean;
}

/** Inclusive first and last days. */
export interface DaySpan {
  readonly fromOn: string;
  readonly toOn: string;
}

export class WorkingCalendar {
  readonly timeZone: string;
  /** Every day the calendar answers for: the official data and the provisional days after it. */
  readonly coverage: DaySpan;
  /** The days the notices give. */
  readonly officialCoverage: DaySpan;
  /** The days computed from the law after the official data; null when there are none. */
  readonly provisional: DaySpan | null;
  readonly source: string | null;

  private readonly firstEpochDay: number;
  private readonly dayCount: number;
  /** Index of the first provisional day; dayCount when there is none. */
  private readonly provisionalIndex: number;
  private readonly days: readonly DayDescription[];
  /** Local 00:00 of each day, plus the end of the last day: length dayCount + 1. */
  private readonly dayStartMs: Float64Array;
  /** Working milliseconds in the days before day i: length dayCount + 1, non-decreasing. */
  private readonly workingMsBefore: Float64Array;
  /** Number of working days before day i: length dayCount + 1, non-decreasing. */
  private readonly workingDaysBefore: Int32Array;

  /** Expects a validated definition (see parseCalendar); throws on a malformed one. */
  constructor(definition: CalendarDefinition) {
    const first = epochDayOf(definition.coverage.from);
    const last = epochDayOf(definition.coverage.to);
    if (first === null || last === null || last < first) {
      throw new InvalidCalendarArgumentError(
        `invalid coverage ${definition.coverage.from}…${definition.coverage.to}`,
      );
    }
    this.timeZone = definition.timeZone;
    this.coverage = Object.freeze({
      fromOn: definition.coverage.from,
      toOn: definition.coverage.to,
    });
    this.source = definition.source ?? null;
    this.firstEpochDay = first;
    this.dayCount = last - first + 1;
    const provisionalFrom =
      definition.provisionalFrom === undefined ? null : epochDayOf(definition.provisionalFrom);
    if (provisionalFrom !== null && (provisionalFrom <= first || provisionalFrom > last)) {
      throw new InvalidCalendarArgumentError(
        `provisional days from ${definition.provisionalFrom} must follow official data inside the coverage`,
      );
    }
    this.provisionalIndex = provisionalFrom === null ? this.dayCount : provisionalFrom - first;
    this.provisional =
      provisionalFrom === null
        ? null
        : Object.freeze({ fromOn: dayOnOfEpochDay(provisionalFrom), toOn: this.coverage.toOn });
    this.officialCoverage = Object.freeze({
      fromOn: this.coverage.fromOn,
      toOn: dayOnOfEpochDay(first + this.provisionalIndex - 1),
    });

    const notices = new Map<number, { kind: CalendarDayKind; name: string }>();
    for (const day of definition.days) {
      const epochDay = epochDayOf(day.date);
      if (epochDay === null) throw new InvalidCalendarArgumentError(`invalid day ${day.date}`);
      notices.set(epochDay, { kind: day.kind, name: day.name });
    }

    const days: DayDescription[] = [];
    this.dayStartMs = new Float64Array(this.dayCount + 1);
    this.workingMsBefore = new Float64Array(this.dayCount + 1);
    this.workingDaysBefore = new Int32Array(this.dayCount + 1);
    for (let i = 0; i <= this.dayCount; i += 1) {
      this.dayStartMs[i] = this.localMidnightMs(first + i);
    }
    for (let i = 0; i < this.dayCount; i += 1) {
      const epochDay = first + i;
      const isoWeekday = isoWeekdayOfEpochDay(epochDay);
      const weekend = isoWeekday >= 6;
      const notice = notices.get(epochDay);
      const kind: DayKind =
        notice?.kind === 'holiday'
          ? 'holiday'
          : notice?.kind === 'workday'
            ? weekend
              ? 'makeup_workday'
              : 'workday'
            : weekend
              ? 'weekend'
              : 'workday';
      const working = kind === 'workday' || kind === 'makeup_workday';
      days.push(
        Object.freeze({
          dayOn: dayOnOfEpochDay(epochDay),
          isoWeekday,
          working,
          kind,
          name: notice?.name ?? null,
          provisional: i >= this.provisionalIndex,
        }),
      );
      const lengthMs = this.at(this.dayStartMs, i + 1) - this.at(this.dayStartMs, i);
      this.workingMsBefore[i + 1] = this.at(this.workingMsBefore, i) + (working ? lengthMs : 0);
      this.workingDaysBefore[i + 1] = this.at(this.workingDaysBefore, i) + (working ? 1 : 0);
    }
    this.days = Object.freeze(days);
  }

  // ---- days ------------------------------------------------------------------------------

  /** Whether `dayOn` (`YYYY-MM-DD`) counts on the working clock. */
  isWorkingDay(dayOn: string): boolean {
    return this.dayAt(this.indexOfDay(dayOn)).working;
  }

  /** What the day is and why: ordinary workday, weekend, named holiday, make-up workday (调休上班). */
  describeDay(dayOn: string): DayDescription {
    return this.dayAt(this.indexOfDay(dayOn));
  }

  /** The local calendar day (`YYYY-MM-DD` in the calendar's zone) an instant falls on. */
  dayOnOf(at: Date): string {
    return this.dayAt(this.indexOfInstant(this.msOf(at), false)).dayOn;
  }

  /** Local 00:00 of a covered day. */
  startOfDay(dayOn: string): Date {
    return new Date(this.at(this.dayStartMs, this.indexOfDay(dayOn)));
  }

  /** The first working day strictly after `dayOn`. */
  nextWorkingDayOn(dayOn: string): string {
    const start = this.startOfWorkingDayAfter(this.indexOfDay(dayOn));
    return this.dayAt(this.indexOfInstant(start, false)).dayOn;
  }

  /**
   * Where a working clock started at `at` begins counting: `at` itself on a working day, else
   * 00:00 of the next working day.
   */
  firstWorkingInstantFrom(at: Date): Date {
    const ms = this.msOf(at);
    const i = this.indexOfInstant(ms, false);
    return this.dayAt(i).working ? new Date(ms) : new Date(this.startOfWorkingDayAfter(i));
  }

  /** 00:00 of the first working day strictly after the day `at` falls on. */
  nextWorkingDayStartAfter(at: Date): Date {
    return new Date(this.startOfWorkingDayAfter(this.indexOfInstant(this.msOf(at), false)));
  }

  /** The days that intersect the half-open interval `[fromAt, toAt)`, in order. */
  daysOverlapping(fromAt: Date, toAt: Date): DayDescription[] {
    const fromMs = this.msOf(fromAt);
    const toMs = this.msOf(toAt);
    if (toMs <= fromMs) return [];
    const first = this.indexOfInstant(fromMs, false);
    this.indexOfInstant(toMs, true);
    const result: DayDescription[] = [];
    for (let i = first; i < this.dayCount && this.at(this.dayStartMs, i) < toMs; i += 1) {
      result.push(this.dayAt(i));
    }
    return result;
  }

  // ---- natural clock ---------------------------------------------------------------------

  /**
   * `start` plus `minutes` of plain elapsed time. No day is consulted, so any instant will do,
   * covered or not: a natural-clock deadline never waits for a holiday notice.
   */
  addNatural(start: Date, minutes: number): Date {
    return this.addNaturalMs(start, this.durationMs(minutes));
  }

  addNaturalMs(start: Date, ms: number): Date {
    return new Date(this.msOf(start) + this.checkedMs(ms));
  }

  // ---- provisional days ------------------------------------------------------------------

  /**
   * The provisional days among those intersecting `[fromAt, toAt)` (an empty interval: the day of
   * `fromAt`), as the span a result computed over that interval depends on; null when it depends
   * on official days only. Instants outside the coverage count as far as the coverage goes.
   */
  provisionalSpan(fromAt: Date, toAt: Date): DaySpan | null {
    if (this.provisional === null) return null;
    const fromMs = this.msOf(fromAt);
    const toMs = Math.max(this.msOf(toAt), fromMs + 1);
    const startMs = this.at(this.dayStartMs, this.provisionalIndex);
    const endMs = this.at(this.dayStartMs, this.dayCount);
    if (toMs <= startMs || fromMs >= endMs) return null;
    const first = Math.max(
      this.provisionalIndex,
      this.indexOfInstant(Math.max(fromMs, startMs), false),
    );
    const last = toMs >= endMs ? this.dayCount - 1 : this.indexOfInstant(toMs - 1, false);
    return Object.freeze({ fromOn: this.dayAt(first).dayOn, toOn: this.dayAt(last).dayOn });
  }

  // ---- working clock ---------------------------------------------------------------------

  /**
   * Rolling convention: the instant at which `workingMinutes` of working time have elapsed since
   * `start`. Time on non-working days does not count, so a start on a non-working day effectively
   * begins at 00:00 of the next working day; a result is never strictly inside a non-working day
   * (it may be exactly the 00:00 that ends a working day). Zero minutes returns `start` unchanged.
   * Example: Fri 2024-02-09 10:00 + 1 working day (1440 min) = Sun 2024-02-18 10:00.
   */
  addWorkingRolling(start: Date, workingMinutes: number): Date {
    return this.addWorkingRollingMs(start, this.durationMs(workingMinutes));
  }

  addWorkingRollingMs(start: Date, workingMs: number): Date {
    const startMs = this.msOf(start);
    const elapsed = this.workingMsAt(startMs);
    const ms = this.checkedMs(workingMs);
    if (ms === 0) return new Date(startMs);
    return new Date(this.instantAtWorkingMs(elapsed + ms, start));
  }

  /**
   * "次日起 N 个工作日": counting from the day after `start`'s day, the end of the Nth working day.
   * Returned as the exclusive end: 00:00 of the day after that working day (its 24:00), so the
   * allowed interval is `[start, result)` and a stage done at `result` or before is on time.
   * Example: Fri 2024-02-09 10:00, N = 1 → the first working day after it is Sun 2024-02-18 →
   * due 2024-02-19T00:00+08:00. N = 0 gives the end of `start`'s own day.
   */
  addWorkingNextDay(start: Date, workingDays: number): Date {
    if (!Number.isInteger(workingDays) || workingDays < 0) {
      throw new InvalidCalendarArgumentError(
        `working days must be a non-negative integer, got ${workingDays}`,
      );
    }
    const startIndex = this.indexOfInstant(this.msOf(start), false);
    const target = this.at(this.workingDaysBefore, startIndex + 1) + workingDays;
    if (target > this.at(this.workingDaysBefore, this.dayCount)) {
      throw new CalendarOutOfRangeError(
        `${workingDays} working days after ${this.dayAt(startIndex).dayOn}`,
        this.coverage,
      );
    }
    // Smallest j > startIndex with workingDaysBefore[j] >= target: day j - 1 is the Nth working day.
    let lo = startIndex + 1;
    let hi = this.dayCount;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.at(this.workingDaysBefore, mid) >= target) hi = mid;
      else lo = mid + 1;
    }
    return new Date(this.at(this.dayStartMs, lo));
  }

  /** Working time in `[a, b)` in minutes (negative when b is before a). */
  workingMinutesBetween(a: Date, b: Date): number {
    return this.workingMsBetween(a, b) / MINUTE_MS;
  }

  workingMsBetween(a: Date, b: Date): number {
    return this.workingMsAt(this.msOf(b)) - this.workingMsAt(this.msOf(a));
  }

  /**
   * The earliest instant from which at most `workingMinutes` of working time remain until `end`
   * (for warnings: "time left ≤ X"). Before a weekend this is the 00:00 that ends the Friday.
   */
  workingInstantBefore(end: Date, workingMinutes: number): Date {
    return this.workingInstantBeforeMs(end, this.durationMs(workingMinutes));
  }

  workingInstantBeforeMs(end: Date, workingMs: number): Date {
    const target = this.workingMsAt(this.msOf(end)) - this.checkedMs(workingMs);
    if (target < 0) {
      throw new CalendarOutOfRangeError(
        `${workingMs / MINUTE_MS} working minutes before ${end.toISOString()}`,
        this.coverage,
      );
    }
    return new Date(this.instantAtWorkingMs(target, end));
  }

  // ---- internals -------------------------------------------------------------------------

  /** Local 00:00 of the first working day after day `index`. */
  private startOfWorkingDayAfter(index: number): number {
    // Holiday blocks are at most a couple of weeks: a scan is cheaper than a search.
    for (let j = index + 1; j < this.dayCount; j += 1) {
      if (this.dayAt(j).working) return this.at(this.dayStartMs, j);
    }
    throw new CalendarOutOfRangeError(
      `the working day after ${this.dayAt(index).dayOn}`,
      this.coverage,
    );
  }

  /** Working milliseconds elapsed from the coverage start to `ms` (covered, end inclusive). */
  private workingMsAt(ms: number): number {
    const i = this.indexOfInstant(ms, true);
    if (i === this.dayCount) return this.at(this.workingMsBefore, i);
    const before = this.at(this.workingMsBefore, i);
    return this.dayAt(i).working ? before + (ms - this.at(this.dayStartMs, i)) : before;
  }

  /** The earliest instant at which `target` working ms have elapsed since the coverage start. */
  private instantAtWorkingMs(target: number, reference: Date): number {
    if (target > this.at(this.workingMsBefore, this.dayCount)) {
      throw new CalendarOutOfRangeError(
        `a working-clock result from ${reference.toISOString()}`,
        this.coverage,
      );
    }
    // Smallest j in [1, dayCount] with workingMsBefore[j] >= target; day j - 1 holds the instant
    // (it is a working day unless target is 0 at the very start).
    let lo = 1;
    let hi = this.dayCount;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.at(this.workingMsBefore, mid) >= target) hi = mid;
      else lo = mid + 1;
    }
    const i = lo - 1;
    return this.at(this.dayStartMs, i) + (target - this.at(this.workingMsBefore, i));
  }

  /**
   * The index of the day containing `ms`. With `allowEnd`, the instant that ends the coverage
   * (00:00 after the last day) is accepted and maps to `dayCount`.
   */
  private indexOfInstant(ms: number, allowEnd: boolean): number {
    const startMs = this.at(this.dayStartMs, 0);
    const endMs = this.at(this.dayStartMs, this.dayCount);
    if (ms < startMs || ms > endMs || (ms === endMs && !allowEnd)) {
      throw new CalendarOutOfRangeError(new Date(ms).toISOString(), this.coverage);
    }
    if (ms === endMs) return this.dayCount;
    // Days are 24 h except around DST changes, so the guess is exact or one off.
    let i = Math.min(this.dayCount - 1, Math.max(0, Math.floor((ms - startMs) / DAY_MS)));
    while (i > 0 && this.at(this.dayStartMs, i) > ms) i -= 1;
    while (i < this.dayCount - 1 && this.at(this.dayStartMs, i + 1) <= ms) i += 1;
    return i;
  }

  private indexOfDay(dayOn: string): number {
    const epochDay = epochDayOf(dayOn);
    if (epochDay === null) {
      throw new InvalidCalendarArgumentError(`not a YYYY-MM-DD day: ${JSON.stringify(dayOn)}`);
    }
    const i = epochDay - this.firstEpochDay;
    if (i < 0 || i >= this.dayCount) throw new CalendarOutOfRangeError(dayOn, this.coverage);
    return i;
  }

  private localMidnightMs(epochDay: number): number {
    const utc = new Date(epochDay * DAY_MS);
    return new TZDate(
      utc.getUTCFullYear(),
      utc.getUTCMonth(),
      utc.getUTCDate(),
      this.timeZone,
    ).getTime();
  }

  private msOf(at: Date): number {
    const ms = at.getTime();
    if (Number.isNaN(ms)) throw new InvalidCalendarArgumentError('invalid Date');
    return ms;
  }

  private durationMs(minutes: number): number {
    if (!Number.isFinite(minutes) || minutes < 0) {
      throw new InvalidCalendarArgumentError(
        `a duration must be a finite, non-negative number of minutes, got ${minutes}`,
      );
    }
    return Math.round(minutes * MINUTE_MS);
  }

  private checkedMs(ms: number): number {
    if (!Number.isFinite(ms) || ms < 0) {
      throw new InvalidCalendarArgumentError(
        `a duration must be a finite, non-negative number of milliseconds, got ${ms}`,
      );
    }
    return ms;
  }

  private dayAt(i: number): DayDescription {
    const day = this.days[i];
    if (day === undefined) throw new InvalidCalendarArgumentError(`day index ${i} out of bounds`);
    return day;
  }

  /** Typed-array read; the arrays are sized so that every index used here exists. */
  private at(array: Float64Array | Int32Array, i: number): number {
    return array[i] as number;
  }
}
