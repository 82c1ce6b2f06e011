/**
 * Month close (月度结账): a closed month's figures are frozen with the formula they were computed
 * under; a later change that lands in the month is recorded as a restatement by applyFactDeltas
 * instead of silently changing them.
 */
import {
  parseStatisticsFormula,
  type StatisticsFormula,
  type WatermarkPolicy,
} from '@hotline/core';
import type { DataSource } from 'typeorm';
import { slowestWatermark } from '../supervision/watermark-store';
import { withTransaction } from '../transaction';
import { STATISTICS_MONTHS_LOCK } from './fact-deltas';
import {
  composeFigures,
  monthDays,
  periodEndIn,
  type ComposedFigures,
  type FigureIngredients,
} from './statistics-figures';
import {
  escalationCounts,
  overdueOpenCounts,
  rollupRows,
  type Queryable,
} from './statistics-reads';

/**
 * What a close stores in `statistics_months.figures`: the month's ingredients (summed counts per
 * unit × category × measure, escalations, overdue-and-open at the month's end), from which any
 * grouping or unit scope is derived under the frozen formula, and the summary as shown at close
 * (total, by unit, by category) for reading the row directly.
 */
export interface FrozenFigures extends FigureIngredients {
  fromOn: string;
  toOn: string;
  /** The instant overdue-and-open was counted at: the month's end. */
  overdueAt: string;
  summary: {
    total: ComposedFigures['total'];
    byUnit: ComposedFigures['groups'];
    byCategory: ComposedFigures['groups'];
  };
}

export interface ClosedMonth {
  month: string;
  closedAt: Date;
  closedBy: string;
  figures: FrozenFigures;
  formula: StatisticsFormula;
}

export type CloseMonthResult =
  | { ok: true; closed: ClosedMonth }
  | { ok: false; reason: 'already_closed'; closedAt: Date; closedBy: string }
  | { ok: false; reason: 'not_over'; endsAt: Date }
  | { ok: false; reason: 'supervision_behind'; endsAt: Date };

/** The closed month, or null while it is open. */
export async function findClosedMonth(q: Queryable, month: string): Promise<ClosedMonth | null> {
  const rows = (await q.query(
    `SELECT month, closed_at, closed_by, figures, formula FROM statistics_months WHERE month = $1`,
    [month],
  )) as {
    month: string;
    closed_at: Date;
    closed_by: string;
    figures: FrozenFigures;
    formula: unknown;
  }[];
  const row = rows[0];
  if (row === undefined) return null;
  const formula = parseStatisticsFormula(row.formula);
  if (!formula.ok) {
    throw new Error(`month ${month}: stored formula is invalid: ${formula.errors.join('; ')}`);
  }
  return {
    month: row.month,
    closedAt: row.closed_at,
    closedBy: row.closed_by,
    figures: row.figures,
    formula: formula.value,
  };
}

/**
 * Freezes `month` (`YYYY-MM`): only once it is over (its end in `timeZone` is not after `now`),
 * and only once (a second close is `already_closed`). Under the months lock taken exclusively, so
 * every fact-applying transaction either committed before the figures are read or sees the month
 * closed and writes restatements.
 */
export async function closeMonth(
  dataSource: DataSource,
  input: {
    month: string;
    closedBy: string;
    now: Date;
    formula: StatisticsFormula;
    timeZone: string;
    /**
     * The events topic whose partitions supervision reads, and how their watermarks are judged:
     * the worker's EVENTS_TOPIC and WATERMARK_* settings (the API must be given the same).
     */
    supervision: { eventsTopic: string; watermark: WatermarkPolicy };
  },
): Promise<CloseMonthResult> {
  const { fromOn, toOn } = monthDays(input.month);
  const endsAt = periodEndIn(toOn, input.timeZone);
  if (endsAt.getTime() > input.now.getTime()) return { ok: false, reason: 'not_over', endsAt };
  return withTransaction(dataSource, async (runner): Promise<CloseMonthResult> => {
    await runner.query(`SELECT pg_advisory_xact_lock($1)`, [STATISTICS_MONTHS_LOCK]);
    const existing = await findClosedMonth(runner, input.month);
    if (existing) {
      return {
        ok: false,
        reason: 'already_closed',
        closedAt: existing.closedAt,
        closedBy: existing.closedBy,
      };
    }
    // Escalations are created when supervision's event-time watermark passes their instant: the
    // month's figures are final only once every partition's watermark has passed the month's end
    // and the sweep has nothing left that was due in it.
    const slowest = await slowestWatermark(
      runner,
      input.supervision.eventsTopic,
      input.now,
      input.supervision.watermark,
    );
    const [behind] = (await runner.query(
      `SELECT EXISTS (SELECT 1 FROM work_order_due WHERE next_due_at < $1) AS sweep_behind`,
      [endsAt],
    )) as { sweep_behind: boolean }[];
    if ((slowest !== null && slowest < endsAt) || behind?.sweep_behind === true) {
      return { ok: false, reason: 'supervision_behind', endsAt };
    }
    const [counts, escalations, overdueOpen] = [
      await rollupRows(runner, fromOn, toOn),
      await escalationCounts(runner, fromOn, toOn, input.timeZone),
      await overdueOpenCounts(runner, endsAt, input.formula.leaveOutExcludedOrders),
    ];
    const ingredients: FigureIngredients = { counts, escalations, overdueOpen };
    const compose = (groupBy: 'unit' | 'category' | null) =>
      composeFigures(ingredients, input.formula, groupBy, null);
    const figures: FrozenFigures = {
      fromOn,
      toOn,
      overdueAt: endsAt.toISOString(),
      ...ingredients,
      summary: {
        total: compose(null).total,
        byUnit: compose('unit').groups,
        byCategory: compose('category').groups,
      },
    };
    const inserted = (await runner.query(
      `INSERT INTO statistics_months (month, closed_at, closed_by, figures, formula)
       VALUES ($1, $2, $3, $4::jsonb, $5::jsonb)
       RETURNING closed_at`,
      [
        input.month,
        input.now,
        input.closedBy,
        JSON.stringify(figures),
        JSON.stringify(input.formula),
      ],
    )) as { closed_at: Date }[];
    return {
      ok: true,
      closed: {
        month: input.month,
        closedAt: inserted[0]?.closed_at ?? input.now,
        closedBy: input.closedBy,
        figures,
        formula: input.formula,
      },
    };
  });
}
