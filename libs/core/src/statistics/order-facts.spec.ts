import { readFileSync } from 'fs';
import { join } from 'path';
import type { EventOf, EventType, WorkOrderEvent } from '../events/work-order-event';
import { parseCalendar } from '../calendar/parse-calendar';
import { parseRuleProfile } from '../rules/rule-profile';
import { computeDeadlines } from '../deadlines/compute-deadlines';
import { foldWorkOrder } from '../work-orders/fold-work-order';
import { countFacts, diffFacts, orderFacts, type FactMeasure, type OrderFact } from './order-facts';
import { parseStatisticsFormula, type StatisticsFormula } from './statistics-formula';
import { summarizeStatistics, type StatisticsFigures } from './summarize-statistics';

const root = join(__dirname, '../../../..');
const readJson = (path: string): unknown => JSON.parse(readFileSync(join(root, path), 'utf8'));
function ok<T>(parsed: { ok: true; value: T } | { ok: false; errors: string[] }): T {
  if (!parsed.ok) throw new Error(parsed.errors.join('\n'));
  return parsed.value;
}
const calendar = ok(parseCalendar(readJson('config/calendars/cn-2023-2026.json')));
const profile = ok(parseRuleProfile(readJson('config/rule-profiles/tianjin-default.json')));
const formula = ok(parseStatisticsFormula(readJson('config/statistics.json')));

const A = 'teda-enforcement';
const B = 'teda-community-1';
const C = 'teda-service-group';

/** An order's events at Beijing wall-clock times (`01-09 09:00` is 2024-01-09T09:00+08:00). */
function order(workOrderId: string) {
  const events: WorkOrderEvent[] = [];
  const at = (local: string) =>
    `${local.length === 11 ? `2024-${local}` : local}`.replace(' ', 'T') + ':00+08:00';
  const builder = {
    events,
    add<T extends EventType>(type: T, local: string, data: EventOf<T>['data']) {
      events.push({
        eventId: `${workOrderId}-${events.length + 1}`,
        type,
        workOrderId,
        occurredAt: at(local),
        data,
      } as WorkOrderEvent);
      return builder;
    },
    dispatched(local: string, unitId: string, category: EventOf<'dispatched'>['data']['category']) {
      return builder.add('dispatched', local, { unitId, category, urgency: 'normal' });
    },
    accepted: (local: string) => builder.add('accepted', local, {}),
    replied: (local: string) => builder.add('replied', local, { reply: '已处理' }),
    callback: (local: string, result: EventOf<'callback'>['data']['result']) =>
      builder.add('callback', local, { result }),
    closed: (local: string) => builder.add('closed', local, {}),
  };
  return builder;
}

/**
 * The data set, January 2024 (01-01 is the New Year holiday). Stage deadlines under the Tianjin
 * profile: accept 1 working day; complete 7 working days (consultation 3); both from dispatch.
 */
const orders = {
  // Everything on time; satisfied.
  O1: order('O1')
    .dispatched('01-09 09:00', A, 'complaint')
    .accepted('01-09 10:00')
    .replied('01-12 15:00') // due 01-18 09:00
    .callback('01-13 10:00', 'satisfied')
    .closed('01-13 11:00').events,
  // Rework: dissatisfied, reopened, then basically satisfied (the latest rating replaces).
  O2: order('O2')
    .dispatched('01-10 09:00', A, 'help')
    .accepted('01-10 09:30')
    .replied('01-15 10:00') // due 01-19 09:00
    .callback('01-16 10:00', 'dissatisfied')
    .add('reopened', '01-17 09:00', { reason: '群众不满意，重办' })
    .replied('01-22 10:00') // rework due 01-26 09:00
    .callback('01-23 10:00', 'basically_satisfied')
    .closed('01-23 11:00').events,
  // 不计考核: no facts at all.
  O3: order('O3')
    .dispatched('01-11 09:00', B, 'complaint')
    .accepted('01-11 10:00')
    .replied('01-12 10:00')
    .callback('01-20 10:00', 'dissatisfied')
    .add('excluded', '01-21 09:00', { reason: '重复诉求，不计考核' }).events,
  // Accepted late (due 01-16 09:00); citizen unreachable.
  O4: order('O4')
    .dispatched('01-15 09:00', B, 'consultation')
    .accepted('01-16 10:00')
    .replied('01-17 10:00') // due 01-18 09:00
    .callback('01-18 10:00', 'unreachable').events,
  // Returned by A within the day, re-dispatched to B, which replies: received once (A), rated B.
  O5: order('O5')
    .dispatched('01-18 09:00', A, 'complaint')
    .add('return_requested', '01-18 11:00', { reason: '不属于本单位职责' })
    .add('returned', '01-18 14:00', {})
    .dispatched('01-18 16:00', B, 'complaint')
    .accepted('01-19 09:00') // due 01-19 16:00
    .replied('01-29 10:00') // due 01-29 16:00
    .callback('01-30 10:00', 'satisfied').events,
  // Extended by 3 working days (due 01-31 09:00 → 02-04 09:00, a make-up Sunday); replied and
  // rated in February.
  O6: order('O6')
    .dispatched('01-22 09:00', C, 'suggestion')
    .accepted('01-22 09:10')
    .add('extension_requested', '01-25 10:00', { reason: '需协调', workdays: 3 })
    .add('extension_approved', '01-26 10:00', { workdays: 3 })
    .replied('02-02 10:00')
    .callback('02-05 10:00', 'satisfied').events,
  // Not accepted by C in time (due 01-25 09:00); re-dispatched to A (改派), which replies; the
  // reply is found false (虚假办结).
  O7: order('O7')
    .dispatched('01-24 09:00', C, 'complaint')
    .dispatched('01-25 10:00', A, 'complaint')
    .accepted('01-25 11:00')
    .replied('01-26 10:00')
    .callback('01-27 10:00', 'dissatisfied')
    .add('verified', '01-28 10:00', { outcome: 'false_completion', by: '督查室' }).events,
  // Received in December, completed (due 01-09 09:00) and rated (declined) in January.
  O8: order('O8')
    .dispatched('2023-12-28 09:00', B, 'complaint')
    .accepted('2023-12-28 10:00')
    .replied('01-03 10:00')
    .callback('01-04 10:00', 'declined').events,
  // Completed late (due 01-17 09:00); satisfied.
  O9: order('O9')
    .dispatched('01-08 09:00', A, 'complaint')
    .accepted('01-08 09:30')
    .replied('01-19 10:00')
    .callback('01-20 10:00', 'satisfied').events,
};
type OrderId = keyof typeof orders;

function factsOf(id: OrderId, rules: StatisticsFormula = formula): OrderFact[] {
  const events = orders[id];
  return orderFacts(
    foldWorkOrder(id, events),
    computeDeadlines(events, profile, calendar),
    rules,
    calendar,
  );
}

/** `measure unit dayOn` lines, for readable expectations. */
function lines(facts: readonly OrderFact[], measures?: readonly FactMeasure[]): string[] {
  return facts
    .filter((fact) => measures === undefined || measures.includes(fact.measure))
    .map((fact) => `${fact.measure} ${fact.unitId} ${fact.dayOn}`)
    .sort();
}

function figures(
  fromOn: string,
  toOn: string,
  rules: StatisticsFormula = formula,
  groupBy: 'unit' | 'category' | null = null,
) {
  const facts = (Object.keys(orders) as OrderId[]).flatMap((id) => factsOf(id, rules));
  const rows = countFacts(facts).filter((row) => row.dayOn >= fromOn && row.dayOn <= toOn);
  return summarizeStatistics(rows, rules, groupBy);
}

describe('orderFacts: what one order contributes', () => {
  it('counts an order on time everywhere: received, both stages, the rating', () => {
    expect(lines(factsOf('O1'))).toEqual([
      `accept_finished ${A} 2024-01-09`,
      `accept_on_time ${A} 2024-01-09`,
      `complete_finished ${A} 2024-01-12`,
      `complete_on_time ${A} 2024-01-12`,
      `rated_satisfied ${A} 2024-01-13`,
      `received ${A} 2024-01-09`,
    ]);
  });

  it.each<[string, OrderId, FactMeasure[], string[]]>([
    [
      'after rework the latest rating replaces the earlier one, and the rework is counted',
      'O2',
      ['rated_dissatisfied', 'rated_basically_satisfied', 'rework'],
      [`rated_basically_satisfied ${A} 2024-01-23`, `rework ${A} 2024-01-17`],
    ],
    [
      'each rework round is a completion stage of its own',
      'O2',
      ['complete_finished', 'complete_on_time'],
      [
        `complete_finished ${A} 2024-01-15`,
        `complete_finished ${A} 2024-01-22`,
        `complete_on_time ${A} 2024-01-15`,
        `complete_on_time ${A} 2024-01-22`,
      ],
    ],
    [
      'a stage done after its deadline is finished but not on time',
      'O4',
      ['accept_finished', 'accept_on_time'],
      [`accept_finished ${B} 2024-01-16`],
    ],
    [
      'an unreachable callback is a fact of its own',
      'O4',
      ['rated_unreachable'],
      [`rated_unreachable ${B} 2024-01-18`],
    ],
    [
      'a re-dispatched order is received once, by the first unit, on the first dispatch day',
      'O5',
      ['received'],
      [`received ${A} 2024-01-18`],
    ],
    [
      'the rating goes to the unit that replied, not the unit that received the order',
      'O5',
      ['rated_satisfied'],
      [`rated_satisfied ${B} 2024-01-30`],
    ],
    [
      'a return is credited to the unit that returned the order',
      'O5',
      ['returned'],
      [`returned ${A} 2024-01-18`],
    ],
    [
      'stages that ended in time on a return are not counted as finished',
      'O5',
      ['accept_finished', 'complete_finished'],
      [`accept_finished ${B} 2024-01-19`, `complete_finished ${B} 2024-01-29`],
    ],
    [
      'an extension is counted on the day of its approval, for the unit that held the order',
      'O6',
      ['extended'],
      [`extended ${C} 2024-01-26`],
    ],
    [
      'a completion within the extended deadline is on time',
      'O6',
      ['complete_finished', 'complete_on_time'],
      [`complete_finished ${C} 2024-02-02`, `complete_on_time ${C} 2024-02-02`],
    ],
    [
      'a rating arriving in a later month is counted in the callback month',
      'O6',
      ['rated_satisfied'],
      [`rated_satisfied ${C} 2024-02-05`],
    ],
    [
      'a stage that ran out before a re-dispatch is a late finish of the unit that held it',
      'O7',
      ['accept_finished', 'accept_on_time'],
      [
        `accept_finished ${A} 2024-01-25`,
        `accept_finished ${C} 2024-01-25`,
        `accept_on_time ${A} 2024-01-25`,
      ],
    ],
    [
      'a false completion is credited to the unit and day of the completion found false',
      'O7',
      ['false_completion'],
      [`false_completion ${A} 2024-01-26`],
    ],
    [
      'an order received in December is rated and completed in January',
      'O8',
      ['received', 'complete_finished', 'rated_declined'],
      [
        `complete_finished ${B} 2024-01-03`,
        `rated_declined ${B} 2024-01-04`,
        `received ${B} 2023-12-28`,
      ],
    ],
  ])('%s', (_rule, id, measures, expected) => {
    expect(lines(factsOf(id), measures)).toEqual(expected);
  });

  it('gives an excluded order (不计考核) no facts at all', () => {
    expect(factsOf('O3')).toEqual([]);
  });

  it('counts an excluded order like any other when the formula keeps them', () => {
    expect(lines(factsOf('O3', { ...formula, leaveOutExcludedOrders: false }))).toEqual([
      `accept_finished ${B} 2024-01-11`,
      `accept_on_time ${B} 2024-01-11`,
      `complete_finished ${B} 2024-01-12`,
      `complete_on_time ${B} 2024-01-12`,
      `rated_dissatisfied ${B} 2024-01-20`,
      `received ${B} 2024-01-11`,
    ]);
  });

  it('keeps the first rating after rework when the formula says first', () => {
    const facts = factsOf('O2', { ...formula, ratingAfterRework: 'first' });
    expect(lines(facts, ['rated_dissatisfied', 'rated_basically_satisfied'])).toEqual([
      `rated_dissatisfied ${A} 2024-01-16`,
    ]);
  });

  it('puts the rating on the first dispatch day when the formula counts by dispatch month', () => {
    const facts = factsOf('O8', { ...formula, ratingPeriod: 'dispatch' });
    expect(lines(facts, ['rated_declined'])).toEqual([`rated_declined ${B} 2023-12-28`]);
  });

  it('gives an order never dispatched no facts', () => {
    const events = orders.O1.filter((event) => event.type !== 'dispatched');
    expect(
      orderFacts(
        foldWorkOrder('O1', events),
        computeDeadlines(events, profile, calendar),
        formula,
        calendar,
      ),
    ).toEqual([]);
  });

  it('without deadlines keeps the facts the state alone determines', () => {
    const state = foldWorkOrder('O5', orders.O5);
    expect(lines(orderFacts(state, null, formula, calendar))).toEqual([
      // The first unit is not in the state: after a re-dispatch the current unit stands in.
      `rated_satisfied ${B} 2024-01-30`,
      `received ${B} 2024-01-18`,
    ]);
  });

  it('names days in Beijing time: 23:30 on January 31st is a January fact', () => {
    const events = order('O10').dispatched('01-31 23:30', A, 'help').events;
    const facts = orderFacts(
      foldWorkOrder('O10', events),
      computeDeadlines(events, profile, calendar),
      formula,
      calendar,
    );
    expect(lines(facts)).toEqual([`received ${A} 2024-01-31`]);
  });
});

describe('diffFacts: how the rollup changes when an order changes', () => {
  it('adds the rework reply and moves the rating from dissatisfied to basically satisfied', () => {
    const events = orders.O2;
    const beforeEvents = events.slice(0, -3); // up to the `reopened`
    const facts = (list: WorkOrderEvent[]) =>
      orderFacts(
        foldWorkOrder('O2', list),
        computeDeadlines(list, profile, calendar),
        formula,
        calendar,
      );
    expect(
      diffFacts(facts(beforeEvents), facts(events.slice(0, -1))).map(
        ({ key, delta }) => `${delta > 0 ? '+' : ''}${delta} ${key.measure} ${key.dayOn}`,
      ),
    ).toEqual([
      '-1 rated_dissatisfied 2024-01-16',
      '+1 complete_finished 2024-01-22',
      '+1 complete_on_time 2024-01-22',
      '+1 rated_basically_satisfied 2024-01-23',
    ]);
  });

  it('withdraws every fact of an order excluded after the fact', () => {
    const before = factsOf('O3', { ...formula, leaveOutExcludedOrders: false });
    const deltas = diffFacts(before, factsOf('O3'));
    expect(deltas).toHaveLength(before.length);
    expect(deltas.every(({ delta }) => delta === -1)).toBe(true);
  });

  it('is empty when nothing changes', () => {
    expect(diffFacts(factsOf('O1'), factsOf('O1'))).toEqual([]);
  });
});

describe('the data set: January 2024 figures, computed by hand', () => {
  const january = (
    rules: StatisticsFormula = formula,
    groupBy: 'unit' | 'category' | null = null,
  ) => figures('2024-01-01', '2024-01-31', rules, groupBy);

  it('gives the month totals', () => {
    expect(january().total).toEqual<StatisticsFigures>({
      // O1 O2 O4 O5 O6 O7 O9 (O3 excluded, O8 received in December)
      received: 7,
      satisfied: 3, // O1 O5 O9 (O6's rating is in February)
      basicallySatisfied: 1, // O2 after rework
      dissatisfied: 1, // O7 (O2's first rating replaced, O3 excluded)
      unreachable: 1, // O4
      declined: 1, // O8
      satisfactionNumerator: 4,
      satisfactionDenominator: 5,
      satisfactionRate: 80,
      // O1 O2 O4(late) O5/B O6 O7/C(late) O7/A O9; O5/A ended in time on the return
      acceptFinished: 8,
      acceptOnTime: 6,
      onTimeAcceptanceRate: 75,
      // O1 O2×2 O4 O5/B O7/A O8 O9(late); O6 in February
      completeFinished: 8,
      completeOnTime: 7,
      onTimeCompletionRate: 87.5,
      returned: 1, // O5 by A
      extended: 1, // O6
      reworks: 1, // O2
      falseCompletions: 1, // O7
    });
  });

  it('gives the figures by unit', () => {
    const byUnit = january(formula, 'unit').groups.map((group) => ({
      unit: group.key,
      received: group.received,
      satisfaction: `${group.satisfactionNumerator}/${group.satisfactionDenominator}`,
      satisfactionRate: group.satisfactionRate,
      onTimeAcceptanceRate: group.onTimeAcceptanceRate,
      onTimeCompletionRate: group.onTimeCompletionRate,
    }));
    expect(byUnit).toEqual([
      // B: O4 received; rated O5 satisfied, O4 unreachable, O8 declined; accepts O4 late, O5;
      // completions O4 O5 O8.
      {
        unit: B,
        received: 1,
        satisfaction: '1/1',
        satisfactionRate: 100,
        onTimeAcceptanceRate: 50,
        onTimeCompletionRate: 100,
      },
      // A: O1 O2 O5 O9 received; rated O1 O9 satisfied, O2 basically, O7 dissatisfied; accepts
      // O1 O2 O7 O9 on time; completions O1 O2×2 O7 on time, O9 late.
      {
        unit: A,
        received: 4,
        satisfaction: '3/4',
        satisfactionRate: 75,
        onTimeAcceptanceRate: 100,
        onTimeCompletionRate: 80,
      },
      // C: O6 O7 received; no rating in January; accepts O6 on time, O7 late; no completion.
      {
        unit: C,
        received: 2,
        satisfaction: '0/0',
        satisfactionRate: null,
        onTimeAcceptanceRate: 50,
        onTimeCompletionRate: null,
      },
    ]);
  });

  it('gives the figures by category', () => {
    const byCategory = january(formula, 'category').groups.map((group) => [
      group.key,
      group.received,
      group.satisfactionRate,
    ]);
    expect(byCategory).toEqual([
      ['complaint', 4, 75], // O1 O5 O7 O9; rated O1 O5 O9 satisfied, O7 dissatisfied, O8 declined
      ['consultation', 1, null], // O4, unreachable
      ['help', 1, 100], // O2
      ['suggestion', 1, null], // O6, rated in February
    ]);
  });

  it('counts the late rating and completion in February', () => {
    expect(figures('2024-02-01', '2024-02-29').total).toMatchObject({
      received: 0,
      satisfied: 1,
      satisfactionRate: 100,
      completeFinished: 1,
      onTimeCompletionRate: 100,
    });
  });

  it.each<[string, Partial<StatisticsFormula>, Partial<StatisticsFigures>]>([
    [
      'by dispatch month: O6 rated in January, O8 in December',
      { ratingPeriod: 'dispatch' },
      { satisfied: 4, declined: 0, satisfactionNumerator: 5, satisfactionRate: 83.33 },
    ],
    [
      'first rating after rework: O2 stays dissatisfied',
      { ratingAfterRework: 'first' },
      { basicallySatisfied: 0, dissatisfied: 2, satisfactionRate: 60 },
    ],
    [
      'excluded orders kept: O3 adds a receipt and a dissatisfied rating',
      { leaveOutExcludedOrders: false },
      { received: 8, dissatisfied: 2, satisfactionRate: 66.67 },
    ],
    [
      'unreachable and declined in the denominator',
      { outsideDenominator: [] },
      { satisfactionDenominator: 7, satisfactionRate: 57.14 },
    ],
  ])('follows the formula: %s', (_rule, change, expected) => {
    expect(january({ ...formula, ...change }).total).toMatchObject(expected);
  });
});
