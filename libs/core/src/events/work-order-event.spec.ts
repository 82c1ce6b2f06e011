import fc from 'fast-check';
import {
  EVENT_TYPES,
  ID_MAX_LENGTH,
  isEventAsIs,
  parseEventBySchema,
  parseWorkOrderMessage,
  MAX_EVENT_BYTES,
  canonicalEventJson,
  isIdentifier,
  parseWorkOrderEvent,
} from './work-order-event';

const dispatched = {
  eventId: 'e1',
  type: 'dispatched',
  workOrderId: 'TJ1',
  occurredAt: '2023-12-01T09:30:00+08:00',
  sequence: 1,
  data: { unitId: 'teda-enforcement', category: 'complaint', urgency: 'normal', tags: ['hot'] },
};
const bytes = (value: unknown) =>
  Buffer.from(typeof value === 'string' ? value : JSON.stringify(value));

describe('parseWorkOrderEvent (contract.md §1)', () => {
  it('accepts a contract event keyed by its workOrderId', () => {
    expect(parseWorkOrderEvent(bytes(dispatched), 'TJ1')).toEqual({ ok: true, event: dispatched });
  });

  it.each([
    ['an empty value', Buffer.alloc(0), 'TJ1', 'invalid_json'],
    ['a value that is not JSON', bytes('{"eventId": '), 'TJ1', 'invalid_json'],
    ['a JSON array', bytes([1, 2]), 'TJ1', 'invalid_envelope'],
    ['an unknown type', bytes({ ...dispatched, type: 'teleported' }), 'TJ1', 'unknown_type'],
    [
      'a missing required field',
      bytes({ ...dispatched, data: { unitId: 'u', urgency: 'normal' } }),
      'TJ1',
      'invalid_data',
    ],
    [
      'an impossible date',
      bytes({ ...dispatched, occurredAt: '2024-02-30T09:00:00+08:00' }),
      'TJ1',
      'invalid_envelope',
    ],
    [
      'an instant without offset',
      bytes({ ...dispatched, occurredAt: '2024-02-03T09:00:00' }),
      'TJ1',
      'invalid_envelope',
    ],
    ...(
      [
        ['an offset beyond ±15:59', '2024-03-04T09:00:00+20:00'],
        ['a negative offset beyond ±15:59', '2024-03-04T09:00:00-16:00'],
        ['the year 0000', '0000-03-04T09:00:00+08:00'],
        ['a fraction of ten digits', '2024-03-04T09:00:00.1234567890+08:00'],
        ['a fraction of 200 digits', `2024-03-04T09:00:00.${'1'.repeat(200)}Z`],
      ] as const
    ).flatMap(([what, at]): (readonly [string, Buffer, string, string])[] => [
      // PostgreSQL's timestamptz cannot hold it: refused by the as-is check and by the schema.
      [
        `an instant with ${what}`,
        bytes({ ...dispatched, occurredAt: at }),
        'TJ1',
        'invalid_envelope',
      ],
      [
        `an instant with ${what} where the schema reads it (an unknown field beside it)`,
        bytes({ ...dispatched, occurredAt: at, unknownField: 1 }),
        'TJ1',
        'invalid_envelope',
      ],
      [
        `a deadline in the data with ${what}`,
        bytes({ ...dispatched, data: { ...dispatched.data, completeDueAt: at } }),
        'TJ1',
        'invalid_data',
      ],
    ]),
    [
      'an unknown category',
      bytes({ ...dispatched, data: { ...dispatched.data, category: 'gossip' } }),
      'TJ1',
      'invalid_data',
    ],
    [
      'an extension with both workdays and until',
      bytes({
        ...dispatched,
        type: 'extension_approved',
        data: { workdays: 2, until: '2024-02-03T09:00:00+08:00' },
      }),
      'TJ1',
      'invalid_data',
    ],
    ['a key that is another order', bytes(dispatched), 'TJ2', 'key_mismatch'],
    ['no key at all', bytes(dispatched), null, 'key_mismatch'],
    ['a value over the size limit', Buffer.alloc(MAX_EVENT_BYTES + 1, 32), 'TJ1', 'too_large'],
    [
      'bytes that are not UTF-8',
      Buffer.concat([bytes(dispatched).subarray(0, 20), Buffer.from([0xc3, 0x28]), bytes('"}')]),
      'TJ1',
      'invalid_encoding',
    ],
    [
      'a NUL character in a text field',
      bytes({ ...dispatched, data: { ...dispatched.data, title: 'a\u0000b' } }),
      'TJ1',
      'unencodable_text',
    ],
    [
      'a NUL character in a key',
      bytes({ ...dispatched, data: { ...dispatched.data, 'x\u0000': 1 } }),
      'TJ1',
      'unencodable_text',
    ],
    [
      'a NUL byte written raw inside a string (not JSON)',
      bytes(
        `{"eventId":"e1","type":"closed","workOrderId":"TJ1","occurredAt":"2023-12-01T09:30:00+08:00","data":{"note":"a\u0000b"}}`,
      ),
      'TJ1',
      'invalid_json',
    ],
    [
      'a NUL character escaped in an id',
      bytes(
        `{"eventId":"e\\u0000","type":"closed","workOrderId":"TJ1","occurredAt":"2023-12-01T09:30:00+08:00","data":{}}`,
      ),
      'TJ1',
      'unencodable_text',
    ],
    [
      'a lone surrogate',
      bytes(
        `{"eventId":"e1","type":"closed","workOrderId":"TJ1","occurredAt":"2023-12-01T09:30:00+08:00","data":{"note":"\\ud800"}}`,
      ),
      'TJ1',
      'unencodable_text',
    ],
    [
      'an eventId with spaces around it',
      bytes({ ...dispatched, eventId: ' e1 ' }),
      'TJ1',
      'invalid_id',
    ],
    [
      'a workOrderId with a quote',
      bytes({ ...dispatched, workOrderId: 'TJ"1' }),
      'TJ"1',
      'invalid_id',
    ],
    [
      'a unitId that is a spreadsheet formula',
      bytes({ ...dispatched, data: { ...dispatched.data, unitId: '=HYPERLINK("x")' } }),
      'TJ1',
      'invalid_id',
    ],
  ] as const)('rejects %s', (_what, value, key, code) => {
    const result = parseWorkOrderEvent(value, key);
    expect(result).toMatchObject({ ok: false, code });
    expect(result.ok ? '' : result.message).not.toBe('');
  });

  it('accepts text with \\u escapes that are neither NUL nor a lone surrogate', () => {
    const text = `{"eventId":"e1","type":"excluded","workOrderId":"TJ1","occurredAt":"2023-12-01T09:30:00+08:00","data":{"reason":"\\u5df2\\ud83d\\ude00 C:\\\\users"}}`;
    const parsed = parseWorkOrderEvent(bytes(text), 'TJ1');
    expect(parsed).toMatchObject({ ok: true, event: { data: { reason: '已😀 C:\\users' } } });
  });

  it('accepts a paired surrogate (an emoji) and keeps an id exactly as sent', () => {
    const event = {
      ...dispatched,
      eventId: 'E-1:a.b_c',
      data: { ...dispatched.data, title: '😀' },
    };
    expect(parseWorkOrderEvent(bytes(event), 'TJ1')).toEqual({ ok: true, event });
  });

  it.each([
    '0001-01-01T00:00:00+15:59',
    '9999-12-31T23:59:59.123456789-15:59',
    '2024-03-04T01:00:00.5Z',
  ])('accepts the instant %s (within what timestamptz holds)', (occurredAt) => {
    const event = { ...dispatched, occurredAt };
    expect(parseWorkOrderEvent(bytes(event), 'TJ1')).toEqual({ ok: true, event });
  });

  it('looks for NUL through a value nested thousands deep without running out of stack', () => {
    const nested = (inner: string) =>
      bytes(
        `{"extra":${'['.repeat(30_000)}${inner}${']'.repeat(30_000)},${bytes(dispatched).toString().slice(1)}`,
      );
    // An unknown field, dropped by the schema: the event as it is without it.
    expect(parseWorkOrderEvent(nested('"\\u0041"'), 'TJ1')).toEqual({
      ok: true,
      event: dispatched,
    });
    const refused = parseWorkOrderEvent(nested('"\\u0000"'), 'TJ1');
    expect(refused).toMatchObject({ ok: false, code: 'unencodable_text' });
    // The path is named by its start and end, not 90,000 characters of it.
    expect(refused.ok ? '' : refused.message).toMatch(/^extra\[0\]\[0\].*….*\[0\]: text with NUL/);
    expect(refused.ok ? 0 : refused.message.length).toBeLessThan(300);
  });
});

describe('isIdentifier', () => {
  // Ids near the limits and from the allowed alphabet, beside arbitrary text.
  const idLike = fc.oneof(
    fc.string({ unit: 'binary', maxLength: 20 }),
    fc.stringMatching(/^[A-Za-z0-9._:\- ]{0,140}$/),
  );

  it('says of an eventId and a workOrderId what the contract says of them', () => {
    fc.assert(
      fc.property(idLike, (id) => {
        const asEventId = parseWorkOrderEvent(bytes({ ...dispatched, eventId: id }), 'TJ1');
        expect(asEventId.ok).toBe(isIdentifier(id, 'eventId'));
        const asOrderId = parseWorkOrderEvent(bytes({ ...dispatched, workOrderId: id }), id);
        expect(asOrderId.ok).toBe(isIdentifier(id, 'workOrderId'));
      }),
      { numRuns: 500 },
    );
  });

  it.each([
    ['e'.repeat(ID_MAX_LENGTH.eventId), 'eventId', true],
    ['e'.repeat(ID_MAX_LENGTH.eventId + 1), 'eventId', false],
    ['T'.repeat(ID_MAX_LENGTH.workOrderId + 1), 'workOrderId', false],
    ['-TJ1', 'workOrderId', false],
    ['TJ\u00001', 'workOrderId', false],
  ] as const)('%s as %s: %s', (id, kind, expected) => {
    expect(isIdentifier(id, kind)).toBe(expected);
  });
});

describe('canonicalEventJson', () => {
  it('is the same whatever the key order, and differs when any value differs', () => {
    const reordered = Object.fromEntries(Object.entries(dispatched).reverse());
    expect(canonicalEventJson(reordered)).toBe(canonicalEventJson(dispatched));
    expect(canonicalEventJson({ ...dispatched, sequence: 2 })).not.toBe(
      canonicalEventJson(dispatched),
    );
  });
});

describe('events taken as they stand (isEventAsIs) and the schema', () => {
  // Values near each field's limits and kinds, right and wrong, for any key of any type.
  const near = fc.constantFrom<unknown>(
    'TJ1',
    'teda-enforcement',
    ' TJ1',
    '',
    ' ',
    'a reason',
    ' a reason ',
    'a\u3000',
    '\u3000前后\u3000',
    'x'.repeat(100),
    'x'.repeat(101),
    'x'.repeat(2001),
    'complaint',
    'normal',
    'life_safety',
    'satisfied',
    'false_completion',
    'genuine',
    'hot',
    '2024-03-01T09:00:00+08:00',
    '2024-03-01T09:00:00.123456Z',
    '2024-02-30T09:00:00+08:00',
    '2024-03-01T09:00+08:00',
    '2024-03-01T09:00:00',
    '2024-03-01 09:00:00Z',
    '2024-03-01T24:00:00Z',
    0,
    -0,
    1,
    2,
    1.5,
    -1,
    366,
    367,
    2 ** 53,
    true,
    false,
    null,
    [],
    ['hot'],
    ['hot', 'key', 'hot'],
    ['hot', 'nope'],
    ['key', 'hot', 'difficult', 'wide_scope', 'high_impact', 'leader_instructed', 'key'],
    {},
    { name: 'Li', phone: '138' },
    { name: 'Li', extra: 1 },
    { name: null },
  );
  const dataKeys = [
    ...new Set([
      'unitId',
      'unitName',
      'category',
      'urgency',
      'title',
      'content',
      'citizen',
      'address',
      'tags',
      'acceptDueAt',
      'completeDueAt',
      'by',
      'reason',
      'basis',
      'workdays',
      'until',
      'reply',
      'result',
      'resolved',
      'comment',
      'outcome',
      'note',
      'extra',
      '__proto__',
    ]),
  ];
  // A valid event of each type, changed in up to three places (a key set to a value of `near`,
  // or removed, in the envelope or in data).
  const valid: Record<string, Record<string, unknown>> = {
    dispatched: dispatched.data,
    accepted: { by: 'Li' },
    return_requested: { reason: 'not ours', basis: 'rule 3' },
    returned: {},
    return_rejected: {},
    extension_requested: { reason: 'parts', workdays: 3 },
    extension_approved: { until: '2024-03-08T18:00:00+08:00' },
    extension_rejected: { reason: 'no' },
    suspended: { reason: 'court' },
    resumed: {},
    replied: { reply: 'done', by: 'Li' },
    reply_rejected: { reason: 'not done' },
    callback: { result: 'satisfied', resolved: true },
    reopened: { reason: 'again', completeDueAt: '2024-03-08T18:00:00+08:00' },
    verified: { outcome: 'genuine', by: 'Wang' },
    closed: {},
    excluded: { reason: 'duplicate call' },
    flagged: { tags: ['key'], note: 'leader' },
  };
  const change = fc.record({
    inData: fc.boolean(),
    key: fc.constantFrom(...dataKeys, 'eventId', 'workOrderId', 'occurredAt', 'sequence', 'type'),
    value: fc.option(near, { nil: undefined }),
  });
  const candidate = fc
    .record({
      type: fc.constantFrom(...EVENT_TYPES),
      changes: fc.array(change, { maxLength: 3 }),
    })
    .map(({ type, changes }) => {
      const event: Record<string, unknown> = { ...dispatched, type, data: { ...valid[type] } };
      for (const { inData, key, value } of changes) {
        const target = inData ? (event.data as Record<string, unknown>) : event;
        if (value === undefined) delete target[key];
        else target[key] = value;
      }
      return JSON.parse(JSON.stringify(event)) as unknown;
    });

  it('takes a value as it stands only where the schema accepts it and returns it unchanged', () => {
    let asIs = 0;
    fc.assert(
      fc.property(candidate, (raw) => {
        if (!isEventAsIs(raw)) return;
        asIs += 1;
        const verdict = parseEventBySchema(raw);
        expect(verdict.success).toBe(true);
        expect(verdict.data).toEqual(raw);
      }),
      { numRuns: 20_000 },
    );
    // The generator reaches accepted events, not only refusals.
    expect(asIs).toBeGreaterThan(2_000);
  });

  it.each([
    ['a contract event', dispatched, true],
    ['an unknown key', { ...dispatched, source: 'x' }, false],
    ['an unknown key in data', { ...dispatched, data: { ...dispatched.data, x: 1 } }, false],
    [
      'a reason the schema trims',
      { ...dispatched, type: 'suspended', data: { reason: ' r ' } },
      false,
    ],
    [
      'an extension by workdays',
      { ...dispatched, type: 'extension_approved', data: { workdays: 3 } },
      true,
    ],
    [
      'an extension by both',
      {
        ...dispatched,
        type: 'extension_requested',
        data: { reason: 'r', workdays: 3, until: '2024-03-01T09:00:00Z' },
      },
      false,
    ],
    ['a null optional', { ...dispatched, sequence: null }, false],
  ])('%s: %p', (_name, raw, expected) => {
    expect(isEventAsIs(raw)).toBe(expected);
    if (expected) expect(parseEventBySchema(raw)).toMatchObject({ success: true, data: raw });
  });

  it('parses to the same event whichever way it is taken, refusing the same values', () => {
    const spaced = { ...dispatched, type: 'suspended', data: { reason: ' r ' } };
    expect(parseWorkOrderEvent(bytes(spaced), 'TJ1')).toEqual({
      ok: true,
      event: { ...spaced, data: { reason: 'r' } },
    });
    const extra = { ...dispatched, source: 'x' };
    expect(parseWorkOrderEvent(bytes(extra), 'TJ1')).toEqual({ ok: true, event: dispatched });
  });
});

describe('parseWorkOrderMessage: whether the value is the event as written (verbatim)', () => {
  const asText = JSON.stringify(dispatched);
  const accepted = (rest: string) =>
    `{"eventId":"E1","type":"accepted","workOrderId":"TJ1","occurredAt":"2024-05-01T10:00:00+08:00",${rest}}`;
  it.each([
    ['the event as JSON.stringify writes it', asText, true],
    [
      'with spaces and other key order',
      ' { "sequence" : 1 ,' + asText.slice(1).replace('"sequence":1,', '') + ' ',
      true,
    ],
    ['a sequence written 1.0', asText.replace('"sequence":1', '"sequence":1.0'), false],
    ['a sequence written 1e0', asText.replace('"sequence":1', '"sequence":1e0'), false],
    [
      'a sequence written twice',
      asText.replace('"sequence":1', '"sequence":2,"sequence":1'),
      false,
    ],
    ['a key the schema strips', asText.replace('{', '{"source":"x",'), false],
    [
      'workdays written 3.0',
      JSON.stringify({ ...dispatched, type: 'extension_approved', data: { workdays: 3 } }).replace(
        ':3}',
        ':3.0}',
      ),
      false,
    ],
    [
      'workdays written 3',
      JSON.stringify({ ...dispatched, type: 'extension_approved', data: { workdays: 3 } }),
      true,
    ],
    ['no sequence at all', JSON.stringify({ ...dispatched, sequence: undefined }), true],
    // A key written twice: JSON.parse keeps the last value, PostgreSQL reads every byte.
    [
      'a sequence again under an escaped key',
      accepted('"sequence":1,"sequ\\u0065nce":1.0,"data":{}'),
      false,
    ],
    [
      "a dropped value nested past any parser's depth",
      accepted(`"data":{"by":${'['.repeat(20_000)}${']'.repeat(20_000)},"by":"x"}`),
      false,
    ],
    ['a dropped value with NUL', accepted('"data":{"by":"\\u0000","by":"x"}'), false],
    ['a dropped value with a lone surrogate', accepted('"data":{"by":"\\ud800","by":"x"}'), false],
    ['a dropped number no numeric holds', accepted('"data":{"by":1e1000000,"by":"x"}'), false],
    ['a whole data dropped', accepted('"data":[1,2],"data":{}'), false],
    ['a number inside a string', accepted('"data":{"by":"1.0e5 -0"}'), true],
    ['a negative sequence', asText.replace('"sequence":1', '"sequence":-0'), false],
  ])('%s: %s', (_name, text, verbatim) => {
    const parsed = parseWorkOrderMessage(Buffer.from(text), 'TJ1');
    expect(parsed).toMatchObject({ ok: true, verbatim });
    if (parsed.ok && verbatim) expect(JSON.parse(text)).toEqual(parsed.event);
  });
});
