/**
 * How a batch's columns reach PostgreSQL: the worker's binary arrays (libs/persistence
 * array-params.ts) against array literals in text form, the way the batches went before, over
 * the same rows and columns (the event insert's and the order upsert's; the JSON columns go as one
 * JSON array both ways). Each round builds every column's parameter (the worker's CPU) and reads
 * the rows back on PostgreSQL (`SELECT count(r)` over the row source: the driver's sending and the
 * server's reading of every column, without a write; `count(*)` would let PostgreSQL skip the
 * JSON columns' casts), in alternation.
 */
import { isoInstant } from '@hotline/core';
import { textLiteral, unnestRows, type ArrayColumn } from '../libs/persistence/src/array-params';

const WARM_ROUNDS = 3;
const ROUNDS = 15;

interface Queryable {
  query(text: string, values: unknown[]): Promise<unknown>;
}

interface Statement {
  sql: string;
  params: (string | Buffer)[];
}

/** A batch's statement each way, built on demand (what each round times). */
export interface EncodedBatch {
  binary(): Statement;
  literals(): Statement;
}

export interface ArrayEncoding {
  /** Rounds of each way timed (after WARM_ROUNDS not counted). */
  rounds: number;
  /** Median milliseconds per round, over all the batches given. */
  binary: { buildCpuMs: number; readMs: number };
  literals: { buildCpuMs: number; readMs: number };
}

/** An element's text as the literals wrote it (an instant as ISO text, a row's array as a literal). */
function elementText(value: unknown): string {
  if (value instanceof Date) return isoInstant(value);
  if (typeof value === 'boolean') return value ? 't' : 'f';
  if (Array.isArray(value)) return literal(value);
  return String(value);
}

/** An array literal in text form, each element as its text (textLiteral's quoting). */
function literal(values: readonly unknown[]): string {
  return textLiteral(values.map((v) => (v === null || v === undefined ? null : elementText(v))));
}

/**
 * The same row source with each array column sent as a text literal instead: the statement's
 * casts (`unnest($k::timestamptz[])`) read either form.
 */
function literalStatement<R>(columns: readonly ArrayColumn<R>[], rows: readonly R[]): Statement {
  const asLiterals = columns.map((c) =>
    c.source === 'json' ? c : { ...c, param: (batch: readonly R[]) => literal(c.values(batch)) },
  );
  const source = unnestRows(asLiterals, rows);
  return { sql: `SELECT count(r) FROM ${source.from}`, params: source.params };
}

function binaryStatement<R>(columns: readonly ArrayColumn<R>[], rows: readonly R[]): Statement {
  const source = unnestRows(columns, rows);
  return { sql: `SELECT count(r) FROM ${source.from}`, params: source.params };
}

/** The rows under these columns, each way. */
export function encodedBatch<R>(
  columns: readonly ArrayColumn<R>[],
  rows: readonly R[],
): EncodedBatch {
  return {
    binary: () => binaryStatement(columns, rows),
    literals: () => literalStatement(columns, rows),
  };
}

/** Each way over `batches`, in alternating rounds, on `db` (a connection of its own). */
export async function compareArrayEncodings(
  db: Queryable,
  batches: readonly EncodedBatch[],
): Promise<ArrayEncoding> {
  const times = {
    binary: { build: [] as number[], read: [] as number[] },
    literals: { build: [] as number[], read: [] as number[] },
  };
  for (let i = 0; i < WARM_ROUNDS + ROUNDS; i += 1) {
    const order =
      i % 2 === 0 ? (['binary', 'literals'] as const) : (['literals', 'binary'] as const);
    for (const way of order) {
      const cpu = process.cpuUsage();
      const statements = batches.map((batch) => batch[way]());
      const used = process.cpuUsage(cpu);
      const start = performance.now();
      for (const { sql, params } of statements) await db.query(sql, params);
      const readMs = performance.now() - start;
      if (i < WARM_ROUNDS) continue;
      times[way].build.push((used.user + used.system) / 1000);
      times[way].read.push(readMs);
    }
  }
  const median = (list: number[]) => list.sort((a, b) => a - b)[Math.floor(list.length / 2)]!;
  return {
    rounds: ROUNDS,
    binary: { buildCpuMs: median(times.binary.build), readMs: median(times.binary.read) },
    literals: { buildCpuMs: median(times.literals.build), readMs: median(times.literals.read) },
  };
}
