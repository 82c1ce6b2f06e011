import fc from 'fast-check';
import {
  DEFAULT_YEAR_SPAN,
  MAX_RANGE_DAYS,
  checkDay,
  checkDayRange,
  checkMonth,
  daysInRange,
  monthChunks,
  monthDays,
} from './day-range';

const span = DEFAULT_YEAR_SPAN;

describe('months a request may name (default span 2000–2100)', () => {
  it.each([
    ['2024-02', true, undefined],
    ['2000-01', true, undefined],
    ['2100-12', true, undefined],
    ['1999-12', false, 'must lie in the years 2000–2100'],
    ['2101-01', false, 'must lie in the years 2000–2100'],
    ['9999-12', false, 'must lie in the years 2000–2100'],
    ['0000-01', false, 'must lie in the years 2000–2100'],
    ['2024-00', false, 'use YYYY-MM'],
    ['2024-13', false, 'use YYYY-MM'],
    ['2024-1', false, 'use YYYY-MM'],
    ['+02024-01', false, 'use YYYY-MM'],
    ['２０２４-01', false, 'use YYYY-MM'],
    ['', false, 'use YYYY-MM'],
  ])('%s → accepted %s (%s)', (month, ok, error) => {
    const result = checkMonth(month, span);
    expect(result.ok).toBe(ok);
    if (!result.ok) expect(result.errors).toEqual([error]);
  });

  it('follows a configured span', () => {
    expect(checkMonth('1990-05', { fromYear: 1990, toYear: 1990 }).ok).toBe(true);
    expect(checkMonth('1991-01', { fromYear: 1990, toYear: 1990 })).toEqual({
      ok: false,
      errors: ['must lie in the years 1990–1990'],
    });
  });
});

describe('calendar days a request may name', () => {
  it.each([
    ['2024-02-29', true, undefined],
    ['2023-02-29', false, 'not a calendar day'],
    ['2100-02-29', false, 'not a calendar day'],
    ['2000-02-29', true, undefined],
    ['2024-04-31', false, 'not a calendar day'],
    ['2024-00-10', false, 'not a calendar day'],
    ['2024-01-00', false, 'not a calendar day'],
    ['9999-12-31', false, 'must lie in the years 2000–2100'],
    ['0000-01-01', false, 'must lie in the years 2000–2100'],
    ['2024-1-01', false, 'use YYYY-MM-DD'],
    ['2024-01-01T00:00', false, 'use YYYY-MM-DD'],
  ])('%s → accepted %s (%s)', (day, ok, error) => {
    const result = checkDay(day, span);
    expect(result.ok).toBe(ok);
    if (!result.ok) expect(result.errors).toEqual([error]);
  });
});

describe('ranges of days [from, to], both included', () => {
  it.each([
    ['2024-03-01', '2024-03-01', true, undefined],
    ['2024-01-01', '2024-12-31', true, undefined], // 366 days: a leap year whole
    ['2023-01-01', '2024-01-01', true, undefined], // 366 days
    ['2023-01-01', '2024-01-02', false, 'to: a range covers at most 366 days'],
    ['2024-03-02', '2024-03-01', false, 'to: must not be before from'],
    ['2024-01-01', '9999-12-31', false, 'to: must lie in the years 2000–2100'],
    ['0000-01-01', '2024-01-01', false, 'from: must lie in the years 2000–2100'],
    ['2000-01-01', '2100-12-31', false, 'to: a range covers at most 366 days'],
  ])('%s…%s → accepted %s (%s)', (fromOn, toOn, ok, error) => {
    const result = checkDayRange({ fromOn, toOn }, span);
    expect(result.ok).toBe(ok);
    if (!result.ok) expect(result.errors).toEqual([error]);
  });

  it('lists both days’ problems at once', () => {
    expect(checkDayRange({ fromOn: '2024-13-01', toOn: 'x' }, span)).toEqual({
      ok: false,
      errors: ['from: not a calendar day', 'to: use YYYY-MM-DD'],
    });
  });

  it('takes a shorter limit but never a longer one than MAX_RANGE_DAYS', () => {
    expect(checkDayRange({ fromOn: '2024-01-01', toOn: '2024-01-31' }, span, 30).ok).toBe(false);
    expect(checkDayRange({ fromOn: '2024-01-01', toOn: '2025-06-30' }, span, 10_000)).toEqual({
      ok: false,
      errors: [`to: a range covers at most ${MAX_RANGE_DAYS} days`],
    });
  });
});

describe('monthDays', () => {
  it.each([
    ['2024-02', '2024-02-01', '2024-02-29'],
    ['2023-02', '2023-02-01', '2023-02-28'],
    ['2100-02', '2100-02-01', '2100-02-28'],
    ['2024-04', '2024-04-01', '2024-04-30'],
    ['2024-12', '2024-12-01', '2024-12-31'],
    ['0001-01', '0001-01-01', '0001-01-31'],
  ])('%s is %s…%s', (month, fromOn, toOn) => {
    expect(monthDays(month)).toEqual({ fromOn, toOn });
  });

  it.each(['2024-13', '24-01', '2024-00'])('refuses %s', (month) => {
    expect(() => monthDays(month)).toThrow(RangeError);
  });
});

describe('monthChunks: a range cut at month boundaries', () => {
  it.each([
    ['2024-03-05', '2024-03-20', [['2024-03-01', '2024-03-05', '2024-03-20']]],
    [
      '2024-01-15',
      '2024-03-10',
      [
        ['2024-01-01', '2024-01-15', '2024-01-31'],
        ['2024-02-01', '2024-02-01', '2024-02-29'],
        ['2024-03-01', '2024-03-01', '2024-03-10'],
      ],
    ],
    [
      '2024-12-31',
      '2025-01-01',
      [
        ['2024-12-01', '2024-12-31', '2024-12-31'],
        ['2025-01-01', '2025-01-01', '2025-01-01'],
      ],
    ],
    // The year 9999 ends without walking on (string comparison once did: "+010000" < "9999").
    ['9999-12-01', '9999-12-31', [['9999-12-01', '9999-12-01', '9999-12-31']]],
    // Years below 100 are not taken for 1900–1999.
    ['0000-01-01', '0000-01-31', [['0000-01-01', '0000-01-01', '0000-01-31']]],
  ])('%s…%s', (fromOn, toOn, chunks) => {
    expect(monthChunks(fromOn, toOn)).toEqual(chunks);
  });

  it('is empty when the range is', () => {
    expect(monthChunks('2024-03-02', '2024-03-01')).toEqual([]);
  });

  it.each([
    ['2000-01-01', '9999-12-31'],
    ['2023-01-01', '2024-01-02'],
    ['2024-02-30', '2024-03-01'],
    ['x', '2024-03-01'],
  ])('refuses %s…%s rather than build what a report cannot bound', (fromOn, toOn) => {
    expect(() => monthChunks(fromOn, toOn)).toThrow(RangeError);
  });

  it('covers every day of any range once, in order, month by month', () => {
    const day = fc
      .date({
        min: new Date('2000-01-01T00:00:00Z'),
        max: new Date('2100-12-31T00:00:00Z'),
        noInvalidDate: true,
      })
      .map((at) => at.toISOString().slice(0, 10));
    fc.assert(
      fc.property(day, fc.integer({ min: 0, max: MAX_RANGE_DAYS - 1 }), (fromOn, length) => {
        const end = new Date(`${fromOn}T00:00:00Z`);
        end.setUTCDate(end.getUTCDate() + length);
        const toOn = end.toISOString().slice(0, 10);
        const chunks = monthChunks(fromOn, toOn);
        expect(chunks[0]?.[1]).toBe(fromOn);
        expect(chunks.at(-1)?.[2]).toBe(toOn);
        const covered = chunks.reduce((sum, [, from, to]) => sum + daysInRange(from, to), 0);
        expect(covered).toBe(length + 1);
        for (const [month, from, to] of chunks) {
          expect(from.slice(0, 7)).toBe(month.slice(0, 7));
          expect(to.slice(0, 7)).toBe(month.slice(0, 7));
        }
      }),
      { numRuns: 300 },
    );
  });
});
