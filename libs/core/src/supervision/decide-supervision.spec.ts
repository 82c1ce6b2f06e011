import { readFileSync } from 'fs';
import { join } from 'path';
import type { EventOf, EventType, WorkOrderEvent } from '../events/work-order-event';
import { formatInstant } from '../calendar/format-instant';
import { parseCalendar } from '../calendar/parse-calendar';
import { parseRuleProfile } from '../rules/rule-profile';
import { computeDeadlines } from '../deadlines/compute-deadlines';
import { foldWorkOrder } from '../work-orders/fold-work-order';
import {
  applySupervisionDecision,
  decideSupervision,
  escalationChanges,
  DEFAULT_SUPERVISION_POLICY,
  type SupervisionDecision,
  type SupervisionPolicy,
} from './decide-supervision';
import { escalationKey, type EscalationKind, type EscalationRecord } from './escalation';

const root = join(__dirname, '../../../..');
const readJson = (path: string): unknown => JSON.parse(readFileSync(join(root, path), 'utf8'));
const calendarParsed = parseCalendar(readJson('config/calendars/cn-2023-2026.json'));
const profileParsed = parseRuleProfile(readJson('config/rule-profiles/tianjin-default.json'));
if (!calendarParsed.ok || !profileParsed.ok) throw new Error('fixtures do not parse');
const calendar = calendarParsed.value;
const profile = profileParsed.value;

const ORDER = 'TJ20240304000001';
let counter = 0;
/** An event at a Beijing wall-clock time (`2024-03-04 10:00`). */
function ev<T extends EventType>(type: T, local: string, data: EventOf<T>['data']): WorkOrderEvent {
  counter += 1;
  return {
    eventId: `e${String(counter).padStart(4, '0')}`,
    type,
    workOrderId: ORDER,
    occurredAt: bj(local),
    data,
  } as unknown as WorkOrderEvent;
}
const bj = (local: string) => `${local.replace(' ', 'T')}:00+08:00`;
const at = (local: string) => new Date(bj(local));
const show = (instant: Date | null) => (instant ? formatInstant(instant, 'Asia/Shanghai') : null);
const dispatched = (local: string, data: Partial<EventOf<'dispatched'>['data']> = {}) =>
  ev('dispatched', local, {
    unitId: 'teda-enforcement',
    category: 'complaint',
    urgency: 'normal',
    ...data,
  });
const accepted = (local: string) => ev('accepted', local, {});
const replied = (local: string) => ev('replied', local, { reply: '已处理' });
const callback = (local: string, result: EventOf<'callback'>['data']['result']) =>
  ev('callback', local, { result });
const key = (kind: EscalationKind, segment = 1, round = 0) =>
  escalationKey(ORDER, kind, segment, round);

function decide(
  events: WorkOrderEvent[],
  watermark: string,
  existing: EscalationRecord[] = [],
  policy: SupervisionPolicy = DEFAULT_SUPERVISION_POLICY,
): SupervisionDecision {
  const upTo = events.filter((event) => Date.parse(event.occurredAt) <= at(watermark).getTime());
  return decideSupervision({
    workOrderId: ORDER,
    events: upTo,
    state: foldWorkOrder(ORDER, upTo),
    deadlines: upTo.length === 0 ? null : computeDeadlines(upTo, profile, calendar),
    existing,
    watermark: at(watermark),
    calendar,
    policy,
  });
}

/** Sweeps at each watermark in turn, feeding the results back. */
function sweep(events: WorkOrderEvent[], watermarks: string[], start: EscalationRecord[] = []) {
  let records = start;
  let last: SupervisionDecision | null = null;
  for (const watermark of watermarks) {
    last = decide(events, watermark, records);
    records = applySupervisionDecision(records, last);
  }
  return { records, last };
}

const created = (decision: SupervisionDecision) =>
  decision.create.map((record) => ({
    key: record.escalationKey,
    level: record.level,
    firedAt: show(record.firedAt),
    dueAt: show(record.dueAt),
  }));
const advanced = (decision: SupervisionDecision) =>
  decision.advance.map(
    (item) =>
      `${item.escalationKey} ${item.fromLevel}→${item.toLevel} ${show(item.at)} ${item.why}`,
  );
const resolved = (decision: SupervisionDecision) =>
  decision.resolve.map((item) => `${item.escalationKey} ${show(item.at)} ${item.why}`);
const acknowledge = (records: EscalationRecord[], which: string, when: string) =>
  records.map((record) =>
    record.escalationKey === which
      ? { ...record, status: 'acknowledged' as const, acknowledgedAt: at(when) }
      : record,
  );

describe('decideSupervision: acceptance', () => {
  // Complaint dispatched Mon 2024-03-04 10:00: accept due Tue 10:00, warned 6 h before (25 % of a day).
  const events = [dispatched('2024-03-04 10:00')];

  it('warns at 25 % of the acceptance limit left, then fires 超时未接单 at the deadline for an order never accepted', () => {
    const decision = decide(events, '2024-03-05 12:00');
    expect(created(decision)).toEqual([
      {
        key: key('accept_warning'),
        level: 1,
        firedAt: '2024-03-05T04:00:00+08:00',
        dueAt: '2024-03-05T10:00:00+08:00',
      },
      {
        key: key('accept_overdue'),
        level: 2,
        firedAt: '2024-03-05T10:00:00+08:00',
        dueAt: '2024-03-05T10:00:00+08:00',
      },
    ]);
    expect(decision.create.map((record) => record.reason)).toEqual([
      '接单预警: due 2024-03-05T10:00:00+08:00, warned at 2024-03-05T04:00:00+08:00',
      '超时未接单: due 2024-03-05T10:00:00+08:00',
    ]);
    expect(decision.create.every((record) => record.unitId === 'teda-enforcement')).toBe(true);
    // The unacknowledged warning climbs every 4 working hours; the overdue's first step is next.
    expect(advanced(decision)).toEqual([
      `${key('accept_warning')} 1→2 2024-03-05T08:00:00+08:00 not_acknowledged`,
      `${key('accept_warning')} 2→3 2024-03-05T12:00:00+08:00 not_acknowledged`,
    ]);
    expect(show(decision.nextDueAt)).toBe('2024-03-05T14:00:00+08:00');
  });

  it.each`
    rule                                                      | watermark             | keys                                              | next
    ${'before the warning instant nothing fires'}             | ${'2024-03-05 03:59'} | ${[]}                                             | ${'2024-03-05T04:00:00+08:00'}
    ${'at the warning instant the warning fires (half-open)'} | ${'2024-03-05 04:00'} | ${[key('accept_warning')]}                        | ${'2024-03-05T08:00:00+08:00'}
    ${'at the deadline the overdue fires'}                    | ${'2024-03-05 10:00'} | ${[key('accept_warning'), key('accept_overdue')]} | ${'2024-03-05T12:00:00+08:00'}
  `('$rule', ({ watermark, keys, next }) => {
    const decision = decide(events, watermark as string);
    expect(decision.create.map((record) => record.escalationKey)).toEqual(keys);
    expect(show(decision.nextDueAt)).toBe(next);
  });

  it('fires nothing for an order accepted in time, even when the watermark is years later (replay)', () => {
    const log = [
      dispatched('2024-03-04 10:00'),
      accepted('2024-03-05 03:00'),
      replied('2024-03-08 16:00'),
      callback('2024-03-09 10:00', 'satisfied'),
      ev('closed', '2024-03-10 10:00', {}),
    ];
    const decision = decide(log, '2026-06-01 00:00');
    expect(decision).toEqual({
      withdraw: [],
      create: [],
      advance: [],
      resolve: [],
      nextDueAt: null,
    });
  });

  it('fires nothing for a stage done exactly at its warning instant or its deadline', () => {
    expect(
      decide([dispatched('2024-03-04 10:00'), accepted('2024-03-05 04:00')], '2024-03-06 00:00')
        .create,
    ).toEqual([]);
    const atDeadline = decide(
      [dispatched('2024-03-04 10:00'), accepted('2024-03-05 10:00')],
      '2024-03-06 00:00',
    );
    expect(atDeadline.create.map((record) => record.escalationKey)).toEqual([
      key('accept_warning'),
    ]);
    expect(resolved(atDeadline)).toEqual([
      `${key('accept_warning')} 2024-03-05T10:00:00+08:00 accepted`,
    ]);
  });

  it('resolves the acceptance escalations when the order is returned, and the new unit gets its own clocks', () => {
    const log = [
      dispatched('2024-03-04 10:00'),
      ev('returned', '2024-03-05 11:00', {}),
      dispatched('2024-03-05 12:00', { unitId: 'teda-community-1' }),
    ];
    const decision = decide(log, '2024-03-05 12:30');
    expect(resolved(decision)).toEqual([
      `${key('accept_warning')} 2024-03-05T11:00:00+08:00 returned`,
      `${key('accept_overdue')} 2024-03-05T11:00:00+08:00 returned`,
    ]);
    const next = decide(log, '2024-03-06 12:00', applySupervisionDecision([], decision));
    expect(created(next).map((row) => row.key)).toEqual([
      key('accept_warning', 2),
      key('accept_overdue', 2),
    ]);
    expect(next.create.every((record) => record.unitId === 'teda-community-1')).toBe(true);
  });
});

describe('decideSupervision: completion', () => {
  // Complaint dispatched Mon 2024-03-04 10:00, accepted at once: 7 working days → Wed 03-13 10:00,
  // warned one working day before.
  const base = [dispatched('2024-03-04 10:00'), accepted('2024-03-04 11:00')];

  it('creates the warning and 超时未办结 for an order replied one hour late, and resolves both at the reply', () => {
    const log = [...base, replied('2024-03-13 11:00')];
    // The reply arrives in the same batch as the catch-up: the deadlines list no pending instant.
    expect(computeDeadlines(log, profile, calendar).dueInstants).toEqual([]);
    const decision = decide(log, '2024-03-20 00:00');
    expect(created(decision)).toEqual([
      {
        key: key('complete_warning'),
        level: 1,
        firedAt: '2024-03-12T10:00:00+08:00',
        dueAt: '2024-03-13T10:00:00+08:00',
      },
      {
        key: key('complete_overdue'),
        level: 2,
        firedAt: '2024-03-13T10:00:00+08:00',
        dueAt: '2024-03-13T10:00:00+08:00',
      },
    ]);
    expect(resolved(decision)).toEqual([
      `${key('complete_warning')} 2024-03-13T11:00:00+08:00 replied`,
      `${key('complete_overdue')} 2024-03-13T11:00:00+08:00 replied`,
    ]);
    expect(advanced(decision)).toEqual([
      `${key('complete_warning')} 1→2 2024-03-12T14:00:00+08:00 not_acknowledged`,
      `${key('complete_warning')} 2→3 2024-03-12T18:00:00+08:00 not_acknowledged`,
    ]);
    expect(decision.nextDueAt).toBeNull();
  });

  it('gives the same rows when swept live as when the late reply is caught up in one batch', () => {
    const log = [...base, replied('2024-03-13 11:00')];
    const live = sweep(log, [
      '2024-03-12 10:00',
      '2024-03-12 14:00',
      '2024-03-12 18:00',
      '2024-03-13 10:00',
      '2024-03-13 12:00',
    ]);
    const batch = applySupervisionDecision([], decide(log, '2024-03-20 00:00'));
    expect(live.records).toEqual(batch);
  });

  it('moves an overdue escalation to level 3 one working day after the deadline even when acknowledged', () => {
    const first = sweep(base, ['2024-03-13 10:30']);
    const acknowledged = acknowledge(first.records, key('complete_overdue'), '2024-03-13 11:00');
    const before = decide(base, '2024-03-14 09:59', acknowledged);
    expect(advanced(before).filter((line) => line.startsWith(key('complete_overdue')))).toEqual([]);
    const decision = decide(base, '2024-03-14 10:00', acknowledged);
    expect(advanced(decision).filter((line) => line.startsWith(key('complete_overdue')))).toEqual([
      `${key('complete_overdue')} 2→3 2024-03-14T10:00:00+08:00 overdue_one_working_day`,
    ]);
  });

  it('does not move an overdue escalation to level 3 when the reply came within the working day', () => {
    const log = [...base, replied('2024-03-14 09:00')];
    const first = sweep(log, ['2024-03-13 10:30']);
    const acknowledged = acknowledge(first.records, key('complete_overdue'), '2024-03-13 11:00');
    const decision = decide(log, '2024-03-15 00:00', acknowledged);
    expect(advanced(decision)).toEqual([]);
    expect(resolved(decision)).toContain(
      `${key('complete_overdue')} 2024-03-14T09:00:00+08:00 replied`,
    );
  });

  it('fires the overdue at the extended deadline, not the old one, after an extension approved after the warning', () => {
    const extended = [
      ...base,
      ev('extension_requested', '2024-03-12 11:00', { reason: '需协调', workdays: 2 }),
      ev('extension_approved', '2024-03-12 15:00', { workdays: 2 }),
    ];
    const warned = sweep(extended, ['2024-03-12 12:00']);
    expect(warned.records.map((record) => record.escalationKey)).toEqual([key('complete_warning')]);
    const pastOldDeadline = decide(extended, '2024-03-14 12:00', warned.records);
    expect(pastOldDeadline.create).toEqual([]);
    expect(show(pastOldDeadline.nextDueAt)).toBe('2024-03-15T10:00:00+08:00');
    const atNewDeadline = decide(
      extended,
      '2024-03-15 10:00',
      applySupervisionDecision(warned.records, pastOldDeadline),
    );
    expect(created(atNewDeadline)).toEqual([
      {
        key: key('complete_overdue'),
        level: 2,
        firedAt: '2024-03-15T10:00:00+08:00',
        dueAt: '2024-03-15T10:00:00+08:00',
      },
    ]);
    // Judged in event time, a one-shot replay keeps the warning at the instant it fired live.
    const replay = decide(extended, '2024-03-15 10:00');
    expect(created(replay)).toEqual([
      {
        key: key('complete_warning'),
        level: 1,
        firedAt: '2024-03-12T10:00:00+08:00',
        dueAt: '2024-03-13T10:00:00+08:00',
      },
      {
        key: key('complete_overdue'),
        level: 2,
        firedAt: '2024-03-15T10:00:00+08:00',
        dueAt: '2024-03-15T10:00:00+08:00',
      },
    ]);
  });

  it('fires nothing while the completion clock is suspended, and fires at the pushed deadline after resumption', () => {
    const log = [
      ...base,
      ev('suspended', '2024-03-11 10:00', { reason: '等待业主' }),
      ev('resumed', '2024-03-12 10:00', {}),
    ];
    const paused = decide(log.slice(0, 3), '2024-03-20 00:00');
    expect(paused.create).toEqual([]);
    expect(paused.nextDueAt).toBeNull();
    // One working day paused: due Thu 03-14 10:00 instead of Wed, warned a working day before.
    const decision = decide(log, '2024-03-13 12:00');
    expect(created(decision).map((row) => [row.key, row.firedAt, row.dueAt])).toEqual([
      [key('complete_warning'), '2024-03-13T10:00:00+08:00', '2024-03-14T10:00:00+08:00'],
    ]);
    expect(show(decision.nextDueAt)).toBe('2024-03-13T14:00:00+08:00');
  });

  it('fires the overdue at the old deadline after a 审核退回 that came after it, and resolves it at the second reply', () => {
    const log = [
      ...base,
      replied('2024-03-12 09:00'),
      ev('reply_rejected', '2024-03-14 09:00', { reason: '答复不完整' }),
      replied('2024-03-14 15:00'),
    ];
    // Open again from the 审核退回 on: both instants had passed; each fires at its own instant.
    const decision = decide(log, '2024-03-15 00:00');
    expect(created(decision).map((row) => [row.key, row.firedAt])).toEqual([
      [key('complete_warning'), '2024-03-12T10:00:00+08:00'],
      [key('complete_overdue'), '2024-03-13T10:00:00+08:00'],
    ]);
    expect(resolved(decision)).toEqual([
      `${key('complete_warning')} 2024-03-14T15:00:00+08:00 replied`,
      `${key('complete_overdue')} 2024-03-14T15:00:00+08:00 replied`,
    ]);
    const live = sweep(log, [
      '2024-03-12 12:00',
      '2024-03-13 12:00',
      '2024-03-14 09:00',
      '2024-03-14 12:00',
      '2024-03-15 00:00',
    ]);
    expect(live.records).toEqual(applySupervisionDecision([], decision));
  });
});

describe('decideSupervision: auto-advance on the working clock', () => {
  it.each`
    rule                                                                                | dispatchedAt          | due                   | advancedAt
    ${'an overdue fired Fri 22:00 climbs at Mon 02:00: the weekend does not count'}     | ${'2024-03-07 22:00'} | ${'2024-03-08 22:00'} | ${'2024-03-11 02:00'}
    ${'an overdue fired Fri 02-09 22:00 climbs on the make-up Sunday 02-18 after 春节'} | ${'2024-02-08 22:00'} | ${'2024-02-09 22:00'} | ${'2024-02-18 02:00'}
  `('$rule', ({ dispatchedAt, due, advancedAt }) => {
    const log = [dispatched(dispatchedAt as string)];
    const records = applySupervisionDecision([], decide(log, due as string));
    const overdue = records.find((record) => record.escalationKey === key('accept_overdue'));
    expect(show(overdue?.firedAt ?? null)).toBe(bj(due as string));
    const onlyOverdue = (decision: SupervisionDecision) =>
      advanced(decision).filter((line) => line.startsWith(key('accept_overdue')));

    const aMinuteBefore = new Date(at(advancedAt as string).getTime() - 60_000);
    const waiting = decide(log, show(aMinuteBefore)?.slice(0, 16).replace('T', ' ') ?? '', records);
    expect(onlyOverdue(waiting)).toEqual([]);
    expect(show(waiting.nextDueAt)).toBe(bj(advancedAt as string));
    expect(onlyOverdue(decide(log, advancedAt as string, records))).toEqual([
      `${key('accept_overdue')} 2→3 ${bj(advancedAt as string)} not_acknowledged`,
    ]);
  });

  it('does not advance an escalation acknowledged at or before the instant', () => {
    const log = [dispatched('2024-03-04 10:00')];
    const records = applySupervisionDecision([], decide(log, '2024-03-05 04:00'));
    const acknowledged = acknowledge(records, key('accept_warning'), '2024-03-05 08:00');
    expect(decide(log, '2024-03-05 09:00', acknowledged).advance).toEqual([]);
  });

  it('uses the policy: 2 working hours to acknowledge', () => {
    const decision = decide([dispatched('2024-03-04 10:00')], '2024-03-05 07:00', [], {
      acknowledgeWithinWorkingHours: 2,
      overdueToTopLevelAfterWorkingDays: 1,
    });
    expect(advanced(decision)).toEqual([
      `${key('accept_warning')} 1→2 2024-03-05T06:00:00+08:00 not_acknowledged`,
    ]);
  });
});

describe('decideSupervision: event-driven escalations', () => {
  const served = [
    dispatched('2024-03-04 10:00'),
    accepted('2024-03-04 11:00'),
    replied('2024-03-06 10:00'),
  ];

  it('raises 群众不满意 at a dissatisfied callback and resolves it at a satisfied callback after rework', () => {
    const log = [
      ...served,
      callback('2024-03-07 10:00', 'dissatisfied'),
      ev('reopened', '2024-03-08 10:00', { reason: '群众不满意' }),
      replied('2024-03-11 10:00'),
      callback('2024-03-12 10:00', 'basically_satisfied'),
    ];
    const first = decide(log, '2024-03-07 10:00');
    expect(created(first)).toEqual([
      {
        key: key('dissatisfied', 1, 0),
        level: 2,
        firedAt: '2024-03-07T10:00:00+08:00',
        dueAt: null,
      },
    ]);
    const records = acknowledge(
      applySupervisionDecision([], first),
      key('dissatisfied'),
      '2024-03-07 11:00',
    );
    const second = decide(log, '2024-03-12 10:00', records);
    expect(second.create).toEqual([]);
    expect(resolved(second)).toEqual([
      `${key('dissatisfied')} 2024-03-12T10:00:00+08:00 satisfied_after_rework`,
    ]);
  });

  it('keys a second dissatisfied callback after rework by the new round', () => {
    const log = [
      ...served,
      callback('2024-03-07 10:00', 'dissatisfied'),
      ev('reopened', '2024-03-08 10:00', { reason: '群众不满意' }),
      replied('2024-03-11 10:00'),
      callback('2024-03-12 10:00', 'dissatisfied'),
      callback('2024-03-12 11:00', 'dissatisfied'),
    ];
    expect(
      decide(log, '2024-03-13 00:00')
        .create.filter((r) => r.kind === 'dissatisfied')
        .map((r) => r.escalationKey),
    ).toEqual([key('dissatisfied', 1, 0), key('dissatisfied', 1, 1)]);
  });

  it('raises 虚假办结 at level 3, and only a supervisor resolves it', () => {
    const log = [
      ...served,
      ev('verified', '2024-03-08 10:00', { outcome: 'false_completion', by: '督查室' }),
      ev('closed', '2024-03-09 10:00', {}),
    ];
    const decision = decide(log, '2024-04-01 00:00');
    expect(created(decision)).toEqual([
      { key: key('false_completion'), level: 3, firedAt: '2024-03-08T10:00:00+08:00', dueAt: null },
    ]);
    expect(decision.resolve).toEqual([]);
    expect(decision.advance).toEqual([]);
  });

  it.each`
    rule                                                            | log                                                                                                                                 | firedAt
    ${'a tag on the dispatch: 重点督办 from the dispatch'}          | ${() => [dispatched('2024-03-04 10:00', { tags: ['hot', 'leader_instructed'] }), accepted('2024-03-04 11:00')]}                     | ${'2024-03-04T10:00:00+08:00'}
    ${'flagged later: 重点督办 from the flag'}                      | ${() => [dispatched('2024-03-04 10:00'), accepted('2024-03-04 11:00'), ev('flagged', '2024-03-05 09:00', { tags: ['key'] })]}       | ${'2024-03-05T09:00:00+08:00'}
    ${'flagged before the dispatch: 重点督办 once a unit holds it'} | ${() => [ev('flagged', '2024-03-04 09:00', { tags: ['difficult'] }), dispatched('2024-03-04 10:00'), accepted('2024-03-04 11:00')]} | ${'2024-03-04T10:00:00+08:00'}
  `('$rule', ({ log, firedAt }) => {
    const events = (log as () => WorkOrderEvent[])();
    const decision = decide(events, '2024-03-05 10:00');
    const priority = decision.create.filter((record) => record.kind === 'priority');
    expect(
      priority.map((record) => [record.escalationKey, record.level, show(record.firedAt)]),
    ).toEqual([[escalationKey(ORDER, 'priority', 0, 0), 2, firedAt]]);
  });

  it('names the tags in the 重点督办 reason and resolves it when the order is closed', () => {
    const log = [
      dispatched('2024-03-04 10:00', { tags: ['hot'] }),
      accepted('2024-03-04 11:00'),
      ev('flagged', '2024-03-05 09:00', { tags: ['leader_instructed'] }),
      replied('2024-03-06 10:00'),
      ev('closed', '2024-03-07 10:00', {}),
    ];
    const decision = decide(log, '2024-03-08 00:00');
    const priority = decision.create.find((record) => record.kind === 'priority');
    expect(priority?.reason).toBe('重点督办: 热点, from 2024-03-04T10:00:00+08:00');
    expect(resolved(decision)).toEqual([
      `${key('priority', 0, 0)} 2024-03-07T10:00:00+08:00 closed`,
    ]);
  });
});

describe('decideSupervision: idempotence', () => {
  const scenarios: [string, WorkOrderEvent[], string][] = [
    ['never accepted', [dispatched('2024-03-04 10:00')], '2024-03-06 00:00'],
    [
      'replied late',
      [dispatched('2024-03-04 10:00'), accepted('2024-03-04 11:00'), replied('2024-03-13 11:00')],
      '2024-03-20 00:00',
    ],
    [
      'dissatisfied, tagged, false completion',
      [
        dispatched('2024-03-04 10:00', { tags: ['key'] }),
        replied('2024-03-06 10:00'),
        callback('2024-03-07 10:00', 'dissatisfied'),
        ev('verified', '2024-03-08 10:00', { outcome: 'false_completion', by: '督查室' }),
      ],
      '2024-03-09 00:00',
    ],
  ];

  it.each(scenarios)(
    '%s: deciding again with the results fed back yields nothing new',
    (_name, log, watermark) => {
      const first = decide(log, watermark);
      expect(first.create.length).toBeGreaterThan(0);
      const again = decide(log, watermark, applySupervisionDecision([], first));
      expect(again.create).toEqual([]);
      expect(again.advance).toEqual([]);
      expect(again.resolve).toEqual([]);
      expect(again.nextDueAt).toEqual(first.nextDueAt);
    },
  );

  it('never creates or advances a key that exists once a supervisor resolved it', () => {
    const log = [dispatched('2024-03-04 10:00')];
    const records = applySupervisionDecision([], decide(log, '2024-03-05 12:00')).map((record) => ({
      ...record,
      status: 'resolved' as const,
      resolvedAt: at('2024-03-05 12:00'),
      resolution: 'manual' as const,
    }));
    expect(decide(log, '2024-03-10 00:00', records)).toEqual({
      withdraw: [],
      create: [],
      advance: [],
      resolve: [],
      nextDueAt: at('2024-03-12 10:00'), // the completion warning, still ahead
    });
  });

  it('ignores events after the watermark', () => {
    const log = [dispatched('2024-03-04 10:00'), accepted('2024-03-05 11:00')];
    const decision = decideSupervision({
      workOrderId: ORDER,
      events: log,
      state: foldWorkOrder(ORDER, log),
      deadlines: computeDeadlines(log, profile, calendar),
      existing: [],
      watermark: at('2024-03-05 10:30'),
      calendar,
      policy: DEFAULT_SUPERVISION_POLICY,
    });
    expect(decision.create.map((record) => record.escalationKey)).toEqual([
      key('accept_warning'),
      key('accept_overdue'),
    ]);
    expect(decision.resolve).toEqual([]);
    expect(show(decision.nextDueAt)).toBe('2024-03-05T11:00:00+08:00');
  });
});

describe('decideSupervision: withdrawal (the log proves the premise false)', () => {
  /** The decision over the events that have arrived so far, whatever their time. */
  const decideArrived = (
    arrived: WorkOrderEvent[],
    watermark: string,
    existing: EscalationRecord[],
  ) =>
    decideSupervision({
      workOrderId: ORDER,
      events: arrived,
      state: foldWorkOrder(ORDER, arrived),
      deadlines: computeDeadlines(arrived, profile, calendar),
      existing,
      watermark: at(watermark),
      calendar,
      policy: DEFAULT_SUPERVISION_POLICY,
    });

  it('withdraws accept_overdue when an `accepted` inside the limit arrives after it fired', () => {
    const dispatch = dispatched('2024-03-04 10:00');
    const fired = applySupervisionDecision([], decideArrived([dispatch], '2024-03-05 10:05', []));
    expect(fired.map((r) => r.escalationKey).sort()).toEqual(
      [key('accept_overdue'), key('accept_warning')].sort(),
    );
    const late = accepted('2024-03-05 09:58');
    const decision = decideArrived([dispatch, late], '2024-03-05 10:15', fired);
    expect(
      decision.withdraw.map((w) => [
        w.escalationKey,
        w.reason,
        w.evidenceEventId,
        show(w.evidenceOccurredAt),
      ]),
    ).toEqual([[key('accept_overdue'), 'done_in_time', late.eventId, '2024-03-05T09:58:00+08:00']]);
    // The warning at 04:00 was true (not accepted then): it is resolved at the acceptance.
    expect(resolved(decision)).toEqual([
      `${key('accept_warning')} 2024-03-05T09:58:00+08:00 accepted`,
    ]);
    const after = applySupervisionDecision(fired, decision);
    expect(after.find((r) => r.escalationKey === key('accept_overdue'))).toMatchObject({
      status: 'withdrawn',
      version: 2,
      withdrawal: { reason: 'done_in_time', evidenceEventId: late.eventId },
    });
  });

  it('withdraws complete_overdue when an extension approved before the deadline arrives late, and fires it again at the new deadline', () => {
    const dispatch = dispatched('2024-03-04 10:00'); // complaint: 7 working days → Wed 03-13 10:00
    const accept = accepted('2024-03-04 11:00');
    const fired = applySupervisionDecision(
      [],
      decideArrived([dispatch, accept], '2024-03-13 10:30', []),
    );
    expect(fired.some((r) => r.escalationKey === key('complete_overdue'))).toBe(true);
    const extension = ev('extension_approved', '2024-03-12 09:00', { workdays: 2 });
    const decision = decideArrived([dispatch, accept, extension], '2024-03-13 11:00', fired);
    // The warning of 03-12 10:00 came after the extension too: it belonged at 03-14 10:00.
    expect(decision.withdraw.map((w) => [w.escalationKey, w.reason, w.evidenceEventId])).toEqual([
      [key('complete_warning'), 'deadline_moved', extension.eventId],
      [key('complete_overdue'), 'deadline_moved', extension.eventId],
    ]);
    expect(decision.create).toEqual([]);
    expect(show(decision.nextDueAt)).toBe('2024-03-14T10:00:00+08:00');
    const withdrawn = applySupervisionDecision(fired, decision);
    const again = decideArrived([dispatch, accept, extension], '2024-03-15 10:00', withdrawn);
    expect(created(again).filter((c) => c.key === key('complete_overdue'))).toEqual([
      {
        key: key('complete_overdue'),
        level: 2,
        firedAt: '2024-03-15T10:00:00+08:00',
        dueAt: '2024-03-15T10:00:00+08:00',
      },
    ]);
    const record = applySupervisionDecision(withdrawn, again).find(
      (r) => r.escalationKey === key('complete_overdue'),
    );
    expect(record).toMatchObject({ status: 'open', generation: 2, version: 3, withdrawal: null });
  });

  it('withdraws an acknowledged escalation too, keeping who acknowledged it', () => {
    const dispatch = dispatched('2024-03-04 10:00');
    const fired = acknowledge(
      applySupervisionDecision([], decideArrived([dispatch], '2024-03-05 10:05', [])),
      key('accept_overdue'),
      '2024-03-05 10:10',
    );
    const decision = decideArrived(
      [dispatch, accepted('2024-03-05 09:00')],
      '2024-03-05 10:20',
      fired,
    );
    const after = applySupervisionDecision(fired, decision);
    expect(after.find((r) => r.escalationKey === key('accept_overdue'))).toMatchObject({
      status: 'withdrawn',
      acknowledgedAt: at('2024-03-05 10:10'),
    });
  });

  it('announces every level reached, one change each, when one decision crosses two levels', () => {
    // Not accepted; nobody acknowledges: level 2 at the deadline, level 3 a working day later.
    const dispatch = dispatched('2024-03-04 10:00');
    const decision = decideArrived([dispatch], '2024-03-07 12:00', []);
    const overdue = escalationChanges([], decision).filter(
      (c) => c.record.escalationKey === key('accept_overdue'),
    );
    expect(overdue.map((c) => [c.change, c.record.level, c.record.version])).toEqual([
      ['created', 2, 1],
      ['advanced', 3, 2],
    ]);
    const warning = escalationChanges([], decision).filter(
      (c) => c.record.escalationKey === key('accept_warning'),
    );
    expect(warning.map((c) => [c.change, c.record.level])).toEqual([
      ['created', 1],
      ['advanced', 2],
      ['advanced', 3],
    ]);
  });
});

describe('decideSupervision: corrections keep what people did and what was judged', () => {
  const arrived = (events: WorkOrderEvent[], watermark: string, existing: EscalationRecord[]) =>
    decideSupervision({
      workOrderId: ORDER,
      events,
      state: foldWorkOrder(ORDER, events),
      deadlines: computeDeadlines(events, profile, calendar),
      existing,
      watermark: at(watermark),
      calendar,
      policy: DEFAULT_SUPERVISION_POLICY,
    });

  it('keeps a supervisor’s acknowledgement when a late acceptance shows level 3 was never due', () => {
    const dispatch = dispatched('2024-03-04 10:00'); // acceptance due Tue 03-05 10:00
    let records = applySupervisionDecision([], arrived([dispatch], '2024-03-05 10:05', []));
    records = acknowledge(records, key('accept_overdue'), '2024-03-05 10:30');
    // Still open a working day after the deadline: 督办单 (level 3), acknowledged or not.
    records = applySupervisionDecision(records, arrived([dispatch], '2024-03-06 10:05', records));
    expect(records.find((r) => r.escalationKey === key('accept_overdue'))?.level).toBe(3);
    // The acceptance arrives late: it happened Wed 09:00, before level 3 was reached.
    const late = accepted('2024-03-06 09:00');
    const decision = arrived([dispatch, late], '2024-03-06 10:10', records);
    const overdue = escalationChanges(records, decision).filter(
      (c) => c.record.escalationKey === key('accept_overdue'),
    );
    expect(overdue.map((c) => [c.change, c.record.level, c.record.status, c.why])).toEqual([
      ['withdrawn', 3, 'withdrawn', 'resolved_earlier'],
      ['created', 2, 'acknowledged', null],
      ['resolved', 2, 'resolved', 'accepted'],
    ]);
    expect(overdue[1]?.record.acknowledgedAt).toEqual(at('2024-03-05 10:30'));
  });

  it('undoes nothing when a later decision comes at a slightly lower watermark (another replica’s clock)', () => {
    const dispatch = dispatched('2024-03-04 10:00');
    const records = applySupervisionDecision([], arrived([dispatch], '2024-03-05 10:00', []));
    expect(records.map((r) => r.escalationKey)).toContain(key('accept_overdue'));
    const again = arrived([dispatch], '2024-03-05 09:59', records);
    expect(again).toMatchObject({ withdraw: [], create: [], advance: [], resolve: [] });
  });
});
