import fc from 'fast-check';
import { parseInstantMs } from './parse-instant';

describe('parseInstantMs reads an instant exactly as Date.parse does', () => {
  it.each([
    '2023-12-01T09:30:00+08:00',
    '2023-12-01T09:30:00Z',
    '2024-02-29T23:59:59.999+08:00',
    '2024-02-29T23:59:59.5+08:00',
    '2024-02-29T23:59:59.12345678-05:30',
    '2024-02-30T10:00:00+08:00',
    '2023-02-29T10:00:00+08:00',
    '2024-01-01T24:00:00+08:00',
    '2024-01-01T10:60:00+08:00',
    '2024-01-01T10:00:00+24:00',
    '2024-01-01T10:00:00+0800',
    '2024-01-01T10:00+08:00',
    '2024-01-01 10:00:00+08:00',
    '0099-01-01T10:00:00Z',
    '2024-01-01T10:00:00.+08:00',
    'not a date at all, no',
    '',
  ])('%s', (text) => {
    expect(parseInstantMs(text)).toEqual(Date.parse(text));
  });

  it('for any instant written with any offset and precision', () => {
    const pad = (n: number, width = 2) => String(n).padStart(width, '0');
    fc.assert(
      fc.property(
        fc.integer({ min: Date.UTC(1970, 0, 1), max: Date.UTC(2100, 0, 1) }),
        fc.integer({ min: -14 * 60, max: 14 * 60 }),
        fc.integer({ min: 0, max: 4 }),
        fc.boolean(),
        (ms, offset, precision, zulu) => {
          const local = new Date(ms + offset * 60_000).toISOString();
          const fraction =
            precision === 0
              ? ''
              : `.${local.slice(20, 23)}${'7'.repeat(precision)}`.slice(0, precision + 1);
          const sign = offset < 0 ? '-' : '+';
          const zone =
            zulu && offset === 0
              ? 'Z'
              : `${sign}${pad(Math.floor(Math.abs(offset) / 60))}:${pad(Math.abs(offset) % 60)}`;
          const text = `${local.slice(0, 19)}${fraction}${zone}`;
          expect(parseInstantMs(text)).toBe(Date.parse(text));
        },
      ),
      { numRuns: 5000 },
    );
  });
});
