/**
 * Batches sent to PostgreSQL as one array parameter per column, read side by side
 * (`ROWS FROM (unnest($1::text[]), unnest($2::timestamptz[]), json_array_elements($3::json), …)`).
 * PostgreSQL reads an array with a plain scan and each element with its type's own function; a
 * batch sent as one JSON document (`json_to_recordset`) was scanned again per row and field, which
 * cost more than the inserts themselves (measured on PostgreSQL 15, 1,000 order rows: 134 ms
 * through json_to_recordset, 72 ms as arrays, of which 53 ms is the jsonb input both pay).
 *
 * The arrays go in PostgreSQL's binary format (`array_recv`): a Buffer parameter is sent by the
 * driver as binary, and the statement's cast (`$1::text[]`) names the type it is read as. A text
 * element is its UTF-8 bytes (nothing to quote or escape), an instant its microseconds since
 * 2000-01-01 (no ISO text to write in the worker nor to parse in the server), a number its
 * big-endian integer. Each array names its element type, and PostgreSQL refuses an array of
 * another type than the cast's. `null` and `undefined` become SQL NULL.
 *
 * A JSON column goes as one JSON array instead (`json_array_elements`): one JSON.stringify of the
 * column builds it, and PostgreSQL reads it faster than a `jsonb[]` of the same documents (the
 * order rows and events of a chunk of 5,000: 20 against 31 ms to build, 80 against 99 ms to send
 * and read).
 */

/** Element type OIDs (pg_type), as array_recv checks them against the statement's cast. */
const OID = {
  bool: 16,
  int8: 20,
  int2: 21,
  int4: 23,
  text: 25,
  date: 1082,
  timestamptz: 1184,
  uuid: 2950,
} as const;

/** 2000-01-01T00:00:00Z, PostgreSQL's epoch for timestamps and dates, in Unix milliseconds. */
const PG_EPOCH_MS = 946_684_800_000;
const DAY_MS = 86_400_000;
const TWO_TO_32 = 4_294_967_296;
/** ndim, flags, element type, then one dimension's length and lower bound. */
const HEADER_BYTES = 20;

/** One binary array being written: its elements after the header, which `finish` writes. */
class BinaryArray {
  private buffer: Buffer;
  private at = HEADER_BYTES;
  private hasNull = false;

  constructor(capacity: number) {
    this.buffer = Buffer.allocUnsafe(HEADER_BYTES + capacity);
  }

  private reserve(bytes: number): void {
    if (this.at + bytes <= this.buffer.length) return;
    const grown = Buffer.allocUnsafe(Math.max(this.buffer.length * 2, this.at + bytes));
    this.buffer.copy(grown, 0, 0, this.at);
    this.buffer = grown;
  }

  null(): void {
    this.reserve(4);
    this.buffer.writeInt32BE(-1, this.at);
    this.at += 4;
    this.hasNull = true;
  }

  text(value: string): void {
    this.reserve(4 + value.length * 3);
    const written = this.buffer.write(value, this.at + 4, 'utf8');
    this.buffer.writeInt32BE(written, this.at);
    this.at += 4 + written;
  }

  /** A 64-bit integer given as a double: exact for any safe integer. */
  int64(value: number): void {
    this.reserve(12);
    const high = Math.floor(value / TWO_TO_32);
    this.buffer.writeInt32BE(8, this.at);
    this.buffer.writeInt32BE(high, this.at + 4);
    this.buffer.writeUInt32BE(value - high * TWO_TO_32, this.at + 8);
    this.at += 12;
  }

  bigint(value: bigint): void {
    this.reserve(12);
    this.buffer.writeInt32BE(8, this.at);
    this.buffer.writeBigInt64BE(value, this.at + 4);
    this.at += 12;
  }

  int32(value: number): void {
    this.reserve(8);
    this.buffer.writeInt32BE(4, this.at);
    this.buffer.writeInt32BE(value, this.at + 4);
    this.at += 8;
  }

  int16(value: number): void {
    this.reserve(6);
    this.buffer.writeInt32BE(2, this.at);
    this.buffer.writeInt16BE(value, this.at + 4);
    this.at += 6;
  }

  bool(value: boolean): void {
    this.reserve(5);
    this.buffer.writeInt32BE(1, this.at);
    this.buffer[this.at + 4] = value ? 1 : 0;
    this.at += 5;
  }

  bytes(value: Buffer): void {
    this.reserve(4 + value.length);
    this.buffer.writeInt32BE(value.length, this.at);
    value.copy(this.buffer, this.at + 4);
    this.at += 4 + value.length;
  }

  /** The array's bytes: one dimension of `count` elements (none: an empty array). */
  finish(oid: number, count: number): Buffer {
    const header = this.buffer;
    if (count === 0) {
      header.writeInt32BE(0, 0);
      header.writeInt32BE(0, 4);
      header.writeUInt32BE(oid, 8);
      return header.subarray(0, 12);
    }
    header.writeInt32BE(1, 0);
    header.writeInt32BE(this.hasNull ? 1 : 0, 4);
    header.writeUInt32BE(oid, 8);
    header.writeInt32BE(count, 12);
    header.writeInt32BE(1, 16);
    return header.subarray(0, this.at);
  }
}

/** Writes each value (null and undefined as NULL) with `write`, as an array of `oid`. */
function binaryArray<T>(
  values: readonly (T | null | undefined)[],
  oid: number,
  bytesEach: number,
  write: (array: BinaryArray, value: T) => void,
): Buffer {
  const array = new BinaryArray(values.length * bytesEach);
  for (const value of values) {
    if (value === null || value === undefined) array.null();
    else write(array, value);
  }
  return array.finish(oid, values.length);
}

/** A value its column's type cannot hold, named with the type: refused before anything is sent. */
function refused(value: unknown, type: string): RangeError {
  const shown = typeof value === 'string' ? JSON.stringify(value) : String(value);
  return new RangeError(`${shown} (${typeof value}) is not a valid ${type}`);
}

function integerIn(value: number, low: number, high: number, type: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < low || value > high) {
    throw refused(value, type);
  }
  return value;
}

/** `text[]`. */
export function textArray(values: readonly (string | null | undefined)[]): Buffer {
  let capacity = 0;
  for (const value of values) {
    if (value === null || value === undefined) continue;
    if (typeof value !== 'string') throw refused(value, 'text');
    capacity += 4 + value.length * 3;
  }
  const array = new BinaryArray(values.length * 4 + capacity);
  for (const value of values) {
    if (value === null || value === undefined) array.null();
    else array.text(value);
  }
  return array.finish(OID.text, values.length);
}

/** `timestamptz[]`: each instant to the millisecond, as its microseconds since 2000-01-01. */
export function instantArray(values: readonly (Date | null | undefined)[]): Buffer {
  return binaryArray(values, OID.timestamptz, 12, (array, at) => {
    if (!(at instanceof Date)) throw refused(at, 'timestamptz');
    const ms = at.getTime();
    if (Number.isNaN(ms)) throw refused(at, 'timestamptz');
    const micros = (ms - PG_EPOCH_MS) * 1000;
    if (Number.isSafeInteger(micros)) array.int64(micros);
    else array.bigint(BigInt(ms - PG_EPOCH_MS) * 1000n);
  });
}

const DAY_ON = /^(\d{4})-(\d{2})-(\d{2})$/;

/** `date[]` of calendar days `YYYY-MM-DD`, as days since 2000-01-01. */
export function dateArray(values: readonly (string | null | undefined)[]): Buffer {
  return binaryArray(values, OID.date, 8, (array, dayOn) => {
    const match = typeof dayOn === 'string' ? DAY_ON.exec(dayOn) : null;
    // setUTCFullYear, not Date.UTC: that reads the years 0–99 as 1900–1999.
    const ms = match ? new Date(0).setUTCFullYear(+match[1]!, +match[2]! - 1, +match[3]!) : NaN;
    if (Number.isNaN(ms) || new Date(ms).toISOString().slice(0, 10) !== dayOn) {
      throw refused(dayOn, 'day (YYYY-MM-DD)');
    }
    array.int32((ms - PG_EPOCH_MS) / DAY_MS);
  });
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** `uuid[]` of UUIDs in their canonical text (`8-4-4-4-12` hex digits). */
export function uuidArray(values: readonly (string | null | undefined)[]): Buffer {
  return binaryArray(values, OID.uuid, 20, (array, uuid) => {
    if (typeof uuid !== 'string' || !UUID.test(uuid)) throw refused(uuid, 'UUID');
    array.bytes(Buffer.from(uuid.replace(/-/g, ''), 'hex'));
  });
}

/** `integer[]`. */
export function integerArray(values: readonly (number | null | undefined)[]): Buffer {
  return binaryArray(values, OID.int4, 8, (array, n) =>
    array.int32(integerIn(n, -2_147_483_648, 2_147_483_647, 'integer')),
  );
}

/** `smallint[]`. */
export function smallintArray(values: readonly (number | null | undefined)[]): Buffer {
  return binaryArray(values, OID.int2, 6, (array, n) =>
    array.int16(integerIn(n, -32_768, 32_767, 'smallint')),
  );
}

const DECIMAL_INTEGER = /^-?\d+$/;

/** `bigint[]` of numbers (safe integers) or decimal text (a Kafka offset, say: any 64-bit value). */
export function bigintArray(values: readonly (number | string | null | undefined)[]): Buffer {
  return binaryArray(values, OID.int8, 12, (array, n) => {
    if (typeof n === 'number') {
      array.int64(integerIn(n, Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER, 'bigint'));
    } else if (typeof n !== 'string' || !DECIMAL_INTEGER.test(n)) {
      throw refused(n, 'bigint');
    } else if (n.length <= 15) {
      array.int64(Number(n));
    } else {
      const value = BigInt(n);
      if (BigInt.asIntN(64, value) !== value) throw refused(n, 'bigint');
      array.bigint(value);
    }
  });
}

/** `boolean[]`. */
export function booleanArray(values: readonly (boolean | null | undefined)[]): Buffer {
  return binaryArray(values, OID.bool, 5, (array, flag) => array.bool(flag));
}

const NEEDS_ESCAPE = /["\\]/;
const ESCAPES = /["\\]/g;

/** A `text[]` literal in PostgreSQL's text form (`{"a","b\"c",NULL}`). */
export function textLiteral(values: readonly (string | null | undefined)[]): string {
  let out = '{';
  for (let i = 0; i < values.length; i += 1) {
    if (i > 0) out += ',';
    const value = values[i];
    if (value === null || value === undefined) out += 'NULL';
    else if (typeof value !== 'string') throw refused(value, 'text');
    else out += NEEDS_ESCAPE.test(value) ? `"${value.replace(ESCAPES, '\\$&')}"` : `"${value}"`;
  }
  return `${out}}`;
}

/**
 * `text[]` of `text[]` literals, one per row, for a column that is itself an array: arrays of
 * different lengths cannot share one two-dimensional array, so each row's is cast on its own
 * (`r.tags::text[]`).
 */
export function textArrayRows(
  values: readonly (readonly (string | null | undefined)[] | null | undefined)[],
): Buffer {
  return textArray(
    values.map((row) => (row === null || row === undefined ? row : textLiteral(row))),
  );
}

/**
 * A JSON array of the values, read with `json_array_elements($k::json)`: each element as `json`
 * (`null` and `undefined` become the JSON null). Sent as its UTF-8 bytes (`json` in binary form
 * is its text), each value written on its own: one JSON.stringify of the whole array built one
 * text of megabytes, two bytes a character from the first non-Latin-1 one on, that the driver
 * then measured and encoded again.
 */
export function jsonList(values: readonly unknown[]): Buffer {
  return jsonArrayOf(values, () => undefined);
}

/**
 * The JSON array of `values`, as UTF-8 bytes written into one buffer: `text(value, i)` where it
 * gives the value's JSON already, JSON.stringify elsewhere (no buffer per value).
 */
function jsonArrayOf<V>(
  values: readonly V[],
  text: (value: V, index: number) => Buffer | undefined,
): Buffer {
  let out = Buffer.allocUnsafe(Math.max(256, values.length * 512));
  let at = 0;
  const room = (bytes: number) => {
    if (at + bytes <= out.length) return;
    const grown = Buffer.allocUnsafe(Math.max(out.length * 2, at + bytes));
    out.copy(grown, 0, 0, at);
    out = grown;
  };
  room(1);
  out[at++] = 0x5b; // [
  for (let i = 0; i < values.length; i += 1) {
    const value = values[i] as V;
    // No value's JSON is empty: an empty text is none, and the value is written.
    const given = text(value, i);
    const written = given === undefined || given.length === 0 ? undefined : given;
    // An array's undefined element is written as null; an object's undefined property is left
    // out; what JSON.stringify cannot write (a function, a symbol) is null, as in an array.
    const json =
      written === undefined
        ? value === undefined || value === null
          ? 'null'
          : (JSON.stringify(value) ?? 'null')
        : undefined;
    if (json === undefined) {
      room((written as Buffer).length + 2);
      if (i > 0) out[at++] = 0x2c; // ,
      at += (written as Buffer).copy(out, at);
    } else {
      // UTF-8 takes at most three bytes per UTF-16 unit.
      room(json.length * 3 + 2);
      if (i > 0) out[at++] = 0x2c;
      at += out.write(json, at);
    }
  }
  room(1);
  out[at++] = 0x5d; // ]
  return out.subarray(0, at);
}

/** One column of a batch: its name in the row set, its element type, and how to read it off a row. */
export interface ArrayColumn<R> {
  name: string;
  /** The element type (`text`, `timestamptz`, …; `jsonb` for a JSON column). */
  type: string;
  /** `array`: a binary array (`unnest`); `json`: a JSON array (`json_array_elements`). */
  source: 'array' | 'json';
  /** The column's values, row by row. */
  values: (rows: readonly R[]) => unknown[];
  /** The column's parameter: the values as a binary array of `type`, or a JSON array. */
  param: (rows: readonly R[]) => Buffer | string;
}

/** A column of a batch, read with `get` and written with one of the arrays above. */
export function column<R, V>(
  name: string,
  type: string,
  write: (values: readonly V[]) => Buffer,
  get: (row: R) => V,
): ArrayColumn<R> {
  const values = (rows: readonly R[]) => rows.map(get);
  return { name, type, source: 'array', values, param: (rows) => write(values(rows)) };
}

/** The common columns: `text`, `timestamptz` and `integer`. */
export const textColumn = <R>(name: string, get: (row: R) => string | null | undefined) =>
  column(name, 'text', textArray, get);
export const instantColumn = <R>(name: string, get: (row: R) => Date | null | undefined) =>
  column(name, 'timestamptz', instantArray, get);
export const integerColumn = <R>(name: string, get: (row: R) => number | null | undefined) =>
  column(name, 'integer', integerArray, get);

/** A `jsonb` column of a batch, sent as one JSON array; a null or missing value is SQL NULL. */
export function jsonColumn<R>(name: string, get: (row: R) => unknown): ArrayColumn<R> {
  const values = (rows: readonly R[]) => rows.map(get);
  return { name, type: 'jsonb', source: 'json', values, param: (rows) => jsonList(values(rows)) };
}

/**
 * A `jsonb` column whose rows may carry their value's JSON text already (`text`: UTF-8 bytes that
 * read as exactly `get`'s value): one JSON array as `jsonColumn` sends, those texts copied into it
 * as they are and the other values written by JSON.stringify. It goes as bytes (`json` in binary
 * form is its text): nothing to stringify for the rows that carry their text, nor to measure and
 * encode again for the driver.
 */
export function jsonTextColumn<R>(
  name: string,
  get: (row: R) => unknown,
  text: (row: R) => Buffer | undefined,
): ArrayColumn<R> {
  const values = (rows: readonly R[]) => rows.map(get);
  const param = (rows: readonly R[]) =>
    jsonArrayOf(values(rows), (_value, i) => text(rows[i] as R));
  return { name, type: 'jsonb', source: 'json', values, param };
}

/**
 * The rows as a row source, `(SELECT … FROM ROWS FROM (unnest($k::t1[]), json_array_elements($k+1::json), …)) AS r`
 * with the columns under their names and types, and its parameters (numbered after the `before`
 * parameters the statement already has). The functions are read side by side, row by row.
 */
export function unnestRows<R>(
  columns: readonly ArrayColumn<R>[],
  rows: readonly R[],
  alias = 'r',
  before = 0,
): { from: string; params: (Buffer | string)[] } {
  const functions = columns
    .map((c, i) =>
      c.source === 'json'
        ? `json_array_elements($${before + i + 1}::json)`
        : `unnest($${before + i + 1}::${c.type}[])`,
    )
    .join(', ');
  const names = columns.map((c) => `u.${c.name}`);
  const selected = columns
    .map((c, i) =>
      c.source === 'json' ? `NULLIF(${names[i]}::jsonb, 'null'::jsonb) AS ${c.name}` : names[i],
    )
    .join(', ');
  return {
    // OFFSET 0 keeps the subquery whole: pulled up into the statement, each reference to a JSON
    // column would repeat its cast, and the statements read a payload several times.
    from: `(SELECT ${selected} FROM ROWS FROM (${functions}) AS u(${columns.map((c) => c.name).join(', ')}) OFFSET 0) AS ${alias}`,
    params: columns.map((c) => c.param(rows)),
  };
}
