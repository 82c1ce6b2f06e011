/**
 * Figures of a generated stream, counted from the events themselves (not from what the generator
 * meant to do): for sanity checks in tests and for the CLI's report. They are not the product's
 * statistics (those are the engine's, with its formula and rules); tests must not treat them as
 * expected figures for the engine.
 */
import {
  CALLBACK_RESULTS,
  CATEGORIES,
  EVENT_TYPES,
  URGENCIES,
  type CallbackResult,
  type Category,
  type EventType,
  type Urgency,
  type WorkOrderEvent,
} from '@hotline/core';

export interface SimulationSummary {
  events: number;
  /** Orders: first dispatches (sequence 1). */
  orders: number;
  /** Dispatches after the first (改派). */
  redispatches: number;
  byType: Record<EventType, number>;
  /** First dispatches by category and urgency. */
  byCategory: Record<Category, number>;
  byUrgency: Record<Urgency, number>;
  /** Dispatches (first and re-) by unit. */
  byUnit: Record<string, number>;
  callbacks: Record<CallbackResult, number>;
  /**
   * (satisfied + basically satisfied) ÷ (those + dissatisfied) over every callback, rework
   * rounds included; null without rated callbacks.
   */
  satisfactionShare: number | null;
  falseCompletions: number;
  firstAt: string | null;
  lastAt: string | null;
}

function zeros<K extends string>(keys: readonly K[]): Record<K, number> {
  return Object.fromEntries(keys.map((k) => [k, 0])) as Record<K, number>;
}

/** Counts events one at a time: for a stream too big to hold. */
export class SimulationTally {
  private readonly summary: SimulationSummary = {
    events: 0,
    orders: 0,
    redispatches: 0,
    byType: zeros(EVENT_TYPES),
    byCategory: zeros(CATEGORIES),
    byUrgency: zeros(URGENCIES),
    byUnit: {},
    callbacks: zeros(CALLBACK_RESULTS),
    satisfactionShare: null,
    falseCompletions: 0,
    firstAt: null,
    lastAt: null,
  };

  add(event: WorkOrderEvent): void {
    const s = this.summary;
    s.events += 1;
    s.byType[event.type] += 1;
    s.firstAt ??= event.occurredAt;
    s.lastAt = event.occurredAt;
    switch (event.type) {
      case 'dispatched':
        s.byUnit[event.data.unitId] = (s.byUnit[event.data.unitId] ?? 0) + 1;
        if (event.sequence === 1) {
          s.orders += 1;
          s.byCategory[event.data.category] += 1;
          s.byUrgency[event.data.urgency] += 1;
        } else {
          s.redispatches += 1;
        }
        break;
      case 'callback':
        s.callbacks[event.data.result] += 1;
        break;
      case 'verified':
        if (event.data.outcome === 'false_completion') s.falseCompletions += 1;
        break;
      default:
        break;
    }
  }

  result(): SimulationSummary {
    const c = this.summary.callbacks;
    const good = c.satisfied + c.basically_satisfied;
    const rated = good + c.dissatisfied;
    return {
      ...this.summary,
      byType: { ...this.summary.byType },
      byCategory: { ...this.summary.byCategory },
      byUrgency: { ...this.summary.byUrgency },
      byUnit: { ...this.summary.byUnit },
      callbacks: { ...c },
      satisfactionShare: rated === 0 ? null : good / rated,
    };
  }
}

export function summarizeSimulation(events: Iterable<WorkOrderEvent>): SimulationSummary {
  const tally = new SimulationTally();
  for (const event of events) tally.add(event);
  return tally.result();
}
