import fc from 'fast-check';
import { createFreshDatabase, type FreshDatabase } from '@hotline/testing';
import type { DataSource } from 'typeorm';
import {
  bigintArray,
  booleanArray,
  column,
  dateArray,
  instantArray,
  integerArray,
  jsonColumn,
  jsonTextColumn,
  smallintArray,
  textArray,
  textArrayRows,
  unnestRows,
  uuidArray,
} from './array-params';
import { createDataSource } from './data-source';

/** Text PostgreSQL can hold: anything but NUL. */
const pgText = fc.string({ unit: 'binary', maxLength: 40 }).map((s) => s.replace(/\0/g, ''));

describe('array parameters, read back by PostgreSQL', () => {
  let db: FreshDatabase;
  let ds: DataSource;

  beforeAll(async () => {
    db = await createFreshDatabase('arrays');
    ds = createDataSource({ url: db.url, poolSize: 2 });
    await ds.initialize();
  });

  afterAll(async () => {
    await ds?.destroy();
    await db?.drop();
  });

  it('gives back any text, NULL and the empty array element for element', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.option(pgText, { nil: null }), { maxLength: 12 }),
        async (values) => {
          const [row] = await ds.query<{ a: (string | null)[] }[]>(`SELECT $1::text[] AS a`, [
            textArray(values),
          ]);
          expect(row!.a).toEqual(values);
        },
      ),
      { numRuns: 150 },
    );
  });

  it('gives back JSON values, instants, numbers, booleans and arrays per row', async () => {
    const rowArb = fc.record({
      id: pgText,
      doc: fc.option(fc.jsonValue({ maxDepth: 3 }), { nil: undefined }),
      at: fc.option(fc.date({ noInvalidDate: true, min: new Date(0), max: new Date(4e12) }), {
        nil: null,
      }),
      n: fc.option(fc.integer(), { nil: null }),
      flag: fc.boolean(),
      tags: fc.array(pgText, { maxLength: 4 }),
    });
    await fc.assert(
      fc.asyncProperty(fc.array(rowArb, { maxLength: 8 }), async (rows) => {
        const batch = unnestRows(
          [
            column('id', 'text', textArray, (r: (typeof rows)[number]) => r.id),
            jsonColumn('doc', (r: (typeof rows)[number]) => r.doc),
            column('at', 'timestamptz', instantArray, (r: (typeof rows)[number]) => r.at),
            column('n', 'integer', integerArray, (r: (typeof rows)[number]) => r.n),
            column('flag', 'boolean', booleanArray, (r: (typeof rows)[number]) => r.flag),
            column('tags', 'text', textArrayRows, (r: (typeof rows)[number]) => r.tags),
          ],
          rows,
          'r',
          1,
        );
        const read = await ds.query<
          {
            marker: string;
            id: string;
            doc: string | null;
            at: Date | null;
            n: number | null;
            flag: boolean;
            tags: string[];
          }[]
        >(
          `SELECT $1::text AS marker, r.id, r.doc::text AS doc, r.at, r.n, r.flag, r.tags::text[] AS tags
             FROM ${batch.from}`,
          ['x', ...batch.params],
        );
        expect(read.map((r) => r.marker)).toEqual(rows.map(() => 'x'));
        expect(read.map((r) => r.id)).toEqual(rows.map((r) => r.id));
        // jsonb keeps the value, not the text: compared parsed. A null value is SQL NULL.
        const parsed = (text: string | null): unknown => (text === null ? null : JSON.parse(text));
        expect(read.map((r) => parsed(r.doc))).toEqual(
          rows.map((r) => (r.doc == null ? null : parsed(JSON.stringify(r.doc)))),
        );
        expect(read.map((r) => r.at?.getTime() ?? null)).toEqual(
          rows.map((r) => r.at?.getTime() ?? null),
        );
        expect(read.map((r) => r.n)).toEqual(rows.map((r) => r.n));
        expect(read.map((r) => r.flag)).toEqual(rows.map((r) => r.flag));
        expect(read.map((r) => r.tags)).toEqual(rows.map((r) => r.tags));
      }),
      { numRuns: 100 },
    );
  });

  it('reads a JSON column the same from the texts rows carry as from their values written again', async () => {
    // Rows with text carry their value's JSON as received (other spacing, escapes, key order);
    // the others are written by JSON.stringify (as are rows whose text is empty: no JSON is).
    // Both read back as one jsonb each.
    const rowArb = fc.record({
      doc: fc.option(fc.jsonValue({ maxDepth: 3, noUnicodeString: false }), { nil: undefined }),
      spaced: fc.boolean(),
      carried: fc.boolean(),
      empty: fc.boolean(),
    });
    await fc.assert(
      fc.asyncProperty(fc.array(rowArb, { maxLength: 8 }), async (rows) => {
        const withoutNul = rows.filter((r) => !JSON.stringify(r.doc ?? null).includes('\\u0000'));
        type Row = (typeof withoutNul)[number];
        const textOf = (r: Row) =>
          r.empty
            ? Buffer.alloc(0)
            : r.carried && r.doc !== undefined
              ? Buffer.from(JSON.stringify(r.doc, null, r.spaced ? 2 : undefined))
              : undefined;
        const read = async (column: ReturnType<typeof jsonColumn<Row>>) => {
          const batch = unnestRows([column], withoutNul);
          const rowsRead = await ds.query<{ doc: string | null }[]>(
            `SELECT r.doc::text AS doc FROM ${batch.from}`,
            batch.params,
          );
          return rowsRead.map((r) => r.doc);
        };
        const fromText = await read(jsonTextColumn('doc', (r: Row) => r.doc, textOf));
        const fromValues = await read(jsonColumn('doc', (r: Row) => r.doc));
        // Printed by PostgreSQL from jsonb: the same value prints the same text.
        expect(fromText).toEqual(fromValues);
      }),
      { numRuns: 100 },
    );
  });

  /** The array as PostgreSQL reads it under `cast`, each element printed by PostgreSQL as text. */
  async function readBack(param: Buffer, cast: string): Promise<(string | null)[]> {
    const [row] = await ds.query<{ a: (string | null)[] }[]>(
      `SELECT array(SELECT x::text FROM unnest($1::${cast}[]) WITH ORDINALITY AS t(x, n) ORDER BY n) AS a`,
      [param],
    );
    return row!.a;
  }

  it('gives back any instant to the millisecond, before 1970 and after 2285 too', async () => {
    const instant = fc.oneof(
      fc.date({ noInvalidDate: true, min: new Date('1900-01-01'), max: new Date('2200-01-01') }),
      // Microseconds past 2^53 from 2000-01-01: written through 64-bit integers.
      fc.date({
        noInvalidDate: true,
        min: new Date('-004000-01-01'),
        max: new Date('+270000-01-01'),
      }),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.option(instant, { nil: null }), { maxLength: 10 }),
        async (values) => {
          const [row] = await ds.query<{ ms: (string | null)[] }[]>(
            `SELECT array(SELECT (extract(epoch FROM x) * 1000)::numeric::text
                          FROM unnest($1::timestamptz[]) WITH ORDINALITY AS t(x, n) ORDER BY n) AS ms`,
            [instantArray(values)],
          );
          expect(row!.ms.map((ms) => (ms === null ? null : Number(ms)))).toEqual(
            values.map((at) => at?.getTime() ?? null),
          );
        },
      ),
      { numRuns: 100 },
    );
  });

  it('gives back integers of each width at their bounds, and bigint given as decimal text', async () => {
    const int4 = fc.integer({ min: -2_147_483_648, max: 2_147_483_647 });
    const int2 = fc.integer({ min: -32_768, max: 32_767 });
    const int8 = fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n });
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.option(int4, { nil: null }), { maxLength: 8 }),
        fc.array(fc.option(int2, { nil: null }), { maxLength: 8 }),
        fc.array(fc.option(int8, { nil: null }), { maxLength: 8 }),
        fc.array(fc.option(fc.maxSafeInteger(), { nil: null }), { maxLength: 8 }),
        async (fours, twos, eights, safe) => {
          const text = (n: number | bigint | null) => (n === null ? null : String(n));
          expect(await readBack(integerArray(fours), 'integer')).toEqual(fours.map(text));
          expect(await readBack(smallintArray(twos), 'smallint')).toEqual(twos.map(text));
          expect(await readBack(bigintArray(eights.map(text)), 'bigint')).toEqual(eights.map(text));
          expect(await readBack(bigintArray(safe), 'bigint')).toEqual(safe.map(text));
        },
      ),
      { numRuns: 60 },
    );
    const bounds = [-2_147_483_648, 2_147_483_647, 0, -1];
    expect(await readBack(integerArray(bounds), 'integer')).toEqual(bounds.map(String));
  });

  it('gives back days, UUIDs and booleans; empty and all-NULL arrays', async () => {
    const day = fc
      .date({ noInvalidDate: true, min: new Date('0001-01-01'), max: new Date('9999-12-31') })
      .map((d) => d.toISOString().slice(0, 10));
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.option(day, { nil: null }), { maxLength: 8 }),
        fc.array(fc.option(fc.uuid(), { nil: undefined }), { maxLength: 8 }),
        fc.array(fc.option(fc.boolean(), { nil: null }), { maxLength: 8 }),
        async (days, uuids, flags) => {
          expect(await readBack(dateArray(days), 'date')).toEqual(days);
          expect(await readBack(uuidArray(uuids), 'uuid')).toEqual(
            uuids.map((u) => u?.toLowerCase() ?? null),
          );
          expect(await readBack(booleanArray(flags), 'boolean')).toEqual(
            flags.map((f) => (f === null ? null : String(f))),
          );
        },
      ),
      { numRuns: 60 },
    );
    expect(await readBack(textArray([]), 'text')).toEqual([]);
    expect(await readBack(textArray([null, undefined]), 'text')).toEqual([null, null]);
  });

  it('is refused by PostgreSQL when sent as another type than its own', async () => {
    await expect(ds.query(`SELECT $1::uuid[] AS a`, [textArray(['x'])])).rejects.toThrow(
      /element type/,
    );
    await expect(ds.query(`SELECT $1::bigint[] AS a`, [integerArray([1])])).rejects.toThrow(
      /element type/,
    );
  });

  it('refuses values its type cannot hold, before anything is sent, naming value and type', () => {
    // What the types rule out can still arrive at run time (a value read back, a JSON field).
    const any = <T>(value: unknown) => value as T;
    const cases: [() => unknown, RegExp][] = [
      [() => integerArray([1.5]), /^1\.5 \(number\) is not a valid integer$/],
      [() => integerArray([2_147_483_648]), /is not a valid integer/],
      [() => integerArray([any<number>('5')]), /^"5" \(string\) is not a valid integer$/],
      [() => smallintArray([40_000]), /is not a valid smallint/],
      [() => bigintArray([2 ** 53]), /is not a valid bigint/],
      [() => bigintArray(['12a']), /^"12a" \(string\) is not a valid bigint$/],
      [() => bigintArray(['9223372036854775808']), /is not a valid bigint/],
      [() => instantArray([new Date(NaN)]), /is not a valid timestamptz/],
      [() => instantArray([any<Date>('2024-03-05')]), /\(string\) is not a valid timestamptz/],
      [() => dateArray(['2024-02-30']), /^"2024-02-30" \(string\) is not a valid day/],
      [() => dateArray(['2024-2-3']), /is not a valid day/],
      [() => dateArray([any<string>(new Date(0))]), /\(object\) is not a valid day/],
      [() => uuidArray(['not-a-uuid']), /is not a valid UUID/],
      [() => textArray([any<string>(42)]), /^42 \(number\) is not a valid text$/],
      [() => textArrayRows([[any<string>({})]]), /\(object\) is not a valid text/],
    ];
    for (const [write, message] of cases) expect(write).toThrow(message);
  });

  it('keeps a NULL inside a row’s own array (textArrayRows)', async () => {
    const [row] = await ds.query<{ a: (string | null)[] }[]>(
      `SELECT ($1::text[])[1]::text[] AS a`,
      [textArrayRows([[null, 'x', undefined]])],
    );
    expect(row!.a).toEqual([null, 'x', null]);
  });
});
