/**
 * A period's statistics report, as the API and `npm run report` show it: live from the rollup for
 * any range of days, or, for a closed month, its frozen figures plus the restatements recorded
 * since the close.
 */
import type { StatisticsFormula } from '@hotline/core';
import {
  composeFigures,
  monthDays,
  periodEndIn,
  type PeriodFigures,
  type PeriodGroup,
  type ReportGrouping,
} from './statistics-figures';
import { findClosedMonth, type ClosedMonth } from './statistics-months';
import {
  escalationCounts,
  listRestatements,
  overdueOpenCounts,
  rollupRows,
  type Queryable,
  type Restatement,
} from './statistics-reads';

export interface StatisticsReport {
  fromOn: string;
  toOn: string;
  /** Set for a monthly report. */
  month: string | null;
  /** The unit the report is limited to, or null for every unit. */
  unitId: string | null;
  groupBy: ReportGrouping | null;
  formula: string;
  formulaId: string;
  formulaVersion: string;
  /** The instant overdue-and-open is counted at: the period's end, or `now` if that is earlier. */
  overdueAt: Date;
  /** A closed month's close; null for a live report. */
  closed: { closedAt: Date; closedBy: string } | null;
  total: PeriodFigures;
  groups: PeriodGroup[];
  /** A closed month's restatements since the close (for the unit, if limited); else empty. */
  restatements: RestatementChange[];
}

/**
 * A restatement with the month's count it changed: the count of (unit, category, measure) in the
 * month as frozen plus the restatements before it (`before`), and with it (`after`).
 */
export interface RestatementChange extends Restatement {
  before: number;
  after: number;
}

export interface ReportQuery {
  groupBy: ReportGrouping | null;
  unitId: string | null;
  formula: StatisticsFormula;
  timeZone: string;
  now: Date;
}

/** The live figures of the days `[fromOn, toOn]` (restatements of closed months included). */
export async function periodReport(
  q: Queryable,
  range: { fromOn: string; toOn: string },
  query: ReportQuery,
): Promise<StatisticsReport> {
  const end = periodEndIn(range.toOn, query.timeZone);
  const overdueAt = end.getTime() > query.now.getTime() ? query.now : end;
  const unitId = query.unitId ?? undefined;
  const [counts, escalations, overdueOpen] = await Promise.all([
    rollupRows(q, range.fromOn, range.toOn, unitId),
    escalationCounts(q, range.fromOn, range.toOn, query.timeZone, unitId),
    overdueOpenCounts(q, overdueAt, query.formula.leaveOutExcludedOrders, unitId),
  ]);
  const figures = composeFigures(
    { counts, escalations, overdueOpen },
    query.formula,
    query.groupBy,
    query.unitId,
  );
  return {
    ...range,
    month: null,
    unitId: query.unitId,
    groupBy: query.groupBy,
    ...figures,
    overdueAt,
    closed: null,
    restatements: [],
  };
}

/** A month: frozen when closed (with its restatements), live otherwise. */
export async function monthReport(
  q: Queryable,
  month: string,
  query: ReportQuery,
): Promise<StatisticsReport> {
  const closed = await findClosedMonth(q, month);
  if (closed === null) {
    return { ...(await periodReport(q, monthDays(month), query)), month };
  }
  const figures = composeFigures(closed.figures, closed.formula, query.groupBy, query.unitId);
  return {
    fromOn: closed.figures.fromOn,
    toOn: closed.figures.toOn,
    month,
    unitId: query.unitId,
    groupBy: query.groupBy,
    ...figures,
    overdueAt: new Date(closed.figures.overdueAt),
    closed: { closedAt: closed.closedAt, closedBy: closed.closedBy },
    restatements: withValues(closed, await listRestatements(q, month, query.unitId ?? undefined)),
  };
}

function withValues(
  closed: ClosedMonth,
  restatements: readonly Restatement[],
): RestatementChange[] {
  const key = (unitId: string, category: string, measure: string) =>
    JSON.stringify([unitId, category, measure]);
  const counts = new Map<string, number>();
  for (const row of closed.figures.counts) {
    const k = key(row.unitId, row.category, row.measure);
    counts.set(k, (counts.get(k) ?? 0) + row.count);
  }
  return restatements.map((r) => {
    const k = key(r.unitId, r.category, r.measure);
    const before = counts.get(k) ?? 0;
    counts.set(k, before + r.delta);
    return { ...r, before, after: before + r.delta };
  });
}

/** A closed month's restatements with their before and after counts; null while it is open. */
export async function monthRestatements(
  q: Queryable,
  month: string,
  unitId: string | null,
): Promise<{ closed: ClosedMonth; restatements: RestatementChange[] } | null> {
  const closed = await findClosedMonth(q, month);
  if (closed === null) return null;
  // Every unit's restatements are read so the running counts are right, then the unit's kept.
  const all = withValues(closed, await listRestatements(q, month));
  return {
    closed,
    restatements: unitId === null ? all : all.filter((r) => r.unitId === unitId),
  };
}
