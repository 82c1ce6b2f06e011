import fc from 'fast-check';
import type { WorkOrderEvent } from '../events/work-order-event';
import { foldHoldingEarly, foldWorkOrder, stateDocument } from './fold-work-order';

const ev = (
  eventId: string,
  type: WorkOrderEvent['type'],
  occurredAt: string,
  data: Record<string, unknown> = {},
  sequence?: number,
): WorkOrderEvent =>
  ({
    eventId,
    type,
    workOrderId: 'W1',
    occurredAt,
    data,
    ...(sequence === undefined ? {} : { sequence }),
  }) as WorkOrderEvent;

const dispatched = (id: string, at: string, unitId = 'teda-enforcement', seq?: number) =>
  ev(
    id,
    'dispatched',
    at,
    { unitId, category: 'complaint', urgency: 'normal', tags: ['hot'] },
    seq,
  );

describe('foldWorkOrder', () => {
  it('follows the lifecycle dispatched → in_progress → replied → closed', () => {
    const state = foldWorkOrder('W1', [
      dispatched('e1', '2024-03-01T09:00:00+08:00'),
      ev('e2', 'accepted', '2024-03-01T10:00:00+08:00'),
      ev('e3', 'replied', '2024-03-02T10:00:00+08:00', { reply: 'done' }),
      ev('e4', 'callback', '2024-03-03T10:00:00+08:00', { result: 'satisfied' }),
      ev('e5', 'closed', '2024-03-03T11:00:00+08:00'),
    ]);
    expect(state).toMatchObject({
      status: 'closed',
      unitId: 'teda-enforcement',
      segment: 1,
      acceptedAt: new Date('2024-03-01T02:00:00Z'),
      repliedAt: new Date('2024-03-02T02:00:00Z'),
      eventCount: 5,
    });
    expect(state.callbacks).toEqual([
      {
        result: 'satisfied',
        at: new Date('2024-03-03T02:00:00Z'),
        unitId: 'teda-enforcement',
        segment: 1,
        reworkRound: 0,
        eventId: 'e4',
      },
    ]);
  });

  it('orders by occurredAt across offsets, then by sequence at the same instant', () => {
    // 09:00+08:00 is 01:00Z: the accepted event below is later although its text sorts first.
    const state = foldWorkOrder('W1', [
      ev('b', 'accepted', '2024-03-01T01:30:00Z'),
      dispatched('a', '2024-03-01T09:00:00+08:00'),
      ev('d', 'reply_rejected', '2024-03-02T10:00:00+08:00', { reason: 'x' }, 2),
      ev('c', 'replied', '2024-03-02T10:00:00+08:00', { reply: 'y' }, 1),
    ]);
    expect(state.status).toBe('in_progress');
    expect(state.repliedAt).toBeNull();
    expect(state.replyRejections).toBe(1);
  });

  it('starts a new responsibility segment on re-dispatch to another unit', () => {
    const state = foldWorkOrder('W1', [
      dispatched('e1', '2024-03-01T09:00:00+08:00', 'unit-a'),
      ev('e2', 'accepted', '2024-03-01T10:00:00+08:00'),
      dispatched('e3', '2024-03-02T09:00:00+08:00', 'unit-b'),
    ]);
    expect(state).toMatchObject({
      unitId: 'unit-b',
      segment: 2,
      status: 'dispatched',
      acceptedAt: null,
    });
    expect(state.receivedAt).toEqual(new Date('2024-03-01T01:00:00Z'));
    expect(state.dispatchedAt).toEqual(new Date('2024-03-02T01:00:00Z'));
  });

  it('counts a rework round and reopens the order', () => {
    const state = foldWorkOrder('W1', [
      dispatched('e1', '2024-03-01T09:00:00+08:00'),
      ev('e2', 'replied', '2024-03-01T12:00:00+08:00', { reply: 'r' }),
      ev('e3', 'callback', '2024-03-02T09:00:00+08:00', { result: 'dissatisfied' }),
      ev('e4', 'reopened', '2024-03-02T10:00:00+08:00', { reason: 'citizen unhappy' }),
    ]);
    expect(state).toMatchObject({ status: 'in_progress', reworkRound: 1, repliedAt: null });
    expect(state.acceptedAt).toEqual(new Date('2024-03-01T04:00:00Z'));
  });

  it('keeps events that arrive before any dispatch as awaiting_dispatch', () => {
    expect(foldWorkOrder('W1', [ev('e2', 'accepted', '2024-03-01T10:00:00+08:00')]).status).toBe(
      'awaiting_dispatch',
    );
  });

  it.each([
    ['a close before the dispatch', [ev('e0', 'closed', '2024-03-01T08:00:00+08:00')], ['e0']],
    [
      'a return after the first dispatch (held: nothing)',
      [ev('e0', 'returned', '2024-03-01T09:30:00+08:00')],
      [],
    ],
    ['nothing but a callback', [ev('e0', 'callback', '2024-03-01T08:00:00+08:00')], ['e0']],
    [
      'a flag before the dispatch (folded: held nothing)',
      [ev('e0', 'flagged', '2024-03-01T08:00:00+08:00', { tags: ['key'] })],
      [],
    ],
    [
      'an event at the dispatch instant ordered before it (sequence)',
      [ev('e0', 'closed', '2024-03-01T09:00:00+08:00', {}, 0)],
      ['e0'],
    ],
  ] as const)(
    'holds, and does not fold, the events before the first dispatch: %s',
    (_, extra, held) => {
      const dispatch = dispatched('e1', '2024-03-01T09:00:00+08:00', 'teda-enforcement', 1);
      const base = extra.length === 1 && extra[0].type === 'callback' ? [] : [dispatch];
      const result = foldHoldingEarly('W1', [...extra, ...base]);
      expect(result.held.map((e) => e.eventId)).toEqual(held);
      const heldIds = new Set<string>(held);
      const folded = foldWorkOrder(
        'W1',
        [...extra, ...base].filter((e) => !heldIds.has(e.eventId)),
      );
      expect(result.state).toEqual(folded);
      if (base.length === 0) expect(result.state.status).toBe('awaiting_dispatch');
      else expect(result.state.closed).toBe(false);
    },
  );

  it.each([
    ['returned', { status: 'returned' }],
    ['suspended', { suspended: true }],
    ['excluded', { excluded: true }],
  ] as const)('records %s', (type, expected) => {
    const data = type === 'returned' ? {} : { reason: 'because' };
    const state = foldWorkOrder('W1', [
      dispatched('e1', '2024-03-01T09:00:00+08:00'),
      ev('e2', type, '2024-03-01T10:00:00+08:00', data),
    ]);
    expect(state).toMatchObject(expected);
  });
});

describe('foldWorkOrder is a function of the set of events', () => {
  const types: WorkOrderEvent['type'][] = [
    'accepted',
    'return_requested',
    'return_rejected',
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
    'dispatched',
  ];
  const dataFor = (type: WorkOrderEvent['type'], n: number): Record<string, unknown> => {
    switch (type) {
      case 'dispatched':
        return {
          unitId: `unit-${n % 3}`,
          category: 'help',
          urgency: 'normal',
          tags: n % 2 ? ['key'] : [],
        };
      case 'callback':
        return { result: n % 2 ? 'satisfied' : 'dissatisfied' };
      case 'verified':
        return { outcome: n % 2 ? 'genuine' : 'false_completion', by: 'office' };
      case 'flagged':
        return { tags: ['hot'] };
      case 'replied':
        return { reply: 'r' };
      default:
        return { reason: 'r' };
    }
  };
  const arbitraryHistory = fc
    .array(
      fc.record({
        type: fc.constantFrom(...types),
        minute: fc.integer({ min: 0, max: 20000 }),
        sequence: fc.option(fc.integer({ min: 0, max: 5 }), { nil: undefined }),
      }),
      { minLength: 1, maxLength: 25 },
    )
    .map((items) => [
      dispatched('e0', '2024-02-08T09:00:00+08:00'),
      ...items.map((item, i) =>
        ev(
          `e${i + 1}`,
          item.type,
          new Date(Date.UTC(2024, 1, 8, 1, item.minute)).toISOString(),
          dataFor(item.type, i),
          item.sequence,
        ),
      ),
    ]);

  it('gives the same state for any permutation and duplication of the events', () => {
    fc.assert(
      fc.property(
        arbitraryHistory,
        fc.array(fc.nat(), { maxLength: 10 }),
        fc.integer(),
        (events, duplicateIndexes, seed) => {
          const inOrder = foldWorkOrder('W1', events);
          const duplicated = [
            ...events,
            ...duplicateIndexes.map((i) => events[i % events.length]!),
          ];
          const shuffled = fc.sample(
            fc.shuffledSubarray(duplicated, { minLength: duplicated.length }),
            {
              seed,
              numRuns: 1,
            },
          )[0]!;
          expect(foldWorkOrder('W1', shuffled)).toEqual(inOrder);
        },
      ),
      { numRuns: 300 },
    );
  });

  it("stores the state as its own JSON: stateDocument is JSON.stringify's document", () => {
    fc.assert(
      fc.property(arbitraryHistory, (events) => {
        const state = foldWorkOrder('W1', events);
        expect(stateDocument(state)).toEqual(JSON.parse(JSON.stringify(state)));
      }),
      { numRuns: 300 },
    );
  });
});
