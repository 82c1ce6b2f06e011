import { formatInstant } from './format-instant';
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

  it('rejects an invalid Date', () => {
    expect(() => formatInstant(new Date('nope'), 'Asia/Shanghai')).toThrow(
      InvalidCalendarArgumentError,
    );
  });
});
