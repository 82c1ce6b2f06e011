import fc from 'fast-check';
import { readFileSync } from 'fs';
import { join } from 'path';
import {
  CATEGORIES,
  URGENCIES,
  type EventType,
  type WorkOrderEvent,
} from '../events/work-order-event';
import { parseCalendar } from '../calendar/parse-calendar';
import { parseRuleProfile } from '../rules/rule-profile';
import { computeDeadlines, computeSupervisedDeadlines } from './compute-deadlines';
import type { StageDeadline } from './deadline-result';

const root = join(__dirname, '../../../..');
const calendarParsed = parseCalendar(
  JSON.parse(readFileSync(join(root, 'config/calendars/cn-2023-2026.json'), 'utf8')),
);
const profileParsed = parseRuleProfile(
  JSON.parse(readFileSync(join(root, 'config/rule-profiles/tianjin-default.json'), 'utf8')),
);
if (!calendarParsed.ok || !profileParsed.ok) throw new Error('fixtures do not parse');
const calendar = calendarParsed.value;
const profile = profileParsed.value;

const MINUTE = 60_000;
const T0_MIN = Date.parse('2024-01-01T00:00:00+08:00') / MINUTE;
const T0_MAX = Date.parse('2025-12-01T00:00:00+08:00') / MINUTE;

const LATER_TYPES: EventType[] = [
  'dispatched',
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
  'reply_rejected',
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
        ...(pick % 5 === 0 ? { completeDueAt: until } : {}),
      };
    case 'extension_requested':
      return { reason: '协调', ...(pick % 2 ? { workdays: 1 + (pick % 6) } : { until }) };
    case 'extension_approved':
      return pick % 2 ? { workdays: 1 + (pick % 8) } : { until };
    case 'reopened':
      return { reason: '重办', ...(pick % 4 === 0 ? { completeDueAt: until } : {}) };
    case 'callback':
      return { result: 'dissatisfied' };
    case 'verified':
      return { outcome: 'genuine', by: 'inspector' };
    case 'flagged':
      return { tags: ['hot'] };
    case 'replied':
      return { reply: '已处理' };
    default:
      return { reason: '原因' };
  }
}

/**
 * An order's events dispatched between two instants (minutes): a dispatch, then a mix of
 * anything, with repeated instants to force ties.
 */
const ordersDispatchedBetween = (minMinute: number, maxMinute: number) =>
  fc
    .record({
      t0: fc.integer({ min: minMinute, max: maxMinute }),
      first: fc.nat(1000),
      later: fc.array(
        fc.record({
          type: fc.constantFrom(...LATER_TYPES),
          offsetMinutes: fc.oneof(
            fc.integer({ min: -120, max: 40 * 1440 }),
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
          eventId: 'e-000',
          type: 'dispatched',
          workOrderId: 'W1',
          occurredAt: at(t0),
          data: dataFor('dispatched', first, t0 * MINUTE),
        } as WorkOrderEvent,
      ];
      later.forEach(({ type, offsetMinutes, pick, sequence }, i) => {
        events.push({
          eventId: `e-${String(i + 1).padStart(3, '0')}`,
          type,
          workOrderId: 'W1',
          occurredAt: at(t0 + offsetMinutes),
          ...(sequence === undefined ? {} : { sequence }),
          data: dataFor(type, pick, (t0 + offsetMinutes) * MINUTE),
        } as WorkOrderEvent);
      });
      return events;
    });

const orderEvents = ordersDispatchedBetween(T0_MIN, T0_MAX);
/** Orders whose clocks run past the calendar's last day (2026-12-31): stages that cannot be computed. */
const ordersAtCoverageEnd = ordersDispatchedBetween(
  Date.parse('2026-12-01T00:00:00+08:00') / MINUTE,
  Date.parse('2026-12-31T23:00:00+08:00') / MINUTE,
);

function withoutExplanation(stage: StageDeadline | null) {
  if (stage === null) return null;
  const { explanation: _explanation, ...supervised } = stage;
  return supervised;
}

describe('computeDeadlines properties', () => {
  it('gives the same result for any arrival order and any duplicates of the events', () => {
    fc.assert(
      fc.property(
        orderEvents.chain((events) =>
          fc.tuple(
            fc.constant(events),
            fc.shuffledSubarray(events, { minLength: events.length }),
            fc.array(fc.nat(events.length - 1), { maxLength: 6 }),
          ),
        ),
        ([events, shuffled, duplicates]) => {
          const redelivered = [
            ...shuffled,
            ...duplicates.map((i) => structuredClone(events[i] as WorkOrderEvent)),
          ];
          expect(computeDeadlines(redelivered, profile, calendar)).toEqual(
            computeDeadlines(events, profile, calendar),
          );
        },
      ),
      { numRuns: 500 },
    );
  });

  it('keeps due instants sorted, the first being nextDueAt, and every open deadline after its warning', () => {
    fc.assert(
      fc.property(orderEvents, (events) => {
        const result = computeDeadlines(events, profile, calendar);
        const times = result.dueInstants.map((instant) => instant.at.getTime());
        expect(times).toEqual([...times].sort((a, b) => a - b));
        expect(result.nextDueAt?.getTime() ?? null).toBe(times[0] ?? null);
        for (const stage of [result.accept, result.complete]) {
          if (stage?.dueAt && stage.warningAt) {
            expect(stage.warningAt.getTime()).toBeLessThanOrEqual(stage.dueAt.getTime());
            expect(stage.warningAt.getTime()).toBeGreaterThanOrEqual(stage.startAt.getTime());
          }
        }
      }),
      { numRuns: 500 },
    );
  });

  it.each([
    ['dispatched in 2024–2025', orderEvents],
    ["dispatched in the calendar's last month", ordersAtCoverageEnd],
  ])(
    'gives supervision the same stages without their explanations (%s), left out on the same days',
    (_, orders) => {
      let unavailable = 0;
      fc.assert(
        fc.property(orders, (events) => {
          const full = computeDeadlines(events, profile, calendar);
          unavailable += full.unavailable.length;
          expect(computeSupervisedDeadlines(events, profile, calendar)).toEqual({
            accept: withoutExplanation(full.accept),
            complete: withoutExplanation(full.complete),
            earlier: full.earlier.map(withoutExplanation),
          });
        }),
        { numRuns: 500 },
      );
      if (orders === ordersAtCoverageEnd) expect(unavailable).toBeGreaterThan(0);
    },
  );

  it('leaves out for supervision too a paused stage explained over days past the calendar', () => {
    // Suspended as it starts, its deadline set on the dispatch beyond 2026-12-31: only the
    // explanation's look-up of the days up to the deadline reaches past the calendar.
    const events = [
      {
        eventId: 'e-1',
        type: 'dispatched',
        workOrderId: 'W1',
        occurredAt: '2026-06-01T09:00:00+08:00',
        data: {
          unitId: 'unit-1',
          category: 'complaint',
          urgency: 'normal',
          completeDueAt: '2027-03-01T09:00:00+08:00',
        },
      },
      {
        eventId: 'e-2',
        type: 'suspended',
        workOrderId: 'W1',
        occurredAt: '2026-06-01T09:00:00+08:00',
        data: { reason: '等待鉴定' },
      },
    ] as WorkOrderEvent[];
    const full = computeDeadlines(events, profile, calendar);
    expect(full.complete).toBeNull();
    expect(full.unavailable.map(({ stage, code }) => [stage, code])).toEqual([
      ['complete', 'calendar_out_of_range'],
    ]);
    const supervised = computeSupervisedDeadlines(events, profile, calendar);
    expect(supervised.complete).toBeNull();
    expect(supervised.accept).toEqual(withoutExplanation(full.accept));
  });
});
