import { formatInstant } from '@hotline/core';
import type { RestatementChange, StatisticsReport } from '@hotline/persistence/statistics';

export function toRestatementResponse(r: RestatementChange, timeZone: string) {
  return {
    id: r.id,
    workOrderId: r.workOrderId,
    unitId: r.unitId,
    category: r.category,
    measure: r.measure,
    delta: r.delta,
    before: r.before,
    after: r.after,
    cause: r.cause,
    at: formatInstant(r.at, timeZone),
  };
}

/**
 * A report as the API shows it: the period, the formula in words, the figures (rates in percent
 * with two decimals, null when there is nothing to rate), a closed month's close and its
 * restatements; instants with the calendar's offset.
 */
export function toStatisticsResponse(report: StatisticsReport, timeZone: string) {
  return {
    month: report.month,
    from: report.fromOn,
    to: report.toOn,
    unitId: report.unitId,
    groupBy: report.groupBy,
    status: report.closed === null ? ('open' as const) : ('closed' as const),
    closedAt: report.closed === null ? null : formatInstant(report.closed.closedAt, timeZone),
    closedBy: report.closed?.closedBy ?? null,
    formula: report.formula,
    formulaId: report.formulaId,
    formulaVersion: report.formulaVersion,
    overdueAt: formatInstant(report.overdueAt, timeZone),
    total: report.total,
    groups: report.groups,
    restatements: report.restatements.map((r) => toRestatementResponse(r, timeZone)),
  };
}
