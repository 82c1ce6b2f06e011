/**
 * Recomputes open orders' deadlines: first a what-if (which deadlines would change, and how),
 * then, when asked, the change itself. Two occasions:
 *
 * - a profile change (`recomputeOpenOrders`): open orders move to another rule-profile version;
 * - a holiday notice imported (`recomputeCalendarDependentOrders`): open orders whose deadlines
 *   rest on provisional days, or miss a stage the calendar could not compute, are recomputed on
 *   the calendar as loaded now, each under its own profile version.
 *
 * Closed and returned orders are never touched: their deadlines stay those they were handled
 * under. With `apply`, the moved orders are due at once, so the sweep re-decides them: an
 * escalation whose deadline now lies later is withdrawn (`deadline_recomputed`).
 */
import type { RuleProfile, StatisticsFormula, WorkingCalendar } from '@hotline/core';
import {
  loadEvents,
  pageOpenOrdersAwaitingCalendar,
  pageOpenOrdersOffProfile,
  withTransaction,
  type OpenOrderDeadlines,
} from '@hotline/persistence';
import { profileFor, profileRef, type HandlingRules } from '@hotline/platform';
import type { DataSource, QueryRunner } from 'typeorm';
import { projectWorkOrder, rewriteProjectedOrders } from '../ingestion/project-work-order';

export interface DeadlineChange {
  workOrderId: string;
  from: string;
  acceptDueAt: [Date | null, Date | null];
  completeDueAt: [Date | null, Date | null];
}

export interface RecomputeReport {
  target: string;
  applied: boolean;
  examined: number;
  /** Orders whose acceptance or completion deadline moves. */
  changed: DeadlineChange[];
  /** Orders whose deadlines stay as they are (only the recorded version or markers change). */
  unchanged: number;
  /** Orders examined that were computed on provisional days. */
  wereProvisional: number;
  /** Orders whose recomputed deadlines still rest on provisional days (a year still without its notice). */
  stillProvisional: number;
  /** Orders with a stage the calendar still cannot compute (written with the stages that can). */
  stillUnavailable: number;
  /** Orders the target cannot compute at all (its profile version is not loaded): left as they are. */
  failed: { workOrderId: string; error: string }[];
}

const PAGE = 1000;
const same = (a: Date | null, b: Date | null) => (a?.getTime() ?? null) === (b?.getTime() ?? null);

interface Selection {
  target: string;
  page: (
    runner: QueryRunner,
    afterId: string,
    limit: number,
    lock: boolean,
  ) => Promise<OpenOrderDeadlines[]>;
  profileOf: (order: OpenOrderDeadlines) => RuleProfile | undefined;
}

/** Moves open orders on another version to profile `target`. */
export function recomputeOpenOrders(
  dataSource: DataSource,
  calendar: WorkingCalendar,
  target: RuleProfile,
  formula: StatisticsFormula,
  apply: boolean,
  now: Date,
): Promise<RecomputeReport> {
  return recompute(dataSource, calendar, formula, apply, now, {
    target: profileRef(target),
    page: (runner, afterId, limit, lock) =>
      pageOpenOrdersOffProfile(runner, target, afterId, limit, lock),
    profileOf: () => target,
  });
}

/**
 * Recomputes, on `rules.calendar` and each under its own profile version, the open orders whose
 * deadlines rest on provisional days or miss a stage: after a holiday notice's import.
 */
export function recomputeCalendarDependentOrders(
  dataSource: DataSource,
  rules: HandlingRules,
  formula: StatisticsFormula,
  apply: boolean,
  now: Date,
): Promise<RecomputeReport> {
  const { officialCoverage } = rules.calendar;
  return recompute(dataSource, rules.calendar, formula, apply, now, {
    target: `the calendar with official data through ${officialCoverage.toOn}`,
    page: pageOpenOrdersAwaitingCalendar,
    profileOf: (order) =>
      profileFor(rules, { profileId: order.profileId, profileVersion: order.profileVersion }),
  });
}

async function recompute(
  dataSource: DataSource,
  calendar: WorkingCalendar,
  formula: StatisticsFormula,
  apply: boolean,
  now: Date,
  selection: Selection,
): Promise<RecomputeReport> {
  const report: RecomputeReport = {
    target: selection.target,
    applied: apply,
    examined: 0,
    changed: [],
    unchanged: 0,
    wereProvisional: 0,
    stillProvisional: 0,
    stillUnavailable: 0,
    failed: [],
  };
  let afterId = '';
  for (;;) {
    // One transaction per page: with `apply`, the rows are locked from the read to the write, so
    // ingestion of the same orders waits instead of interleaving.
    const page = await withTransaction(dataSource, async (runner) => {
      const orders = await selection.page(runner, afterId, PAGE, apply);
      if (orders.length === 0) return orders;
      const events = await loadEvents(
        runner,
        orders.map((o) => o.workOrderId),
      );
      const projections = orders
        .map((order) => ({
          order,
          projection: projectWorkOrder(order.workOrderId, events.get(order.workOrderId) ?? [], {
            calendar,
            profile: selection.profileOf(order),
            pinned: { profileId: order.profileId, profileVersion: order.profileVersion },
          }),
        }))
        .filter(({ order, projection }) => {
          if (projection.deadlines !== null || projection.deadlineError === null) return true;
          report.failed.push({ workOrderId: order.workOrderId, error: projection.deadlineError });
          return false;
        });
      for (const { order, projection } of projections) {
        record(report, order, projection.record);
        if (order.provisional) report.wereProvisional += 1;
        if (projection.deadlines?.provisional) report.stillProvisional += 1;
        if (projection.deadlines?.unavailable.length) report.stillUnavailable += 1;
      }
      if (apply) {
        // The sweep re-decides the moved orders at once: their warnings, deadlines and the
        // advances of their escalations follow the new deadlines, and so do timeliness facts.
        await rewriteProjectedOrders(
          runner,
          projections.map(({ projection }) => projection),
          { formula, calendar, cause: 'recompute', now },
        );
      }
      return orders;
    });
    report.examined += page.length;
    const last = page[page.length - 1];
    if (!last || page.length < PAGE) break;
    afterId = last.workOrderId;
  }
  return report;
}

function record(
  report: RecomputeReport,
  before: OpenOrderDeadlines,
  after: { acceptDueAt: Date | null; completeDueAt: Date | null },
): void {
  if (
    same(before.acceptDueAt, after.acceptDueAt) &&
    same(before.completeDueAt, after.completeDueAt)
  ) {
    report.unchanged += 1;
    return;
  }
  report.changed.push({
    workOrderId: before.workOrderId,
    from: `${before.profileId}@${before.profileVersion}`,
    acceptDueAt: [before.acceptDueAt, after.acceptDueAt],
    completeDueAt: [before.completeDueAt, after.completeDueAt],
  });
}
