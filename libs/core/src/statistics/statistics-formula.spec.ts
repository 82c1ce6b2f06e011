import { readFileSync } from 'fs';
import { join } from 'path';
import {
  denominatorResults,
  describeFormula,
  numeratorResults,
  parseStatisticsFormula,
  type StatisticsFormula,
} from './statistics-formula';

const root = join(__dirname, '../../../..');
const configJson = JSON.parse(readFileSync(join(root, 'config/statistics.json'), 'utf8')) as Record<
  string,
  unknown
>;

function loadFormula(json: unknown = configJson): StatisticsFormula {
  const parsed = parseStatisticsFormula(json);
  if (!parsed.ok) throw new Error(parsed.errors.join('\n'));
  return parsed.value;
}
const formula = loadFormula();

describe('statistics formula: the default (config/statistics.json)', () => {
  it('counts satisfied and basically satisfied, and leaves unreachable and declined out of the denominator', () => {
    expect(numeratorResults(formula)).toEqual(['satisfied', 'basically_satisfied']);
    expect(denominatorResults(formula)).toEqual([
      'satisfied',
      'basically_satisfied',
      'dissatisfied',
    ]);
    expect(formula).toMatchObject({
      leaveOutExcludedOrders: true,
      ratingAfterRework: 'latest',
      ratingPeriod: 'callback',
      rounding: { decimals: 2, mode: 'half_up' },
    });
  });

  it('describes itself in Chinese as the report prints it', () => {
    expect(describeFormula(formula, 'zh')).toBe(
      '满意率 = (满意 + 基本满意) ÷ (满意 + 基本满意 + 不满意)；无法联系、拒绝评价不计入分母；' +
        '不计考核工单除外；重办后以最后一次评价为准；按回访月份统计；百分比保留两位小数，四舍五入',
    );
  });

  it('describes itself in English', () => {
    expect(describeFormula(formula, 'en')).toBe(
      'satisfaction rate = (satisfied + basically satisfied) ÷ (satisfied + basically satisfied + ' +
        'dissatisfied); unreachable and declined callbacks are not in the denominator; orders ' +
        'excluded from assessment are left out; after rework the latest rating counts; ratings ' +
        'are counted in the month of the callback; percent with 2 decimals, rounded half up',
    );
  });

  it('gives both languages by default, Chinese first', () => {
    expect(describeFormula(formula)).toBe(
      `${describeFormula(formula, 'zh')} / ${describeFormula(formula, 'en')}`,
    );
  });
});

describe('statistics formula: every choice is configurable and described', () => {
  it.each<[string, Partial<StatisticsFormula>, string[]]>([
    [
      'only satisfied in the numerator, every result in the denominator',
      { satisfied: ['satisfied'], outsideDenominator: [] },
      [
        '满意率 = 满意 ÷ (满意 + 基本满意 + 不满意 + 无法联系 + 拒绝评价)',
        '所有回访结果均计入分母',
      ],
    ],
    ['excluded orders counted', { leaveOutExcludedOrders: false }, ['不计考核工单照常统计']],
    ['the first rating after rework', { ratingAfterRework: 'first' }, ['重办后以第一次评价为准']],
    ['ratings in the dispatch month', { ratingPeriod: 'dispatch' }, ['按派单月份统计']],
    [
      'one decimal, half to even',
      { rounding: { decimals: 1, mode: 'half_even' } },
      ['百分比保留一位小数，四舍六入五成双'],
    ],
  ])('%s', (_name, change, phrases) => {
    const described = describeFormula(loadFormula({ ...configJson, ...change }), 'zh');
    for (const phrase of phrases) expect(described).toContain(phrase);
  });
});

describe('statistics formula: validation lists every problem at once', () => {
  it('reports a result both satisfied and outside the denominator, duplicates, bad rounding, an unknown key and a missing source together', () => {
    const { source: _source, ...withoutSource } = configJson;
    const parsed = parseStatisticsFormula({
      ...withoutSource,
      satisfied: ['satisfied', 'satisfied'],
      outsideDenominator: ['satisfied', 'unreachable', 'maybe'],
      rounding: { decimals: 2.5, mode: 'up' },
      ratingPeriod: 'reply',
      colour: 'blue',
    });
    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    const text = parsed.errors.join('\n');
    for (const path of [
      'satisfied[1]: satisfied is listed twice',
      'outsideDenominator[2]',
      'rounding.decimals',
      'rounding.mode',
      'ratingPeriod',
      'source',
      'colour',
    ]) {
      expect(text).toContain(path);
    }
  });

  it('reports a result counted as satisfied but left out of the denominator', () => {
    const parsed = parseStatisticsFormula({
      ...configJson,
      outsideDenominator: ['basically_satisfied', 'unreachable'],
    });
    expect(parsed).toEqual({
      ok: false,
      errors: [
        'satisfied: basically_satisfied is counted as satisfied but left out of the denominator',
      ],
    });
  });

  it('needs at least one result counted as satisfied', () => {
    const parsed = parseStatisticsFormula({ ...configJson, satisfied: [] });
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.errors.join('\n')).toContain('satisfied:');
  });
});
