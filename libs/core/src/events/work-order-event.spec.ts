import fc from 'fast-check';
import {
  ID_MAX_LENGTH,
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
