/**
 * A simulated year of a street's hotline traffic: `simulateYear` returns it as an array sorted in
 * contract order (occurredAt, then the order, then sequence); `simulateStream` yields the same
 * events in the same order one at a time, for runs too big to hold (millions of orders).
 *
 * Both walk the year day by day. Each order's events are drawn from the order's own random
 * stream, so they do not depend on how the output is assembled. The stream keeps the orders whose
 * lives are still running in a heap and releases every event that falls before the next day
 * begins: no later order can come before those.
 */
import type { WorkOrderEvent } from '@hotline/core';
import { dispatchInstants, planDays, RANDOM_STREAMS, type SimulatedDay } from './daily-volume';
import { OrderEventHeap } from './event-heap';
import { LocalClock } from './local-clock';
import { RuleBook, simulateOrder, type LifecycleContext, type TimedEvent } from './order-lifecycle';
import { Random } from './random';
import { checkSimulationOptions, type SimulationOptions } from './simulation-options';
import { resolveUnits, UnitDirectory } from './simulation-units';
import { summarizeSimulation, type SimulationSummary } from './summarize-simulation';

export interface SimulationResult {
  events: WorkOrderEvent[];
  /** Orders dispatched in the year (= options.orders). */
  orders: number;
  summary: SimulationSummary;
}

interface Prepared {
  options: SimulationOptions;
  ctx: LifecycleContext;
  days: SimulatedDay[];
}

function prepare(options: SimulationOptions): Prepared {
  checkSimulationOptions(options);
  const units = resolveUnits(options.organisation.units, options.units);
  return {
    options,
    ctx: {
      seed: options.seed,
      calendar: options.calendar,
      clock: new LocalClock(options.calendar.timeZone),
      rules: new RuleBook(options.profile),
      units: new UnitDirectory(units),
    },
    days: planDays(options.calendar, options.seed, options.year, options.orders),
  };
}

/** `TJ` + dispatch day + the day's serial: TJ2024030100123. */
export function workOrderIdOf(dayOn: string, serial: number): string {
  return `TJ${dayOn.replaceAll('-', '')}${String(serial).padStart(5, '0')}`;
}

/** The orders dispatched on `day`, each as its events in contract order. */
function* ordersOfDay(
  { options, ctx }: Prepared,
  day: SimulatedDay,
  firstOrder: number,
): Generator<TimedEvent[]> {
  const stream = (RANDOM_STREAMS.order << 16) ^ (options.year & 0xffff);
  const instants = dispatchInstants(options.seed, day);
  for (let i = 0; i < instants.length; i += 1) {
    const order = firstOrder + i;
    const random = Random.derive(options.seed, stream, order);
    yield simulateOrder(ctx, random, order, workOrderIdOf(day.dayOn, i + 1), instants[i] as number);
  }
}

/** The year's events one at a time, in contract order; memory stays at a few weeks of traffic. */
export function* simulateStream(
  options: SimulationOptions,
): Generator<WorkOrderEvent, void, undefined> {
  const prepared = prepare(options);
  const heap = new OrderEventHeap();
  let firstOrder = 0;
  for (const day of prepared.days) {
    for (const events of ordersOfDay(prepared, day, firstOrder)) heap.push(events);
    firstOrder += day.orders;
    while (heap.peekMs() < day.endMs) yield (heap.pop() as TimedEvent).event;
  }
  for (let next = heap.pop(); next !== undefined; next = heap.pop()) yield next.event;
}

function compareTimed(a: TimedEvent, b: TimedEvent): number {
  return a.ms - b.ms || a.order - b.order || (a.event.sequence ?? 0) - (b.event.sequence ?? 0);
}

/** The whole year in memory, sorted; for tests and runs up to a few hundred thousand orders. */
export function simulateYear(options: SimulationOptions): SimulationResult {
  const prepared = prepare(options);
  const timed: TimedEvent[] = [];
  let firstOrder = 0;
  for (const day of prepared.days) {
    for (const events of ordersOfDay(prepared, day, firstOrder)) timed.push(...events);
    firstOrder += day.orders;
  }
  timed.sort(compareTimed);
  const events = timed.map((t) => t.event);
  return { events, orders: options.orders, summary: summarizeSimulation(events) };
}
