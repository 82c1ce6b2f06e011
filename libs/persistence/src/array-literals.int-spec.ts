import fc from 'fast-check';
import { createFreshDatabase, type FreshDatabase } from '@hotline/testing';
import type { DataSource } from 'typeorm';
import {
  booleanArray,
  column,
  instantArray,
  jsonColumn,
  numberArray,
  textArray,
  textArrayRows,
  unnestRows,
} from './array-literals';
import { createDataSource } from './data-source';

/** Text PostgreSQL can hold: anything but NUL. */
const pgText = fc.string({ unit: 'binary', maxLength: 40 }).map((s) => s.replace(/\0/g, ''));

describe('array literals, read back by PostgreSQL', () => {
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
            column('n', 'integer', numberArray, (r: (typeof rows)[number]) => r.n),
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
});
