/**
 * The columns of every tabular view of the figures (CSV, XLSX, `npm run report`), with the
 * Chinese headings the street's reports use. Rates are percent numbers with the formula's
 * decimals; null (nothing to rate) stays empty.
 */
import { ESCALATION_KINDS, ESCALATION_KIND_LABELS } from '@hotline/core';
import type { PeriodFigures } from '@hotline/persistence/statistics';

export interface FigureColumn {
  header: string;
  value: (figures: PeriodFigures) => number | null;
  /** Percent rates are shown with two decimals. */
  rate?: true;
}

export const FIGURE_COLUMNS: readonly FigureColumn[] = [
  { header: '受理量', value: (f) => f.received },
  { header: '满意', value: (f) => f.satisfied },
  { header: '基本满意', value: (f) => f.basicallySatisfied },
  { header: '不满意', value: (f) => f.dissatisfied },
  { header: '无法联系', value: (f) => f.unreachable },
  { header: '拒绝评价', value: (f) => f.declined },
  { header: '满意率(%)', value: (f) => f.satisfactionRate, rate: true },
  { header: '签收数', value: (f) => f.acceptFinished },
  { header: '按时签收数', value: (f) => f.acceptOnTime },
  { header: '按时签收率(%)', value: (f) => f.onTimeAcceptanceRate, rate: true },
  { header: '办结数', value: (f) => f.completeFinished },
  { header: '按期办结数', value: (f) => f.completeOnTime },
  { header: '按期办结率(%)', value: (f) => f.onTimeCompletionRate, rate: true },
  { header: '退单', value: (f) => f.returned },
  { header: '延期', value: (f) => f.extended },
  { header: '超期未办结', value: (f) => f.overdueOpen },
  { header: '重办', value: (f) => f.reworks },
  { header: '虚假办结', value: (f) => f.falseCompletions },
  ...ESCALATION_KINDS.map((kind): FigureColumn => ({
    header: `督办:${ESCALATION_KIND_LABELS[kind]}`,
    value: (f) => f.escalations[kind],
  })),
  { header: '督办合计', value: (f) => f.escalationsTotal },
];

/** The first column's heading and the total row's label. */
export const UNIT_HEADER = '承办单位';
export const TOTAL_LABEL = '合计';
