/**
 * The logger keeps a citizen's name and phone out of the log when a database statement fails:
 * a real insert refused by the real PostgreSQL, logged the ways the apps log errors.
 */
import { Writable } from 'node:stream';
import { createDataSource } from '@hotline/persistence';
import { createFreshDatabase, type FreshDatabase } from '@hotline/testing';
import { Client } from 'pg';
import type { DataSource } from 'typeorm';
import { createLogger, maskFreeText } from './create-logger';

const NAME = '张三';
const PHONE = '13812345678';
const ORDER = 'TJ-LOG-1';

/** A logger writing to memory; `text()` is everything written. */
function capturedLogger() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(chunk.toString('utf8'));
      done();
    },
  });
  return { logger: createLogger('info', 'test', stream), text: () => lines.join('') };
}

/**
 * An order whose state carries the citizen, refused: `status` is NOT NULL. PostgreSQL's detail then
 * lists the failing row, the state among it (each value cut at 64 bytes: the state is kept short).
 */
const INSERT = `INSERT INTO work_orders (work_order_id, status, unit_id, category, urgency, state, event_count, received_at)
                VALUES ($1, NULL, 'teda-enforcement', 'complaint', 'normal', $2, 1, '2024-03-04T01:00:00Z')`;
const parameters = [ORDER, JSON.stringify({ citizen: { name: NAME, phone: PHONE } })];

async function failure(run: () => Promise<unknown>): Promise<unknown> {
  try {
    await run();
  } catch (error) {
    return error;
  }
  throw new Error('the insert was expected to fail');
}

describe('the logger and a failing insert of an order', () => {
  let db: FreshDatabase;
  let dataSource: DataSource;
  let client: Client;

  beforeAll(async () => {
    db = await createFreshDatabase('logger_redaction');
    dataSource = createDataSource({ url: db.url, poolSize: 1 });
    await dataSource.initialize();
    client = new Client({ connectionString: db.url });
    await client.connect();
  });

  afterAll(async () => {
    await client?.end();
    await dataSource?.destroy();
    await db?.drop();
  });

  it('the driver error itself carries the phone and name (what the logger must remove)', async () => {
    const error = (await failure(() => client.query(INSERT, parameters))) as { detail?: string };
    expect(error.detail).toContain(PHONE);
    expect(error.detail).toContain(NAME);
  });

  it.each([
    [
      'node-postgres under err',
      async () => ({ err: await failure(() => client.query(INSERT, parameters)) }),
    ],
    [
      'TypeORM QueryFailedError under err',
      async () => ({ err: await failure(() => dataSource.query(INSERT, parameters)) }),
    ],
    [
      'TypeORM error under error',
      async () => ({ error: await failure(() => dataSource.query(INSERT, parameters)) }),
    ],
    [
      'a wrapper whose cause is the driver error',
      async () => ({
        err: new Error('batch failed', {
          cause: await failure(() => dataSource.query(INSERT, parameters)),
        }),
      }),
    ],
    [
      'a plain object copying the driver fields',
      async () => {
        const e = (await failure(() => client.query(INSERT, parameters))) as Record<
          string,
          unknown
        >;
        return { err: { message: e.message, detail: e.detail, where: e.where, code: e.code } };
      },
    ],
  ])('%s: neither the phone nor the name is written, the SQLSTATE is', async (_how, fields) => {
    const { logger, text } = capturedLogger();
    logger.error(await fields(), 'insert failed');
    logger.flush();
    const output = text();
    expect(output).toContain('insert failed');
    expect(output).toContain('23502'); // not_null_violation: the error is still there to diagnose
    expect(output).not.toContain(PHONE);
    expect(output).not.toContain(NAME);
    expect(output).not.toContain(PHONE.slice(3)); // not even a part of it
  });

  it('masks a value PostgreSQL repeats in its message', async () => {
    const error = await failure(() => dataSource.query('SELECT $1::integer', [`${NAME} ${PHONE}`]));
    const { logger, text } = capturedLogger();
    logger.error({ err: error }, 'query failed');
    logger.flush();
    expect(text()).toContain('22P02'); // invalid_text_representation
    expect(text()).not.toContain(NAME);
    expect(text()).not.toContain(PHONE);
  });

  it('masks phone and identity-card numbers in free text, and leaves timestamps and offsets alone', () => {
    expect(maskFreeText(`call ${PHONE} or 022-23456789, id 12010119900307123X`)).toBe(
      'call [redacted] or [redacted], id [redacted]',
    );
    expect(maskFreeText('{"time":1764655783123,"offset":"13800000000123","v":2.13812345678}')).toBe(
      '{"time":1764655783123,"offset":"13800000000123","v":2.13812345678}',
    );
  });
});
