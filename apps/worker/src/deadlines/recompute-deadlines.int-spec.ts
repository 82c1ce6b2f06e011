import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import {
  DEFAULT_SUPERVISION_POLICY,
  DEFAULT_WATERMARK_POLICY,
  type WorkOrderEvent,
} from '@hotline/core';
import { createDataSource } from '@hotline/persistence';
import { loadHandlingRules, loadStatisticsFormula, type HandlingRules } from '@hotline/platform';
import {
  anEvent,
  asPartitionMessages,
  createFreshDatabase,
  type FreshDatabase,
  ordinaryOrder,
} from '@hotline/testing';
import type { DataSource } from 'typeorm';
import { IngestBatchService } from '../ingestion/ingest-batch.service';
import { recomputeOpenOrders } from './recompute-deadlines';

const CONFIG = resolve(__dirname, '../../../../config');

/** A config folder with the default profile (active) and a version 2025.2 with 5-day complaints. */
function profilesFolder(): { files: { configDir: string; calendar: string; ruleProfile: string } } {
  const dir = mkdtempSync(join(tmpdir(), 'profiles-'));
  mkdirSync(join(dir, 'rule-profiles'));
  copyFileSync(
    join(CONFIG, 'rule-profiles/tianjin-default.json'),
    join(dir, 'rule-profiles/tianjin-default.json'),
  );
  const v2 = JSON.parse(
    readFileSync(join(CONFIG, 'rule-profiles/tianjin-default.json'), 'utf8'),
  ) as {
    version: string;
    rules: { id: string; limit: { value: number } }[];
  };
  v2.version = '2025.2';
  v2.rules.find((r) => r.id === 'complete.default')!.limit.value = 5;
  writeFileSync(join(dir, 'rule-profiles/tianjin-default-2025.2.json'), JSON.stringify(v2));
  return {
    files: {
      configDir: dir,
      calendar: join(CONFIG, 'calendars/cn-2023-2026.json'),
      ruleProfile: join(dir, 'rule-profiles/tianjin-default.json'),
    },
  };
}

const raw = (events: WorkOrderEvent[]) => asPartitionMessages(events, 't');

describe('moving open orders to another rule-profile version', () => {
  let db: FreshDatabase;
  let dataSource: DataSource;
  let rules: HandlingRules;

  beforeAll(async () => {
    db = await createFreshDatabase('recompute');
    dataSource = createDataSource({ url: db.url, poolSize: 2 });
    await dataSource.initialize();
    rules = loadHandlingRules(profilesFolder().files);
  });

  afterAll(async () => {
    await dataSource?.destroy();
    await db?.drop();
  });

  const formula = loadStatisticsFormula({ statistics: join(CONFIG, 'statistics.json') });
  const factCount = async (id: string) =>
    (
      await dataSource.query<{ n: number }[]>(
        `SELECT jsonb_array_length(COALESCE(facts, '[]'::jsonb))::int AS n FROM work_orders WHERE work_order_id = $1`,
        [id],
      )
    )[0]!.n;
  const row = async (id: string) =>
    (
      await dataSource.query<{ profile_version: string; complete_due_at: Date }[]>(
        `SELECT profile_version, complete_due_at FROM work_orders WHERE work_order_id = $1`,
        [id],
      )
    )[0]!;

  it('shows the change first, applies it to open orders only, and keeps them on it', async () => {
    expect([...rules.profiles.keys()].sort()).toEqual([
      'tianjin-default@2025.1',
      'tianjin-default@2025.2',
    ]);
    const ingest = new IngestBatchService(
      dataSource,
      rules,
      {
        escalationsTopic: 'escalations',
        policy: DEFAULT_SUPERVISION_POLICY,
        recipients: () => [],
        watermark: { ...DEFAULT_WATERMARK_POLICY, latenessMs: 0 },
      },
      formula,
    );
    await ingest.ingest(
      raw([
        anEvent('dispatched', 'OPEN-1', '2024-03-04T09:00:00', {
          unitId: 'u1',
          category: 'complaint',
          urgency: 'normal',
        }),
        anEvent('accepted', 'OPEN-1', '2024-03-04T10:00:00', {}),
        ...ordinaryOrder('CLOSED-1', 'u1', '2024-03-04'),
      ]),
      { caughtUp: false, receivedAt: new Date() },
    );
    // Monday 09:00 + 7 working days under the active version.
    expect(await row('OPEN-1')).toEqual({
      profile_version: '2025.1',
      complete_due_at: new Date('2024-03-13T01:00:00Z'),
    });

    const target = rules.profiles.get('tianjin-default@2025.2')!;
    expect(await factCount('OPEN-1')).toBeGreaterThan(0);
    const whatIf = await recomputeOpenOrders(
      dataSource,
      rules.calendar,
      target,
      formula,
      false,
      new Date(),
    );
    expect(whatIf).toMatchObject({ applied: false, examined: 1, unchanged: 0 });
    expect(whatIf.changed).toEqual([
      expect.objectContaining({
        workOrderId: 'OPEN-1',
        from: 'tianjin-default@2025.1',
        completeDueAt: [new Date('2024-03-13T01:00:00Z'), new Date('2024-03-11T01:00:00Z')],
      }),
    ]);
    expect((await row('OPEN-1')).profile_version).toBe('2025.1');

    const applied = await recomputeOpenOrders(
      dataSource,
      rules.calendar,
      target,
      formula,
      true,
      new Date(),
    );
    expect(applied.changed.map((c) => c.workOrderId)).toEqual(['OPEN-1']);
    expect(await row('OPEN-1')).toEqual({
      profile_version: '2025.2',
      complete_due_at: new Date('2024-03-11T01:00:00Z'),
    });
    expect(await row('CLOSED-1')).toMatchObject({ profile_version: '2025.1' });

    // A later event keeps the order on the version it was moved to, though 2025.1 is still active.
    await ingest.ingest(
      raw([anEvent('flagged', 'OPEN-1', '2024-03-05T10:00:00', { tags: ['hot'] })]),
      { caughtUp: false, receivedAt: new Date() },
    );
    expect(await row('OPEN-1')).toEqual({
      profile_version: '2025.2',
      complete_due_at: new Date('2024-03-11T01:00:00Z'),
    });
    expect(
      (await recomputeOpenOrders(dataSource, rules.calendar, target, formula, false, new Date()))
        .examined,
    ).toBe(0);
  });
});
