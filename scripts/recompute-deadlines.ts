/**
 * Operator command: recompute open orders' deadlines, a what-if first, then the change.
 *
 *   npm run deadlines:recompute -- --to tianjin-default@2025.2           what would change (nothing written)
 *   npm run deadlines:recompute -- --to tianjin-default@2025.2 --apply   change it
 *   npm run deadlines:recompute -- --calendar [--apply]                  after a holiday notice's import:
 *       the open orders whose deadlines rest on provisional days (or miss a stage the calendar
 *       could not compute), recomputed on the calendar file as it is now, each on its own version
 *
 * The `--to` target must be a profile file in the active profile's folder (config/rule-profiles/).
 * Restart the workers and the API after changing a file under config/, so that they compute on it
 * too; the sweep then withdraws escalations whose deadlines moved later.
 */
import { formatInstant } from '@hotline/core';
import { openDataSource, resolveDatabase } from '@hotline/persistence';
import {
  describeCalendarCoverage,
  loadConfig,
  loadHandlingRules,
  loadStatisticsFormula,
} from '@hotline/platform';
import {
  recomputeCalendarDependentOrders,
  recomputeOpenOrders,
  type RecomputeReport,
} from '../apps/worker/src/deadlines/recompute-deadlines';

const say = (line = '') => process.stdout.write(`${line}\n`);

async function main(): Promise<number> {
  const args = process.argv.slice(2);
  const toIndex = args.indexOf('--to');
  const target = toIndex >= 0 ? args[toIndex + 1] : undefined;
  const calendarMode = args.includes('--calendar');
  const apply = args.includes('--apply');
  const config = loadConfig();
  const rules = loadHandlingRules(config.files, config.calendar);
  const available = [...rules.profiles.keys()].sort();
  if (!target === !calendarMode) {
    say('usage: npm run deadlines:recompute -- --to <profile-id>@<version> [--apply]');
    say('       npm run deadlines:recompute -- --calendar [--apply]');
    say(`profiles: ${available.join(', ')} (active: ${rules.profile.id}@${rules.profile.version})`);
    say(`calendar: ${describeCalendarCoverage(rules.calendar)}`);
    return 2;
  }
  const profile = target === undefined ? undefined : rules.profiles.get(target);
  if (target !== undefined && !profile) {
    say(`unknown profile ${target}; available: ${available.join(', ')}`);
    return 2;
  }
  const database = await resolveDatabase(config.databaseUrl, config.databaseName);
  const dataSource = await openDataSource({
    url: database.url,
    connection: config.db.connection,
    poolSize: 2,
  });
  try {
    const formula = loadStatisticsFormula(config.files);
    const report = profile
      ? await recomputeOpenOrders(dataSource, rules.calendar, profile, formula, apply, new Date())
      : await recomputeCalendarDependentOrders(dataSource, rules, formula, apply, new Date());
    print(report, rules.calendar.timeZone, calendarMode);
    if (calendarMode) say(`calendar: ${describeCalendarCoverage(rules.calendar)}`);
    if (!apply && report.examined > 0) {
      say(
        `\nnothing written; run again with --apply to ${calendarMode ? 'recompute' : 'move'} them`,
      );
    }
    return 0;
  } finally {
    await dataSource.destroy();
    await database.stop();
  }
}

function print(report: RecomputeReport, timeZone: string, calendarMode: boolean): void {
  const at = (d: Date | null) => (d ? formatInstant(d, timeZone) : '—');
  say(
    `${report.applied ? 'applied' : 'what-if'}: open orders ${calendarMode ? 'recomputed on' : 'moved to'} ${report.target}`,
  );
  if (calendarMode) {
    say(`  open orders awaiting the calendar   ${report.examined}`);
    say(`    of which on provisional days      ${report.wereProvisional}`);
  } else {
    say(`  open orders on another version     ${report.examined}`);
  }
  say(`  deadlines change                    ${report.changed.length}`);
  say(`  deadlines stay                      ${report.unchanged}`);
  if (calendarMode) {
    say(
      `  still on provisional days           ${report.stillProvisional} (a year whose notice is not imported)`,
    );
  }
  if (report.stillUnavailable > 0) {
    say(`  a stage still beyond the calendar   ${report.stillUnavailable}`);
  }
  if (report.failed.length > 0) {
    say(
      `  cannot be computed, left as is      ${report.failed.length} (e.g. ${report.failed[0]!.workOrderId}: ${report.failed[0]!.error})`,
    );
  }
  say('  closed and returned orders are never recomputed');
  if (report.changed.length > 0) {
    say('');
    say(
      'work order            from                   acceptDueAt                                      completeDueAt',
    );
    for (const c of report.changed.slice(0, 50)) {
      say(
        `${c.workOrderId.padEnd(21)} ${c.from.padEnd(22)} ${at(c.acceptDueAt[0])} → ${at(c.acceptDueAt[1])}  ${at(c.completeDueAt[0])} → ${at(c.completeDueAt[1])}`,
      );
    }
    if (report.changed.length > 50) say(`… and ${report.changed.length - 50} more`);
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(
      `deadlines:recompute failed: ${String((error as Error).stack ?? error)}\n`,
    );
    process.exit(1);
  },
);
