/**
 * The figures of domain.md §5 from their three ingredients: the rollup's counts (additive facts),
 * escalations by kind, and orders overdue and open at the period's end. The same composition
 * serves a live period and a closed month's frozen ingredients, so a frozen month can still be
 * grouped by unit or category and scoped to one unit.
 */
import { TZDate } from '@date-fns/tz';
import {
  ESCALATION_KINDS,
  summarizeStatistics,
  type EscalationKind,
  type RollupRow,
  type StatisticsFigures,
  type StatisticsFormula,
} from '@hotline/core';
import type { EscalationCount, OverdueCount } from './statistics-reads';

export const REPORT_GROUPINGS = ['unit', 'category'] as const;
export type ReportGrouping = (typeof REPORT_GROUPINGS)[number];

export interface PeriodFigures extends StatisticsFigures {
  /** 期末超期未办结: orders overdue and open at the period's end (or now, if earlier). */
  overdueOpen: number;
  /** 督办 fired in the period, by kind. */
  escalations: Record<EscalationKind, number>;
  escalationsTotal: number;
}

export interface PeriodGroup extends PeriodFigures {
  /** The unit id or the category. */
  key: string;
}

export interface FigureIngredients {
  counts: RollupRow[];
  escalations: EscalationCount[];
  overdueOpen: OverdueCount[];
}

export interface ComposedFigures {
  formula: string;
  formulaId: string;
  formulaVersion: string;
  total: PeriodFigures;
  groups: PeriodGroup[];
}

function noEscalations(): Record<EscalationKind, number> {
  return Object.fromEntries(ESCALATION_KINDS.map((kind) => [kind, 0])) as Record<
    EscalationKind,
    number
  >;
}

function keyOf(
  row: { unitId: string; category: string | null },
  groupBy: ReportGrouping,
): string | null {
  return groupBy === 'unit' ? row.unitId : row.category;
}

/**
 * Sums the ingredients (already limited to the period) into figures, for `unitId` only when
 * given, grouped by unit or category when asked. Every key that appears in any ingredient gets a
 * group; rates come from summed counts, never averaged.
 */
export function composeFigures(
  ingredients: FigureIngredients,
  formula: StatisticsFormula,
  groupBy: ReportGrouping | null,
  unitId: string | null,
): ComposedFigures {
  const mine = <T extends { unitId: string }>(rows: readonly T[]): T[] =>
    unitId === null ? [...rows] : rows.filter((r) => r.unitId === unitId);
  const counts = mine(ingredients.counts);
  const escalations = mine(ingredients.escalations);
  const overdue = mine(ingredients.overdueOpen);

  const summary = summarizeStatistics(counts, formula, groupBy);
  const empty = summarizeStatistics([], formula).total;
  type Extra = { overdueOpen: number; escalations: Record<EscalationKind, number> };
  const totalExtra: Extra = { overdueOpen: 0, escalations: noEscalations() };
  const extras = new Map<string, Extra>();
  // A row without a key (an escalation whose order row is missing, grouped by category) counts
  // in the total only.
  const groupExtra = (row: { unitId: string; category: string | null }): Extra | null => {
    if (groupBy === null) return null;
    const key = keyOf(row, groupBy);
    if (key === null) return null;
    let extra = extras.get(key);
    if (extra === undefined) {
      extra = { overdueOpen: 0, escalations: noEscalations() };
      extras.set(key, extra);
    }
    return extra;
  };
  for (const row of escalations) {
    totalExtra.escalations[row.kind] += row.count;
    const extra = groupExtra(row);
    if (extra) extra.escalations[row.kind] += row.count;
  }
  for (const row of overdue) {
    totalExtra.overdueOpen += row.count;
    const extra = groupExtra(row);
    if (extra) extra.overdueOpen += row.count;
  }
  const withExtras = (figures: StatisticsFigures, extra: Extra | undefined): PeriodFigures => {
    extra ??= { overdueOpen: 0, escalations: noEscalations() };
    return {
      ...figures,
      overdueOpen: extra.overdueOpen,
      escalations: extra.escalations,
      escalationsTotal: Object.values(extra.escalations).reduce((a, b) => a + b, 0),
    };
  };

  const groups = new Map<string, PeriodGroup>();
  for (const group of summary.groups) {
    groups.set(group.key, { key: group.key, ...withExtras(group, extras.get(group.key)) });
  }
  for (const [key, extra] of extras) {
    if (!groups.has(key)) groups.set(key, { key, ...withExtras(empty, extra) });
  }
  return {
    formula: summary.formula,
    formulaId: summary.formulaId,
    formulaVersion: summary.formulaVersion,
    total: withExtras(summary.total, totalExtra),
    groups: groupBy === null ? [] : [...groups.values()].sort((a, b) => compare(a.key, b.key)),
  };
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** `YYYY-MM` → its first and last day (the rule lives in libs/core day-range). */
export { monthDays } from '@hotline/core';

/** The day after `dayOn` (`YYYY-MM-DD`). */
export function nextDayOn(dayOn: string): string {
  const [y, m, d] = dayOn.split('-').map(Number) as [number, number, number];
  return new Date(Date.UTC(y, m - 1, d + 1)).toISOString().slice(0, 10);
}

/** The instant a calendar day starts in `timeZone`. */
export function dayStartIn(dayOn: string, timeZone: string): Date {
  const [y, m, d] = dayOn.split('-').map(Number) as [number, number, number];
  return new Date(new TZDate(y, m - 1, d, 0, 0, 0, 0, timeZone).getTime());
}

/** The instant a period of days `[fromOn, toOn]` ends: the start of the day after `toOn`. */
export function periodEndIn(toOn: string, timeZone: string): Date {
  return dayStartIn(nextDayOn(toOn), timeZone);
}
