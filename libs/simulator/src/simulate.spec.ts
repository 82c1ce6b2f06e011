import { resolve } from 'node:path';
import {
  CATEGORIES,
  computeDeadlines,
  EVENT_TYPES,
  foldWorkOrder,
  isEventAsIs,
  parseWorkOrderEvent,
  URGENCIES,
  type StageDeadline,
  type WorkOrderEvent,
} from '@hotline/core';
import { loadConfig } from '@hotline/platform';
import { loadSimulationData } from './load-simulation-data';
import { simulateYear, type SimulationResult } from './simulate';
import { SimulationOptionsError } from './simulation-options';

const data = loadSimulationData(
  loadConfig({ CONFIG_DIR: resolve(__dirname, '../../../config') }).files,
);
const street = { ...data, year: 2024, orders: 11_000 };

function byOrder(events: readonly WorkOrderEvent[]): Map<string, WorkOrderEvent[]> {
  const orders = new Map<string, WorkOrderEvent[]>();
  for (const event of events) {
    const list = orders.get(event.workOrderId);
    if (list) list.push(event);
    else orders.set(event.workOrderId, [event]);
  }
  return orders;
}

/** Average first dispatches per day over the days `include` selects (local day of occurredAt). */
function ordersPerDay(events: readonly WorkOrderEvent[], include: (dayOn: string) => boolean) {
  const perDay = new Map<string, number>();
  for (let t = Date.UTC(2024, 0, 1); t < Date.UTC(2025, 0, 1); t += 86_400_000) {
    const dayOn = new Date(t).toISOString().slice(0, 10);
    if (include(dayOn)) perDay.set(dayOn, 0);
  }
  for (const e of events) {
    const dayOn = e.occurredAt.slice(0, 10);
    if (e.type === 'dispatched' && e.sequence === 1 && perDay.has(dayOn)) {
      perDay.set(dayOn, (perDay.get(dayOn) ?? 0) + 1);
    }
  }
  const counts = [...perDay.values()];
  return { days: counts.length, average: counts.reduce((a, b) => a + b, 0) / counts.length };
}

describe('simulateYear: a street year of 11,000 orders, seed 7', () => {
  let year: SimulationResult;
  let orders: Map<string, WorkOrderEvent[]>;

  beforeAll(() => {
    year = simulateYear({ ...street, seed: 7 });
    orders = byOrder(year.events);
  });

  it('dispatches exactly the requested number of orders', () => {
    expect(year.orders).toBe(11_000);
    expect(orders.size).toBe(11_000);
    expect(year.summary.orders).toBe(11_000);
  });

  it('produces only events that pass the contract parser after a JSON round trip', () => {
    const rejected = year.events
      .map((event) => parseWorkOrderEvent(Buffer.from(JSON.stringify(event)), event.workOrderId))
      .filter((result) => !result.ok);
    expect(rejected).toEqual([]);
  });

  it('produces events the parser takes as they stand (the schema need not copy them)', () => {
    const copied = year.events.filter((event) => !isEventAsIs(JSON.parse(JSON.stringify(event))));
    expect(copied).toEqual([]);
  });

  it('gives every event a unique, seed-derived id and work-order ids like TJ2024030100123', () => {
    expect(new Set(year.events.map((e) => e.eventId)).size).toBe(year.events.length);
    const odd = year.events.filter(
      (e) =>
        e.eventId !== `sim-7-${e.workOrderId}-${e.sequence}` ||
        !/^TJ2024\d{4}\d{5}$/.test(e.workOrderId),
    );
    expect(odd).toEqual([]);
  });

  it('is sorted by occurredAt', () => {
    const instants = year.events.map((e) => Date.parse(e.occurredAt));
    expect(instants.every((ms, i) => i === 0 || ms >= (instants[i - 1] as number))).toBe(true);
  });

  it('starts every order with `dispatched` on the day its id names, with sequences 1, 2, 3 … in time order', () => {
    const odd: string[] = [];
    for (const [id, events] of orders) {
      const first = events[0];
      if (first?.type !== 'dispatched') odd.push(`${id}: starts with ${first?.type}`);
      if (first?.occurredAt.slice(0, 10).replaceAll('-', '') !== id.slice(2, 10)) {
        odd.push(`${id}: dispatched ${first?.occurredAt}`);
      }
      events.forEach((e, i) => {
        if (e.sequence !== i + 1) odd.push(`${e.eventId}: sequence ${e.sequence}`);
        const previous = events[i - 1];
        if (previous && Date.parse(e.occurredAt) < Date.parse(previous.occurredAt)) {
          odd.push(`${e.eventId}: before ${previous.eventId}`);
        }
      });
    }
    expect(odd).toEqual([]);
  });

  it('folds every order to a finished state: closed, or returned and not re-dispatched', () => {
    const statuses = new Set<string>();
    for (const [id, events] of orders) statuses.add(foldWorkOrder(id, events).status);
    expect([...statuses].sort()).toEqual(['closed', 'returned']);
  });

  it('has fewer orders a day over the Spring Festival and National Day holidays than on ordinary workdays', () => {
    const kindOf = (dayOn: string) => data.calendar.describeDay(dayOn);
    const workdays = ordersPerDay(year.events, (d) => kindOf(d).kind === 'workday');
    const springFestival = ordersPerDay(
      year.events,
      (d) => kindOf(d).kind === 'holiday' && kindOf(d).name === '春节',
    );
    const nationalDay = ordersPerDay(
      year.events,
      (d) => kindOf(d).kind === 'holiday' && kindOf(d).name === '国庆节',
    );
    const weekends = ordersPerDay(year.events, (d) => kindOf(d).kind === 'weekend');
    expect(springFestival.days).toBe(8); // 2024-02-10 … 02-17
    expect(nationalDay.days).toBe(7); // 2024-10-01 … 10-07
    expect(springFestival.average).toBeLessThan(workdays.average * 0.7);
    expect(nationalDay.average).toBeLessThan(workdays.average * 0.7);
    expect(weekends.average).toBeLessThan(workdays.average);
  });

  it('peaks in the daytime: more calls 09–11 than 01–03 at night', () => {
    const dispatchHours = year.events
      .filter((e) => e.type === 'dispatched' && e.sequence === 1)
      .map((e) => Number(e.occurredAt.slice(11, 13)));
    const morning = dispatchHours.filter((h) => h >= 9 && h < 11).length;
    const night = dispatchHours.filter((h) => h >= 1 && h < 3).length;
    expect(morning).toBeGreaterThan(10 * night);
  });

  it('rates about as the street does: (satisfied + basically) ÷ (those + dissatisfied) between 0.90 and 0.97', () => {
    const c = year.summary.callbacks;
    const share =
      (c.satisfied + c.basically_satisfied) /
      (c.satisfied + c.basically_satisfied + c.dissatisfied);
    expect(share).toBeGreaterThan(0.9);
    expect(share).toBeLessThan(0.97);
    expect(year.summary.satisfactionShare).toBeCloseTo(share, 10);
    expect(c.satisfied).toBeGreaterThan(5 * c.basically_satisfied);
    expect(c.basically_satisfied).toBeGreaterThan(c.dissatisfied);
    expect(c.unreachable).toBeGreaterThan(0);
    expect(c.declined).toBeGreaterThan(0);
  });

  it('uses every event type of the contract, every category, urgency and configured unit', () => {
    for (const type of EVENT_TYPES) expect(year.summary.byType[type]).toBeGreaterThan(0);
    for (const category of CATEGORIES) expect(year.summary.byCategory[category]).toBeGreaterThan(0);
    for (const urgency of URGENCIES) expect(year.summary.byUrgency[urgency]).toBeGreaterThan(0);
    expect(Object.keys(year.summary.byUnit).sort()).toEqual(
      data.organisation.units.map((u) => u.id).sort(),
    );
  });

  it('has complaints and requests for help most, a few praise; mostly normal urgency, a few emergencies', () => {
    const { byCategory, byUrgency } = year.summary;
    const others = CATEGORIES.filter((c) => c !== 'complaint' && c !== 'help').map(
      (c) => byCategory[c],
    );
    expect(Math.min(byCategory.complaint, byCategory.help)).toBeGreaterThan(Math.max(...others));
    expect(byCategory.praise).toBe(Math.min(...CATEGORIES.map((c) => byCategory[c])));
    expect(byUrgency.normal).toBeGreaterThan(0.75 * 11_000);
    expect(byUrgency.life_safety).toBeLessThan(byUrgency.utility);
    expect(byUrgency.utility).toBeLessThan(byUrgency.urgent);
  });

  it('re-dispatches a returned order to another unit', () => {
    let redispatched = 0;
    for (const events of orders.values()) {
      const units = events.flatMap((e) => (e.type === 'dispatched' ? [e.data.unitId] : []));
      for (let i = 1; i < units.length; i += 1) {
        redispatched += 1;
        expect(units[i]).not.toBe(units[i - 1]);
      }
    }
    expect(redispatched).toBe(year.summary.redispatches);
    expect(redispatched).toBeGreaterThan(0);
  });

  it('reopens only after a dissatisfied callback, and answers the rework with a reply and a callback', () => {
    let reopened = 0;
    for (const events of orders.values()) {
      events.forEach((e, i) => {
        if (e.type !== 'reopened') return;
        reopened += 1;
        const lastCallback = events
          .slice(0, i)
          .reverse()
          .find((b) => b.type === 'callback');
        expect(lastCallback?.type === 'callback' && lastCallback.data.result).toBe('dissatisfied');
        const after = events.slice(i + 1).map((a) => a.type);
        expect(after).toContain('replied');
        expect(after).toContain('callback');
      });
    }
    expect(reopened).toBeGreaterThan(0);
  });

  it('meets most limits as the engine computes them, and misses some', () => {
    const stages: StageDeadline[] = [];
    for (const events of orders.values()) {
      const result = computeDeadlines(events, data.profile, data.calendar);
      for (const stage of [...result.earlier, result.accept, result.complete])
        if (stage) stages.push(stage);
    }
    for (const kind of ['accept', 'complete'] as const) {
      const done = stages.filter(
        (s) => s.stage === kind && (s.outcome === 'on_time' || s.outcome === 'late'),
      );
      const onTime = done.filter((s) => s.outcome === 'on_time').length / done.length;
      expect(onTime).toBeGreaterThan(0.9);
      expect(onTime).toBeLessThan(0.995);
    }
  });
});

describe('simulateYear: reproducibility and options', () => {
  const small = { ...street, orders: 1500 };

  it('gives identical events for the same seed', () => {
    expect(JSON.stringify(simulateYear({ ...small, seed: 42 }).events)).toBe(
      JSON.stringify(simulateYear({ ...small, seed: 42 }).events),
    );
  });

  it('gives different events for different seeds', () => {
    const a = simulateYear({ ...small, seed: 1 }).events;
    const b = simulateYear({ ...small, seed: 2 }).events;
    const strip = (events: WorkOrderEvent[]) =>
      events.map(({ eventId: _, ...rest }) => JSON.stringify(rest));
    const shared = new Set(strip(a));
    expect(strip(b).filter((e) => shared.has(e)).length).toBeLessThan(b.length / 100);
  });

  it.each([11, 2024, 99_999])(
    'keeps the satisfaction share of a street year in 0.90–0.97 with seed %i too',
    (seed) => {
      const share = simulateYear({ ...street, seed }).summary.satisfactionShare;
      expect(share).toBeGreaterThan(0.9);
      expect(share).toBeLessThan(0.97);
    },
  );

  it('spreads orders over synthetic units when more units are asked for', () => {
    const result = simulateYear({ ...small, seed: 3, units: 40 });
    const units = Object.keys(result.summary.byUnit);
    expect(units.filter((u) => u.startsWith('sim-unit-')).length).toBeGreaterThan(20);
    expect(units.length).toBeLessThanOrEqual(40);
  });

  it('stops an order where the calendar stops: a year at the end of the coverage runs without inventing days', () => {
    const result = simulateYear({ ...small, orders: 400, seed: 5, year: 2026 });
    expect(result.summary.orders).toBe(400);
    const coverageEnd =
      data.calendar.startOfDay(data.calendar.coverage.toOn).getTime() + 86_400_000;
    expect(result.events.every((e) => Date.parse(e.occurredAt) < coverageEnd)).toBe(true);
  });

  it('lists every problem with the options at once', () => {
    expect(() => simulateYear({ ...small, seed: -1, orders: 1.5, units: 0, year: 2031 })).toThrow(
      SimulationOptionsError,
    );
    try {
      simulateYear({ ...small, seed: -1, orders: 1.5, units: 0, year: 2031 });
    } catch (error) {
      expect((error as SimulationOptionsError).problems).toHaveLength(4);
    }
  });

  it('simulates an empty year', () => {
    expect(simulateYear({ ...small, seed: 1, orders: 0 }).events).toEqual([]);
  });
});
