/**
 * kafkajs's encoding of one produced record (format v2), in one buffer of the record's exact size.
 * kafkajs builds each record in a zero-filled 512-byte `Encoder` that grows by copying, writes
 * every varint through an array and a `Buffer.from`, and the timestamp delta through 64-bit `Long`
 * objects. Here the record's size is computed first and each field written in place; the bytes
 * are kafkajs's (record-encoder.spec.ts checks them against kafkajs's encoder), and the result is
 * a kafkajs `Encoder` holding them, as kafkajs's batch encoder expects. A record outside the common case
 * (headers, a key or value neither text nor bytes, a delta past 2^52) is kafkajs's own. The
 * relay's produce requests for a burst's 10,000 messages take about two thirds of the CPU they
 * took (`npm run bench:escalation` prints both).
 *
 * kafkajs has no hook for this: `installRecordEncoder` puts the function in the module cache under
 * the path of kafkajs's record encoder before kafkajs's produce request first loads it
 * (kafkajs-modules.ts), for the kafkajs version it was checked against only.
 */
import { kafkajsModule, replaceKafkajsModule, type KafkajsModuleStatus } from './kafkajs-modules';

/** A message as kafkajs's produce request hands it to its record encoder. */
export interface ProducedRecord {
  offsetDelta?: number;
  timestampDelta?: number;
  key?: unknown;
  value?: unknown;
  headers?: unknown;
}

/** kafkajs's `Encoder` (src/protocol/encoder.js): what its batch encoder reads of a record. */
export interface KafkajsEncoder {
  buf: Buffer;
  offset: number;
  readonly buffer: Buffer;
}

type RecordEncoder = (record: ProducedRecord) => KafkajsEncoder;

// kafkajs's own, for the records past the fast path, and its Encoder's prototype for the result.
let kafkajsEncoder: RecordEncoder | null = null;
let encoderPrototype: object | null = null;

/** kafkajs's record encoder as kafkajs ships it (loaded before ours replaces it in the cache). */
export function kafkajsRecordEncoder(): RecordEncoder {
  if (kafkajsEncoder === null) {
    const loaded = kafkajsModule('protocol/recordBatch/record/v0/index.js') as RecordEncoder;
    if (loaded === encodeRecord)
      throw new Error("kafkajs's record encoder was replaced before it was kept");
    kafkajsEncoder = loaded;
  }
  return kafkajsEncoder;
}

function kafkajsEncoderPrototype(): object {
  encoderPrototype ??= (kafkajsModule('protocol/encoder') as { prototype: object }).prototype;
  return encoderPrototype;
}

/** Bytes of an unsigned varint of `value` (a non-negative integer below 2^53). */
function unsignedVarIntSize(value: number): number {
  let bytes = 1;
  while (value >= 128) {
    value = Math.floor(value / 128);
    bytes += 1;
  }
  return bytes;
}

function writeUnsignedVarInt(buffer: Buffer, at: number, value: number): number {
  while (value >= 128) {
    buffer[at++] = (value % 128) | 0x80;
    value = Math.floor(value / 128);
  }
  buffer[at++] = value;
  return at;
}

/** Zigzag, on doubles: exact for integers of magnitude below 2^52. */
function zigzag(value: number): number {
  return value >= 0 ? value * 2 : -value * 2 - 1;
}

const MAX_FAST_DELTA = 2 ** 52 - 1;
/** A 32-bit varint as kafkajs writes lengths and offset deltas (zigzag on int32). */
const MAX_FAST_INT32 = 2 ** 30 - 1;

/** The byte length of a key or value as the record holds it; -1 for none; null: not fast. */
function fieldLength(value: unknown): number | null {
  if (value === null || value === undefined) return -1;
  if (typeof value === 'string') return Buffer.byteLength(value, 'utf8');
  if (Buffer.isBuffer(value)) return value.length;
  return null;
}

function noHeaders(headers: unknown): boolean {
  if (headers === undefined) return true;
  if (headers === null || typeof headers !== 'object') return false;
  for (const key in headers) if (Object.hasOwn(headers, key)) return false;
  return true;
}

function fieldSize(length: number): number {
  return length < 0 ? 1 : unsignedVarIntSize(length * 2) + length;
}

function writeField(buffer: Buffer, at: number, value: unknown, length: number): number {
  if (length < 0) {
    buffer[at] = 0x01; // zigzag(-1)
    return at + 1;
  }
  at = writeUnsignedVarInt(buffer, at, length * 2);
  if (typeof value === 'string') buffer.write(value, at, length, 'utf8');
  else (value as Buffer).copy(buffer, at);
  return at + length;
}

/** One record of a v2 batch, as kafkajs 2.2.4's src/protocol/recordBatch/record/v0/index.js. */
export function encodeRecord(record: ProducedRecord): KafkajsEncoder {
  const { offsetDelta = 0, timestampDelta = 0, key, value, headers } = record;
  const keyLength = fieldLength(key);
  const valueLength = fieldLength(value);
  if (
    keyLength === null ||
    valueLength === null ||
    !noHeaders(headers) ||
    !Number.isInteger(offsetDelta) ||
    offsetDelta < 0 ||
    offsetDelta > MAX_FAST_INT32 ||
    !Number.isInteger(timestampDelta) ||
    Math.abs(timestampDelta) > MAX_FAST_DELTA ||
    Math.max(keyLength, valueLength) > MAX_FAST_INT32
  ) {
    return kafkajsRecordEncoder()(record);
  }
  const timestamp = zigzag(timestampDelta);
  const body =
    1 + // attributes
    unsignedVarIntSize(timestamp) +
    unsignedVarIntSize(offsetDelta * 2) +
    fieldSize(keyLength) +
    fieldSize(valueLength) +
    1; // no headers
  const size = unsignedVarIntSize(body * 2) + body;
  // kafkajs's encoder cannot grow to 2^30 bytes (its power of two overflows) and throws: so does
  // it here, rather than a gigabyte allocated first.
  if (size >= MAX_FAST_INT32 + 1) return kafkajsRecordEncoder()(record);
  const buffer = Buffer.allocUnsafe(size);
  let at = writeUnsignedVarInt(buffer, 0, body * 2);
  buffer[at++] = 0; // no attributes used
  at = writeUnsignedVarInt(buffer, at, timestamp);
  at = writeUnsignedVarInt(buffer, at, offsetDelta * 2);
  at = writeField(buffer, at, key, keyLength);
  at = writeField(buffer, at, value, valueLength);
  buffer[at] = 0; // zigzag(0) headers
  const encoder = Object.create(kafkajsEncoderPrototype()) as KafkajsEncoder;
  encoder.buf = buffer;
  encoder.offset = size;
  return encoder;
}

/** Makes kafkajs encode produced records with encodeRecord (see the module's comment); idempotent. */
export function installRecordEncoder(): KafkajsModuleStatus {
  // kafkajs's produce request takes its record encoder when it loads, on the first send; kafkajs's
  // own is kept first, for the records past the fast path.
  return replaceKafkajsModule(
    'protocol/recordBatch/record/v0/index.js',
    encodeRecord,
    'protocol/requests/produce/v3/request',
    kafkajsRecordEncoder,
  );
}
