/**
 * The calendar must give the same instants whatever zone the process runs in (a server in UTC, a
 * laptop in New York). Jest sandboxes process.env, so the check runs in a child Node process
 * that switches its own zone (Node re-reads TZ when it changes), proves the switch took effect,
 * builds a fresh calendar in each zone and reports. The expected instants are written with an
 * explicit +08:00 offset, so they do not depend on any zone either.
 */
import { execFileSync } from 'child_process';
import { join } from 'path';

const ZONES = ['UTC', 'America/New_York', 'Asia/Kolkata', 'Pacific/Chatham', 'Asia/Shanghai'];

const childScript = `
const { readFileSync } = require('fs');
const { parseCalendar } = require(${JSON.stringify(join(__dirname, 'parse-calendar.ts'))});
const data = JSON.parse(readFileSync(${JSON.stringify(
  join(__dirname, '../../../../config/calendars/cn-2023-2026.json'),
)}, 'utf8'));
const results = {};
for (const zone of ${JSON.stringify(ZONES)}) {
  process.env.TZ = zone;
  const parsed = parseCalendar(data);
  if (!parsed.ok) throw new Error(parsed.errors.join('; '));
  const calendar = parsed.value;
  const friday = new Date('2024-02-09T10:00:00+08:00');
  results[zone] = {
    januaryOffsetMinutes: new Date(2024, 0, 15).getTimezoneOffset(),
    rolling: calendar.addWorkingRolling(friday, 1440).getTime(),
    nextDay: calendar.addWorkingNextDay(friday, 1).getTime(),
    saturdayStart: calendar.addWorkingRolling(new Date('2024-03-02T10:00:00+08:00'), 1440).getTime(),
    lateEvening: calendar.dayOnOf(new Date('2024-02-09T23:30:00+08:00')),
    earlyMorning: calendar.dayOnOf(new Date('2024-02-10T00:30:00+08:00')),
    between: calendar.workingMinutesBetween(
      new Date('2023-09-28T15:00:00+08:00'),
      new Date('2023-10-07T09:00:00+08:00'),
    ),
    makeUpDay: calendar.isWorkingDay('2024-02-18'),
    // Provisional days: lunar dates and 清明 computed in each zone.
    provisional: (() => {
      const later = parseCalendar(data, { provisionalYears: 4 });
      if (!later.ok) throw new Error(later.errors.join('; '));
      return ['2027-02-05', '2027-04-05', '2029-06-16', '2030-09-12'].map(
        (dayOn) => later.value.describeDay(dayOn).name,
      );
    })(),
  };
}
process.stdout.write(JSON.stringify(results));
`;

const expected = {
  rolling: Date.parse('2024-02-18T10:00:00+08:00'),
  nextDay: Date.parse('2024-02-19T00:00:00+08:00'),
  saturdayStart: Date.parse('2024-03-05T00:00:00+08:00'),
  lateEvening: '2024-02-09',
  earlyMorning: '2024-02-10',
  between: 1080,
  makeUpDay: true,
  provisional: ['春节', '清明节', '端午节', '中秋节'],
};

describe('independence from the process time zone', () => {
  let results: Record<string, Record<string, unknown>>;

  beforeAll(() => {
    const output = execFileSync(
      process.execPath,
      ['-r', 'ts-node/register/transpile-only', '-e', childScript],
      { cwd: join(__dirname, '../../../..'), encoding: 'utf8' },
    );
    results = JSON.parse(output) as Record<string, Record<string, unknown>>;
  });

  it.each`
    zone                  | januaryOffsetMinutes
    ${'UTC'}              | ${0}
    ${'America/New_York'} | ${300}
    ${'Asia/Kolkata'}     | ${-330}
    ${'Pacific/Chatham'}  | ${-825}
    ${'Asia/Shanghai'}    | ${-480}
  `('gives Beijing deadlines when the process runs in $zone', ({ zone, januaryOffsetMinutes }) => {
    expect(results[zone as string]).toEqual({ januaryOffsetMinutes, ...expected });
  });
});
