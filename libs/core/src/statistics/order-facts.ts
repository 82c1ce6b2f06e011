/**
 * One order decomposed into additive facts (domain.md §5): each fact says "+1 to this measure, for
 * this unit and category, on this day". The statistics of any period are sums of facts over the
 * period's days, so the database keeps one count per (day, unit, category, measure) and never
 * rereads orders to answer a report.
 *
 * Facts are a pure function of the order's state and deadlines (computed from the same events).
 * When an event changes the order, the rollup changes by `diffFacts(orderFacts(old),
 * orderFacts(new))`: a late callback, a reply rejected after it was counted, a re-dispatch or an
 * `excluded` that arrives last are all corrections by difference, and the rollup maintained event
 * by event always equals a recompute from the final states (order-facts.property.spec.ts).
 *
 * Not facts, because they are not per-day additive:
 * - overdue and open at period end (期末超期未办结): a point-in-time count. It comes from the order
 *   rows: stages whose `dueAt` is before the period end and that were neither done nor ended
 *   before it (done/ended null or at or after the period end), grouped by the stage's unit.
 * - escalations by kind: counted from the escalation rows (kind, unit, `firedAt` within the
 *   period), which are already one row per (order, kind, round, level).
 *
 * Days are named in the calendar's zone (Asia/Shanghai): an instant at 2024-01-31T23:30+08:00 is
 * a January fact whatever the process's zone.
 */
import type { CallbackResult, Category } from '../events/work-order-event';
import { CalendarOutOfRangeError } from '../calendar/calendar-errors';
import { dayOnInZone } from '../calendar/format-instant';
import type { WorkingCalendar } from '../calendar/working-calendar';
import type { DeadlineResult, StageDeadline } from '../deadlines/deadline-result';
import type { CallbackRecord, WorkOrderState } from '../work-orders/fold-work-order';
import type { StatisticsFormula } from './statistics-formula';

export const FACT_MEASURES = [
  /** 受理量: once per order, on the day of its first dispatch, for the first unit. */
  'received',
  /** The rating that counts (see StatisticsFormula.ratingAfterRework), one per order. */
  'rated_satisfied',
  'rated_basically_satisfied',
  'rated_dissatisfied',
  'rated_unreachable',
  'rated_declined',
  /** A stage finished: done (on time or late), or ended without being done after its deadline. */
  'accept_finished',
  'accept_on_time',
  'complete_finished',
  'complete_on_time',
  /** 退单: once per responsibility segment the hotline took back. */
  'returned',
  /** 延期: once per order, at its first approved extension. */
  'extended',
  /** 重办: once per `reopened`. */
  'rework',
  /** 虚假办结: once per order whose latest verification found the completion false. */
  'false_completion',
] as const;
export type FactMeasure = (typeof FACT_MEASURES)[number];

export const RATING_MEASURES: Readonly<Record<CallbackResult, FactMeasure>> = {
  satisfied: 'rated_satisfied',
  basically_satisfied: 'rated_basically_satisfied',
  dissatisfied: 'rated_dissatisfied',
  unreachable: 'rated_unreachable',
  declined: 'rated_declined',
};

/** What the rollup counts by: one row per key. */
export interface FactKey {
  /** `YYYY-MM-DD` in the calendar's zone. */
  dayOn: string;
  unitId: string;
  category: Category;
  measure: FactMeasure;
}

export interface OrderFact extends FactKey {
  value: 1;
}

/** A rollup row: the number of facts with this key (over all orders). */
export interface RollupRow extends FactKey {
  count: number;
}

/** A change to one rollup row: `count += delta` (delta is never 0). */
export interface FactDelta {
  key: FactKey;
  delta: number;
}

/**
 * A key as one text, for maps and sorting: its fields joined by NUL, which none of them holds (the
 * day has a fixed form, category and measure are enums, and text with NUL is refused at the door
 * and cannot be stored), so two keys have the same text only if they are the same key. About
 * ten times cheaper than a JSON array of the fields, and it runs for every fact of every order
 * ingested, several times.
 */
export function factKeyText(key: FactKey): string {
  return `${key.dayOn}\u0000${key.unitId}\u0000${key.category}\u0000${key.measure}`;
}

function keyOf(key: FactKey): FactKey {
  return { dayOn: key.dayOn, unitId: key.unitId, category: key.category, measure: key.measure };
}

/**
 * The day an instant falls on in the calendar's zone. Naming a day needs no holiday data, so an
 * instant outside the calendar's coverage (a callback in a year not yet covered) is still named,
 * from the zone alone, instead of failing the order's ingestion.
 */
function dayOnIn(calendar: WorkingCalendar, at: Date): string {
  try {
    return calendar.dayOnOf(at);
  } catch (error) {
    if (error instanceof CalendarOutOfRangeError) {
      return dayOnInZone(at, calendar.timeZone);
    }
    throw error;
  }
}

/** When a stage counts as finished, and whether on time; null while it has not finished. */
function stageFinish(stage: StageDeadline): { at: Date; onTime: boolean } | null {
  switch (stage.outcome) {
    case 'on_time':
    case 'late':
      return stage.doneAt === null
        ? null
        : { at: stage.doneAt, onTime: stage.outcome === 'on_time' };
    case 'ended':
      // Stopped without being done (returned, re-dispatched, closed, reworked): a breach of the
      // unit that held it only if its clock had run out, i.e. it ended at or after the deadline
      // (the allowed time is `[startAt, dueAt)`). Ended in time, it is not counted at all.
      if (stage.endedAt === null || stage.dueAt === null) return null;
      return stage.endedAt.getTime() >= stage.dueAt.getTime()
        ? { at: stage.endedAt, onTime: false }
        : null;
    case 'pending':
      return null;
  }
}

/** The callback that counts for the order under the formula, or null if there is none. */
function ratingThatCounts(
  callbacks: readonly CallbackRecord[],
  rule: StatisticsFormula['ratingAfterRework'],
): CallbackRecord | null {
  if (rule === 'latest') return callbacks[callbacks.length - 1] ?? null;
  // 'first': the earliest round's last callback; a re-callback in the same round (after an
  // unreachable one, say) replaces that round's earlier callback.
  let chosen: CallbackRecord | null = null;
  for (const callback of callbacks) {
    if (chosen === null || callback.reworkRound <= chosen.reworkRound) chosen = callback;
  }
  return chosen;
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * The order's facts under `formula`, sorted by key. `deadlines` must be computed from the same
 * events as `state`; without it (null) only the facts the state alone determines are produced:
 * received, the rating, a return of the current segment, and a false completion. An order never
 * dispatched has no facts; an excluded order (不计考核) has none when the formula leaves them out.
 *
 * Attribution:
 * - received: the first dispatch's day and unit; a re-dispatch (改派) is not a new order.
 * - rating: the unit that held the order at the callback (it replied), on the callback's day or
 *   the order's first-dispatch day (formula.ratingPeriod).
 * - stage timeliness: the unit that held the stage, on the day it was done or ended late.
 * - returned: the unit whose segment was taken back, on the day of the return.
 * - extended: the unit that held the stage, on the day of the first approval (whether or not the
 *   profile's caps let it move the deadline: the hotline granted it).
 * - rework: the unit whose reply was reopened, on the day of the `reopened`.
 * - false completion: the unit and day of the latest completion done (the completion found
 *   false); with none done, the first dispatch's day and the current unit. The state does not
 *   record when the verification came.
 * - category: the order's current category, for every fact; a re-classification on re-dispatch
 *   moves all of the order's facts (the diff takes care of it).
 */
export function orderFacts(
  state: WorkOrderState,
  deadlines: DeadlineResult | null,
  formula: StatisticsFormula,
  calendar: WorkingCalendar,
): OrderFact[] {
  const { receivedAt, category, unitId: currentUnitId } = state;
  if (receivedAt === null || category === null || currentUnitId === null) return [];
  if (state.excluded && formula.leaveOutExcludedOrders) return [];

  const facts: OrderFact[] = [];
  const add = (at: Date, unitId: string, measure: FactMeasure): void => {
    facts.push({ dayOn: dayOnIn(calendar, at), unitId, category, measure, value: 1 });
  };

  const stages: StageDeadline[] =
    deadlines === null
      ? []
      : [
          ...deadlines.earlier,
          ...(deadlines.accept === null ? [] : [deadlines.accept]),
          ...(deadlines.complete === null ? [] : [deadlines.complete]),
        ];
  // Without deadlines the first unit is known only while the order has not been re-dispatched.
  const firstUnitId = stages.find((stage) => stage.segment === 1)?.unitId ?? currentUnitId;

  add(receivedAt, firstUnitId, 'received');

  const rating = ratingThatCounts(state.callbacks, formula.ratingAfterRework);
  if (rating !== null) {
    add(
      formula.ratingPeriod === 'callback' ? rating.at : receivedAt,
      // A callback before any dispatch in event time has no unit: the first unit stands in.
      rating.unitId ?? firstUnitId,
      RATING_MEASURES[rating.result],
    );
  }

  for (const stage of stages) {
    const finish = stageFinish(stage);
    if (finish === null) continue;
    add(finish.at, stage.unitId, `${stage.stage}_finished`);
    if (finish.onTime) add(finish.at, stage.unitId, `${stage.stage}_on_time`);
  }

  // 退单: a segment is returned when the return ended one of its stages; a return after both were
  // done shows only in the state, and only for the current segment.
  const returnedSegments = new Map<number, { at: Date; unitId: string }>();
  for (const stage of stages) {
    if (stage.endedBy !== 'returned' || stage.endedAt === null) continue;
    const seen = returnedSegments.get(stage.segment);
    if (seen === undefined || stage.endedAt.getTime() < seen.at.getTime()) {
      returnedSegments.set(stage.segment, { at: stage.endedAt, unitId: stage.unitId });
    }
  }
  if (
    state.status === 'returned' &&
    state.returnedAt !== null &&
    !returnedSegments.has(state.segment)
  ) {
    returnedSegments.set(state.segment, { at: state.returnedAt, unitId: currentUnitId });
  }
  for (const { at, unitId } of returnedSegments.values()) add(at, unitId, 'returned');

  let firstApproval: { at: Date; unitId: string } | null = null;
  for (const stage of stages) {
    for (const extension of stage.explanation.extensions) {
      if (extension.event !== 'extension_approved') continue;
      if (firstApproval === null || extension.at.getTime() < firstApproval.at.getTime()) {
        firstApproval = { at: extension.at, unitId: stage.unitId };
      }
    }
  }
  if (firstApproval !== null) add(firstApproval.at, firstApproval.unitId, 'extended');

  for (const stage of stages) {
    if (stage.stage === 'complete' && stage.explanation.start.event === 'reopened') {
      add(stage.startAt, stage.unitId, 'rework');
    }
  }

  if (state.verifications.at(-1)?.outcome === 'false_completion') {
    let latestDone: StageDeadline | null = null;
    for (const stage of stages) {
      if (stage.stage !== 'complete' || stage.doneAt === null) continue;
      if (latestDone?.doneAt == null || stage.doneAt.getTime() >= latestDone.doneAt.getTime()) {
        latestDone = stage;
      }
    }
    if (latestDone?.doneAt != null) add(latestDone.doneAt, latestDone.unitId, 'false_completion');
    else add(receivedAt, currentUnitId, 'false_completion');
  }

  return sortedByKey(facts);
}

/** The facts sorted by key text, each key's text written once (not at every comparison). */
function sortedByKey(facts: readonly OrderFact[]): OrderFact[] {
  if (facts.length < 2) return [...facts];
  const keyed = facts.map((fact) => ({ fact, text: factKeyText(fact) }));
  keyed.sort((a, b) => compareText(a.text, b.text));
  return keyed.map(({ fact }) => fact);
}

/** Facts summed into rollup rows, sorted by key (a recompute of the rollup from scratch). */
export function countFacts(facts: readonly FactKey[]): RollupRow[] {
  const counts = new Map<string, RollupRow>();
  for (const fact of facts) {
    const text = factKeyText(fact);
    const row = counts.get(text);
    if (row === undefined) counts.set(text, { ...keyOf(fact), count: 1 });
    else row.count += 1;
  }
  return [...counts.entries()].sort(([a], [b]) => compareText(a, b)).map(([, row]) => row);
}

/**
 * What the rollup must change when an order's facts go from `before` to `after` (a multiset
 * difference), sorted by key; keys whose count does not change are left out. Applying the deltas
 * of every change of every order, in any order of orders, gives the counts of a recompute.
 */
export function diffFacts(before: readonly FactKey[], after: readonly FactKey[]): FactDelta[] {
  const deltas = new Map<string, FactDelta>();
  const bump = (fact: FactKey, by: number): void => {
    const text = factKeyText(fact);
    const entry = deltas.get(text);
    if (entry === undefined) deltas.set(text, { key: keyOf(fact), delta: by });
    else entry.delta += by;
  };
  for (const fact of before) bump(fact, -1);
  for (const fact of after) bump(fact, 1);
  return [...deltas.entries()]
    .filter(([, entry]) => entry.delta !== 0)
    .sort(([a], [b]) => compareText(a, b))
    .map(([, entry]) => entry);
}
