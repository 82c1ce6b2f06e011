/**
 * Operator command: import the State Council's holiday notice for a year into the calendar file.
 *
 *   npm run calendar:import -- notice.txt              read it, show it, write the calendar file
 *   npm run calendar:import -- notice.txt --dry-run    read it and show it only
 *   npm run calendar:import -- notice.txt --calendar config/calendars/other.json
 *
 * `notice.txt` is the text of "国务院办公厅关于YYYY年部分节假日安排的通知" as published (title,
 * number, the numbered holiday lines, the date). The command shows the days it found and where
 * they differ from the provisional year computed from the law, then writes the calendar file
 * (CALENDAR_FILE under CONFIG_DIR by default) with the notice's title and date as its source.
 * Then: restart the workers and the API, and `npm run deadlines:recompute -- --calendar`.
 */
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { relative } from 'node:path';
import { parseArgs } from 'node:util';
import {
  dayRanges,
  importHolidayNotice,
  parseCalendar,
  parseHolidayNotice,
  type ProvisionalDifference,
} from '@hotline/core';
import { describeCalendarCoverage, loadConfig } from '@hotline/platform';

const say = (line = '') => process.stdout.write(`${line}\n`);
const WEEKDAYS = ['', '周一', '周二', '周三', '周四', '周五', '周六', '周日'];

function main(): number {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { calendar: { type: 'string' }, 'dry-run': { type: 'boolean' } },
  });
  const [noticePath] = positionals;
  if (noticePath === undefined || positionals.length > 1) {
    say('usage: npm run calendar:import -- <notice.txt> [--dry-run] [--calendar <file.json>]');
    return 2;
  }
  const config = loadConfig();
  const calendarPath = values.calendar ?? config.files.calendar;

  const text = readFileSync(noticePath, 'utf8').replace(/^\uFEFF/, '');
  const notice = parseHolidayNotice(text);
  if (!notice.ok) {
    say(`cannot read ${noticePath}:`);
    for (const error of notice.errors) say(`  - ${error}`);
    return 1;
  }
  const { value } = notice;
  say(
    `${value.title}${value.number ? ` ${value.number}` : ''} (${value.issuedOn ?? 'no date found'})`,
  );
  for (const item of value.items) {
    const workdays = item.workdays.map((d) => `${d}`).join(', ');
    say(
      `  ${item.name}: 放假 days off ${dayRanges(item.holidays).join(', ')} (${item.holidays.length})` +
        (workdays ? ` · 上班 make-up workdays ${workdays}` : ''),
    );
  }

  const imported = importHolidayNotice(JSON.parse(readFileSync(calendarPath, 'utf8')), value);
  if (!imported.ok) {
    say(`cannot import into ${calendarPath}:`);
    for (const error of imported.errors) say(`  - ${error}`);
    return 1;
  }
  const { file, differences, statutoryDaysNotOff, replaced } = imported.value;
  say('');
  say(
    `compared with the provisional ${value.year} (statutory holidays and weekends, no make-up days): ${differences.length} days differ`,
  );
  for (const d of differences) say(`  ${describe(d)}`);
  for (const dayOn of statutoryDaysNotOff) {
    say(`  warning: ${dayOn} is a statutory holiday the notice does not give off; check the text`);
  }
  const calendar = parseCalendar(file, config.calendar);
  if (!calendar.ok) {
    say('the result is not a valid calendar:');
    for (const error of calendar.errors) say(`  - ${error}`);
    return 1;
  }
  say('');
  say(`calendar after the import: ${describeCalendarCoverage(calendar.value)}`);
  if (values['dry-run']) {
    say('dry run: nothing written');
    return 0;
  }
  // Written whole, then renamed over the file: a reader never sees half a calendar.
  const temporary = `${calendarPath}.importing`;
  writeFileSync(temporary, JSON.stringify(file, null, 1));
  renameSync(temporary, calendarPath);
  say(
    `wrote ${relative(process.cwd(), calendarPath)} (${value.days.length} days of ${value.year}${replaced > 0 ? `, replacing ${replaced}` : ''})`,
  );
  say('');
  say('next: restart the workers and the API so they load it, then');
  say('  npm run deadlines:recompute -- --calendar           what would change');
  say(
    '  npm run deadlines:recompute -- --calendar --apply   recompute; the sweep withdraws what no longer holds',
  );
  return 0;
}

function describe(d: ProvisionalDifference): string {
  const what = d.official === 'workday' ? '调休上班 make-up workday' : '调休放假 day off';
  return `${d.dayOn} (${WEEKDAYS[d.isoWeekday] ?? ''}) ${what} · ${d.name}`;
}

try {
  process.exit(main());
} catch (error) {
  process.stderr.write(`calendar:import failed: ${String((error as Error).stack ?? error)}\n`);
  process.exit(1);
}
