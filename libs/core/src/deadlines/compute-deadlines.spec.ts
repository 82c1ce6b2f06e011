import { readFileSync } from 'fs';
import { join } from 'path';
import type { EventOf, EventType, WorkOrderEvent } from '../events/work-order-event';
import { formatInstant } from '../calendar/format-instant';
import { parseCalendar } from '../calendar/parse-calendar';
import type { WorkingCalendar } from '../calendar/working-calendar';
import { parseRuleProfile, type RuleProfile } from '../rules/rule-profile';
import { foldWorkOrder } from '../work-orders/fold-work-order';
import { computeDeadlines } from './compute-deadlines';
import type { DeadlineResult, StageDeadline } from './deadline-result';

const root = join(__dirname, '../../../..');
const readJson = (path: string): unknown => JSON.parse(readFileSync(join(root, path), 'utf8'));

function loadCalendar(): WorkingCalendar {
  const parsed = parseCalendar(readJson('config/calendars/cn-2023-2026.json'));
  if (!parsed.ok) throw new Error(parsed.errors.join('\n'));
  return parsed.value;
}
function loadProfile(json: unknown = readJson('config/rule-profiles/tianjin-default.json')) {
  const parsed = parseRuleProfile(json);
  if (!parsed.ok) throw new Error(parsed.errors.join('\n'));
  return parsed.value;
}

const calendar = loadCalendar();
const profile = loadProfile();

let counter = 0;
/** An event at a Beijing wall-clock time (`2024-02-09 10:00`). */
function ev<T extends EventType>(type: T, local: string, data: EventOf<T>['data']): WorkOrderEvent {
  counter += 1;
  return {
    eventId: `e${String(counter).padStart(4, '0')}`,
    type,
    workOrderId: 'TJ20240209000001',
    occurredAt: `${local.replace(' ', 'T')}:00+08:00`,
    data,
  } as unknown as WorkOrderEvent;
}
const dispatched = (local: string, data: Partial<EventOf<'dispatched'>['data']> = {}) =>
  ev('dispatched', local, {
    unitId: 'teda-enforcement',
    category: 'complaint',
    urgency: 'normal',
    ...data,
  });
const bj = (local: string) => `${local.replace(' ', 'T')}:00+08:00`;
const show = (at: Date | null | undefined) => (at ? formatInstant(at, 'Asia/Shanghai') : null);

function compute(events: WorkOrderEvent[], rules: RuleProfile = profile): DeadlineResult {
  return computeDeadlines(events, rules, calendar);
}
function stage(result: DeadlineResult, which: 'accept' | 'complete'): StageDeadline {
  const found = result[which];
  if (found === null) throw new Error(`no ${which} stage`);
  return found;
}

describe('computeDeadlines: the clocks of a new order', () => {
  it.each`
    rule                                                                                 | at                    | urgency          | category          | acceptDue                      | acceptWarning                  | completeDue                    | completeWarning
    ${'dispatched Fri 2024-02-09 10:00: one working day later is Sun 2024-02-18 10:00'}  | ${'2024-02-09 10:00'} | ${'normal'}      | ${'complaint'}    | ${'2024-02-18T10:00:00+08:00'} | ${'2024-02-18T04:00:00+08:00'} | ${'2024-02-26T10:00:00+08:00'} | ${'2024-02-23T10:00:00+08:00'}
    ${'a consultation over the 2023 National Day: 3 working days incl. 10-07 and 10-08'} | ${'2023-09-28 16:00'} | ${'normal'}      | ${'consultation'} | ${'2023-10-07T16:00:00+08:00'} | ${'2023-10-07T10:00:00+08:00'} | ${'2023-10-09T16:00:00+08:00'} | ${'2023-10-08T22:00:00+08:00'}
    ${'dispatched on a Saturday: the clocks start Monday 00:00'}                         | ${'2024-03-02 10:00'} | ${'normal'}      | ${'complaint'}    | ${'2024-03-05T00:00:00+08:00'} | ${'2024-03-04T18:00:00+08:00'} | ${'2024-03-13T00:00:00+08:00'} | ${'2024-03-12T00:00:00+08:00'}
    ${'an urgent order before the 2025-10-01…08 holiday'}                                | ${'2025-09-30 09:00'} | ${'urgent'}      | ${'help'}         | ${'2025-10-09T09:00:00+08:00'} | ${'2025-10-09T03:00:00+08:00'} | ${'2025-10-09T09:00:00+08:00'} | ${'2025-10-09T03:00:00+08:00'}
    ${'New Year 2026: make-up Sunday 2026-01-04 counts'}                                 | ${'2025-12-31 14:00'} | ${'normal'}      | ${'consultation'} | ${'2026-01-04T14:00:00+08:00'} | ${'2026-01-04T08:00:00+08:00'} | ${'2026-01-06T14:00:00+08:00'} | ${'2026-01-05T20:00:00+08:00'}
    ${'New Year 2025: only 01-01 is off'}                                                | ${'2024-12-31 14:00'} | ${'normal'}      | ${'complaint'}    | ${'2025-01-02T14:00:00+08:00'} | ${'2025-01-02T08:00:00+08:00'} | ${'2025-01-10T14:00:00+08:00'} | ${'2025-01-09T14:00:00+08:00'}
    ${'life safety: 15 natural minutes to accept, across midnight'}                      | ${'2024-03-04 23:50'} | ${'life_safety'} | ${'help'}         | ${'2024-03-05T00:05:00+08:00'} | ${'2024-03-05T00:01:15+08:00'} | ${'2024-03-05T23:50:00+08:00'} | ${'2024-03-05T17:50:00+08:00'}
    ${'utilities: 30 natural minutes to accept, across midnight'}                        | ${'2024-03-04 23:45'} | ${'utility'}     | ${'complaint'}    | ${'2024-03-05T00:15:00+08:00'} | ${'2024-03-05T00:07:30+08:00'} | ${'2024-03-05T23:45:00+08:00'} | ${'2024-03-05T17:45:00+08:00'}
    ${'life safety on a holiday: the natural clock ignores the calendar'}                | ${'2024-02-10 23:50'} | ${'life_safety'} | ${'help'}         | ${'2024-02-11T00:05:00+08:00'} | ${'2024-02-11T00:01:15+08:00'} | ${'2024-02-11T23:50:00+08:00'} | ${'2024-02-11T17:50:00+08:00'}
  `(
    '$rule',
    ({ at, urgency, category, acceptDue, acceptWarning, completeDue, completeWarning }) => {
      const result = compute([
        dispatched(at as string, {
          urgency: urgency as EventOf<'dispatched'>['data']['urgency'],
          category: category as EventOf<'dispatched'>['data']['category'],
        }),
      ]);
      expect({
        acceptDue: show(stage(result, 'accept').dueAt),
        acceptWarning: show(stage(result, 'accept').warningAt),
        completeDue: show(stage(result, 'complete').dueAt),
        completeWarning: show(stage(result, 'complete').warningAt),
      }).toEqual({ acceptDue, acceptWarning, completeDue, completeWarning });
    },
  );

  it('lists the open stages’ warning and overdue instants in time order, the first as nextDueAt', () => {
    const result = compute([dispatched('2024-02-09 10:00')]);
    expect(
      result.dueInstants.map(({ kind, at, segment, round }) => [kind, show(at), segment, round]),
    ).toEqual([
      ['accept_warning', '2024-02-18T04:00:00+08:00', 1, 0],
      ['accept_overdue', '2024-02-18T10:00:00+08:00', 1, 0],
      ['complete_warning', '2024-02-23T10:00:00+08:00', 1, 0],
      ['complete_overdue', '2024-02-26T10:00:00+08:00', 1, 0],
    ]);
    expect(show(result.nextDueAt)).toBe('2024-02-18T04:00:00+08:00');
    expect(result).toMatchObject({
      profileId: 'tianjin-default',
      profileVersion: '2025.1',
      segment: 1,
    });
  });

  it('gives the return-request window: one working day from dispatch', () => {
    const result = compute([dispatched('2024-02-09 10:00')]);
    expect(show(result.returnDueAt)).toBe('2024-02-18T10:00:00+08:00');
    expect(result.returnRequest?.explanation.rule.id).toBe('return_request.default');
  });

  it('explains a working-clock deadline: rule, source, skipped holiday, counted make-up day', () => {
    const explanation = stage(compute([dispatched('2024-02-09 10:00')]), 'accept').explanation;
    expect(explanation).toMatchObject({
      profile: { id: 'tianjin-default', version: '2025.1' },
      rule: { id: 'accept.default' },
      clock: 'working',
      convention: 'rolling',
      limit: { value: 1, unit: 'working_days', minutes: 1440 },
      override: null,
      pauses: [],
      extensions: [],
    });
    expect(explanation.rule.source).toContain('市政府令第39号');
    expect(
      explanation.skippedDays.map(({ dayOn, kind, name }) => `${dayOn} ${kind} ${name}`),
    ).toEqual(
      ['10', '11', '12', '13', '14', '15', '16', '17'].map((d) => `2024-02-${d} holiday 春节`),
    );
    expect(explanation.makeUpWorkdays).toEqual([{ dayOn: '2024-02-18', name: '春节' }]);
  });

  it('explains where a Saturday dispatch starts counting', () => {
    const explanation = stage(compute([dispatched('2024-03-02 10:00')]), 'complete').explanation;
    expect(show(explanation.start.at)).toBe('2024-03-02T10:00:00+08:00');
    expect(show(explanation.start.countingFromAt)).toBe('2024-03-04T00:00:00+08:00');
    expect(explanation.skippedDays.map((day) => `${day.dayOn} ${day.kind}`)).toEqual([
      '2024-03-02 weekend',
      '2024-03-03 weekend',
      '2024-03-09 weekend',
      '2024-03-10 weekend',
    ]);
  });
});

describe('computeDeadlines: stage outcomes', () => {
  it.each`
    rule                                                      | events                                                                                                                                          | accept       | complete
    ${'accepted and replied in time'}                         | ${[['accepted', '2024-03-04 11:00'], ['replied', '2024-03-08 10:00']]}                                                                          | ${'on_time'} | ${'on_time'}
    ${'accepted after the acceptance deadline is late'}       | ${[['accepted', '2024-03-05 10:01']]}                                                                                                           | ${'late'}    | ${'pending'}
    ${'accepted exactly at the deadline is on time'}          | ${[['accepted', '2024-03-05 10:00']]}                                                                                                           | ${'on_time'} | ${'pending'}
    ${'a reply without accepted counts as accepted at reply'} | ${[['replied', '2024-03-04 15:00']]}                                                                                                            | ${'on_time'} | ${'on_time'}
    ${'a late reply without accepted: both late'}             | ${[['replied', '2024-03-14 09:00']]}                                                                                                            | ${'late'}    | ${'late'}
    ${'a rejected reply re-opens the stage, same deadline'}   | ${[['accepted', '2024-03-04 11:00'], ['replied', '2024-03-12 10:00'], ['reply_rejected', '2024-03-12 15:00']]}                                  | ${'on_time'} | ${'pending'}
    ${'a second reply after rejection, past the deadline'}    | ${[['accepted', '2024-03-04 11:00'], ['replied', '2024-03-12 10:00'], ['reply_rejected', '2024-03-12 15:00'], ['replied', '2024-03-14 09:00']]} | ${'on_time'} | ${'late'}
    ${'returned: the open stages end'}                        | ${[['return_requested', '2024-03-04 16:00'], ['returned', '2024-03-05 09:00']]}                                                                 | ${'ended'}   | ${'ended'}
    ${'closed without a reply: the completion stage ends'}    | ${[['accepted', '2024-03-04 11:00'], ['closed', '2024-03-06 09:00']]}                                                                           | ${'on_time'} | ${'ended'}
  `('$rule', ({ events, accept, complete }) => {
    const data: Record<string, object> = {
      replied: { reply: '已处理' },
      reply_rejected: { reason: '答复不完整' },
      return_requested: { reason: '不属于本单位职责' },
    };
    const result = compute([
      dispatched('2024-03-04 10:00'),
      ...(events as [EventType, string][]).map(([type, at]) => ev(type, at, data[type] ?? {})),
    ]);
    expect([stage(result, 'accept').outcome, stage(result, 'complete').outcome]).toEqual([
      accept,
      complete,
    ]);
    const open = result.dueInstants.map((instant) => instant.kind.split('_')[0]);
    if (accept !== 'pending') expect(open).not.toContain('accept');
    if (complete !== 'pending') expect(open).not.toContain('complete');
    if (complete === 'pending')
      expect(show(stage(result, 'complete').dueAt)).toBe('2024-03-13T10:00:00+08:00');
  });

  it('records a return request made in time, and flags one made late', () => {
    const inTime = compute([
      dispatched('2024-03-04 10:00'),
      ev('return_requested', '2024-03-05 09:00', { reason: '不属于本单位职责' }),
    ]);
    expect(inTime.returnRequest).toMatchObject({ requestedInTime: true });
    expect(inTime.flags).not.toContain('return_requested_late');
    const late = compute([
      dispatched('2024-03-04 10:00'),
      ev('return_requested', '2024-03-05 10:01', { reason: '不属于本单位职责' }),
    ]);
    expect(late.returnRequest).toMatchObject({ requestedInTime: false });
    expect(late.flags).toContain('return_requested_late');
  });

  it('keeps no clock before the order is dispatched', () => {
    const result = compute([ev('accepted', '2024-03-04 11:00', {})]);
    expect(result).toMatchObject({ segment: 0, accept: null, complete: null, nextDueAt: null });
    expect(result.flags).toEqual(['awaiting_dispatch', 'events_before_dispatch']);
  });

  it('holds what the fold holds: a reopened before the dispatch opens no round, a flag is no early event', () => {
    const events = [
      ev('reopened', '2024-03-04 08:00', { reason: '重办' }),
      ev('flagged', '2024-03-04 08:30', { tags: ['key'] }),
      dispatched('2024-03-04 10:00'),
    ];
    const result = compute(events);
    expect(result).toMatchObject({ reworkRound: 0, accept: { round: 0 }, complete: { round: 0 } });
    expect(result.reworkRound).toBe(foldWorkOrder('W', events).reworkRound);
    expect(result.flags).toContain('events_before_dispatch');
    const flaggedOnly = compute([events[1]!, events[2]!]);
    expect(flaggedOnly.flags).not.toContain('events_before_dispatch');
  });
});

describe('computeDeadlines: suspension (挂起) pauses the completion clock', () => {
  const base = () => [
    dispatched('2023-09-25 10:00'),
    ev('accepted', '2023-09-25 11:00', {}),
    ev('suspended', '2023-09-28 15:00', { reason: '等待第三方鉴定' }),
  ];

  it('pushes the deadline by the working time paused: a suspension spanning the National Day holiday', () => {
    // 7 working days from 09-25 10:00 is 10-10 10:00. Paused 09-28 15:00 → 10-07 09:00: 9 h on
    // 09-28 and 9 h on make-up Saturday 10-07, the holiday in between paused nothing.
    const result = compute([...base(), ev('resumed', '2023-10-07 09:00', {})]);
    const complete = stage(result, 'complete');
    expect(show(complete.explanation.computedDueAt)).toBe('2023-10-10T10:00:00+08:00');
    expect(show(complete.dueAt)).toBe('2023-10-11T04:00:00+08:00');
    expect(complete.explanation.pauses).toEqual([
      expect.objectContaining({ pausedMinutes: 18 * 60, effective: true, endedBy: 'resumed' }),
    ]);
  });

  it('has no deadline and no due instants while suspended, and says since when', () => {
    const result = compute(base());
    const complete = stage(result, 'complete');
    expect(complete.dueAt).toBeNull();
    expect(show(complete.pausedSince)).toBe('2023-09-28T15:00:00+08:00');
    expect(result.dueInstants.filter((instant) => instant.kind.startsWith('complete'))).toEqual([]);
    expect(result.flags).toContain('suspended');
  });

  it('pauses a natural clock by natural time', () => {
    const result = compute([
      dispatched('2024-03-04 10:00', { urgency: 'utility' }),
      ev('suspended', '2024-03-04 12:00', { reason: '等待停水检修' }),
      ev('resumed', '2024-03-04 15:30', {}),
    ]);
    expect(show(stage(result, 'complete').dueAt)).toBe('2024-03-05T13:30:00+08:00');
  });

  it('does not pause a clock that has already run out, and flags the attempt', () => {
    const result = compute([
      dispatched('2024-03-04 10:00'),
      ev('suspended', '2024-03-14 09:00', { reason: '补充材料' }),
      ev('resumed', '2024-03-20 09:00', {}),
    ]);
    expect(show(stage(result, 'complete').dueAt)).toBe('2024-03-13T10:00:00+08:00');
    expect(result.flags).toContain('suspension_after_deadline');
  });

  it('ends the pause at a reply given while suspended', () => {
    const result = compute([
      dispatched('2024-03-04 10:00'),
      ev('suspended', '2024-03-12 10:00', { reason: '等待鉴定' }),
      ev('replied', '2024-03-15 10:00', { reply: '已处理' }),
    ]);
    const complete = stage(result, 'complete');
    // Paused 3 working days (Tue→Fri), so due Mon 03-18 10:00 and the reply is on time.
    expect(show(complete.dueAt)).toBe('2024-03-18T10:00:00+08:00');
    expect(complete.outcome).toBe('on_time');
  });
});

describe('computeDeadlines: extensions (延期) within the caps', () => {
  // A complaint dispatched Mon 2024-03-04 10:00 is due Wed 2024-03-13 10:00.
  const approve = (at: string, amount: { workdays: number } | { until: string }) =>
    ev('extension_approved', at, amount as EventOf<'extension_approved'>['data']);

  it.each`
    rule                                                                  | approvals                                               | due                            | results                                       | flag
    ${'adds approved working days'}                                       | ${[{ workdays: 3 }]}                                    | ${'2024-03-18T10:00:00+08:00'} | ${['applied']}                                | ${null}
    ${'applies two approvals'}                                            | ${[{ workdays: 3 }, { workdays: 5 }]}                   | ${'2024-03-25T10:00:00+08:00'} | ${['applied', 'applied']}                     | ${null}
    ${'refuses a third approval and flags it'}                            | ${[{ workdays: 3 }, { workdays: 5 }, { workdays: 1 }]}  | ${'2024-03-25T10:00:00+08:00'} | ${['applied', 'applied', 'refused_over_cap']} | ${'extension_refused_over_cap'}
    ${'caps the total at 10 working days and flags the excess'}           | ${[{ workdays: 6 }, { workdays: 6 }]}                   | ${'2024-03-27T10:00:00+08:00'} | ${['applied', 'capped']}                      | ${'extension_capped'}
    ${'caps a single approval over 10 working days'}                      | ${[{ workdays: 12 }]}                                   | ${'2024-03-27T10:00:00+08:00'} | ${['capped']}                                 | ${'extension_capped'}
    ${'moves the deadline to an approved until'}                          | ${[{ until: bj('2024-03-15 18:00') }]}                  | ${'2024-03-15T18:00:00+08:00'} | ${['applied']}                                | ${null}
    ${'caps an until beyond 10 working days'}                             | ${[{ until: bj('2024-04-30 18:00') }]}                  | ${'2024-03-27T10:00:00+08:00'} | ${['capped']}                                 | ${'extension_capped'}
    ${'ignores an until before the deadline'}                             | ${[{ until: bj('2024-03-12 18:00') }]}                  | ${'2024-03-13T10:00:00+08:00'} | ${['no_effect']}                              | ${'extension_without_effect'}
    ${'counts an until approval against the total: 2d 8h then 8d capped'} | ${[{ until: bj('2024-03-15 18:00') }, { workdays: 8 }]} | ${'2024-03-27T10:00:00+08:00'} | ${['applied', 'capped']}                      | ${'extension_capped'}
  `('$rule', ({ approvals, due, results, flag }) => {
    const result = compute([
      dispatched('2024-03-04 10:00'),
      ev('extension_requested', '2024-03-06 10:00', { reason: '需协调多部门', workdays: 3 }),
      ...(approvals as ({ workdays: number } | { until: string })[]).map((amount, i) =>
        approve(`2024-03-${String(7 + i).padStart(2, '0')} 10:00`, amount),
      ),
    ]);
    const complete = stage(result, 'complete');
    expect(show(complete.dueAt)).toBe(due);
    expect(
      complete.explanation.extensions
        .filter((extension) => extension.event === 'extension_approved')
        .map((extension) => extension.result),
    ).toEqual(results);
    if (flag !== null) expect(result.flags).toContain(flag);
    // the warning stays one working day before the (extended) deadline
    expect(calendar.workingMinutesBetween(complete.warningAt as Date, complete.dueAt as Date)).toBe(
      1440,
    );
  });

  it('records requests and rejections without moving the deadline', () => {
    const result = compute([
      dispatched('2024-03-04 10:00'),
      ev('extension_requested', '2024-03-06 10:00', { reason: '需协调多部门', workdays: 3 }),
      ev('extension_rejected', '2024-03-06 15:00', { reason: '理由不充分' }),
    ]);
    const complete = stage(result, 'complete');
    expect(show(complete.dueAt)).toBe('2024-03-13T10:00:00+08:00');
    expect(complete.explanation.extensions.map((extension) => extension.result)).toEqual([
      'requested',
      'rejected',
    ]);
  });
});

describe('computeDeadlines: rework (重办) and re-dispatch (改派)', () => {
  it('starts rework round 1 with the completion limit again from the reopening', () => {
    const result = compute([
      dispatched('2024-03-04 10:00'),
      ev('accepted', '2024-03-04 11:00', {}),
      ev('replied', '2024-03-08 10:00', { reply: '已处理' }),
      ev('callback', '2024-03-11 10:00', { result: 'dissatisfied' }),
      ev('reopened', '2024-03-18 09:00', { reason: '群众不满意，重办' }),
    ]);
    expect(result.reworkRound).toBe(1);
    const complete = stage(result, 'complete');
    expect(complete).toMatchObject({ round: 1, outcome: 'pending', segment: 1 });
    expect(show(complete.dueAt)).toBe('2024-03-27T09:00:00+08:00');
    expect(complete.explanation.start).toMatchObject({ event: 'reopened' });
    expect(result.earlier).toEqual([
      expect.objectContaining({ stage: 'complete', round: 0, outcome: 'on_time' }),
    ]);
    expect(result.dueInstants.map((instant) => [instant.kind, instant.round])).toEqual([
      ['complete_warning', 1],
      ['complete_overdue', 1],
    ]);
    expect(result.flags).toContain('reworked');
  });

  it('takes a rework deadline carried on the reopened event', () => {
    const result = compute([
      dispatched('2024-03-04 10:00'),
      ev('replied', '2024-03-08 10:00', { reply: '已处理' }),
      ev('reopened', '2024-03-18 09:00', {
        reason: '领导批示重办',
        completeDueAt: bj('2024-03-20 18:00'),
      }),
    ]);
    const complete = stage(result, 'complete');
    expect(show(complete.dueAt)).toBe('2024-03-20T18:00:00+08:00');
    expect(complete.explanation.override).toMatchObject({ event: 'reopened' });
  });

  it('gives a re-dispatched order new clocks for the new unit, keeping the old segment as history', () => {
    const result = compute([
      dispatched('2024-03-04 10:00', { unitId: 'teda-enforcement' }),
      ev('accepted', '2024-03-04 11:00', {}),
      dispatched('2024-03-06 14:00', { unitId: 'teda-community-3', category: 'consultation' }),
    ]);
    expect(result).toMatchObject({ segment: 2, unitId: 'teda-community-3' });
    expect(show(stage(result, 'accept').dueAt)).toBe('2024-03-07T14:00:00+08:00');
    expect(show(stage(result, 'complete').dueAt)).toBe('2024-03-11T14:00:00+08:00');
    expect(stage(result, 'complete').explanation.rule.id).toBe('complete.consultation');
    expect(result.earlier).toEqual([
      expect.objectContaining({
        stage: 'accept',
        segment: 1,
        unitId: 'teda-enforcement',
        outcome: 'on_time',
      }),
      expect.objectContaining({
        stage: 'complete',
        segment: 1,
        outcome: 'ended',
        endedBy: 'redispatched',
      }),
    ]);
    expect(result.dueInstants.every((instant) => instant.segment === 2)).toBe(true);
    expect(result.flags).toContain('redispatched');
  });

  it('resets the extension caps for a new unit', () => {
    const result = compute([
      dispatched('2024-03-04 10:00'),
      ev('extension_approved', '2024-03-05 10:00', { workdays: 5 }),
      ev('extension_approved', '2024-03-05 11:00', { workdays: 5 }),
      dispatched('2024-03-06 10:00', { unitId: 'teda-community-3' }),
      ev('extension_approved', '2024-03-07 10:00', { workdays: 2 }),
    ]);
    // 7 working days from Wed 03-06 10:00 is Fri 03-15 10:00, + 2 = Tue 03-19 10:00
    expect(show(stage(result, 'complete').dueAt)).toBe('2024-03-19T10:00:00+08:00');
  });
});

describe('computeDeadlines: deadlines carried on the dispatched event', () => {
  it('override the computed ones and are explained as such', () => {
    const result = compute([
      dispatched('2024-03-04 10:00', {
        acceptDueAt: bj('2024-03-04 18:00'),
        completeDueAt: bj('2024-03-08 18:00'),
      }),
    ]);
    const accept = stage(result, 'accept');
    const complete = stage(result, 'complete');
    expect([show(accept.dueAt), show(complete.dueAt)]).toEqual([
      '2024-03-04T18:00:00+08:00',
      '2024-03-08T18:00:00+08:00',
    ]);
    expect(show(complete.explanation.computedDueAt)).toBe('2024-03-13T10:00:00+08:00');
    expect(complete.explanation.override).toMatchObject({
      event: 'dispatched',
      eventId: expect.stringMatching(/^e\d+$/) as string,
    });
    // warnings stay relative to the rule's limit: 6 working hours before, 1 working day before
    expect([show(accept.warningAt), show(complete.warningAt)]).toEqual([
      '2024-03-04T12:00:00+08:00',
      '2024-03-07T18:00:00+08:00',
    ]);
    expect(result.flags).toEqual(['accept_deadline_overridden', 'complete_deadline_overridden']);
  });
});

describe('computeDeadlines: the next_day convention (次日起 N 个工作日)', () => {
  const json = readJson('config/rule-profiles/tianjin-default.json') as {
    version: string;
    rules: { id: string; convention: string }[];
  };
  json.version = '2025.1-next-day';
  for (const rule of json.rules) if (rule.id === 'complete.default') rule.convention = 'next_day';
  const nextDay = loadProfile(json);

  it('is due at the end of the 7th working day after the dispatch day', () => {
    // From Sat 02-10: working days 02-18, 19, 20, 21, 22, 23, 26 → due 02-27 00:00 (the 26th's 24:00)
    const result = compute([dispatched('2024-02-09 10:00')], nextDay);
    const complete = stage(result, 'complete');
    expect(show(complete.dueAt)).toBe('2024-02-27T00:00:00+08:00');
    // One working day left from the 00:00 that ends Friday 02-23: only Monday 02-26 remains.
    expect(show(complete.warningAt)).toBe('2024-02-24T00:00:00+08:00');
    expect(complete.explanation).toMatchObject({
      convention: 'next_day',
      profile: { version: '2025.1-next-day' },
    });
    expect(show(complete.explanation.start.countingFromAt)).toBe('2024-02-18T00:00:00+08:00');
    // a reply in the last minute of the 26th is on time
    const replied = compute(
      [dispatched('2024-02-09 10:00'), ev('replied', '2024-02-26 23:59', { reply: '已处理' })],
      nextDay,
    );
    expect(stage(replied, 'complete').outcome).toBe('on_time');
  });
});

describe('computeDeadlines: calendar coverage, each stage on its own', () => {
  // The official data only (no provisional years): what a stage cannot compute is listed with the
  // reason, the others are computed, and a natural clock needs no calendar at all.
  const outOfRange = (stages: string[]): unknown[] =>
    stages.map((which): unknown =>
      expect.objectContaining({ stage: which, code: 'calendar_out_of_range' }),
    );
  it.each`
    what                                                                      | at                    | urgency          | accept                         | complete                       | returnDue                      | unavailable
    ${'a complaint whose completion deadline falls after the data ends'}      | ${'2026-12-28 10:00'} | ${'normal'}      | ${'2026-12-29T10:00:00+08:00'} | ${null}                        | ${'2026-12-29T10:00:00+08:00'} | ${['complete']}
    ${'a life-safety order at 23:50 on the data’s last day (natural clocks)'} | ${'2026-12-31 23:50'} | ${'life_safety'} | ${'2027-01-01T00:05:00+08:00'} | ${'2027-01-01T23:50:00+08:00'} | ${null}                        | ${['return_request']}
    ${'a complaint dispatched after the data ends'}                           | ${'2027-01-04 10:00'} | ${'normal'}      | ${null}                        | ${null}                        | ${null}                        | ${['accept', 'complete', 'return_request']}
    ${'a life-safety order dispatched after the data ends'}                   | ${'2027-03-01 09:00'} | ${'life_safety'} | ${'2027-03-01T09:15:00+08:00'} | ${'2027-03-02T09:00:00+08:00'} | ${null}                        | ${['return_request']}
    ${'a complaint dispatched before the data begins'}                        | ${'2022-06-01 10:00'} | ${'normal'}      | ${null}                        | ${null}                        | ${null}                        | ${['accept', 'complete', 'return_request']}
  `(
    '$what: accept $accept, complete $complete, return request $returnDue; unavailable $unavailable',
    ({ at, urgency, accept, complete, returnDue, unavailable }) => {
      const result = compute([dispatched(at as string, { urgency: urgency as 'normal' })]);
      expect(show(result.accept?.dueAt)).toBe(accept);
      expect(show(result.complete?.dueAt)).toBe(complete);
      expect(show(result.returnDueAt)).toBe(returnDue);
      expect(result.unavailable).toEqual(outOfRange(unavailable as string[]));
      expect(result.flags).toContain('deadline_unavailable');
      expect(result.provisional).toBeNull();
      // Supervision gets the instants of what computed, and nothing of what did not.
      const stages = new Set(result.dueInstants.map((d) => d.kind.split('_')[0]));
      expect(stages).toEqual(
        new Set([accept && 'accept', complete && 'complete'].filter((x) => x !== null)),
      );
    },
  );

  it('keeps a deadline carried on the event when the rule’s own cannot be computed', () => {
    const result = compute([
      dispatched('2026-12-28 10:00', { completeDueAt: bj('2026-12-31 18:00') }),
    ]);
    expect(show(result.complete?.dueAt)).toBe('2026-12-31T18:00:00+08:00');
    expect(result.complete?.explanation.computedDueAt).toBeNull();
    expect(result.unavailable).toEqual([]);
  });

  it('still tracks a stage that cannot be computed: a reply ends it without a verdict', () => {
    const result = compute([
      dispatched('2026-12-28 10:00'),
      ev('accepted', '2026-12-28 11:00', {}),
      ev('replied', '2027-01-05 10:00', { reply: '已处理' }),
    ]);
    expect(result.accept?.outcome).toBe('on_time');
    expect(result.complete).toBeNull();
    expect(result.unavailable).toEqual(outOfRange(['complete']));
    expect(result.dueInstants).toEqual([]);
  });
});

describe('computeDeadlines: across the year end, on provisional days', () => {
  const provisionalCalendar = (() => {
    const parsed = parseCalendar(readJson('config/calendars/cn-2023-2026.json'), {
      provisionalYears: 4,
    });
    if (!parsed.ok) throw new Error(parsed.errors.join('\n'));
    return parsed.value;
  })();
  const onProvisional = (events: WorkOrderEvent[]) =>
    computeDeadlines(events, profile, provisionalCalendar);

  it('gives a complaint dispatched 2026-12-28 10:00 its 7 working days, into 2027 on provisional days', () => {
    const result = onProvisional([dispatched('2026-12-28 10:00')]);
    const accept = stage(result, 'accept');
    const complete = stage(result, 'complete');
    expect(show(accept.dueAt)).toBe('2026-12-29T10:00:00+08:00');
    expect(accept.explanation.provisional).toBeNull();
    // 12-28…31, then 2027-01-01 (元旦, statutory) and the weekend skipped, 01-04…07.
    expect(show(complete.dueAt)).toBe('2027-01-07T10:00:00+08:00');
    expect(show(complete.warningAt)).toBe('2027-01-06T10:00:00+08:00');
    expect(complete.explanation.provisional).toEqual({ fromOn: '2027-01-01', toOn: '2027-01-07' });
    expect(complete.explanation.skippedDays).toEqual([
      { dayOn: '2027-01-01', kind: 'holiday', name: '元旦' },
      { dayOn: '2027-01-02', kind: 'weekend', name: null },
      { dayOn: '2027-01-03', kind: 'weekend', name: null },
    ]);
    expect(result.provisional).toEqual({ fromOn: '2027-01-01', toOn: '2027-01-07' });
    expect(result.flags).toContain('provisional_calendar');
    expect(result.unavailable).toEqual([]);
    expect(result.dueInstants.map((d) => d.kind)).toEqual([
      'accept_warning',
      'accept_overdue',
      'complete_warning',
      'complete_overdue',
    ]);
  });

  it('gives a life-safety order dispatched 2026-12-31 23:50 its exact natural deadlines; only the return request is provisional', () => {
    const result = onProvisional([
      dispatched('2026-12-31 23:50', { urgency: 'life_safety', category: 'help' }),
    ]);
    const accept = stage(result, 'accept');
    const complete = stage(result, 'complete');
    expect(show(accept.dueAt)).toBe('2027-01-01T00:05:00+08:00');
    expect(show(complete.dueAt)).toBe('2027-01-01T23:50:00+08:00');
    expect(accept.explanation.provisional).toBeNull();
    expect(complete.explanation.provisional).toBeNull();
    // 10 minutes of 12-31, then 元旦 and the weekend, then 23 h 50 min of Monday 01-04.
    expect(show(result.returnDueAt)).toBe('2027-01-04T23:50:00+08:00');
    expect(result.returnRequest?.explanation.provisional).toEqual({
      fromOn: '2027-01-01',
      toOn: '2027-01-04',
    });
    expect(result.provisional).toEqual({ fromOn: '2027-01-01', toOn: '2027-01-04' });
  });

  it('gives the same deadlines on official days whether provisional years follow or not', () => {
    const events = [dispatched('2026-03-02 10:00'), ev('accepted', '2026-03-02 11:00', {})];
    const a = compute(events);
    const b = onProvisional(events);
    expect(b.complete?.dueAt).toEqual(a.complete?.dueAt);
    expect(b.provisional).toBeNull();
    expect(b.flags).not.toContain('provisional_calendar');
  });
});
