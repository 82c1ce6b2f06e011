/**
 * The grace check for held events: an order's events dated before its first `dispatched` are
 * logged but not folded (foldHoldingEarly), waiting for a `dispatched` dated before them. Once the
 * order has been quiet for the grace period, they leave the log for the dead-letter topic:
 * `orphan_event` for an order never dispatched (its row goes too), `before_dispatch` for one that
 * was (its row is written again from the events that stay, which fold to the same state).
 */
import { foldHoldingEarly, isoInstant, type StatisticsFormula } from '@hotline/core';
import {
  deleteWorkOrders,
  loadEvents,
  lockQuietHoldingOrders,
  moveEventsToDeadLetters,
  type EventToDeadLetter,
} from '@hotline/persistence';
import type { HandlingRules } from '@hotline/platform';
import type { QueryRunner } from 'typeorm';
import {
  pinnedProjectionRules,
  projectWorkOrder,
  rewriteProjectedOrders,
  type Projection,
} from '../ingestion/project-work-order';

export interface HeldEventsOutcome {
  orders: number;
  /** Events dead-lettered, by code. */
  events: { orphan_event: number; before_dispatch: number };
}

/** One step of the grace check, in the caller's transaction: up to `limit` quiet orders. */
export async function deadLetterHeldEvents(
  runner: QueryRunner,
  rules: HandlingRules,
  formula: StatisticsFormula,
  options: {
    quietSince: Date;
    limit: number;
    /** The input topic, and since when its partitions must have been confirmed read to their end. */
    eventsTopic: string;
    readSince: Date;
    deadLetterTopic: string;
    now: Date;
  },
): Promise<HeldEventsOutcome> {
  const outcome: HeldEventsOutcome = { orders: 0, events: { orphan_event: 0, before_dispatch: 0 } };
  const orders = await lockQuietHoldingOrders(runner, options);
  if (orders.length === 0) return outcome;
  const logged = await loadEvents(
    runner,
    orders.map((o) => o.workOrderId),
  );
  const quiet = isoInstant(options.quietSince);
  const leaving: EventToDeadLetter[] = [];
  const neverDispatched: string[] = [];
  const stay: Projection[] = [];
  for (const order of orders) {
    const events = logged.get(order.workOrderId) ?? [];
    const { state, held } = foldHoldingEarly(order.workOrderId, events);
    const dispatched = state.receivedAt === null ? null : isoInstant(state.receivedAt);
    const code = dispatched === null ? 'orphan_event' : 'before_dispatch';
    for (const event of held) {
      leaving.push({
        eventId: event.eventId,
        code,
        reason:
          dispatched === null
            ? `no dispatched event arrived for work order ${order.workOrderId} before ${quiet}`
            : `${event.type} at ${event.occurredAt} comes before the order's first dispatched (${dispatched}) in the contract's order (occurredAt, then sequence), and no earlier dispatched arrived before ${quiet}`,
      });
    }
    outcome.events[code] += held.length;
    if (dispatched === null) {
      neverDispatched.push(order.workOrderId);
      continue;
    }
    const leftOut = new Set(held.map((e) => e.eventId));
    const remaining = events.filter((e) => !leftOut.has(e.eventId));
    stay.push(projectWorkOrder(order.workOrderId, remaining, pinnedProjectionRules(rules, order)));
  }
  await moveEventsToDeadLetters(runner, leaving, options);
  await deleteWorkOrders(runner, neverDispatched);
  // Their escalations stand as they were (the held events were never folded); the sweep decides
  // them again at once all the same.
  await rewriteProjectedOrders(runner, stay, {
    formula,
    calendar: rules.calendar,
    cause: 'held_events',
    now: options.now,
  });
  outcome.orders = orders.length;
  return outcome;
}
