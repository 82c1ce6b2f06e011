import { readFileSync } from 'fs';
import { join } from 'path';
import { formatInstant } from '../calendar/format-instant';
import { parseCalendar } from '../calendar/parse-calendar';
import { WorkingCalendar } from '../calendar/working-calendar';
import { afterQuietHours, nextDigestAt, noticeTiming } from './delivery-timing';
import type { NotificationRouting } from './notification-routing';

const root = join(__dirname, '../../../..');
const parsed = parseCalendar(
  JSON.parse(readFileSync(join(root, 'config/calendars/cn-2023-2026.json'), 'utf8')),
);
if (!parsed.ok) throw new Error('calendar fixture does not parse');
const calendar: WorkingCalendar = parsed.value;
const bj = (local: string) => new Date(`${local.replace(' ', 'T')}:00+08:00`);
const show = (at: Date) => formatInstant(at, 'Asia/Shanghai').slice(0, 16).replace('T', ' ');

const routing: Pick<NotificationRouting, 'levels' | 'digestTimes'> = {
  digestTimes: ['14:00', '09:00'],
  levels: {
    '1': { channels: ['x'], digest: true, quietHours: { from: '21:00', to: '08:00' } },
    '2': { channels: ['x'], digest: false, quietHours: { from: '22:30', to: '07:00' } },
    '3': { channels: ['x'], digest: false },
  },
};

describe('the level-1 digest time', () => {
  it.each([
    ['a working-day morning waits for 09:00', '2024-03-04 07:10', '2024-03-04 09:00'],
    ['09:00 itself goes at 09:00', '2024-03-04 09:00', '2024-03-04 09:00'],
    ['after 09:00 waits for 14:00', '2024-03-04 09:01', '2024-03-04 14:00'],
    ['after 14:00 waits for the next working day', '2024-03-04 18:30', '2024-03-05 09:00'],
    ['Friday evening waits for Monday', '2024-03-08 18:30', '2024-03-11 09:00'],
    ['National Day 2024 waits for 10-08', '2024-10-01 08:00', '2024-10-08 09:00'],
    ['the make-up Sunday 2024-09-29 is a working day', '2024-09-29 07:00', '2024-09-29 09:00'],
    [
      'Spring Festival 2024 waits for the make-up Sunday 02-18',
      '2024-02-10 10:00',
      '2024-02-18 09:00',
    ],
  ])('%s', (_rule, at, expected) => {
    expect(show(nextDigestAt(bj(at), routing.digestTimes, calendar))).toBe(expected);
  });
});

describe('quiet hours', () => {
  const night = { from: '22:30', to: '07:00' };
  it.each([
    ['before they start: at once', '2024-03-04 22:29', '2024-03-04 22:29'],
    ['from 22:30: the next morning at 07:00', '2024-03-04 22:30', '2024-03-05 07:00'],
    ['after midnight: 07:00 that morning', '2024-03-05 03:15', '2024-03-05 07:00'],
    ['at 07:00: at once', '2024-03-05 07:00', '2024-03-05 07:00'],
  ])('across midnight, %s', (_rule, at, expected) => {
    expect(show(afterQuietHours(bj(at), night, calendar))).toBe(expected);
  });

  it('within one day (12:00–13:30, the lunch break)', () => {
    const lunch = { from: '12:00', to: '13:30' };
    expect(show(afterQuietHours(bj('2024-03-04 12:10'), lunch, calendar))).toBe('2024-03-04 13:30');
    expect(show(afterQuietHours(bj('2024-03-04 13:30'), lunch, calendar))).toBe('2024-03-04 13:30');
  });
});

describe('when a notice goes out', () => {
  it.each([
    ['level 1: the digest', 1, 'normal', '2024-03-04 07:30', '2024-03-04 09:00', 'digest'],
    [
      'level 1 of a life-safety order: at once, whatever the hour',
      1,
      'life_safety',
      '2024-03-04 23:30',
      '2024-03-04 23:30',
      'immediate',
    ],
    [
      'level 1 of a utility order: no digest, but quiet hours',
      1,
      'utility',
      '2024-03-04 23:30',
      '2024-03-05 08:00',
      'quiet_hours',
    ],
    ['level 2 by day: at once', 2, 'normal', '2024-03-04 10:00', '2024-03-04 10:00', 'immediate'],
    [
      'level 2 at night: after the quiet hours',
      2,
      'normal',
      '2024-03-04 23:00',
      '2024-03-05 07:00',
      'quiet_hours',
    ],
    [
      'level 2 on a holiday by day: at once (no digest)',
      2,
      'normal',
      '2024-10-02 10:00',
      '2024-10-02 10:00',
      'immediate',
    ],
    [
      'level 3 at night: at once (never quiet)',
      3,
      'normal',
      '2024-03-04 23:00',
      '2024-03-04 23:00',
      'immediate',
    ],
    [
      'a level-1 order of unknown urgency: the digest',
      1,
      null,
      '2024-03-04 15:00',
      '2024-03-05 09:00',
      'digest',
    ],
  ] as const)('%s', (_rule, level, urgency, now, sendAt, why) => {
    const timing = noticeTiming(routing, { level, urgency }, bj(now), calendar);
    expect([show(timing.sendAt), timing.why, timing.digest]).toEqual([
      sendAt,
      why,
      why === 'digest',
    ]);
  });
});
