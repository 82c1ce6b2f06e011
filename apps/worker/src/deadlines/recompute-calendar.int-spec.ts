/**
 * The year end on the real database: orders across 2026-12-31 → 2027-01-01 with no 2027 notice get
 * their deadlines on the provisional 2027 (natural clocks exact), each stage standing on its own
 * when there are no provisional years; the import of the 2027 notice then recomputes exactly the
 * orders that rested on provisional days or missed a stage, a what-if first.
 *
 * test/fixtures/notice-2027-invented.txt is a 2027 notice in the published format with invented
 * arrangements (the real one is not out when this is written): its 春节 runs 2027-02-05…12.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import {
  DEFAULT_SUPERVISION_POLICY,
  DEFAULT_WATERMARK_POLICY,
  importHolidayNotice,
  parseHolidayNotice,
  type WorkOrderEvent,
} from '@hotline/core';
import { countOpenOrdersAwaitingCalendar, createDataSource } from '@hotline/persistence';
import { loadHandlingRules, loadStatisticsFormula, type HandlingRules } from '@hotline/platform';
import {
  anEvent,
  asPartitionMessages,
  createFreshDatabase,
  type FreshDatabase,
} from '@hotline/testing';
import type { DataSource } from 'typeorm';
import { IngestBatchService } from '../ingestion/ingest-batch.service';
import { recomputeCalendarDependentOrders } from './recompute-deadlines';

const ROOT = resolve(__dirname, '../../../..');
const CONFIG = join(ROOT, 'config');
const files = {
  calendar: join(CONFIG, 'calendars/cn-2023-2026.json'),
  ruleProfile: join(CONFIG, 'rule-profiles/tianjin-default.json'),
};
const formula = loadStatisticsFormula({ statistics: join(CONFIG, 'statistics.json') });

const raw = (events: WorkOrderEvent[]) => asPartitionMessages(events, 't');
const dispatched = (id: string, at: string, urgency: 'normal' | 'life_safety') =>
  anEvent('dispatched', id, at, {
    unitId: 'teda-enforcement',
    category: urgency === 'normal' ? 'complaint' : 'help',
    urgency,
  });

/** The calendar file with the (invented) 2027 notice imported, in a folder of its own. */
function calendarWith2027(): string {
  const notice = parseHolidayNotice(
    readFileSync(join(ROOT, 'test/fixtures/notice-2027-invented.txt'), 'utf8'),
  );
  if (!notice.ok) throw new Error(notice.errors.join('\n'));
  const imported = importHolidayNotice(
    JSON.parse(readFileSync(files.calendar, 'utf8')),
    notice.value,
  );
  if (!imported.ok) throw new Error(imported.errors.join('\n'));
  const path = join(mkdtempSync(join(tmpdir(), 'calendar-')), 'cn.json');
  writeFileSync(path, JSON.stringify(imported.value.file, null, 1));
  return path;
}

describe('the year end: provisional days, stages on their own, the notice imported', () => {
  let db: FreshDatabase;
  let dataSource: DataSource;
  const ingestion = (rules: HandlingRules) =>
    new IngestBatchService(
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
  // Received in February 2027: the events are in the past.
  const context = { caughtUp: false, receivedAt: new Date('2027-02-15T01:00:00Z') };
  const row = async (id: string) =>
    (
      await dataSource.query<
        {
          accept_due_at: Date | null;
          complete_due_at: Date | null;
          deadlines: {
            returnDueAt: string | null;
            flags: string[];
            provisional?: { fromOn: string; toOn: string };
            unavailable?: { stage: string; code: string }[];
          };
        }[]
      >(
        `SELECT accept_due_at, complete_due_at, deadlines FROM work_orders WHERE work_order_id = $1`,
        [id],
      )
    )[0]!;

  beforeAll(async () => {
    db = await createFreshDatabase('yearend');
    dataSource = createDataSource({ url: db.url, poolSize: 2 });
    await dataSource.initialize();
  });

  afterAll(async () => {
    await dataSource?.destroy();
    await db?.drop();
  });

  it('computes across the year end, then recomputes exactly the provisional and incomplete orders after the import', async () => {
    const provisional = loadHandlingRules(files, { provisionalYears: 4 });
    const officialOnly = loadHandlingRules(files, { provisionalYears: 0 });

    // A complaint dispatched Mon 2026-12-28 10:00 and a life-safety order at 23:50 on 12-31,
    // on the calendar with provisional years; a complaint during the provisional 春节 2027.
    await ingestion(provisional).ingest(
      raw([
        dispatched('YE-COMPLAINT', '2026-12-28T10:00:00', 'normal'),
        dispatched('YE-LIFE', '2026-12-31T23:50:00', 'life_safety'),
        dispatched('YE-SPRING', '2027-02-01T10:00:00', 'normal'),
        anEvent('accepted', 'YE-SPRING', '2027-02-01T11:00:00', {}),
      ]),
      context,
    );
    // The same complaint on the official data alone: its acceptance stands, its completion is
    // left out with the reason.
    const outcome = await ingestion(officialOnly).ingest(
      raw([dispatched('YE-NO-PROVISIONAL', '2026-12-28T10:00:00', 'normal')]),
      context,
    );
    expect(outcome.deadlineErrors).toEqual({ calendar_out_of_range: 1 });

    expect(await row('YE-COMPLAINT')).toMatchObject({
      accept_due_at: new Date('2026-12-29T10:00:00+08:00'),
      complete_due_at: new Date('2027-01-07T10:00:00+08:00'),
      deadlines: {
        provisional: { fromOn: '2027-01-01', toOn: '2027-01-07' },
        flags: expect.arrayContaining(['provisional_calendar']) as string[],
      },
    });
    const life = await row('YE-LIFE');
    expect(life).toMatchObject({
      accept_due_at: new Date('2027-01-01T00:05:00+08:00'),
      complete_due_at: new Date('2027-01-01T23:50:00+08:00'),
      deadlines: { provisional: { fromOn: '2027-01-01', toOn: '2027-01-04' } },
    });
    expect(new Date(life.deadlines.returnDueAt!)).toEqual(new Date('2027-01-04T23:50:00+08:00'));
    // 2027-02-05 (除夕) and 02-08 (初三) are statutory; the weekend between.
    expect((await row('YE-SPRING')).complete_due_at).toEqual(new Date('2027-02-12T10:00:00+08:00'));
    expect(await row('YE-NO-PROVISIONAL')).toMatchObject({
      accept_due_at: new Date('2026-12-29T10:00:00+08:00'),
      complete_due_at: null,
      deadlines: { unavailable: [{ stage: 'complete', code: 'calendar_out_of_range' }] },
    });
    expect(await countOpenOrdersAwaitingCalendar(dataSource)).toEqual({
      provisional: 3,
      unavailable: 1,
    });

    // The 2027 notice is imported; the workers restart on the new file. What would change:
    const after = loadHandlingRules(
      { ...files, calendar: calendarWith2027() },
      { provisionalYears: 4 },
    );
    expect(after.calendar.officialCoverage.toOn).toBe('2027-12-31');
    const whatIf = await recomputeCalendarDependentOrders(
      dataSource,
      after,
      formula,
      false,
      new Date(),
    );
    expect(whatIf).toMatchObject({
      applied: false,
      examined: 4,
      wereProvisional: 3,
      unchanged: 2,
      stillProvisional: 0,
      stillUnavailable: 0,
      failed: [],
    });
    expect(whatIf.changed).toEqual([
      {
        workOrderId: 'YE-NO-PROVISIONAL',
        from: 'tianjin-default@2025.1',
        acceptDueAt: [new Date('2026-12-29T10:00:00+08:00'), new Date('2026-12-29T10:00:00+08:00')],
        completeDueAt: [null, new Date('2027-01-07T10:00:00+08:00')],
      },
      {
        // The notice's 春节 runs 02-05…12: the complaint is due the Thursday after.
        workOrderId: 'YE-SPRING',
        from: 'tianjin-default@2025.1',
        acceptDueAt: [new Date('2027-02-02T10:00:00+08:00'), new Date('2027-02-02T10:00:00+08:00')],
        completeDueAt: [
          new Date('2027-02-12T10:00:00+08:00'),
          new Date('2027-02-18T10:00:00+08:00'),
        ],
      },
    ]);
    expect((await row('YE-SPRING')).complete_due_at).toEqual(new Date('2027-02-12T10:00:00+08:00'));

    const applied = await recomputeCalendarDependentOrders(
      dataSource,
      after,
      formula,
      true,
      new Date(),
    );
    expect(applied.changed.map((c) => c.workOrderId)).toEqual(['YE-NO-PROVISIONAL', 'YE-SPRING']);
    const spring = await row('YE-SPRING');
    expect(spring.complete_due_at).toEqual(new Date('2027-02-18T10:00:00+08:00'));
    expect(spring.deadlines.provisional).toBeUndefined();
    expect(spring.deadlines.flags).not.toContain('provisional_calendar');
    expect((await row('YE-COMPLAINT')).complete_due_at).toEqual(
      new Date('2027-01-07T10:00:00+08:00'),
    );
    expect((await row('YE-NO-PROVISIONAL')).deadlines.unavailable).toBeUndefined();
    expect(await countOpenOrdersAwaitingCalendar(dataSource)).toEqual({
      provisional: 0,
      unavailable: 0,
    });
    expect(
      (await recomputeCalendarDependentOrders(dataSource, after, formula, false, new Date()))
        .examined,
    ).toBe(0);
  });
});
