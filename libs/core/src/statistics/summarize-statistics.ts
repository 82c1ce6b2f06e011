/**
 * The figures of a period (domain.md §5) from rollup rows already filtered to the period's days:
 * counts, the satisfaction rate (满意率), the on-time acceptance (按时签收率) and completion
 * (按期办结率) rates, grouped by unit, category or month, with a total row and the formula in words.
 *
 * Rates are percentages rounded with integer arithmetic (BigInt), never by scaling floats: 10597
 * of 11229 is 94.3717…% → 94.37, and an exact half such as 18873 of 20000 = 94.365% → 94.37 under
 * half up. A rate whose denominator is 0 is null (nothing to rate), not 0.
 */
import type { CallbackResult } from '../events/work-order-event';
import type { FactMeasure, RollupRow } from './order-facts';
import { RATING_MEASURES } from './order-facts';
import {
  denominatorResults,
  describeFormula,
  numeratorResults,
  type StatisticsFormula,
} from './statistics-formula';

export const STATISTICS_GROUPINGS = ['unit', 'category', 'month'] as const;
/** `month` groups by `YYYY-MM` of the fact's day (a year-to-date summary by month). */
export type StatisticsGrouping = (typeof STATISTICS_GROUPINGS)[number];

export interface StatisticsFigures {
  /** 受理量 */
  received: number;
  satisfied: number;
  basicallySatisfied: number;
  dissatisfied: number;
  unreachable: number;
  declined: number;
  /** The satisfaction rate's terms under the formula, shown so the rate can be checked by hand. */
  satisfactionNumerator: number;
  satisfactionDenominator: number;
  /** 满意率 in percent (94.37), null when the denominator is 0. */
  satisfactionRate: number | null;
  acceptFinished: number;
  acceptOnTime: number;
  /** 按时签收率 = accept stages finished on time ÷ finished, in percent; null when none finished. */
  onTimeAcceptanceRate: number | null;
  completeFinished: number;
  completeOnTime: number;
  /** 按期办结率 = complete stages finished on time ÷ finished, in percent; null when none finished. */
  onTimeCompletionRate: number | null;
  returned: number;
  extended: number;
  reworks: number;
  falseCompletions: number;
}

export interface StatisticsGroupRow extends StatisticsFigures {
  /** The unit id, the category, or the month (`YYYY-MM`). */
  key: string;
}

export interface StatisticsSummary {
  /** The formula in words (Chinese / English), printed with every report. */
  formula: string;
  formulaId: string;
  formulaVersion: string;
  groupBy: StatisticsGrouping | null;
  /** One row per key present in the rows, sorted by key; empty without grouping. */
  groups: StatisticsGroupRow[];
  total: StatisticsFigures;
}

/** A rollup row whose count is not a non-negative integer: the rollup itself is wrong. */
export class InvalidRollupRowError extends Error {
  readonly code = 'invalid_rollup_row' as const;

  constructor(readonly row: RollupRow) {
    super(
      `rollup row ${row.dayOn} ${row.unitId} ${row.category} ${row.measure} has count ` +
        `${String(row.count)}; counts are non-negative integers`,
    );
    this.name = 'InvalidRollupRowError';
  }
}

/**
 * `numerator ÷ denominator` in percent, rounded to `rounding.decimals` decimals with integer
 * arithmetic; null when the denominator is 0. Both must be non-negative safe integers.
 */
export function percentRate(
  numerator: number,
  denominator: number,
  rounding: StatisticsFormula['rounding'],
): number | null {
  if (
    !Number.isSafeInteger(numerator) ||
    !Number.isSafeInteger(denominator) ||
    numerator < 0 ||
    denominator < 0
  ) {
    throw new RangeError(`a rate needs non-negative integers, not ${numerator} ÷ ${denominator}`);
  }
  if (denominator === 0) return null;
  const scaled = BigInt(numerator) * 100n * 10n ** BigInt(rounding.decimals);
  const d = BigInt(denominator);
  const quotient = scaled / d;
  const twiceRemainder = (scaled % d) * 2n;
  const roundUp =
    rounding.mode === 'half_up'
      ? twiceRemainder >= d
      : twiceRemainder > d || (twiceRemainder === d && quotient % 2n === 1n);
  // An exact integer divided by a power of ten: the double nearest the decimal (94.37).
  return Number(roundUp ? quotient + 1n : quotient) / 10 ** rounding.decimals;
}

type Counts = Record<FactMeasure, number>;

function emptyCounts(): Counts {
  return {
    received: 0,
    rated_satisfied: 0,
    rated_basically_satisfied: 0,
    rated_dissatisfied: 0,
    rated_unreachable: 0,
    rated_declined: 0,
    accept_finished: 0,
    accept_on_time: 0,
    complete_finished: 0,
    complete_on_time: 0,
    returned: 0,
    extended: 0,
    rework: 0,
    false_completion: 0,
  };
}

function ratedCount(counts: Counts, results: readonly CallbackResult[]): number {
  return results.reduce((sum, result) => sum + counts[RATING_MEASURES[result]], 0);
}

function figuresOf(counts: Counts, formula: StatisticsFormula): StatisticsFigures {
  const numerator = ratedCount(counts, numeratorResults(formula));
  const denominator = ratedCount(counts, denominatorResults(formula));
  return {
    received: counts.received,
    satisfied: counts.rated_satisfied,
    basicallySatisfied: counts.rated_basically_satisfied,
    dissatisfied: counts.rated_dissatisfied,
    unreachable: counts.rated_unreachable,
    declined: counts.rated_declined,
    satisfactionNumerator: numerator,
    satisfactionDenominator: denominator,
    satisfactionRate: percentRate(numerator, denominator, formula.rounding),
    acceptFinished: counts.accept_finished,
    acceptOnTime: counts.accept_on_time,
    onTimeAcceptanceRate: percentRate(
      counts.accept_on_time,
      counts.accept_finished,
      formula.rounding,
    ),
    completeFinished: counts.complete_finished,
    completeOnTime: counts.complete_on_time,
    onTimeCompletionRate: percentRate(
      counts.complete_on_time,
      counts.complete_finished,
      formula.rounding,
    ),
    returned: counts.returned,
    extended: counts.extended,
    reworks: counts.rework,
    falseCompletions: counts.false_completion,
  };
}

function groupKey(row: RollupRow, groupBy: StatisticsGrouping): string {
  switch (groupBy) {
    case 'unit':
      return row.unitId;
    case 'category':
      return row.category;
    case 'month':
      return row.dayOn.slice(0, 7);
  }
}

/**
 * The figures of `rows` (the rollup filtered to a period, and to a unit if the caller scopes it),
 * under `formula`, optionally grouped. The total is computed from the counts, not from the groups'
 * rates: rates are never averaged.
 */
export function summarizeStatistics(
  rows: readonly RollupRow[],
  formula: StatisticsFormula,
  groupBy: StatisticsGrouping | null = null,
): StatisticsSummary {
  const total = emptyCounts();
  const groups = new Map<string, Counts>();
  for (const row of rows) {
    if (!Number.isSafeInteger(row.count) || row.count < 0) throw new InvalidRollupRowError(row);
    total[row.measure] += row.count;
    if (groupBy === null) continue;
    const key = groupKey(row, groupBy);
    let counts = groups.get(key);
    if (counts === undefined) {
      counts = emptyCounts();
      groups.set(key, counts);
    }
    counts[row.measure] += row.count;
  }
  return {
    formula: describeFormula(formula),
    formulaId: formula.id,
    formulaVersion: formula.version,
    groupBy,
    groups: [...groups.entries()]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([key, counts]) => ({ key, ...figuresOf(counts, formula) })),
    total: figuresOf(total, formula),
  };
}
