import fc from 'fast-check';
import { readFileSync } from 'fs';
import { join } from 'path';
import {
  CALLBACK_RESULTS,
  CATEGORIES,
  TAGS,
  URGENCIES,
  type EventType,
  type WorkOrderEvent,
} from '../events/work-order-event';
import { parseCalendar } from '../calendar/parse-calendar';
import { parseRuleProfile } from '../rules/rule-profile';
import { computeDeadlines } from '../deadlines/compute-deadlines';
import { foldWorkOrder } from '../work-orders/fold-work-order';
import {
  applySupervisionDecision,
  decideSupervision,
  DEFAULT_SUPERVISION_POLICY,
  escalationChanges,
  type SupervisionDecision,
} from './decide-supervision';
import type { EscalationRecord } from './escalation';

const root = join(__dirname, '../../../..');
const readJson = (path: string): unknown => JSON.parse(readFileSync(join(root, path), 'utf8'));
const calendarParsed = parseCalendar(readJson('config/calendars/cn-2023-2026.json'));
const profileParsed = parseRuleProfile(readJson('config/rule-profiles/tianjin-default.json'));
if (!calendarParsed.ok || !profileParsed.ok) throw new Error('fixtures do not parse');
const calendar = calendarParsed.value;
const profile = profileParsed.value;

const MINUTE = 60_000;
const DAY_MINUTES = 1440;
const T0_MIN = Date.parse('2024-01-01T00:00:00+08:00') / MINUTE;
const T0_MAX = Date.parse('2025-11-01T00:00:00+08:00') / MINUTE;
const ORDER = 'W1';

const LATER_TYPES: EventType[] = [
  'dispatched',
  'accepted',
  'accepted',
  'returned',
  'extension_approved',
  'suspended',
  'resumed',
  'replied',
  'replied',
  'reply_rejected',
  'callback',
  'reopened',
  'verified',
  'closed',
  'flagged',
];

function dataFor(type: EventType, pick: number, atMs: number): Record<string, unknown> {
  switch (type) {
    case 'dispatched':
      return {
        unitId: `unit-${pick % 3}`,
        category: CATEGORIES[pick % CATEGORIES.length],
        urgency: URGENCIES[(pick >> 2) % URGENCIES.length],
        ...(pick % 7 === 0 ? { tags: [TAGS[pick % TAGS.length]] } : {}),
        ...(pick % 11 === 0
          ? { completeDueAt: new Date(atMs + (pick % 9) * 86_400_000).toISOString() }
          : {}),
      };
    case 'extension_approved':
      return pick % 3
        ? { workdays: 1 + (pick % 4) }
        : { until: new Date(atMs + (pick % 12) * 86_400_000).toISOString() };
    case 'reopened':
    case 'suspended':
      return { reason: '原因' };
    case 'callback':
      return { result: CALLBACK_RESULTS[pick % CALLBACK_RESULTS.length] };
    case 'verified':
      return { outcome: pick % 2 ? 'false_completion' : 'genuine', by: '督查室' };
    case 'flagged':
      return { tags: [TAGS[pick % TAGS.length]] };
    case 'replied':
      return { reply: '已处理' };
    case 'reply_rejected':
      return { reason: '答复不完整' };
    default:
      return {};
  }
}

const iso = (minute: number) => new Date(minute * MINUTE).toISOString().replace('Z', '+00:00');

/** A dispatch, then a mix of events over three weeks, with repeated instants to force ties. */
const scenario = fc
  .record({
    t0: fc.integer({ min: T0_MIN, max: T0_MAX }),
    first: fc.nat(1000),
    later: fc.array(
      fc.record({
        type: fc.constantFrom(...LATER_TYPES),
        offsetMinutes: fc.oneof(
          fc.integer({ min: 0, max: 21 * DAY_MINUTES }),
          fc.constantFrom(0, 60, DAY_MINUTES, 7 * DAY_MINUTES),
        ),
        pick: fc.nat(1000),
      }),
      { maxLength: 12 },
    ),
    watermarks: fc.array(fc.integer({ min: 0, max: 30 * DAY_MINUTES }), {
      minLength: 1,
      maxLength: 8,
    }),
  })
  .map(({ t0, first, later, watermarks }) => {
    const events: WorkOrderEvent[] = [
      {
        eventId: 'e-000',
        type: 'dispatched',
        workOrderId: ORDER,
        occurredAt: iso(t0),
        data: dataFor('dispatched', first, t0 * MINUTE),
      } as WorkOrderEvent,
    ];
    later.forEach(({ type, offsetMinutes, pick }, i) => {
      events.push({
        eventId: `e-${String(i + 1).padStart(3, '0')}`,
        type,
        workOrderId: ORDER,
        occurredAt: iso(t0 + offsetMinutes),
        data: dataFor(type, pick, (t0 + offsetMinutes) * MINUTE),
      } as WorkOrderEvent);
    });
    const sorted = [...watermarks].sort((a, b) => a - b).map((w) => new Date((t0 + w) * MINUTE));
    return { events, watermarks: sorted };
  });

/** The decision at `watermark` with only the events that had happened by then, as live. */
function decideAt(
  events: readonly WorkOrderEvent[],
  watermark: Date,
  existing: EscalationRecord[],
): SupervisionDecision {
  const known = events.filter((event) => Date.parse(event.occurredAt) <= watermark.getTime());
  return decideSupervision({
    workOrderId: ORDER,
    events: known,
    state: foldWorkOrder(ORDER, known),
    deadlines: computeDeadlines(known, profile, calendar),
    existing,
    watermark,
    calendar,
    policy: DEFAULT_SUPERVISION_POLICY,
  });
}

/**
 * What a recipient of the latest messages sees: withdrawn escalations left out. (An automatic
 * resolution keeps the instant it was decided at when an earlier resolving event arrives later.)
 */
const standing = (records: EscalationRecord[]) =>
  records
    .filter((record) => record.status !== 'withdrawn')
    .map(({ escalationKey, kind, status, level, firedAt, dueAt }) => ({
      escalationKey,
      kind,
      status,
      level,
      firedAt,
      dueAt,
    }))
    .sort((a, b) => (a.escalationKey < b.escalationKey ? -1 : 1));

/** The decision at `watermark` over the events that have arrived so far, whatever their time. */
function decideArrived(
  arrived: readonly WorkOrderEvent[],
  watermark: Date,
  existing: EscalationRecord[],
): SupervisionDecision {
  return decideSupervision({
    workOrderId: ORDER,
    events: arrived,
    state: foldWorkOrder(ORDER, arrived),
    deadlines: computeDeadlines(arrived, profile, calendar),
    existing,
    watermark,
    calendar,
    policy: DEFAULT_SUPERVISION_POLICY,
  });
}

const byKey = (records: EscalationRecord[]) =>
  [...records].sort((a, b) => (a.escalationKey < b.escalationKey ? -1 : 1));

describe('decideSupervision properties', () => {
  it('ends with the same escalations whether swept often or once at the last watermark', () => {
    fc.assert(
      fc.property(scenario, ({ events, watermarks }) => {
        let records: EscalationRecord[] = [];
        for (const watermark of watermarks) {
          records = applySupervisionDecision(records, decideAt(events, watermark, records));
        }
        const last = watermarks[watermarks.length - 1] as Date;
        const once = applySupervisionDecision([], decideAt(events, last, []));
        expect(byKey(records)).toEqual(byKey(once));
      }),
      { numRuns: 400 },
    );
  });

  it('ends with the same escalations as a sweeper woken at each nextDueAt and each event', () => {
    fc.assert(
      fc.property(scenario, ({ events, watermarks }) => {
        const end = (watermarks[watermarks.length - 1] as Date).getTime();
        const eventTimes = [...new Set(events.map((event) => Date.parse(event.occurredAt)))];
        let records: EscalationRecord[] = [];
        let wake = Math.min(...eventTimes);
        while (wake <= end) {
          const decision = decideAt(events, new Date(wake), records);
          records = applySupervisionDecision(records, decision);
          const nextEvent = Math.min(...eventTimes.filter((t) => t > wake));
          wake = Math.min(decision.nextDueAt?.getTime() ?? Infinity, nextEvent);
        }
        records = applySupervisionDecision(records, decideAt(events, new Date(end), records));
        expect(byKey(records)).toEqual(
          byKey(applySupervisionDecision([], decideAt(events, new Date(end), []))),
        );
      }),
      { numRuns: 300 },
    );
  });

  it('decides nothing new when its results are fed back, and looks again only after the watermark', () => {
    fc.assert(
      fc.property(scenario, ({ events, watermarks }) => {
        for (const watermark of watermarks) {
          const first = decideAt(events, watermark, []);
          const keys = first.create.map((record) => record.escalationKey);
          expect(new Set(keys).size).toBe(keys.length);
          for (const record of first.create) {
            expect(record.firedAt.getTime()).toBeLessThanOrEqual(watermark.getTime());
          }
          for (const item of [...first.advance, ...first.resolve]) {
            expect(item.at.getTime()).toBeLessThanOrEqual(watermark.getTime());
          }
          if (first.nextDueAt !== null) {
            expect(first.nextDueAt.getTime()).toBeGreaterThan(watermark.getTime());
          }
          const again = decideAt(events, watermark, applySupervisionDecision([], first));
          expect(again).toEqual({
            withdraw: [],
            create: [],
            advance: [],
            resolve: [],
            nextDueAt: first.nextDueAt,
          });
        }
      }),
      { numRuns: 300 },
    );
  });

  it('ends, after late and out-of-order arrivals, with the escalations of in-order delivery: the false ones withdrawn', () => {
    fc.assert(
      fc.property(
        scenario,
        fc.array(fc.nat(1000), { minLength: 13, maxLength: 13 }),
        ({ events, watermarks }, ranks) => {
          // Arrival order: a permutation of the events (the dispatch first, or the order is unknown).
          const [first, ...rest] = events;
          const arrivals = [
            first as WorkOrderEvent,
            ...rest
              .map((event, i) => ({ event, rank: ranks[i] ?? 0 }))
              .sort((a, b) => a.rank - b.rank)
              .map(({ event }) => event),
          ];
          // Each event arrives at a step; the watermark runs ahead of late ones.
          let records: EscalationRecord[] = [];
          let withdrawn = 0;
          arrivals.forEach((_, i) => {
            const watermark = watermarks[Math.min(i, watermarks.length - 1)] as Date;
            const decision = decideArrived(arrivals.slice(0, i + 1), watermark, records);
            withdrawn += decision.withdraw.length;
            for (const item of decision.withdraw) {
              expect(item.at).toEqual(watermark);
            }
            records = applySupervisionDecision(records, decision);
          });
          const last = watermarks[watermarks.length - 1] as Date;
          records = applySupervisionDecision(records, decideArrived(events, last, records));
          const inOrder = applySupervisionDecision([], decideArrived(events, last, []));
          expect(standing(records)).toEqual(standing(inOrder));
          expect(withdrawn).toBeGreaterThanOrEqual(0);
        },
      ),
      { numRuns: 400 },
    );
  });

  it('withdraws nothing when every event arrives before the watermark passes it', () => {
    fc.assert(
      fc.property(scenario, ({ events, watermarks }) => {
        let records: EscalationRecord[] = [];
        for (const watermark of watermarks) {
          const decision = decideAt(events, watermark, records);
          expect(decision.withdraw).toEqual([]);
          records = applySupervisionDecision(records, decision);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('announces the same (escalation, change, level) messages wherever the stream is cut', () => {
    fc.assert(
      fc.property(
        scenario,
        fc.array(fc.integer({ min: 0, max: 30 * DAY_MINUTES }), { maxLength: 6 }),
        ({ events, watermarks }, extraCuts) => {
          const last = watermarks[watermarks.length - 1] as Date;
          const t0 = Date.parse(events[0]!.occurredAt);
          const cuts = (instants: Date[]) => {
            let records: EscalationRecord[] = [];
            const announced: string[] = [];
            for (const watermark of instants) {
              const decision = decideAt(events, watermark, records);
              for (const c of escalationChanges(records, decision)) {
                announced.push(
                  `${c.record.escalationKey} ${c.change} ${c.record.level} v${c.record.version}`,
                );
              }
              records = applySupervisionDecision(records, decision);
            }
            return announced.sort();
          };
          const other = [...extraCuts.map((m) => new Date(t0 + m * MINUTE)), last]
            .filter((w) => w.getTime() <= last.getTime())
            .sort((a, b) => a.getTime() - b.getTime());
          const once = cuts([last]);
          expect(cuts(watermarks)).toEqual(once);
          expect(cuts(other)).toEqual(once);
        },
      ),
      { numRuns: 300 },
    );
  });
});
