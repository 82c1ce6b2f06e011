import fc from 'fast-check';
import { readFileSync } from 'fs';
import { join } from 'path';
import {
  CALLBACK_RESULTS,
  CATEGORIES,
  URGENCIES,
  VERIFICATION_OUTCOMES,
  type EventType,
  type WorkOrderEvent,
} from '../events/work-order-event';
import { parseCalendar } from '../calendar/parse-calendar';
import { parseRuleProfile } from '../rules/rule-profile';
import { computeDeadlines } from '../deadlines/compute-deadlines';
import { foldWorkOrder } from '../work-orders/fold-work-order';
import {
  countFacts,
  diffFacts,
  factKeyText,
  orderFacts,
  type OrderFact,
  type RollupRow,
} from './order-facts';
import { parseStatisticsFormula, type StatisticsFormula } from './statistics-formula';
import { summarizeStatistics } from './summarize-statistics';

const root = join(__dirname, '../../../..');
const readJson = (path: string): unknown => JSON.parse(readFileSync(join(root, path), 'utf8'));
function ok<T>(parsed: { ok: true; value: T } | { ok: false; errors: string[] }): T {
  if (!parsed.ok) throw new Error(parsed.errors.join('\n'));
  return parsed.value;
}
const calendar = ok(parseCalendar(readJson('config/calendars/cn-2023-2026.json')));
const profile = ok(parseRuleProfile(readJson('config/rule-profiles/tianjin-default.json')));
const baseFormula = ok(parseStatisticsFormula(readJson('config/statistics.json')));

const MINUTE = 60_000;
const T0_MIN = Date.parse('2024-01-01T00:00:00+08:00') / MINUTE;
const T0_MAX = Date.parse('2025-12-01T00:00:00+08:00') / MINUTE;

const LATER_TYPES: EventType[] = [
  'dispatched',
  'accepted',
  'accepted',
  'return_requested',
  'returned',
  'return_rejected',
  'extension_requested',
  'extension_approved',
  'extension_rejected',
  'suspended',
  'resumed',
  'replied',
  'replied',
  'reply_rejected',
  'callback',
  'callback',
  'reopened',
  'verified',
  'closed',
  'excluded',
  'flagged',
];

function dataFor(type: EventType, pick: number, atMs: number): Record<string, unknown> {
  const until = new Date(atMs + (pick % 20) * 86_400_000).toISOString();
  switch (type) {
    case 'dispatched':
      return {
        unitId: `unit-${pick % 3}`,
        category: CATEGORIES[pick % CATEGORIES.length],
        urgency: URGENCIES[pick % URGENCIES.length],
        ...(pick % 7 === 0 ? { completeDueAt: until } : {}),
      };
    case 'extension_requested':
      return { reason: '协调', ...(pick % 2 ? { workdays: 1 + (pick % 6) } : { until }) };
    case 'extension_approved':
      return pick % 2 ? { workdays: 1 + (pick % 8) } : { until };
    case 'reopened':
      return { reason: '重办', ...(pick % 4 === 0 ? { completeDueAt: until } : {}) };
    case 'callback':
      return { result: CALLBACK_RESULTS[pick % CALLBACK_RESULTS.length] };
    case 'verified':
      return { outcome: VERIFICATION_OUTCOMES[pick % 2], by: 'inspector' };
    case 'flagged':
      return { tags: ['hot'] };
    case 'replied':
      return { reply: '已处理' };
    case 'accepted':
    case 'returned':
    case 'resumed':
    case 'closed':
      return {};
    default:
      return { reason: '原因' };
  }
}

/** One order's events: a dispatch, then a mix of anything, with repeated instants to force ties. */
const orderEvents = (workOrderId: string) =>
  fc
    .record({
      t0: fc.integer({ min: T0_MIN, max: T0_MAX }),
      first: fc.nat(1000),
      later: fc.array(
        fc.record({
          type: fc.constantFrom(...LATER_TYPES),
          offsetMinutes: fc.oneof(
            fc.integer({ min: -120, max: 50 * 1440 }),
            fc.constantFrom(0, 60, 1440, 2 * 1440),
          ),
          pick: fc.nat(1000),
          sequence: fc.option(fc.nat(5), { nil: undefined }),
        }),
        { maxLength: 14 },
      ),
    })
    .map(({ t0, first, later }) => {
      const at = (minute: number) => new Date(minute * MINUTE).toISOString().replace('Z', '+00:00');
      const events: WorkOrderEvent[] = [
        {
          eventId: `${workOrderId}-000`,
          type: 'dispatched',
          workOrderId,
          occurredAt: at(t0),
          data: dataFor('dispatched', first, t0 * MINUTE),
        } as WorkOrderEvent,
      ];
      later.forEach(({ type, offsetMinutes, pick, sequence }, i) => {
        events.push({
          eventId: `${workOrderId}-${String(i + 1).padStart(3, '0')}`,
          type,
          workOrderId,
          occurredAt: at(t0 + offsetMinutes),
          ...(sequence === undefined ? {} : { sequence }),
          data: dataFor(type, pick, (t0 + offsetMinutes) * MINUTE),
        } as WorkOrderEvent);
      });
      return events;
    });

/** Several orders, their events delivered interleaved, out of order and some twice. */
const deliveries = fc
  .integer({ min: 1, max: 6 })
  .chain((count) => fc.tuple(...Array.from({ length: count }, (_, i) => orderEvents(`W${i + 1}`))))
  .chain((orders) => {
    const all = orders.flat();
    return fc.tuple(
      fc.constant(orders),
      fc.shuffledSubarray(all, { minLength: all.length }),
      fc.array(fc.nat(all.length - 1), { maxLength: 6 }),
    );
  })
  .map(([orders, shuffled, duplicates]) => ({
    orders,
    arrivals: [...shuffled, ...duplicates.map((i) => shuffled[i] as WorkOrderEvent)],
  }));

const formulas = fc
  .record({
    leaveOutExcludedOrders: fc.boolean(),
    ratingAfterRework: fc.constantFrom('latest' as const, 'first' as const),
    ratingPeriod: fc.constantFrom('callback' as const, 'dispatch' as const),
  })
  .map((choice): StatisticsFormula => ({ ...baseFormula, ...choice }));

function factsFor(
  workOrderId: string,
  events: readonly WorkOrderEvent[],
  formula: StatisticsFormula,
): OrderFact[] {
  return orderFacts(
    foldWorkOrder(workOrderId, events),
    computeDeadlines(events, profile, calendar),
    formula,
    calendar,
  );
}

describe('orderFacts properties', () => {
  it('an incremental rollup (the sum of diffFacts, event by event as delivered) equals a recompute from the final states', () => {
    fc.assert(
      fc.property(deliveries, formulas, ({ orders, arrivals }, formula) => {
        const rollup = new Map<string, RollupRow>();
        const seen = new Map<string, WorkOrderEvent[]>();
        const lastFacts = new Map<string, OrderFact[]>();
        for (const event of arrivals) {
          const events = [...(seen.get(event.workOrderId) ?? []), event];
          seen.set(event.workOrderId, events);
          const facts = factsFor(event.workOrderId, events, formula);
          for (const { key, delta } of diffFacts(lastFacts.get(event.workOrderId) ?? [], facts)) {
            const text = factKeyText(key);
            const row = rollup.get(text) ?? { ...key, count: 0 };
            row.count += delta;
            // Every count is the number of current facts: never negative on the way.
            expect(row.count).toBeGreaterThanOrEqual(0);
            if (row.count === 0) rollup.delete(text);
            else rollup.set(text, row);
          }
          lastFacts.set(event.workOrderId, facts);
        }

        const recomputed = countFacts(
          orders.flatMap((events) => factsFor(events[0]?.workOrderId ?? '', events, formula)),
        );
        const incremental = [...rollup.values()].sort((a, b) =>
          factKeyText(a) < factKeyText(b) ? -1 : 1,
        );
        expect(incremental).toEqual(recomputed);
        expect(summarizeStatistics(incremental, formula, 'unit')).toEqual(
          summarizeStatistics(recomputed, formula, 'unit'),
        );
      }),
      { numRuns: 150 },
    );
  });

  it('an order contributes at most one receipt and one rating, and no facts when excluded and left out', () => {
    fc.assert(
      fc.property(orderEvents('W1'), formulas, (events, formula) => {
        const facts = factsFor('W1', events, formula);
        const count = (prefix: string) =>
          facts.filter((fact) => fact.measure.startsWith(prefix)).length;
        const state = foldWorkOrder('W1', events);
        if (state.excluded && formula.leaveOutExcludedOrders) {
          expect(facts).toEqual([]);
          return;
        }
        expect(count('received')).toBe(state.receivedAt === null ? 0 : 1);
        expect(count('rated_')).toBe(
          state.receivedAt !== null && state.callbacks.length > 0 ? 1 : 0,
        );
        expect(count('accept_on_time')).toBeLessThanOrEqual(count('accept_finished'));
        expect(count('complete_on_time')).toBeLessThanOrEqual(count('complete_finished'));
        expect(count('rework')).toBeLessThanOrEqual(state.reworkRound);
      }),
      { numRuns: 300 },
    );
  });

  it('diffFacts applied to the old facts gives the new facts', () => {
    fc.assert(
      fc.property(orderEvents('W1'), fc.nat(), formulas, (events, cut, formula) => {
        const before = factsFor('W1', events.slice(0, cut % (events.length + 1)), formula);
        const after = factsFor('W1', events, formula);
        const counts = new Map(countFacts(before).map((row) => [factKeyText(row), row]));
        for (const { key, delta } of diffFacts(before, after)) {
          expect(delta).not.toBe(0);
          const text = factKeyText(key);
          const row = counts.get(text) ?? { ...key, count: 0 };
          counts.set(text, { ...row, count: row.count + delta });
        }
        expect(
          [...counts.values()]
            .filter((row) => row.count !== 0)
            .sort((a, b) => (factKeyText(a) < factKeyText(b) ? -1 : 1)),
        ).toEqual(countFacts(after));
      }),
      { numRuns: 300 },
    );
  });
});
