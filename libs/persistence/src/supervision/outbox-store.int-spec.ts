import { createFreshDatabase, type FreshDatabase } from '@hotline/testing';
import type { DataSource } from 'typeorm';
import { createDataSource } from '../data-source';
import { withTransaction } from '../transaction';
import type { EscalationMessage } from '@hotline/core';
import { enqueueOutbox } from './escalation-message';
import { relayOutboxBatch, type OutboxMessage } from './outbox-store';

const message = (n: number): EscalationMessage => ({
  escalationId: `00000000-0000-5000-8000-${String(n).padStart(12, '0')}`,
  workOrderId: `TJ${n}`,
  unitId: 'teda-enforcement',
  kind: 'complete_overdue',
  level: 2,
  status: 'open',
  reason: '超时未办结',
  dueAt: null,
  firedAt: '2024-03-13T01:00:00.000Z',
  recipients: [],
  version: 1,
  change: 'created',
  changedAt: '2024-03-13T01:00:00.000Z',
});

describe('the outbox relay', () => {
  let db: FreshDatabase;
  let ds: DataSource;

  beforeAll(async () => {
    db = await createFreshDatabase('outbox');
    ds = createDataSource({ url: db.url, poolSize: 4 });
    await ds.initialize();
  });

  afterAll(async () => {
    await ds?.destroy();
    await db?.drop();
  });

  it('publishes in id order, one relay at a time, and marks only what the broker took', async () => {
    await withTransaction(ds, (runner) =>
      enqueueOutbox(runner, 'escalations', [1, 2, 3].map(message)),
    );

    // A failed publish leaves everything for the next round.
    await expect(
      relayOutboxBatch(ds, 10, () => Promise.reject(new Error('broker down'))),
    ).rejects.toThrow('broker down');

    // While one relay publishes the first two, a second one (another replica) must not publish the
    // third ahead of them: it finds the relay lock taken.
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const published: OutboxMessage[] = [];
    const first = relayOutboxBatch(ds, 2, async (messages) => {
      published.push(...messages);
      await held;
    });
    await new Promise((r) => setTimeout(r, 200));
    expect(await relayOutboxBatch(ds, 10, () => Promise.resolve())).toBe(0);
    release();
    expect(await first).toBe(2);
    expect(
      await relayOutboxBatch(ds, 10, (messages) => {
        published.push(...messages);
        return Promise.resolve();
      }),
    ).toBe(1);

    expect(published.map((m) => m.key)).toEqual(['TJ1', 'TJ2', 'TJ3']);
    // The text goes on the topic exactly as the worker wrote it: not re-ordered, not re-spaced.
    expect(published.map((m) => m.value)).toEqual([1, 2, 3].map((n) => JSON.stringify(message(n))));
    expect(await relayOutboxBatch(ds, 10, () => Promise.resolve())).toBe(0);
    const rows = await ds.query<{ unpublished: number }[]>(
      `SELECT count(*) FILTER (WHERE published_at IS NULL)::int AS unpublished FROM outbox`,
    );
    expect(rows).toEqual([{ unpublished: 0 }]);
  });
});
