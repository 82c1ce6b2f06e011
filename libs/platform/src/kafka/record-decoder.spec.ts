import { isDeepStrictEqual } from 'node:util';
import fc from 'fast-check';
import { runNodeScript } from '@hotline/testing/node-script';
import { decodeRecord, installRecordDecoder } from './record-decoder';

// kafkajs's own modules: under jest the module cache is jest's, so these are kafkajs's originals.
const Decoder = module.require('kafkajs/src/protocol/decoder') as new (buffer: Buffer) => {
  offset: number;
};
const kafkajsDecodeRecord = module.require(
  'kafkajs/src/protocol/recordBatch/record/v0/decoder',
) as (decoder: unknown, context?: unknown) => unknown;

/** Kafka's zigzag varint of a 64-bit value, written byte by byte. */
function varlong(value: bigint): number[] {
  let zigzag = BigInt.asUintN(64, (value << 1n) ^ (value >> 63n));
  const bytes: number[] = [];
  while (zigzag > 0x7fn) {
    bytes.push(Number(zigzag & 0x7fn) | 0x80);
    zigzag >>= 7n;
  }
  bytes.push(Number(zigzag));
  return bytes;
}
const varint = (value: number) => varlong(BigInt(value));
const bytesOf = (value: Uint8Array | null) =>
  value === null ? varint(-1) : [...varint(value.length), ...value];

interface RecordSpec {
  attributes: number;
  timestampDelta: bigint;
  offsetDelta: number;
  key: Uint8Array | null;
  value: Uint8Array | null;
  headers: [string | null, Uint8Array | null][];
}

/** A record's body as a v2 batch holds it (after its length). */
function encode(record: RecordSpec): Buffer {
  return Buffer.from([
    record.attributes & 0xff,
    ...varlong(record.timestampDelta),
    ...varint(record.offsetDelta),
    ...bytesOf(record.key),
    ...bytesOf(record.value),
    ...varint(record.headers.length),
    ...record.headers.flatMap(([name, value]) => [
      ...bytesOf(name === null ? null : Buffer.from(name)),
      ...bytesOf(value),
    ]),
  ]);
}

const int64 = fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n });
const bytes = fc.option(fc.uint8Array({ maxLength: 40 }), { freq: 4 });
const record: fc.Arbitrary<RecordSpec> = fc.record({
  attributes: fc.integer({ min: 0, max: 255 }),
  timestampDelta: fc.oneof(
    fc.bigInt({ min: -1000n, max: 100_000n }),
    fc.bigInt({ min: -(2n ** 49n), max: 2n ** 49n }),
    int64,
  ),
  offsetDelta: fc.oneof(fc.nat(100_000), fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 })),
  key: bytes,
  value: bytes,
  headers: fc.array(
    fc.tuple(
      fc.option(
        fc.oneof(
          fc.constantFrom('a', 'b', '__proto__', 'toString', 'constructor', 'null'),
          fc.string(),
        ),
        { freq: 8 },
      ),
      bytes,
    ),
    { maxLength: 5 },
  ),
});
const decimal = fc.oneof(
  fc.bigInt({ min: 0n, max: 10n ** 7n }),
  fc.constant(-1n),
  fc.bigInt({ min: 1_700_000_000_000n, max: 1_900_000_000_000n }),
  fc.bigInt({ min: 2n ** 53n - 1000n, max: 2n ** 53n + 1000n }),
  int64,
);
const context = fc.record({
  firstOffset: decimal.map(String),
  firstTimestamp: decimal.map(String),
  magicByte: fc.constant(2),
  isControlBatch: fc.option(fc.boolean(), { nil: undefined }),
  timestampType: fc.constantFrom(0, 1),
  maxTimestamp: decimal.map(String),
});

/** Both decoders over the same bytes: the record (or the error) and where each stopped. */
function both(bytes: Buffer, ctx: unknown) {
  const run = (decode: (decoder: unknown, context?: unknown) => unknown) => {
    const decoder = new Decoder(bytes);
    try {
      return { record: decode(decoder, ctx), at: decoder.offset };
    } catch (error) {
      return { error: `${(error as Error).name}: ${(error as Error).message}` };
    }
  };
  return { ours: run(decodeRecord as never), theirs: run(kafkajsDecodeRecord) };
}

describe('decodeRecord', () => {
  it('decodes every record to what kafkajs 2.2.4 decodes it to', () => {
    fc.assert(
      fc.property(record, context, (spec, ctx) => {
        const { ours, theirs } = both(encode(spec), ctx);
        expect(isDeepStrictEqual(ours, theirs)).toBe(true);
      }),
      { numRuns: 3000 },
    );
  });

  it('decodes every cut-short record as kafkajs does (the same record, or the same error)', () => {
    fc.assert(
      fc.property(record, context, fc.nat(), (spec, ctx, cut) => {
        const bytes = encode(spec);
        const { ours, theirs } = both(bytes.subarray(0, cut % bytes.length), ctx);
        expect(isDeepStrictEqual(ours, theirs)).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });

  it.each([['1e3'], ['0x10'], ['NaN'], ['Infinity'], [' 5'], ['+5'], ['-'], [''], ['5.'], ['1_0']])(
    'leaves a first offset or timestamp written as %j to kafkajs’s Long',
    (text) => {
      const bytes = encode({
        attributes: 0,
        timestampDelta: 3n,
        offsetDelta: 2,
        key: null,
        value: null,
        headers: [],
      });
      const { ours, theirs } = both(bytes, { firstOffset: text, firstTimestamp: text });
      expect(ours).toEqual(theirs);
    },
  );

  it('refuses a negative header count other than -1 as kafkajs does', () => {
    // attributes, timestamp delta 0, offset delta 0, no key, no value, header count -2.
    const bytes = Buffer.from([0, 0, 0, 1, 1, 3]);
    const { ours, theirs } = both(bytes, { firstOffset: '0', firstTimestamp: '0' });
    expect(ours).toEqual(theirs);
    expect(ours).toHaveProperty('error', 'RangeError: Invalid array length');
  });

  it.each([
    ['the largest offset a double holds exactly', '9007199254740991', 1],
    ['an offset past 2^53', '9007199254740993', 2],
    ['a 15-digit offset', '999999999999999', 1],
    ['a 16-digit offset', '1000000000000000', -1],
    ['no timestamp', '-1', 0],
  ])('adds like kafkajs at the edges: %s', (_name, base, delta) => {
    const spec: RecordSpec = {
      attributes: 0,
      timestampDelta: BigInt(delta),
      offsetDelta: delta,
      key: null,
      value: Buffer.from('v'),
      headers: [],
    };
    const ctx = { firstOffset: base, firstTimestamp: base, timestampType: 0, magicByte: 2 };
    const { ours, theirs } = both(encode(spec), ctx);
    expect(ours).toEqual(theirs);
    expect(ours).toMatchObject({ record: { offset: String(BigInt(base) + BigInt(delta)) } });
  });

  it('reads timestamp deltas of every varint length, 1 to 10 bytes', () => {
    for (let bits = 0n; bits <= 63n; bits += 1n) {
      for (const delta of [2n ** bits - 1n, -(2n ** bits)]) {
        const spec: RecordSpec = {
          attributes: 0,
          timestampDelta: delta,
          offsetDelta: 0,
          key: null,
          value: null,
          headers: [['h', null]],
        };
        const ctx = { firstOffset: '0', firstTimestamp: '1796000000000', timestampType: 0 };
        const { ours, theirs } = both(encode(spec), ctx);
        expect(ours).toEqual(theirs);
        expect(ours).toMatchObject({ record: { timestamp: String(1796000000000n + delta) } });
      }
    }
  });

  it('refuses a varlong longer than 10 bytes as kafkajs does', () => {
    const bytes = Buffer.from([0, ...Array<number>(11).fill(0xff), 0x01, 0, 0, 0, 0]);
    const { ours, theirs } = both(bytes, { firstOffset: '0', firstTimestamp: '0' });
    expect(ours).toEqual(theirs);
    expect(ours).toHaveProperty('error', expect.stringContaining('Invalid Long'));
  });
});

describe('installRecordDecoder', () => {
  it('cannot replace kafkajs’s module under a test runner’s own module registry, and says so', () => {
    expect(installRecordDecoder()).toBe('not-replaceable');
  });

  it('makes kafkajs decode with decodeRecord in a node process, before its first fetch', () => {
    const script = `
      const { recordDecoderStatus } = require('@hotline/platform');
      const { decodeRecord } = require('./libs/platform/src/kafka/record-decoder');
      const batchDecoder = require('kafkajs/src/protocol/recordBatch/v0/decoder');
      const Decoder = require('kafkajs/src/protocol/decoder');
      const { RecordBatch } = require('kafkajs/src/protocol/recordBatch/v0/index');
      const Record = require('kafkajs/src/protocol/recordBatch/record/v0/index');
      const path = require.resolve('kafkajs/src/protocol/recordBatch/record/v0/decoder');
      (async () => {
        const batch = await RecordBatch({
          firstOffset: 41, firstTimestamp: 1796000000000, maxTimestamp: 1796000000009,
          lastOffsetDelta: 1,
          records: [
            Record({ offsetDelta: 0, timestampDelta: 0, key: 'k', value: 'a', headers: { h: 'x' } }),
            Record({ offsetDelta: 1, timestampDelta: 9, key: 'k', value: 'b', headers: {} }),
          ],
        });
        const { records } = await batchDecoder(new Decoder(batch.buffer));
        process.stdout.write(JSON.stringify({
          status: recordDecoderStatus,
          used: require.cache[path].exports === decodeRecord,
          records: records.map((r) => [r.offset, r.timestamp, String(r.value), Object.keys(r.headers)]),
        }));
      })();`;
    const run = runNodeScript(script);
    expect(run.stderr).toBe('');
    expect(JSON.parse(run.stdout)).toEqual({
      status: 'installed',
      used: true,
      records: [
        ['41', '1796000000000', 'a', ['h']],
        ['42', '1796000000009', 'b', []],
      ],
    });
  });
});

describe('under jest', () => {
  it('kafkajs’s batch decoder decodes records with the worker’s decoder, as in production', async () => {
    const Long = module.require('kafkajs/src/utils/long') as { fromValue: (v: unknown) => unknown };
    const { RecordBatch } = module.require('kafkajs/src/protocol/recordBatch/v0/index') as {
      RecordBatch: (options: object) => Promise<{ buffer: Buffer }>;
    };
    const Record = module.require('kafkajs/src/protocol/recordBatch/record/v0/index') as (
      options: object,
    ) => unknown;
    const batchDecoder = module.require('kafkajs/src/protocol/recordBatch/v0/decoder') as (
      decoder: unknown,
    ) => Promise<{ records: { offset: string }[] }>;
    const records = Array.from({ length: 50 }, (_, i) =>
      Record({ offsetDelta: i, timestampDelta: i, key: 'k', value: `v${i}`, headers: {} }),
    );
    const { buffer } = await RecordBatch({
      firstOffset: Long.fromValue(7),
      firstTimestamp: 1796000000000,
      maxTimestamp: 1796000000049,
      lastOffsetDelta: 49,
      records,
    });
    // kafkajs's own record decoder makes Longs of the first offset and timestamp for every record.
    const longs = jest.spyOn(Long, 'fromValue');
    const decoded = await batchDecoder(new Decoder(buffer));
    expect(decoded.records.map((r) => r.offset)).toEqual(records.map((_, i) => String(7 + i)));
    expect(longs.mock.calls.length).toBeLessThan(records.length);
    longs.mockRestore();
  });
});
