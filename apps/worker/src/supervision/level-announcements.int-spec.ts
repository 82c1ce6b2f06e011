/**
 * Every level reached is announced, whatever the batch boundaries: the same simulated stream,
 * ingested in one chunk or cut into small chunks with a sweep after each, queues the same
 * messages per escalation — (change, level, version) in order — in the outbox of the real
 * PostgreSQL.
 */
import { DEFAULT_SUPERVISION_POLICY, DEFAULT_WATERMARK_POLICY } from '@hotline/core';
import { confirmPartitionsRead, createDataSource } from '@hotline/persistence';
import { loadConfig, loadHandlingRules, loadStatisticsFormula } from '@hotline/platform';
import { loadSimulationData, simulateYear } from '@hotline/simulator';
import { asPartitionMessages, createFreshDatabase, type FreshDatabase } from '@hotline/testing';
import type { DataSource } from 'typeorm';
import { IngestBatchService } from '../ingestion/ingest-batch.service';
import { DueInstantsSweeper } from './due-instants.sweeper';

const TOPIC = 'events';
const config = loadConfig();
const rules = loadHandlingRules(config.files);
const settings = {
  escalationsTopic: 'escalations',
  policy: DEFAULT_SUPERVISION_POLICY,
  recipients: () => [],
  watermark: { ...DEFAULT_WATERMARK_POLICY, idleAfterMs: 1000 },
};
const { events } = simulateYear({
  seed: 11,
  year: 2024,
  orders: 120,
  ...loadSimulationData(config.files),
});
const messages = asPartitionMessages(events, TOPIC);

interface Announcement {
  escalationId: string;
  change: string;
  level: number;
  version: number;
}

/** Ingests the stream in chunks of `size` (sweeping after each), then lets the wall clock judge. */
async function announce(ds: DataSource, size: number): Promise<Map<string, string[]>> {
  const ingest = new IngestBatchService(ds, rules, settings, loadStatisticsFormula(config.files));
  const sweeper = new DueInstantsSweeper(ds, rules, settings, TOPIC, 500);
  const start = Date.now();
  for (let i = 0; i < messages.length; i += size) {
    const receivedAt = new Date(start + i);
    const last = i + size >= messages.length;
    await ingest.ingest(messages.slice(i, i + size), { caughtUp: last, receivedAt });
    while ((await sweeper.sweep(receivedAt)).claimed > 0);
  }
  // The stream has ended and the worker confirms it read it to its end: the wall clock judges.
  const idle = new Date(start + messages.length + 5000);
  await confirmPartitionsRead(ds, TOPIC, [0], idle);
  while ((await sweeper.sweep(idle)).claimed > 0);
  const rows = await ds.query<{ payload: Announcement }[]>(
    `SELECT payload FROM outbox WHERE topic = 'escalations' ORDER BY id`,
  );
  const byEscalation = new Map<string, string[]>();
  for (const { payload: m } of rows) {
    const list = byEscalation.get(m.escalationId) ?? [];
    list.push(`${m.change} L${m.level} v${m.version}`);
    byEscalation.set(m.escalationId, list);
  }
  // Each level an escalation was announced reaching (created or advanced) has its level row, and
  // no other.
  const levels = await ds.query<{ escalation_id: string; reached: string[] }[]>(
    `SELECT escalation_id, array_agg('L' || level ORDER BY generation, level) AS reached
       FROM escalation_levels GROUP BY escalation_id`,
  );
  const announced = [...byEscalation].flatMap(([id, list]) => {
    const reached = list.filter((m) => /^(created|advanced) /.test(m)).map((m) => m.split(' ')[1]);
    return reached.length === 0 ? [] : [[id, reached]];
  });
  expect(levels.map((l) => [l.escalation_id, l.reached]).sort()).toEqual(announced.sort());
  return byEscalation;
}

describe('level announcements across batch boundaries', () => {
  const dbs: FreshDatabase[] = [];
  const sources: DataSource[] = [];

  afterAll(async () => {
    for (const ds of sources) await ds.destroy();
    for (const db of dbs) await db.drop();
  });

  async function fresh(name: string): Promise<DataSource> {
    const db = await createFreshDatabase(name);
    dbs.push(db);
    const ds = createDataSource({ url: db.url, poolSize: 2 });
    await ds.initialize();
    sources.push(ds);
    return ds;
  }

  it('queues the same (escalation, change, level, version) messages wherever the stream is cut', async () => {
    const whole = await announce(await fresh('levels_whole'), messages.length);
    const cut = await announce(await fresh('levels_cut'), 13);
    expect([...cut.entries()].sort()).toEqual([...whole.entries()].sort());
    // Versions count the changes: 1, 2, 3 … for every escalation.
    for (const list of whole.values()) {
      expect(list.map((m) => Number(m.split(' v')[1]))).toEqual(list.map((_, i) => i + 1));
    }
    // Escalations that went up two levels announced each one.
    const twoSteps = [...whole.values()].filter(
      (list) =>
        list.some((m) => m.startsWith('advanced L2')) &&
        list.some((m) => m.startsWith('advanced L3')),
    );
    expect(twoSteps.length).toBeGreaterThan(0);
    expect(whole.size).toBeGreaterThan(20);
  }, 120_000);
});
