import fc from 'fast-check';
import { runNodeScript } from '@hotline/testing/node-script';
import {
  encodeRecord,
  installRecordEncoder,
  kafkajsRecordEncoder,
  type ProducedRecord,
} from './record-encoder';

// kafkajs's own modules: under jest the module cache is jest's, so these are kafkajs's originals.
const Encoder = module.require('kafkajs/src/protocol/encoder') as new () => object;
const kafkajsRecord = module.require('kafkajs/src/protocol/recordBatch/record/v0/index') as (
  record: ProducedRecord,
) => { buffer: Buffer };

/** What kafkajs's encoder makes of the record: its bytes, or the error it throws. */
function theirs(record: ProducedRecord): string {
  try {
    return kafkajsRecord(record).buffer.toString('hex');
  } catch (error) {
    return `error: ${(error as Error).message}`;
  }
}

function ours(record: ProducedRecord): string {
  try {
    return encodeRecord(record).buffer.toString('hex');
  } catch (error) {
    return `error: ${(error as Error).message}`;
  }
}

const field = fc.oneof(
  fc.string({ maxLength: 60 }),
  fc.string({ unit: 'grapheme', maxLength: 30 }),
  fc.uint8Array({ maxLength: 300 }).map((bytes) => Buffer.from(bytes)),
  fc.constant(null),
  fc.constant(undefined),
);
const produced: fc.Arbitrary<ProducedRecord> = fc.record(
  {
    offsetDelta: fc.oneof(fc.nat(100), fc.nat(2 ** 30 - 1)),
    timestampDelta: fc.oneof(
      fc.integer({ min: -1000, max: 100_000 }),
      fc.integer({ min: -(2 ** 40), max: 2 ** 40 }),
      fc.integer({ min: -(2 ** 52) + 1, max: 2 ** 52 - 1 }),
    ),
    key: field,
    value: field,
    headers: fc.constant({}),
  },
  { requiredKeys: [] },
);

describe('encodeRecord', () => {
  it('writes the bytes kafkajs writes, for any key, value, offset and timestamp delta', () => {
    fc.assert(
      fc.property(produced, (record) => {
        expect(ours(record)).toBe(theirs(record));
      }),
      { numRuns: 2000 },
    );
  });

  it.each<[string, ProducedRecord]>([
    ['an escalation message', { offsetDelta: 3, timestampDelta: 0, key: 'TJ1', value: '{"a":1}' }],
    ['no key', { offsetDelta: 0, timestampDelta: 0, key: null, value: 'v' }],
    ['no value (a tombstone)', { offsetDelta: 0, timestampDelta: 0, key: 'k', value: null }],
    ['defaults', { key: 'k', value: 'v' }],
    ['Chinese text', { offsetDelta: 1, timestampDelta: 5, key: '工单', value: '受理超时' }],
    ['a value of 200 bytes', { offsetDelta: 127, timestampDelta: 64, value: 'x'.repeat(200) }],
    ['a negative delta', { offsetDelta: 128, timestampDelta: -65, key: 'k', value: 'v' }],
    ['empty text', { offsetDelta: 0, timestampDelta: 0, key: '', value: '' }],
    // Past the fast path: kafkajs's own encoder writes them, errors included.
    ['headers', { offsetDelta: 0, timestampDelta: 0, key: 'k', value: 'v', headers: { h: 'x' } }],
    ['repeated headers', { value: 'v', headers: { h: ['x', 'y'], i: Buffer.from([1]) } }],
    ['a number value', { offsetDelta: 0, timestampDelta: 0, key: 'k', value: 42 }],
    ['a delta past 2^52', { offsetDelta: 0, timestampDelta: 2 ** 53, key: 'k', value: 'v' }],
    ['a fractional delta', { offsetDelta: 0, timestampDelta: 1.5, key: 'k', value: 'v' }],
    ['null headers', { offsetDelta: 0, timestampDelta: 0, key: 'k', value: 'v', headers: null }],
  ])('%s: as kafkajs', (_, record) => {
    expect(ours(record)).toBe(theirs(record));
  });

  it('returns a kafkajs Encoder holding exactly the record', () => {
    const encoder = encodeRecord({ offsetDelta: 1, timestampDelta: 2, key: 'k', value: 'value' });
    expect(encoder).toBeInstanceOf(Encoder);
    expect(encoder.offset).toBe(encoder.buf.length);
    expect(
      encoder.buffer.equals(
        kafkajsRecord({ offsetDelta: 1, timestampDelta: 2, key: 'k', value: 'value' }).buffer,
      ),
    ).toBe(true);
  });

  it('keeps kafkajs’s own encoder for what it does not write itself', () => {
    expect(kafkajsRecordEncoder()).toBe(kafkajsRecord);
  });
});

describe('installRecordEncoder', () => {
  it('cannot replace kafkajs’s module under a test runner’s own module registry, and says so', () => {
    expect(installRecordEncoder()).toBe('not-replaceable');
  });

  it('makes kafkajs’s produce request encode with encodeRecord in a node process, before its first send', () => {
    const script = `
      const { recordEncoderStatus } = require('@hotline/platform');
      const { encodeRecord } = require('./libs/platform/src/kafka/record-encoder');
      const produce = require('kafkajs/src/protocol/requests/produce/v3/request');
      const batchDecoder = require('kafkajs/src/protocol/recordBatch/v0/decoder');
      const Decoder = require('kafkajs/src/protocol/decoder');
      const path = require.resolve('kafkajs/src/protocol/recordBatch/record/v0/index.js');
      (async () => {
        const request = produce({
          acks: -1, timeout: 1000, compression: 0,
          topicData: [{ topic: 't', partitions: [{ partition: 0, messages: [
            { key: 'k', value: 'a', timestamp: 1796000000000 },
            { key: 'k', value: '受理超时', timestamp: 1796000000009, headers: { h: 'x' } },
          ] }] }],
        });
        const bytes = (await request.encode()).buffer;
        // After the request's header: the topic, one partition, its batch (int32 size first).
        const decoder = new Decoder(bytes);
        decoder.readString(); decoder.readInt16(); decoder.readInt32();
        decoder.readInt32(); decoder.readString(); decoder.readInt32(); decoder.readInt32();
        const batch = decoder.readBytes();
        const { records } = await batchDecoder(new Decoder(batch));
        process.stdout.write(JSON.stringify({
          status: recordEncoderStatus,
          used: require.cache[path].exports === encodeRecord,
          records: records.map((r) => [r.offset, r.timestamp, String(r.value), Object.keys(r.headers)]),
        }));
      })();`;
    const run = runNodeScript(script);
    expect(run.stderr).toBe('');
    expect(JSON.parse(run.stdout)).toEqual({
      status: 'installed',
      used: true,
      records: [
        ['0', '1796000000000', 'a', []],
        ['1', '1796000000009', '受理超时', ['h']],
      ],
    });
  });
});

describe('under jest', () => {
  it('kafkajs’s produce request encodes records with the worker’s encoder, as in production', async () => {
    const produce = module.require('kafkajs/src/protocol/requests/produce/v3/request') as (
      options: object,
    ) => { encode(): Promise<{ buffer: Buffer }> };
    const kafkajsEncoder = module.require('kafkajs/src/protocol/encoder') as {
      prototype: { writeVarLong(value: unknown): unknown };
    };
    // kafkajs's own record encoder writes each timestamp delta through writeVarLong.
    const varLongs = jest.spyOn(kafkajsEncoder.prototype, 'writeVarLong');
    const messages = Array.from({ length: 20 }, (_, i) => ({ key: 'k', value: `v${i}` }));
    await produce({
      acks: -1,
      timeout: 1000,
      compression: 0,
      topicData: [{ topic: 't', partitions: [{ partition: 0, messages }] }],
    }).encode();
    expect(varLongs.mock.calls.length).toBeLessThan(messages.length);
    varLongs.mockRestore();
  });
});
