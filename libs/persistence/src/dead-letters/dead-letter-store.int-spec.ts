/**
 * Dead letters kept in PostgreSQL whatever their headers and texts hold: `jsonb` and `text` cannot
 * hold a NUL, which a Kafka header name (any UTF-8) or a reason quoting input may have.
 */
import fc from 'fast-check';
import { createFreshDatabase, type FreshDatabase } from '@hotline/testing';
import type { DataSource } from 'typeorm';
import { createDataSource } from '../data-source';
import {
  loadParkedDeadLetters,
  settleParkedDeadLetters,
  storeDeadLetters,
  type StoredDeadLetter,
} from './dead-letter-store';

describe('dead letters kept in PostgreSQL', () => {
  let db: FreshDatabase;
  let ds: DataSource;
  let offset = 0;

  beforeAll(async () => {
    db = await createFreshDatabase('dead_letters');
    ds = createDataSource({ url: db.url, poolSize: 2 });
    await ds.initialize();
  });

  afterAll(async () => {
    await ds?.destroy();
    await db?.drop();
  });

  const letter = (headers: StoredDeadLetter['headers'], reason = 'not JSON'): StoredDeadLetter => ({
    sourceTopic: 'events',
    sourcePartition: 0,
    sourceOffset: String((offset += 1)),
    code: 'invalid_json',
    reason,
    details: {},
    key: Buffer.from('TJ-1'),
    value: Buffer.from([0x7b, 0x00, 0xff]),
    headers,
    valueSha256: 'ab'.repeat(32),
    rejectedAt: new Date('2024-03-04T01:00:00Z'),
  });

  it('keeps any header names and values, NUL included, and gives them back as they came', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.record({
            name: fc.string({ unit: 'binary', minLength: 1, maxLength: 12 }),
            value: fc.uint8Array({ maxLength: 8 }).map((b) => Buffer.from(b).toString('base64')),
          }),
          { maxLength: 4 },
        ),
        async (headers) => {
          await ds.query(`DELETE FROM dead_letters`);
          const [id] = await storeDeadLetters(ds, [letter(headers)], 'parked', 'refused\0');
          expect(id).toBeDefined();
          const [parked] = await loadParkedDeadLetters(ds, 10);
          expect(parked?.headers).toEqual(headers);
          expect(parked?.value).toEqual(Buffer.from([0x7b, 0x00, 0xff]));
        },
      ),
      { numRuns: 40 },
    );
  });

  it('keeps a reason, a detail or an error with a NUL, shown as U+FFFD', async () => {
    await ds.query(`DELETE FROM dead_letters`);
    const [id] = await storeDeadLetters(
      ds,
      [{ ...letter([], 'key "a\0b" is not the workOrderId'), details: { 'x-dlq-n\0': 'v\0' } }],
      'parked',
    );
    await settleParkedDeadLetters(ds, [], [{ id: id!, error: 'broker said \0' }]);
    const [row] = await ds.query<{ reason: string; details: unknown; last_error: string }[]>(
      `SELECT reason, details, last_error FROM dead_letters`,
    );
    expect(row).toEqual({
      reason: 'key "a\uFFFDb" is not the workOrderId',
      details: { 'x-dlq-n\uFFFD': 'v\uFFFD' },
      last_error: 'broker said \uFFFD',
    });
  });
});
