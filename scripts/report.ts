/**
 * `npm run report -- --month 2024-03` or `--year 2024` [`--unit teda-enforcement`]: the figures of
 * domain.md §5 per unit and in total, as a terminal table with Chinese headings, and the formula
 * they were computed under. Reads the configured database (DATABASE_URL, else the local or
 * embedded server) and the configured formula (STATISTICS_FILE). A closed month shows its frozen
 * figures and the restatements since; a year is live (截至目前 when it is the current year).
 */
import { parseArgs } from 'node:util';
import {
  ESCALATION_KINDS,
  ESCALATION_KIND_LABELS,
  formatInstant,
  provisionalDaysWithin,
  type DaySpan,
} from '@hotline/core';
import { openDataSource, resolveDatabase } from '@hotline/persistence';
import {
  monthReport,
  periodReport,
  type PeriodFigures,
  type StatisticsReport,
} from '@hotline/persistence/statistics';
import { loadConfig, loadHandlingRules, loadStatisticsFormula } from '@hotline/platform';

function fail(message: string): never {
  process.stderr.write(
    `${message}\nusage: npm run report -- --month YYYY-MM | --year YYYY [--unit UNIT_ID]\n`,
  );
  process.exit(2);
}

const { values } = parseArgs({
  options: { month: { type: 'string' }, year: { type: 'string' }, unit: { type: 'string' } },
});
if ((values.month === undefined) === (values.year === undefined)) {
  fail('give exactly one of --month and --year');
}
if (values.month !== undefined && !/^\d{4}-(0[1-9]|1[0-2])$/.test(values.month)) {
  fail('--month must be YYYY-MM');
}
if (values.year !== undefined && !/^\d{4}$/.test(values.year)) fail('--year must be YYYY');
if (values.unit !== undefined && !/^[A-Za-z0-9_.-]{1,64}$/.test(values.unit)) {
  fail('--unit is not a unit id');
}

/** Terminal columns a character takes: East Asian wide and full-width forms take two. */
function displayWidth(text: string): number {
  let width = 0;
  for (const char of text) {
    const code = char.codePointAt(0) ?? 0;
    const wide =
      (code >= 0x1100 && code <= 0x115f) ||
      (code >= 0x2e80 && code <= 0xa4cf) ||
      (code >= 0xac00 && code <= 0xd7a3) ||
      (code >= 0xf900 && code <= 0xfaff) ||
      (code >= 0xfe30 && code <= 0xfe4f) ||
      (code >= 0xff00 && code <= 0xff60) ||
      (code >= 0xffe0 && code <= 0xffe6);
    width += wide ? 2 : 1;
  }
  return width;
}

function pad(text: string, width: number, left: boolean): string {
  const fill = ' '.repeat(Math.max(0, width - displayWidth(text)));
  return left ? `${text}${fill}` : `${fill}${text}`;
}

/** A table: first column left-aligned, the others right-aligned, a rule under the heading. */
function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) =>
    Math.max(displayWidth(h), ...rows.map((r) => displayWidth(r[i] ?? ''))),
  );
  const line = (cells: string[]) =>
    cells.map((cell, i) => pad(cell, widths[i] ?? 0, i === 0)).join('  ');
  const rule = widths.map((w) => '─'.repeat(w)).join('  ');
  return [line(header), rule, ...rows.slice(0, -1).map(line), rule, line(rows.at(-1) ?? [])].join(
    '\n',
  );
}

const rate = (value: number | null) => (value === null ? '—' : `${value.toFixed(2)}%`);
const count = (value: number) => value.toLocaleString('en');

const MAIN: [string, (f: PeriodFigures) => string][] = [
  ['受理量', (f) => count(f.received)],
  ['满意', (f) => count(f.satisfied)],
  ['基本满意', (f) => count(f.basicallySatisfied)],
  ['不满意', (f) => count(f.dissatisfied)],
  ['无法联系', (f) => count(f.unreachable)],
  ['拒绝评价', (f) => count(f.declined)],
  ['满意率', (f) => rate(f.satisfactionRate)],
  ['按时签收率', (f) => rate(f.onTimeAcceptanceRate)],
  ['按期办结率', (f) => rate(f.onTimeCompletionRate)],
  ['退单', (f) => count(f.returned)],
  ['延期', (f) => count(f.extended)],
  ['超期未办结', (f) => count(f.overdueOpen)],
  ['重办', (f) => count(f.reworks)],
  ['虚假办结', (f) => count(f.falseCompletions)],
];
const ESCALATIONS: [string, (f: PeriodFigures) => string][] = [
  ...ESCALATION_KINDS.map((kind): [string, (f: PeriodFigures) => string] => [
    ESCALATION_KIND_LABELS[kind],
    (f) => count(f.escalations[kind]),
  ]),
  ['督办合计', (f) => count(f.escalationsTotal)],
];

/**
 * The escalations and the timeliness figures describe the same orders: a completion overdue
 * escalation fires for each completion stage that ran out, so finished late, still open past due
 * at the period's end, or ended past due (returned, re-dispatched) — shown side by side.
 */
function reconciliation(total: PeriodFigures): string {
  const late = total.completeFinished - total.completeOnTime;
  return (
    `核对 (check): 超时未办结督办 ${count(total.escalations.complete_overdue)} ≈ ` +
    `逾期办结 ${count(late)} + 期末超期未办结 ${count(total.overdueOpen)} = ${count(late + total.overdueOpen)}` +
    `（办结 ${count(total.completeFinished)} 件，其中按期 ${count(total.completeOnTime)} 件）`
  );
}

/** A period over provisional calendar days: its timeliness figures may move with the notice. */
function provisionalNote(provisional: DaySpan | null): string[] {
  if (provisional === null) return [];
  return [
    `暂定：${provisional.fromOn} 至 ${provisional.toOn} 的工作日按《全国年节及纪念日放假办法》法定节假日推算（国务院办公厅放假安排通知未导入），` +
      '按时签收率、按期办结率、超期未办结在通知导入并重算后可能变化',
    `Provisional: working days ${provisional.fromOn}…${provisional.toOn} computed from the statutory holidays (the State Council notice is not imported); timeliness figures may change once it is`,
  ];
}

function render(
  report: StatisticsReport,
  timeZone: string,
  title: string,
  provisional: DaySpan | null,
): string {
  const rows = (columns: [string, (f: PeriodFigures) => string][]) => [
    ...report.groups.map((g) => [g.key, ...columns.map(([, value]) => value(g))]),
    ['合计', ...columns.map(([, value]) => value(report.total))],
  ];
  const status =
    report.closed === null
      ? '实时数据（未结账）'
      : `已结账 ${formatInstant(report.closed.closedAt, timeZone)}（${report.closed.closedBy}），` +
        `结账后更正 ${report.restatements.length} 条，不改变本表`;
  const [zh, en] = report.formula.split(' / ');
  return [
    `12345 工单统计 ${title}${report.unitId ? ` · ${report.unitId}` : ''}`,
    `统计区间 ${report.fromOn} 至 ${report.toOn}；${status}；超期未办结统计时点 ${formatInstant(report.overdueAt, timeZone)}`,
    ...provisionalNote(provisional),
    '',
    table(['承办单位', ...MAIN.map(([h]) => h)], rows(MAIN)),
    '',
    '督办（按类型）',
    table(['承办单位', ...ESCALATIONS.map(([h]) => h)], rows(ESCALATIONS)),
    reconciliation(report.total),
    '',
    `统计口径：${zh ?? report.formula}`,
    `Formula: ${en ?? ''} (${report.formulaId} ${report.formulaVersion})`,
  ].join('\n');
}

async function main(): Promise<void> {
  const config = loadConfig();
  const formula = loadStatisticsFormula(config.files);
  const { calendar } = loadHandlingRules(config.files, config.calendar);
  const database = await resolveDatabase(config.databaseUrl, config.databaseName);
  const dataSource = await openDataSource({
    url: database.url,
    connection: config.db.connection,
    poolSize: 2,
  });
  try {
    const now = new Date();
    const query = {
      groupBy: 'unit' as const,
      unitId: values.unit ?? null,
      formula,
      timeZone: config.timeZone,
      now,
    };
    let report: StatisticsReport;
    let title: string;
    if (values.month !== undefined) {
      report = await monthReport(dataSource, values.month, query);
      title = values.month;
    } else {
      const year = values.year ?? '';
      const today = formatInstant(now, config.timeZone).slice(0, 10);
      const toOn = `${year}-12-31` < today ? `${year}-12-31` : today;
      if (toOn < `${year}-01-01`) fail(`${year} has not begun`);
      report = await periodReport(dataSource, { fromOn: `${year}-01-01`, toOn }, query);
      title = toOn === `${year}-12-31` ? `${year} 年` : `${year} 年（截至 ${toOn}）`;
    }
    const provisional = provisionalDaysWithin(calendar.provisional, report.fromOn, report.toOn);
    process.stdout.write(`${render(report, config.timeZone, title, provisional)}\n`);
  } finally {
    await dataSource.destroy();
    await database.stop();
  }
}

main().catch((error: unknown) => {
  const code = (error as { code?: string }).code;
  process.stderr.write(
    code === '42P01'
      ? 'report: the statistics tables are missing; start the worker or API once to migrate\n'
      : `report: ${error instanceof Error ? error.message : String(error)}\n`,
  );
  process.exit(1);
});
