import type { Category } from '../events/work-order-event';
import type { FactMeasure, RollupRow } from './order-facts';
import type { StatisticsFormula } from './statistics-formula';
import { InvalidRollupRowError, percentRate, summarizeStatistics } from './summarize-statistics';

const formula: StatisticsFormula = {
  id: 'test',
  version: '1',
  satisfied: ['satisfied', 'basically_satisfied'],
  outsideDenominator: ['unreachable', 'declined'],
  leaveOutExcludedOrders: true,
  ratingAfterRework: 'latest',
  ratingPeriod: 'callback',
  rounding: { decimals: 2, mode: 'half_up' },
  source: 'test',
};
const halfUp = formula.rounding;

const row = (
  measure: FactMeasure,
  count: number,
  unitId = 'teda-enforcement',
  category: Category = 'complaint',
  dayOn = '2024-01-15',
): RollupRow => ({ dayOn, unitId, category, measure, count });

describe('percentRate: percent with integer rounding', () => {
  it.each<[string, number, number, StatisticsFormula['rounding'], number | null]>([
    ['10597 of 11229 is 94.3717…% and shows 94.37', 10597, 11229, halfUp, 94.37],
    ['an exact half rounds up: 18873 of 20000 is 94.365% → 94.37', 18873, 20000, halfUp, 94.37],
    ['just below the half rounds down: 188729 of 200000 → 94.36', 188729, 200000, halfUp, 94.36],
    [
      'half to even keeps 94.36 for 94.365',
      18873,
      20000,
      { decimals: 2, mode: 'half_even' },
      94.36,
    ],
    [
      'half to even rounds 94.375 up to 94.38',
      3775,
      4000,
      { decimals: 2, mode: 'half_even' },
      94.38,
    ],
    ['one third is 33.33', 1, 3, halfUp, 33.33],
    ['two thirds is 66.67', 2, 3, halfUp, 66.67],
    ['all of them is 100', 11229, 11229, halfUp, 100],
    ['none of them is 0', 0, 5, halfUp, 0],
    ['zero decimals: 1 of 8 is 12.5% → 13', 1, 8, { decimals: 0, mode: 'half_up' }, 13],
    ['nothing to rate is null, not 0', 0, 0, halfUp, null],
    ['large counts stay exact: 9999999 of 10000000 → 100', 9_999_999, 10_000_000, halfUp, 100],
  ])('%s', (_rule, numerator, denominator, rounding, expected) => {
    expect(percentRate(numerator, denominator, rounding)).toBe(expected);
  });

  it('refuses negative or fractional counts', () => {
    expect(() => percentRate(-1, 3, halfUp)).toThrow(RangeError);
    expect(() => percentRate(1.5, 3, halfUp)).toThrow(RangeError);
  });
});

describe('summarizeStatistics', () => {
  it('computes the year figure “12345工单11229件，满意率94.37%” from counts', () => {
    const summary = summarizeStatistics(
      [
        row('received', 11229),
        row('rated_satisfied', 10000),
        row('rated_basically_satisfied', 597),
        row('rated_dissatisfied', 632),
        row('rated_unreachable', 300),
        row('rated_declined', 45),
      ],
      formula,
    );
    expect(summary.total).toMatchObject({
      received: 11229,
      satisfied: 10000,
      basicallySatisfied: 597,
      dissatisfied: 632,
      unreachable: 300,
      declined: 45,
      satisfactionNumerator: 10597,
      satisfactionDenominator: 11229,
      satisfactionRate: 94.37,
    });
    expect(summary.groups).toEqual([]);
    expect(summary.groupBy).toBeNull();
  });

  it('shows the formula it used with the figures', () => {
    const summary = summarizeStatistics([], formula);
    expect(summary.formula).toContain('满意率 = (满意 + 基本满意) ÷ (满意 + 基本满意 + 不满意)');
    expect(summary).toMatchObject({ formulaId: 'test', formulaVersion: '1' });
  });

  it('gives null rates and zero counts for an empty period', () => {
    expect(summarizeStatistics([], formula).total).toEqual({
      received: 0,
      satisfied: 0,
      basicallySatisfied: 0,
      dissatisfied: 0,
      unreachable: 0,
      declined: 0,
      satisfactionNumerator: 0,
      satisfactionDenominator: 0,
      satisfactionRate: null,
      acceptFinished: 0,
      acceptOnTime: 0,
      onTimeAcceptanceRate: null,
      completeFinished: 0,
      completeOnTime: 0,
      onTimeCompletionRate: null,
      returned: 0,
      extended: 0,
      reworks: 0,
      falseCompletions: 0,
    });
  });

  it('computes on-time rates as stages on time ÷ stages finished', () => {
    const { total } = summarizeStatistics(
      [
        row('accept_finished', 8),
        row('accept_on_time', 6),
        row('complete_finished', 7),
        row('complete_on_time', 6),
      ],
      formula,
    );
    expect(total).toMatchObject({ onTimeAcceptanceRate: 75, onTimeCompletionRate: 85.71 });
  });

  it('moves unreachable and declined into the denominator when the formula says so', () => {
    const rows = [
      row('rated_satisfied', 3),
      row('rated_dissatisfied', 1),
      row('rated_unreachable', 1),
      row('rated_declined', 1),
    ];
    expect(summarizeStatistics(rows, formula).total.satisfactionRate).toBe(75);
    expect(
      summarizeStatistics(rows, { ...formula, outsideDenominator: [] }).total.satisfactionRate,
    ).toBe(50);
  });

  it.each<['unit' | 'category' | 'month', string[]]>([
    ['unit', ['teda-community', 'teda-enforcement']],
    ['category', ['complaint', 'help']],
    ['month', ['2024-01', '2024-02']],
  ])('groups by %s, sorted by key, with the total computed from counts', (groupBy, keys) => {
    const rows = [
      row('rated_satisfied', 1, 'teda-enforcement', 'complaint', '2024-01-05'),
      row('rated_dissatisfied', 1, 'teda-enforcement', 'complaint', '2024-01-05'),
      row('rated_satisfied', 2, 'teda-community', 'help', '2024-02-01'),
      row('received', 3, 'teda-community', 'help', '2024-01-31'),
    ];
    const summary = summarizeStatistics(rows, formula, groupBy);
    expect(summary.groups.map((group) => group.key)).toEqual(keys);
    // 3 of 4, not the mean of the groups' rates (50 and 100).
    expect(summary.total.satisfactionRate).toBe(75);
    expect(summary.groups.reduce((sum, group) => sum + group.satisfied, 0)).toBe(3);
  });

  it('refuses a negative count: the rollup itself would be wrong', () => {
    expect(() => summarizeStatistics([row('received', -1)], formula)).toThrow(
      InvalidRollupRowError,
    );
  });
});
