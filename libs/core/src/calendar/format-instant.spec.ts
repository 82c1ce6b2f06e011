import fc from 'fast-check';
import { formatInstant, isoInstant } from './format-instant';
import { InvalidCalendarArgumentError } from './calendar-errors';

describe('formatInstant', () => {
  it.each`
    instant                       | timeZone              | text
    ${'2024-02-18T02:00:00Z'}     | ${'Asia/Shanghai'}    | ${'2024-02-18T10:00:00+08:00'}
    ${'2024-02-09T16:00:00Z'}     | ${'Asia/Shanghai'}    | ${'2024-02-10T00:00:00+08:00'}
    ${'2024-03-05T00:01:15.500Z'} | ${'Asia/Shanghai'}    | ${'2024-03-05T08:01:15.500+08:00'}
    ${'2024-07-01T12:00:00Z'}     | ${'America/New_York'} | ${'2024-07-01T08:00:00-04:00'}
    ${'2024-01-01T12:00:00Z'}     | ${'Asia/Kolkata'}     | ${'2024-01-01T17:30:00+05:30'}
    ${'2024-01-01T12:00:00Z'}     | ${'UTC'}              | ${'2024-01-01T12:00:00+00:00'}
  `('writes $instant in $timeZone as $text', ({ instant, timeZone, text }) => {
    expect(formatInstant(new Date(instant as string), timeZone as string)).toBe(text);
  });

  it('writes text that parses back to the same instant', () => {
    const at = new Date('2025-10-09T01:02:03.004Z');
    expect(new Date(formatInstant(at, 'Asia/Shanghai')).getTime()).toBe(at.getTime());
  });

  it('writes an instant formatted before in another zone in this zone', () => {
    const at = new Date('2024-02-18T02:00:00Z');
    expect(formatInstant(at, 'Asia/Shanghai')).toBe('2024-02-18T10:00:00+08:00');
    expect(formatInstant(at, 'UTC')).toBe('2024-02-18T02:00:00+00:00');
    expect(formatInstant(new Date(at), 'Asia/Shanghai')).toBe('2024-02-18T10:00:00+08:00');
  });

  it('rejects an invalid Date', () => {
    expect(() => formatInstant(new Date('nope'), 'Asia/Shanghai')).toThrow(
      InvalidCalendarArgumentError,
    );
  });
});

describe('formatInstant across offset changes', () => {
  // Zones whose offset changes: a one-hour summer shift, a half-hour one (Lord Howe), one at
  // 01:00 UTC (London), and a zone that changed its standard offset (Pyongyang, 2015 and 2018).
  const ZONES = [
    'America/New_York',
    'Europe/London',
    'Australia/Lord_Howe',
    'Asia/Pyongyang',
    'Asia/Shanghai',
  ];
  const formatters = new Map(
    ZONES.map((timeZone) => [
      timeZone,
      new Intl.DateTimeFormat('en-US', {
        timeZone,
        hourCycle: 'h23',
        year: 'numeric',
        month: '2-digit',
        day: '2-digit',
        hour: '2-digit',
        minute: '2-digit',
        second: '2-digit',
      }),
    ]),
  );
  /** What the text must say: the wall clock of the zone from Intl, asked for this very instant. */
  function expected(at: Date, timeZone: string): string {
    const parts = Object.fromEntries(
      formatters
        .get(timeZone)!
        .formatToParts(at)
        .map((part) => [part.type, part.value]),
    );
    return `${parts['year']}-${parts['month']}-${parts['day']}T${parts['hour']}:${parts['minute']}:${parts['second']}`;
  }

  it('gives every instant its own wall clock, minute by minute around each change of 2015–2025', () => {
    const offsetAt = (ms: number, timeZone: string) =>
      formatInstant(new Date(ms), timeZone).slice(19);
    let changes = 0;
    for (const timeZone of ZONES) {
      for (let day = Date.UTC(2015, 0, 1); day < Date.UTC(2026, 0, 1); day += 86_400_000) {
        if (offsetAt(day, timeZone) === offsetAt(day + 86_400_000, timeZone)) continue;
        // The last millisecond of the old offset, by bisection, then every minute two hours about it.
        let [low, high] = [day, day + 86_400_000];
        while (high - low > 1) {
          const middle = Math.floor((low + high) / 2);
          if (offsetAt(middle, timeZone) === offsetAt(day, timeZone)) low = middle;
          else high = middle;
        }
        changes += 1;
        for (let ms = high - 7_200_000; ms <= high + 7_200_000; ms += 60_000) {
          for (const at of [new Date(ms - 1), new Date(ms), new Date(ms + 17_000)]) {
            const text = formatInstant(at, timeZone);
            expect(text.slice(0, 19)).toBe(expected(at, timeZone));
            expect(new Date(text).getTime()).toBe(
              at.getTime() - (at.getTime() % 1000) + (at.getTime() % 1000),
            );
          }
        }
      }
    }
    // New York, London and Lord Howe twice a year; Pyongyang in 2015 and 2018.
    expect(changes).toBe(3 * 22 + 2);
  });

  it('gives random instants the same text as Intl, in any order', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...ZONES),
        fc.integer({ min: Date.UTC(1990, 0, 1), max: Date.UTC(2040, 0, 1) }),
        (timeZone, ms) => {
          const at = new Date(ms - (ms % 1000));
          const text = formatInstant(at, timeZone);
          expect(text.slice(0, 19)).toBe(expected(at, timeZone));
          expect(new Date(text).getTime()).toBe(at.getTime());
        },
      ),
      { numRuns: 2000 },
    );
  });
});

describe('isoInstant', () => {
  const MIN = new Date('0000-01-01T00:00:00.000Z').getTime();
  const MAX = new Date('9999-12-31T23:59:59.999Z').getTime();
  it.each([
    '1970-01-01T00:00:00.000Z',
    '1969-12-31T23:59:59.999Z',
    '2000-02-29T12:34:56.789Z',
    '2024-02-29T00:00:00.000Z',
    '2100-03-01T00:00:00.000Z',
    '0000-01-01T00:00:00.000Z',
    '0999-12-31T23:59:59.999Z',
    '9999-12-31T23:59:59.999Z',
    '+010000-01-01T00:00:00.000Z',
    '-000001-12-31T23:59:59.999Z',
  ])('writes %s as toISOString does', (text) => {
    expect(isoInstant(new Date(text))).toBe(text);
  });

  it('equals toISOString for any instant, inside the four-digit years and beyond', () => {
    fc.assert(
      fc.property(fc.integer({ min: MIN - 1e12, max: MAX + 1e12 }), (ms) => {
        expect(isoInstant(new Date(ms))).toBe(new Date(ms).toISOString());
      }),
      { numRuns: 20_000 },
    );
  });

  it('leaves an invalid Date to toISOString (which throws)', () => {
    expect(() => isoInstant(new Date(Number.NaN))).toThrow(RangeError);
  });
});
