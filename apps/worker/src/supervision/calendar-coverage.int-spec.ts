/**
 * Orders whose supervision needs the working clock outside the calendar's coverage (an order
 * dispatched before the calendar's first year, with a 重点 tag: its escalation's level clock
 * starts there), against the real PostgreSQL: the ingestion batch that holds one applies with
 * the rest, and a sweep that claims one decides every other order of its batch.
 */
import {
  DEFAULT_SUPERVISION_POLICY,
  DEFAULT_WATERMARK_POLICY,
  type WorkOrderEvent,
} from '@hotline/core';
import { confirmPartitionsRead, createDataSource } from '@hotline/persistence';
import { loadConfig, loadHandlingRules, loadStatisticsFormula } from '@hotline/platform';
import {
  anEvent,
  asPartitionMessages,
  createFreshDatabase,
  type FreshDatabase,
} from '@hotline/testing';
import type { DataSource } from 'typeorm';
import { IngestBatchService } from '../ingestion/ingest-batch.service';
import { DueInstantsSweeper } from './due-instants.sweeper';

const TOPIC = 'events';
const raw = (events: WorkOrderEvent[], partition = 0) =>
  asPartitionMessages(events, TOPIC, partition);

describe('orders outside the calendar’s coverage', () => {
  let db: FreshDatabase;
  let ds: DataSource;
  let ingest: IngestBatchService;
  let sweeper: DueInstantsSweeper;
  const config = loadConfig();
  const rules = loadHandlingRules(config.files);
  const formula = loadStatisticsFormula(config.files);
  const coverageStart = new Date(`${rules.calendar.coverage.fromOn}T00:00:00+08:00`);
  /** An instant a month before the calendar's first day. */
  const beforeCoverage = new Date(coverageStart.getTime() - 30 * 86_400_000).toISOString();
  /** A dispatch to the enforcement team, with `data` beside the required fields. */
  const dispatch = (
    id: string,
    at: Date | string,
    data: { tags?: ['key']; acceptDueAt?: string } = {},
  ) =>
    anEvent('dispatched', id, typeof at === 'string' ? at : at.toISOString(), {
      unitId: 'teda-enforcement',
      category: 'help',
      urgency: 'normal',
      ...data,
    });

  beforeAll(async () => {
    db = await createFreshDatabase('calendar_coverage');
    ds = createDataSource({ url: db.url, poolSize: 4 });
    await ds.initialize();
    const settings = {
      escalationsTopic: 'escalations',
      policy: DEFAULT_SUPERVISION_POLICY,
      recipients: () => [],
      watermark: { ...DEFAULT_WATERMARK_POLICY, latenessMs: 0 },
    };
    ingest = new IngestBatchService(ds, rules, settings, formula);
    sweeper = new DueInstantsSweeper(ds, rules, settings, TOPIC, 50);
  });

  afterAll(async () => {
    await ds?.destroy();
    await db?.drop();
  });

  const escalationsOf = (id: string) =>
    ds.query<{ kind: string }[]>(`SELECT kind FROM escalations WHERE work_order_id = $1`, [id]);
  const dueRowsOf = async (id: string) =>
    (
      await ds.query<{ n: number }[]>(
        `SELECT count(*)::int AS n FROM work_order_due WHERE work_order_id = $1`,
        [id],
      )
    )[0]?.n;

  it('applies a batch holding a 重点 order dispatched before the coverage, and leaves that order undecided', async () => {
    const now = new Date();
    const old = dispatch('OLD-KEY-1', beforeCoverage, { tags: ['key'] });
    // A current event on the same partition takes the watermark to now: the old order's
    // priority escalation is due, and deciding it needs the level clock before the coverage.
    const live = dispatch('LIVE-1', new Date(now.getTime() - 60_000), { tags: ['key'] });
    const latest = dispatch('LIVE-0', now);
    const outcome = await ingest.ingest(raw([old, live, latest]), {
      caughtUp: true,
      receivedAt: now,
    });
    expect(outcome).toMatchObject({ applied: 3, rejected: [] });
    expect(outcome.deadlineErrors).toEqual({ calendar_out_of_range: 1 });
    expect(await escalationsOf('OLD-KEY-1')).toEqual([]);
    expect(await dueRowsOf('OLD-KEY-1')).toBe(0);
    // The order in range is supervised as ever.
    expect(await escalationsOf('LIVE-1')).toEqual([{ kind: 'priority' }]);
  });

  it('sweeps the rest of a batch that claims such an order, and does not claim it again', async () => {
    const now = new Date();
    const hourAgo = new Date(now.getTime() - 3_600_000);
    // On a partition of its own: its watermark stays at the backlog's newest event (two hours
    // ago) until the live event below, so HEALTHY-1 is due only by the time the sweep runs.
    await ingest.ingest(
      raw(
        [
          dispatch('OLD-KEY-2', beforeCoverage, { tags: ['key'] }),
          dispatch('HEALTHY-1', new Date(now.getTime() - 7_200_000), {
            acceptDueAt: hourAgo.toISOString(),
          }),
        ],
        1,
      ),
      { caughtUp: false, receivedAt: now },
    );
    // As a row written before supervision left such orders undecided: due before every other.
    await ds.query(
      `INSERT INTO work_order_due (work_order_id, next_due_at) VALUES ('OLD-KEY-2', $1)
       ON CONFLICT (work_order_id) DO UPDATE SET next_due_at = EXCLUDED.next_due_at`,
      [new Date(beforeCoverage)],
    );
    await ingest.ingest(raw([dispatch('LIVE-2', now)], 1), { caughtUp: true, receivedAt: now });
    await confirmPartitionsRead(ds, TOPIC, [0, 1], new Date());

    expect(await escalationsOf('HEALTHY-1')).toEqual([]);
    const outcome = await sweeper.sweep(new Date());
    expect(outcome.claimed).toBeGreaterThanOrEqual(2);
    // Its acceptance deadline passed an hour ago: the sweep that claimed both escalated it.
    expect((await escalationsOf('HEALTHY-1')).length).toBeGreaterThan(0);
    expect(await escalationsOf('OLD-KEY-2')).toEqual([]);
    expect(await dueRowsOf('OLD-KEY-2')).toBe(0);
  });
});
