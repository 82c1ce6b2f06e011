/**
 * kafkajs's decoding of one record (format v2), without its 64-bit arithmetic where a double is
 * exact. kafkajs computes each record's offset and timestamp by parsing the batch's first offset
 * and first timestamp from decimal text into BigInt-backed `Long` objects, adding, and printing
 * them back, and reads the timestamp delta through `Long` shifts and adds: about a quarter of
 * what a consumer allocates in a replay, and the largest single cost of decoding a fetch. Here the same
 * sums are done on doubles when every operand is below 2^53 (a timestamp delta of up to 7 bytes,
 * a first offset or timestamp of up to 15 characters), and by kafkajs's own `Long` otherwise, so
 * the record is the same object, field for field, as kafkajs's (record-decoder.spec.ts checks it
 * against kafkajs's decoder).
 *
 * kafkajs has no hook for this: `installRecordDecoder` puts the function in the module cache
 * under the path of kafkajs's record decoder before kafkajs first loads it (its batch decoder
 * takes it at load, on the first fetch). It does so only for the kafkajs version it was checked
 * against, and reports why not otherwise; kafkajs's own decoder then stays.
 */
import { kafkajsModule, replaceKafkajsModule, type KafkajsModuleStatus } from './kafkajs-modules';

/** kafkajs's `Decoder` (src/protocol/decoder.js), the members a record is read with. */
interface KafkajsDecoder {
  buffer: Buffer;
  offset: number;
  readInt8(): number;
  readVarInt(): number;
  readVarLong(): unknown;
  readVarIntBytes(): Buffer | null;
  readVarIntString(): string | null;
}

/** What kafkajs's batch decoder passes to the record decoder. */
interface BatchContext {
  firstOffset?: string;
  firstTimestamp?: string;
  magicByte?: number;
  isControlBatch?: boolean;
  timestampType?: number;
  maxTimestamp?: string;
}

/** kafkajs's `Long` (src/utils/long.js): only what the slow path uses. */
interface KafkajsLong {
  add(addend: unknown): KafkajsLong;
  toString(): string;
}
interface KafkajsLongClass {
  fromValue(value: unknown): KafkajsLong;
}

/** kafkajs's TimestampTypes.LOG_APPEND_TIME. */
const LOG_APPEND_TIME = 1;
/** Seven varint bytes hold 49 bits: any such value and its sums below are exact doubles. */
const FAST_VARLONG_BYTES = 7;
/** A decimal of up to 15 characters is below 10^15 < 2^53 in magnitude. */
const FAST_DECIMAL_LENGTH = 15;

// Loaded lazily: only a value past the fast path needs them.
let longClass: KafkajsLongClass | null = null;
function kafkajsLong(): KafkajsLongClass {
  longClass ??= kafkajsModule('utils/long') as KafkajsLongClass;
  return longClass;
}

/**
 * A zigzag varlong of up to 7 bytes as a number, the decoder moved past it; null (the decoder
 * where it was) for a longer one, which kafkajs's `readVarLong` then reads, errors included.
 */
function readShortVarLong(decoder: KafkajsDecoder): number | null {
  const buffer = decoder.buffer;
  let at = decoder.offset;
  let value = 0;
  let scale = 1;
  for (let bytes = 1; ; bytes += 1) {
    // A byte past the end reads as undefined, which ends the varint as it does in kafkajs.
    const byte = buffer[at++] as number;
    value += (byte & 0x7f) * scale;
    if (!(byte >= 0x80)) break;
    if (bytes === FAST_VARLONG_BYTES) return null;
    scale *= 128;
  }
  decoder.offset = at;
  return value % 2 === 0 ? value / 2 : -(value + 1) / 2;
}

/** `base` (decimal text) + `delta`, as kafkajs's `Long.fromValue(base).add(delta).toString()`. */
function plus(base: string | undefined, delta: number | KafkajsLong): string {
  if (typeof delta === 'number' && typeof base === 'string' && isShortDecimal(base)) {
    return String(Number(base) + delta);
  }
  return kafkajsLong().fromValue(base).add(delta).toString();
}

/**
 * An optional minus and digits, 15 characters at most, as kafkajs's batch decoder writes the
 * first offset and timestamp: text `Number` reads as BigInt does. Anything else (`1e3`, `0x10`,
 * `NaN`, spaces) goes to kafkajs's `Long`, which reads or refuses it its own way.
 */
function isShortDecimal(text: string): boolean {
  const first = text.charCodeAt(0) === 0x2d ? 1 : 0;
  if (text.length <= first || text.length > FAST_DECIMAL_LENGTH) return false;
  for (let i = first; i < text.length; i += 1) {
    const code = text.charCodeAt(i);
    if (code < 0x30 || code > 0x39) return false;
  }
  return true;
}

/** One record of a v2 batch, as kafkajs 2.2.4's src/protocol/recordBatch/record/v0/decoder.js. */
export function decodeRecord(decoder: KafkajsDecoder, batchContext: BatchContext = {}) {
  const {
    firstOffset,
    firstTimestamp,
    magicByte,
    isControlBatch = false,
    timestampType,
    maxTimestamp,
  } = batchContext;
  const attributes = decoder.readInt8();
  const shortDelta = readShortVarLong(decoder);
  const timestampDelta = shortDelta ?? (decoder.readVarLong() as KafkajsLong);
  const timestamp =
    timestampType === LOG_APPEND_TIME && maxTimestamp
      ? maxTimestamp
      : plus(firstTimestamp, timestampDelta);
  const offset = plus(firstOffset, decoder.readVarInt());
  const key = decoder.readVarIntBytes();
  const value = decoder.readVarIntBytes();
  return {
    magicByte,
    attributes,
    timestamp,
    offset,
    key,
    value,
    headers: readHeaders(decoder),
    isControlRecord: isControlBatch,
    batchContext,
  };
}

type HeaderValue = Buffer | null;

/**
 * The headers as kafkajs folds them: a repeated key collects its values in an array. A key is
 * looked up as kafkajs looks it up (through the prototype: a `toString` header starts from
 * Object.prototype.toString, as in kafkajs) and always becomes an own property (`__proto__` too).
 */
function readHeaders(decoder: KafkajsDecoder): Record<string, unknown> {
  const count = decoder.readVarInt();
  // kafkajs's readVarIntArray: -1 is none, and any other negative count fails as `new Array` does.
  if (count < -1) throw new RangeError('Invalid array length');
  const headers: Record<string, unknown> = {};
  for (let i = 0; i < count; i += 1) {
    const key = String(decoder.readVarIntString());
    const value: HeaderValue = decoder.readVarIntBytes();
    const before = headers[key];
    const next =
      before === undefined
        ? value
        : Array.isArray(before)
          ? before.concat([value])
          : [before, value];
    if (key === '__proto__') {
      Object.defineProperty(headers, key, {
        value: next,
        enumerable: true,
        writable: true,
        configurable: true,
      });
    } else {
      headers[key] = next;
    }
  }
  return headers;
}

/** Makes kafkajs decode records with decodeRecord (see the module's comment); idempotent. */
export function installRecordDecoder(): KafkajsModuleStatus {
  // kafkajs's batch decoder takes its record decoder when it loads, on the first fetch.
  return replaceKafkajsModule(
    'protocol/recordBatch/record/v0/decoder',
    decodeRecord,
    'protocol/recordBatch/v0/decoder',
  );
}
