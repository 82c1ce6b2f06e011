import { createHash } from 'node:crypto';
import { MAX_EVENT_BYTES } from '@hotline/core';
import { probeRawMessage, rawDigest } from './probe-raw-message';

const key = Buffer.from('WO-1');
const bytes = (text: string) => Buffer.from(text, 'utf8');

describe('reading what a message claims to be without decoding it', () => {
  it('names the digest of the value as SHA-256 in hex', () => {
    const value = bytes('{"eventId":"e-1"}');
    expect(rawDigest(value)).toBe(createHash('sha256').update(value).digest('hex'));
  });

  it.each([
    ['the first eventId key', '{"eventId":"e-1","workOrderId":"WO-1"}', 'e-1'],
    ['whitespace around the colon', '{ "eventId" :\n "e-2" }', 'e-2'],
    ['a key after nested data', '{"data":{"note":"x"},"eventId":"e-3"}', 'e-3'],
  ])('reads %s', (_, text, eventId) => {
    expect(probeRawMessage(bytes(text), key)).toEqual({
      eventId,
      workOrderId: 'WO-1',
      rawSha256: rawDigest(bytes(text)),
    });
  });

  it.each([
    ['no key', bytes('{"eventId":"e-1"}'), null],
    ['an empty value', Buffer.alloc(0), key],
    ['a value over the limit', Buffer.alloc(MAX_EVENT_BYTES + 1, 0x20), key],
    ['no eventId', bytes('{"workOrderId":"WO-1"}'), key],
    ['an escaped id', bytes('{"eventId":"e\\u002d1"}'), key],
    ['a non-string id', bytes('{"eventId":12}'), key],
    ['an unterminated id', bytes('{"eventId":"e-1'), key],
    ['a NUL in the id', bytes('{"eventId":"e\u00001"}'), key],
    ['an id the contract refuses', bytes('{"eventId":"e 1"}'), key],
    ['a NUL in the key', bytes('{"eventId":"e-1"}'), bytes('WO\u00001')],
    ['a key the contract refuses', bytes('{"eventId":"e-1"}'), bytes('工单-1')],
    ['a key longer than a workOrderId', bytes('{"eventId":"e-1"}'), bytes('W'.repeat(65))],
  ])('reads nothing from a message with %s (it takes the full path)', (_, value, messageKey) => {
    expect(probeRawMessage(value, messageKey)).toBeNull();
  });
});
