/**
 * Operator command: move open orders to a rule-profile version.
 *
 *   npm run deadlines:recompute -- --to tianjin-default@2025.2           what would change (nothing written)
 *   npm run deadlines:recompute -- --to tianjin-default@2025.2 --apply   change it
 *
 * The target must be a profile file in the active profile's folder (config/rule-profiles/).
 */
import { formatInstant } from '@hotline/core';
import { createDataSource, resolveDatabase } from '@hotline/persistence';
import { loadConfig, loadHandlingRules, loadStatisticsFormula } from '@hotline/platform';
import { recomputeOpenOrders } from '../apps/worker/src/deadlines/recompute-deadlines';

const say = (line = '') => process.stdout.write(`${line}\n`);

async function main(): Promise<number> {
  const args = process.argv.slice(2);
  const toIndex = args.indexOf('--to');
  const target = toIndex >= 0 ? args[toIndex + 1] : undefined;
  const apply = args.includes('--apply');
  const config = loadConfig();
  const rules = loadHandlingRules(config.files);
  const available = [...rules.profiles.keys()].sort();
  if (!target) {
    say('usage: npm run deadlines:recompute -- --to <profile-id>@<version> [--apply]');
    say(`profiles: ${available.join(', ')} (active: ${rules.profile.id}@${rules.profile.version})`);
    return 2;
  }
  const profile = rules.profiles.get(target);
  if (!profile) {
    say(`unknown profile ${target}; available: ${available.join(', ')}`);
    return 2;
  }
  const database = await resolveDatabase(config.databaseUrl, config.databaseName);
  const dataSource = createDataSource({ url: database.url, poolSize: 2 });
  await dataSource.initialize();
  try {
    const report = await recomputeOpenOrders(
      dataSource,
      rules.calendar,
      profile,
      loadStatisticsFormula(config.files),
      apply,
      new Date(),
    );
    const at = (d: Date | null) => (d ? formatInstant(d, rules.calendar.timeZone) : '—');
    say(`${apply ? 'applied' : 'what-if'}: open orders moved to ${report.target}`);
    say(`  open orders on another version  ${report.examined}`);
    say(`  deadlines change                ${report.changed.length}`);
    say(`  deadlines stay (version only)   ${report.unchanged}`);
    if (report.failed.length > 0) {
      say(
        `  cannot be computed, left as is  ${report.failed.length} (e.g. ${report.failed[0]!.workOrderId}: ${report.failed[0]!.error})`,
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
    if (!apply && report.examined > 0)
      say('\nnothing written; run again with --apply to move them');
    return 0;
  } finally {
    await dataSource.destroy();
    await database.stop();
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
