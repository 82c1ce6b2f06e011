/**
 * The statistics formula (domain.md §5): no published formula reproduces the official figures
 * exactly, so every choice is data (config/statistics.json), validated here with every problem
 * listed at once, and every report prints the formula it used (describeFormula).
 *
 * Two kinds of choice, and why the difference matters to the rollup:
 * - chosen when an order is decomposed into facts (order-facts.ts): `leaveOutExcludedOrders`,
 *   `ratingAfterRework`, `ratingPeriod`. Changing one of these changes the stored per-day counts,
 *   so the rollup must be rebuilt from the orders (bump `version`).
 * - chosen when the counts are summarized (summarize-statistics.ts): `satisfied`,
 *   `outsideDenominator`, `rounding`. Facts keep every callback result apart, so changing these
 *   needs no rebuild.
 */
import { z } from 'zod';
import { CALLBACK_RESULTS, type CallbackResult } from '../events/work-order-event';
import { describeIssues, type ValidationResult } from '../calendar/validation-result';

export const RATINGS_AFTER_REWORK = ['latest', 'first'] as const;
/**
 * Which callback counts when an order has several (重办 produces a new callback per round):
 * `latest`: the order's last callback replaces every earlier one; `first`: the last callback of the
 * earliest round that has one (a re-callback within a round, e.g. after `unreachable`, still
 * replaces that round's earlier callback).
 */
export type RatingAfterRework = (typeof RATINGS_AFTER_REWORK)[number];

export const RATING_PERIODS = ['callback', 'dispatch'] as const;
/**
 * The day (hence month) a rating is counted in: `callback`, the day of the callback;
 * `dispatch`, the day the street received the order (its first `dispatched`).
 */
export type RatingPeriod = (typeof RATING_PERIODS)[number];

export const ROUNDING_MODES = ['half_up', 'half_even'] as const;
/** `half_up` 四舍五入 (94.365 → 94.37); `half_even` 四舍六入五成双 (94.365 → 94.36). */
export type RoundingMode = (typeof ROUNDING_MODES)[number];

const identifier = z
  .string()
  .regex(/^[a-z0-9][a-z0-9._-]*$/, { error: 'use lower-case letters, digits, . _ -' })
  .max(100);

const results = z
  .array(z.enum(CALLBACK_RESULTS))
  .max(CALLBACK_RESULTS.length)
  .superRefine((list, ctx) => {
    list.forEach((result, index) => {
      if (list.indexOf(result) !== index) {
        ctx.addIssue({ code: 'custom', path: [index], message: `${result} is listed twice` });
      }
    });
  });

const formulaSchema = z
  .strictObject({
    id: identifier,
    version: z.string().trim().min(1).max(50),
    /** Callback results counted as satisfied (the numerator). */
    satisfied: results.min(1, { error: 'list at least one result counted as satisfied' }),
    /** Callback results counted and shown but left out of the denominator. */
    outsideDenominator: results,
    /** 不计考核: an excluded order contributes nothing at all when true. */
    leaveOutExcludedOrders: z.boolean(),
    ratingAfterRework: z.enum(RATINGS_AFTER_REWORK),
    ratingPeriod: z.enum(RATING_PERIODS),
    rounding: z.strictObject({
      /** Decimals of the percentage: 2 gives 94.37. */
      decimals: z.number().int().min(0).max(6),
      mode: z.enum(ROUNDING_MODES),
    }),
    source: z.string().trim().min(1, { error: 'say where the formula comes from' }).max(2000),
  })
  .superRefine((formula, ctx) => {
    for (const result of formula.satisfied) {
      if (formula.outsideDenominator.includes(result)) {
        ctx.addIssue({
          code: 'custom',
          path: ['satisfied'],
          message: `${result} is counted as satisfied but left out of the denominator`,
        });
      }
    }
  });

export type StatisticsFormula = z.infer<typeof formulaSchema>;

/** Validates a statistics formula (parsed JSON), listing every problem at once. */
export function parseStatisticsFormula(json: unknown): ValidationResult<StatisticsFormula> {
  const parsed = formulaSchema.safeParse(json);
  if (!parsed.success) return { ok: false, errors: describeIssues(parsed.error) };
  return { ok: true, value: parsed.data };
}

/** The callback results in the satisfaction rate's denominator, in contract order. */
export function denominatorResults(formula: StatisticsFormula): CallbackResult[] {
  return CALLBACK_RESULTS.filter((result) => !formula.outsideDenominator.includes(result));
}

/** The callback results in the numerator, in contract order. */
export function numeratorResults(formula: StatisticsFormula): CallbackResult[] {
  return CALLBACK_RESULTS.filter((result) => formula.satisfied.includes(result));
}

const RESULT_NAMES: Record<CallbackResult, { zh: string; en: string }> = {
  satisfied: { zh: '满意', en: 'satisfied' },
  basically_satisfied: { zh: '基本满意', en: 'basically satisfied' },
  dissatisfied: { zh: '不满意', en: 'dissatisfied' },
  unreachable: { zh: '无法联系', en: 'unreachable' },
  declined: { zh: '拒绝评价', en: 'declined' },
};

const ZH_DIGITS = ['零', '一', '两', '三', '四', '五', '六'];

function sum(list: readonly CallbackResult[], language: 'zh' | 'en'): string {
  const names = list.map((result) => RESULT_NAMES[result][language]);
  return names.length === 1 ? (names[0] ?? '') : `(${names.join(' + ')})`;
}

function describeZh(formula: StatisticsFormula): string {
  const parts = [
    `满意率 = ${sum(numeratorResults(formula), 'zh')} ÷ ${sum(denominatorResults(formula), 'zh')}`,
    formula.outsideDenominator.length === 0
      ? '所有回访结果均计入分母'
      : `${CALLBACK_RESULTS.filter((r) => formula.outsideDenominator.includes(r))
          .map((r) => RESULT_NAMES[r].zh)
          .join('、')}不计入分母`,
    formula.leaveOutExcludedOrders ? '不计考核工单除外' : '不计考核工单照常统计',
    formula.ratingAfterRework === 'latest' ? '重办后以最后一次评价为准' : '重办后以第一次评价为准',
    formula.ratingPeriod === 'callback' ? '按回访月份统计' : '按派单月份统计',
    `百分比保留${ZH_DIGITS[formula.rounding.decimals] ?? String(formula.rounding.decimals)}位小数，${
      formula.rounding.mode === 'half_up' ? '四舍五入' : '四舍六入五成双'
    }`,
  ];
  return parts.join('；');
}

function describeEn(formula: StatisticsFormula): string {
  const outside = CALLBACK_RESULTS.filter((r) => formula.outsideDenominator.includes(r)).map(
    (r) => RESULT_NAMES[r].en,
  );
  const parts = [
    `satisfaction rate = ${sum(numeratorResults(formula), 'en')} ÷ ${sum(
      denominatorResults(formula),
      'en',
    )}`,
    outside.length === 0
      ? 'every callback result is in the denominator'
      : `${outside.join(' and ')} callbacks are not in the denominator`,
    formula.leaveOutExcludedOrders
      ? 'orders excluded from assessment are left out'
      : 'orders excluded from assessment are counted',
    formula.ratingAfterRework === 'latest'
      ? 'after rework the latest rating counts'
      : 'after rework the first rating counts',
    formula.ratingPeriod === 'callback'
      ? 'ratings are counted in the month of the callback'
      : 'ratings are counted in the month the order was dispatched',
    `percent with ${formula.rounding.decimals} decimals, rounded ${
      formula.rounding.mode === 'half_up' ? 'half up' : 'half to even'
    }`,
  ];
  return parts.join('; ');
}

/**
 * The formula in words, for every report and export: Chinese, English, or both (`中文 / English`).
 * Example (the default): 满意率 = (满意 + 基本满意) ÷ (满意 + 基本满意 + 不满意)；无法联系、拒绝评价不计入分母；
 * 不计考核工单除外；重办后以最后一次评价为准；按回访月份统计；百分比保留两位小数，四舍五入.
 */
export function describeFormula(
  formula: StatisticsFormula,
  language: 'zh' | 'en' | 'both' = 'both',
): string {
  if (language === 'zh') return describeZh(formula);
  if (language === 'en') return describeEn(formula);
  return `${describeZh(formula)} / ${describeEn(formula)}`;
}
