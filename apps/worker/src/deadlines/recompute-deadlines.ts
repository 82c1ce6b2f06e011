/**
 * Moves open orders to another rule-profile version: first a what-if (which deadlines would
 * change, and how), then, when asked, the change itself. Closed and returned orders are never
 * touched: their deadlines stay those of the version they were handled under.
 */
import {
  orderFacts,
  type RuleProfile,
  type StatisticsFormula,
  type WorkingCalendar,
} from '@hotline/core';
import { applyFactDeltas, loadStoredFacts } from '@hotline/persistence/statistics';
import {
  loadEvents,
  pageOpenOrdersOffProfile,
  upsertWorkOrders,
  withTransaction,
  type OpenOrderDeadlines,
} from '@hotline/persistence';
import type { DataSource } from 'typeorm';
import { projectWorkOrder } from '../ingestion/project-work-order';

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
  /** Orders whose deadlines stay as they are (only the recorded version changes). */
  unchanged: number;
  /** Orders the target cannot compute (e.g. a date outside the calendar): left as they are. */
  failed: { workOrderId: string; error: string }[];
}

const PAGE = 1000;
const same = (a: Date | null, b: Date | null) => (a?.getTime() ?? null) === (b?.getTime() ?? null);

export async function recomputeOpenOrders(
  dataSource: DataSource,
  calendar: WorkingCalendar,
  target: RuleProfile,
  formula: StatisticsFormula,
  apply: boolean,
  now: Date,
): Promise<RecomputeReport> {
  const report: RecomputeReport = {
    target: `${target.id}@${target.version}`,
    applied: apply,
    examined: 0,
    changed: [],
    unchanged: 0,
    failed: [],
  };
  let afterId = '';
  for (;;) {
    // One transaction per page: with `apply`, the rows are locked from the read to the write, so
    // ingestion of the same orders waits instead of interleaving.
    const page = await withTransaction(dataSource, async (runner) => {
      const orders = await pageOpenOrdersOffProfile(runner, target, afterId, PAGE, apply);
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
            profile: target,
          }),
        }))
        .filter(({ order, projection }) => {
          if (projection.deadlineError === null) return true;
          report.failed.push({ workOrderId: order.workOrderId, error: projection.deadlineError });
          return false;
        });
      for (const { order, projection } of projections) record(report, order, projection.record);
      if (apply) {
        // The sweep re-decides the moved orders at once: their warnings, deadlines and the
        // advances of their escalations follow the new deadlines.
        const written = await upsertWorkOrders(
          runner,
          projections.map((p) => ({ ...p.projection.record, nextDueAt: now })),
        );
        // Timeliness facts follow the new deadlines (a closed month records a restatement).
        const stored = await loadStoredFacts(runner, [...written]);
        await applyFactDeltas(
          runner,
          projections
            .filter(({ order }) => written.has(order.workOrderId))
            .map(({ order, projection }) => ({
              workOrderId: order.workOrderId,
              before: stored.get(order.workOrderId) ?? [],
              after: orderFacts(projection.state, projection.deadlines, formula, calendar),
              cause: 'recompute',
            })),
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
