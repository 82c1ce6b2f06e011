/**
 * The statistics routes against the real API process and PostgreSQL. The rollup is seeded the way
 * ingestion maintains it: each order's events are folded with the real calendar and rule profile,
 * its row upserted, and `applyFactDeltas` given the facts stored on the row and the new facts.
 *
 * The data set, January 2024 (01-01 is the New Year holiday), deadlines under the Tianjin profile
 * (accept 1 working day; complete 7 working days, consultation 3; both from dispatch):
 *   O1  A  complaint     all on time, satisfied
 *   O2  A  help          dissatisfied, reopened (重办), then basically satisfied: the latest counts
 *   O3  B  complaint     excluded (不计考核): nothing counted
 *   O4  B  consultation  accepted late, citizen unreachable
 *   O5  A→B complaint    returned by A within the day, re-dispatched to B: received once, for A
 *   O6  C  suggestion    extended; replied and rated in February
 *   O7  C→A complaint    not accepted by C in time, re-dispatched to A; dissatisfied; false completion
 *   O8  B  complaint     received in December; completed and rated (declined) in January
 *   O9  A  complaint     completed late, satisfied
 *   O10 C  complaint     dispatched 01-29, never accepted: overdue and open at the month's end
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes, randomUUID } from 'node:crypto';
import ExcelJS from 'exceljs';
import {
  orderFacts,
  parseCalendar,
  parseRuleProfile,
  parseStatisticsFormula,
  type EventOf,
  type EventType,
  type WorkOrderEvent,
} from '@hotline/core';
import { createDataSource, upsertWorkOrders, withTransaction } from '@hotline/persistence';
import { applyFactDeltas, loadStoredFacts } from '@hotline/persistence/statistics';
import { signAccessToken, type Role } from '@hotline/platform';
import {
  anEvent,
  createFreshDatabase,
  startWorker,
  waitFor,
  type FreshDatabase,
  type WorkerProcess,
} from '@hotline/testing';
import type { DataSource } from 'typeorm';
import { projectWorkOrder } from '../apps/worker/src/ingestion/project-work-order';

const root = join(__dirname, '..');
const readJson = (path: string): unknown => JSON.parse(readFileSync(join(root, path), 'utf8'));
function ok<T>(parsed: { ok: true; value: T } | { ok: false; errors: string[] }): T {
  if (!parsed.ok) throw new Error(parsed.errors.join('\n'));
  return parsed.value;
}
const calendar = ok(parseCalendar(readJson('config/calendars/cn-2023-2026.json')));
const profile = ok(parseRuleProfile(readJson('config/rule-profiles/tianjin-default.json')));
const formula = ok(parseStatisticsFormula(readJson('config/statistics.json')));

const SECRET = randomBytes(32).toString('hex');
const A = 'teda-enforcement';
const B = 'teda-community-1';
const C = 'teda-service-center';

/** One order's events at Beijing wall-clock times (`01-09 09:00` is 2024-01-09T09:00+08:00). */
function order(id: string) {
  const events: WorkOrderEvent[] = [];
  const at = (local: string) =>
    `${local.length === 11 ? `2024-${local}` : local}`.replace(' ', 'T') + ':00';
  const builder = {
    events,
    add<T extends EventType>(type: T, local: string, data: EventOf<T>['data']) {
      events.push(anEvent(type, id, at(local), data as never));
      return builder;
    },
    dispatched(local: string, unitId: string, category: EventOf<'dispatched'>['data']['category']) {
      return builder.add('dispatched', local, { unitId, category, urgency: 'normal' });
    },
    accepted: (local: string) => builder.add('accepted', local, {}),
    replied: (local: string) => builder.add('replied', local, { reply: '已处理' }),
    callback: (local: string, result: EventOf<'callback'>['data']['result']) =>
      builder.add('callback', local, { result }),
    closed: (local: string) => builder.add('closed', local, {}),
  };
  return builder;
}

const orders: Record<string, WorkOrderEvent[]> = {
  O1: order('O1')
    .dispatched('01-09 09:00', A, 'complaint')
    .accepted('01-09 10:00')
    .replied('01-12 15:00')
    .callback('01-13 10:00', 'satisfied')
    .closed('01-13 11:00').events,
  O2: order('O2')
    .dispatched('01-10 09:00', A, 'help')
    .accepted('01-10 09:30')
    .replied('01-15 10:00')
    .callback('01-16 10:00', 'dissatisfied')
    .add('reopened', '01-17 09:00', { reason: '群众不满意，重办' })
    .replied('01-22 10:00')
    .callback('01-23 10:00', 'basically_satisfied')
    .closed('01-23 11:00').events,
  O3: order('O3')
    .dispatched('01-11 09:00', B, 'complaint')
    .accepted('01-11 10:00')
    .replied('01-12 10:00')
    .callback('01-20 10:00', 'dissatisfied')
    .add('excluded', '01-21 09:00', { reason: '重复诉求，不计考核' }).events,
  O4: order('O4')
    .dispatched('01-15 09:00', B, 'consultation')
    .accepted('01-16 10:00')
    .replied('01-17 10:00')
    .callback('01-18 10:00', 'unreachable').events,
  O5: order('O5')
    .dispatched('01-18 09:00', A, 'complaint')
    .add('return_requested', '01-18 11:00', { reason: '不属于本单位职责' })
    .add('returned', '01-18 14:00', {})
    .dispatched('01-18 16:00', B, 'complaint')
    .accepted('01-19 09:00')
    .replied('01-29 10:00')
    .callback('01-30 10:00', 'satisfied').events,
  O6: order('O6')
    .dispatched('01-22 09:00', C, 'suggestion')
    .accepted('01-22 09:10')
    .add('extension_requested', '01-25 10:00', { reason: '需协调', workdays: 3 })
    .add('extension_approved', '01-26 10:00', { workdays: 3 })
    .replied('02-02 10:00')
    .callback('02-05 10:00', 'satisfied').events,
  O7: order('O7')
    .dispatched('01-24 09:00', C, 'complaint')
    .dispatched('01-25 10:00', A, 'complaint')
    .accepted('01-25 11:00')
    .replied('01-26 10:00')
    .callback('01-27 10:00', 'dissatisfied')
    .add('verified', '01-28 10:00', { outcome: 'false_completion', by: '督查室' }).events,
  O8: order('O8')
    .dispatched('2023-12-28 09:00', B, 'complaint')
    .accepted('2023-12-28 10:00')
    .replied('01-03 10:00')
    .callback('01-04 10:00', 'declined').events,
  O9: order('O9')
    .dispatched('01-08 09:00', A, 'complaint')
    .accepted('01-08 09:30')
    .replied('01-19 10:00')
    .callback('01-20 10:00', 'satisfied').events,
  O10: order('O10').dispatched('01-29 09:00', C, 'complaint').events,
};

const token = (role: Role, unitId?: string) =>
  signAccessToken(
    { subject: `${role}-1`, role, unitId, ttlSeconds: 3600, now: new Date() },
    SECRET,
  );

interface Figures {
  received: number;
  satisfied: number;
  basicallySatisfied: number;
  dissatisfied: number;
  unreachable: number;
  declined: number;
  satisfactionRate: number | null;
  onTimeAcceptanceRate: number | null;
  onTimeCompletionRate: number | null;
  overdueOpen: number;
  escalations: Record<string, number>;
  escalationsTotal: number;
  [measure: string]: unknown;
}
interface Report {
  month: string | null;
  status: 'open' | 'closed';
  closedBy: string | null;
  formula: string;
  unitId: string | null;
  total: Figures;
  groups: (Figures & { key: string })[];
  restatements: { measure: string; delta: number; before: number; after: number }[];
}

describe('statistics API (real process, real database)', () => {
  let db: FreshDatabase;
  let dataSource: DataSource;
  let api: WorkerProcess;
  let base: string;
  let [leader, supervisor, unitB] = ['', '', ''];

  const get = (path: string, bearer = leader) =>
    fetch(`${base}${path}`, { headers: { authorization: `Bearer ${bearer}` } });
  const json = async <T = Report>(path: string, bearer = leader): Promise<T> => {
    const res = await get(path, bearer);
    expect(res.status).toBe(200);
    return (await res.json()) as T;
  };
  const post = (path: string, bearer = leader) =>
    fetch(`${base}${path}`, { method: 'POST', headers: { authorization: `Bearer ${bearer}` } });

  /** Folds each order, upserts its row and applies its facts' difference, as ingestion does. */
  const ingest = (byOrder: Record<string, WorkOrderEvent[]>, cause: string) =>
    withTransaction(dataSource, async (runner) => {
      const ids = Object.keys(byOrder);
      const projections = ids.map((id) =>
        projectWorkOrder(id, byOrder[id] ?? [], { calendar, profile }),
      );
      // No sweep runs here (the escalations below are written by hand), so nothing is left due.
      await upsertWorkOrders(
        runner,
        projections.map((p) => ({ ...p.record, nextDueAt: null })),
      );
      const stored = await loadStoredFacts(runner, ids);
      return applyFactDeltas(
        runner,
        projections.map((p, i) => ({
          workOrderId: ids[i] ?? '',
          before: stored.get(ids[i] ?? '') ?? [],
          after: orderFacts(p.state, p.deadlines, formula, calendar),
          cause,
        })),
      );
    });

  const escalation = (orderId: string, unitId: string, kind: string, firedAt: string) =>
    dataSource.query(
      `INSERT INTO escalations (escalation_id, escalation_key, work_order_id, unit_id, kind, segment,
                                round, level, status, reason, fired_at, level_changed_at, recipients)
       VALUES ($1, $2, $3, $4, $5, 1, 0, 2, 'open', '督办', $6, $6, '[]')`,
      [randomUUID(), `${orderId}:${kind}`, orderId, unitId, kind, firedAt],
    );

  beforeAll(async () => {
    [leader, supervisor, unitB] = await Promise.all([
      token('leader'),
      token('supervisor'),
      token('unit', B),
    ]);
    db = await createFreshDatabase('stats_api');
    dataSource = createDataSource({ url: db.url, poolSize: 2 });
    await dataSource.initialize();
    await ingest(orders, 'seed');
    await escalation('O7', C, 'accept_overdue', '2024-01-25T09:00:00+08:00');
    await escalation('O9', A, 'complete_overdue', '2024-01-17T09:00:00+08:00');
    await escalation('O7', A, 'dissatisfied', '2024-01-27T10:05:00+08:00');
    // 2024-01-31T16:30Z is February 1st in Beijing: a February escalation.
    await escalation('O10', C, 'accept_overdue', '2024-02-01T00:30:00+08:00');

    api = await startWorker(
      { DATABASE_URL: db.url, JWT_SECRET: SECRET, MIGRATE_ON_START: 'false' },
      'api',
    );
    base = `http://127.0.0.1:${api.port}`;
    await waitFor(`the API\n${api.output()}`, async () =>
      (await fetch(`${base}/health`)).ok ? true : undefined,
    );
  });

  afterAll(async () => {
    await api?.stop();
    await dataSource?.destroy();
    await db?.drop();
  });

  it("gives January's figures computed by hand, with the formula", async () => {
    const report = await json('/statistics/monthly?month=2024-01');
    expect(report).toMatchObject({ month: '2024-01', status: 'open', groups: [] });
    expect(report.formula).toContain('满意率 = (满意 + 基本满意) ÷ (满意 + 基本满意 + 不满意)');
    expect(report.total).toEqual({
      received: 8, // O1 O2 O4 O5 O6 O7 O9 O10 (O3 excluded, O8 December)
      satisfied: 3, // O1 O5 O9
      basicallySatisfied: 1, // O2 after rework
      dissatisfied: 1, // O7
      unreachable: 1, // O4
      declined: 1, // O8
      satisfactionNumerator: 4,
      satisfactionDenominator: 5,
      satisfactionRate: 80,
      acceptFinished: 8,
      acceptOnTime: 6,
      onTimeAcceptanceRate: 75,
      completeFinished: 8,
      completeOnTime: 7,
      onTimeCompletionRate: 87.5,
      returned: 1, // O5 by A
      extended: 1, // O6
      reworks: 1, // O2
      falseCompletions: 1, // O7
      overdueOpen: 1, // O10
      escalations: {
        accept_warning: 0,
        accept_overdue: 1,
        complete_warning: 0,
        complete_overdue: 1,
        dissatisfied: 1,
        false_completion: 0,
        priority: 0,
      },
      escalationsTotal: 3,
    });
  });

  it('reads days and months in the calendar’s zone whatever TIME_ZONE writes instants in', async () => {
    const utc = await startWorker(
      { DATABASE_URL: db.url, JWT_SECRET: SECRET, MIGRATE_ON_START: 'false', TIME_ZONE: 'UTC' },
      'api',
    );
    try {
      const utcBase = `http://127.0.0.1:${utc.port}`;
      await waitFor(`the API\n${utc.output()}`, async () =>
        (await fetch(`${utcBase}/health`)).ok ? true : undefined,
      );
      const res = await fetch(`${utcBase}/statistics/monthly?month=2024-01`, {
        headers: { authorization: `Bearer ${leader}` },
      });
      const report = (await res.json()) as { total: unknown; overdueAt: string };
      // O10's escalation (2024-01-31T16:30Z) is February's, and January ends at 16:00Z.
      expect(report.total).toEqual((await json('/statistics/monthly?month=2024-01')).total);
      expect(report.overdueAt).toBe('2024-01-31T16:00:00+00:00');
    } finally {
      await utc.stop();
    }
  });

  it('groups by unit and by category', async () => {
    const byUnit = await json('/statistics/monthly?month=2024-01&groupBy=unit');
    expect(
      byUnit.groups.map((g) => [
        g.key,
        g.received,
        g.satisfactionRate,
        g.onTimeAcceptanceRate,
        g.onTimeCompletionRate,
        g.overdueOpen,
        g.escalationsTotal,
      ]),
    ).toEqual([
      [B, 1, 100, 50, 100, 0, 0],
      [A, 4, 75, 100, 80, 0, 2],
      [C, 3, null, 50, null, 1, 1],
    ]);
    const byCategory = await json('/statistics/monthly?month=2024-01&groupBy=category');
    expect(byCategory.groups.map((g) => [g.key, g.received, g.satisfactionRate])).toEqual([
      ['complaint', 5, 75],
      ['consultation', 1, null],
      ['help', 1, 100],
      ['suggestion', 1, null],
    ]);
    expect(byCategory.total.received).toBe(8);
  });

  it('sums a range of days live (截至目前), with the February rating and completion', async () => {
    const summary = await json('/statistics/summary?from=2024-01-01&to=2024-02-29', supervisor);
    expect(summary.total).toMatchObject({
      received: 8,
      satisfied: 4, // + O6 in February
      completeFinished: 9,
      overdueOpen: 1, // O10, still not accepted at the end of February
      escalationsTotal: 4,
    });
    const forA = await json(`/statistics/summary?from=2024-01-01&to=2024-01-31&unitId=${A}`);
    expect(forA).toMatchObject({ unitId: A, total: { received: 4, satisfactionRate: 75 } });
  });

  it('shows a unit token its own unit only and refuses another unit (403)', async () => {
    const own = await json('/statistics/monthly?month=2024-01&groupBy=unit', unitB);
    expect(own.unitId).toBe(B);
    expect(own.groups.map((g) => g.key)).toEqual([B]);
    expect(own.total).toMatchObject({ received: 1, satisfactionRate: 100 });
    expect(
      (await get(`/statistics/summary?from=2024-01-01&to=2024-01-31&unitId=${A}`, unitB)).status,
    ).toBe(403);
    expect((await get(`/statistics/monthly?month=2024-01&unitId=${A}`, unitB)).status).toBe(403);
    const summary = await json('/statistics/summary?from=2024-01-01&to=2024-01-31', unitB);
    expect(summary.total.received).toBe(1);
  });

  it.each([
    ['/statistics/monthly?month=2024-13', 'month'],
    ['/statistics/monthly?month=2024-1', 'month'],
    ['/statistics/monthly?month=2024-01&groupBy=street', 'groupBy'],
    ['/statistics/monthly?month=2024-01&extra=1', 'extra'],
    ['/statistics/summary?from=2024-02-01&to=2024-01-01', 'to'],
    ['/statistics/summary?from=2024-01-01&to=2025-01-02', '366'],
    ['/statistics/summary?from=2024-02-30&to=2024-03-01', 'calendar day'],
  ])('refuses %s with 400', async (path, mention) => {
    const res = await get(path);
    expect(res.status).toBe(400);
    expect(((await res.json()) as { message: string }).message).toContain(mention);
  });

  it('needs a bearer token', async () => {
    expect((await fetch(`${base}/statistics/monthly?month=2024-01`)).status).toBe(401);
  });

  it('closes a month once (leaders and supervisors only), then records a late callback as a restatement', async () => {
    expect((await post('/statistics/months/2024-01/close', unitB)).status).toBe(403);
    expect((await post('/statistics/months/2099-01/close')).status).toBe(409);
    expect((await get('/statistics/months/2024-01/restatements')).status).toBe(404);

    // An order the sweep has not yet judged for January holds the close back.
    await dataSource.query(
      `INSERT INTO work_order_due (work_order_id, next_due_at) VALUES ('O1', '2024-01-31T12:00:00+08:00')
       ON CONFLICT (work_order_id) DO UPDATE SET next_due_at = EXCLUDED.next_due_at`,
    );
    const early = await post('/statistics/months/2024-01/close');
    expect(early.status).toBe(409);
    expect(((await early.json()) as { message: string }).message).toContain('supervision');
    await dataSource.query(`DELETE FROM work_order_due WHERE work_order_id = 'O1'`);

    const closed = await post('/statistics/months/2024-01/close');
    expect(closed.status).toBe(200);
    expect(await closed.json()).toMatchObject({ status: 'closed', closedBy: 'leader-1' });
    const again = await post('/statistics/months/2024-01/close', supervisor);
    expect(again.status).toBe(409);
    expect(((await again.json()) as { message: string }).message).toContain('already closed');

    // O4's citizen is reached on 01-31: the late callback replaces `unreachable` in January.
    const late = {
      O4: [...(orders.O4 ?? []), ...order('O4').callback('01-31 15:00', 'satisfied').events],
    };
    expect(await ingest(late, 'callback')).toMatchObject({ restatements: 2 });

    const frozen = await json('/statistics/monthly?month=2024-01');
    expect(frozen.status).toBe('closed');
    expect(frozen.total).toMatchObject({
      received: 8,
      satisfied: 3,
      unreachable: 1,
      satisfactionRate: 80,
      overdueOpen: 1,
      escalationsTotal: 3,
    });
    expect(
      frozen.restatements.map(({ measure, delta, before, after }) => [
        measure,
        delta,
        before,
        after,
      ]),
    ).toEqual([
      ['rated_unreachable', -1, 1, 0],
      ['rated_satisfied', 1, 0, 1],
    ]);

    const list = await json<{ items: { workOrderId: string; cause: string; unitId: string }[] }>(
      '/statistics/months/2024-01/restatements',
      unitB,
    );
    expect(list.items).toEqual([
      expect.objectContaining({ workOrderId: 'O4', cause: 'callback', unitId: B }),
      expect.objectContaining({ workOrderId: 'O4', cause: 'callback', unitId: B }),
    ]);
    const forA = await json<{ items: unknown[] }>(
      '/statistics/months/2024-01/restatements',
      await token('unit', A),
    );
    expect(forA.items).toEqual([]);

    // The live rollup moved: a summary over January sees the restated rating.
    const live = await json('/statistics/summary?from=2024-01-01&to=2024-01-31');
    expect(live.total).toMatchObject({ satisfied: 4, unreachable: 0, satisfactionRate: 83.33 });
  });

  it('exports the month as CSV with a BOM and Chinese headings', async () => {
    const res = await get('/statistics/monthly.csv?month=2024-01');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/csv; charset=utf-8/);
    expect(res.headers.get('content-disposition')).toContain('statistics-2024-01.csv');
    const bytes = Buffer.from(await res.arrayBuffer());
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const lines = bytes.toString('utf8').slice(1).split('\r\n');
    expect(lines[0]).toMatch(
      /^承办单位,受理量,满意,基本满意,不满意,无法联系,拒绝评价,满意率\(%\),/,
    );
    expect(lines[0]).toContain('按时签收率(%)');
    expect(lines[0]).toContain('按期办结率(%)');
    expect(lines[0]).toContain('超期未办结');
    expect(lines.find((l) => l.startsWith('合计,'))).toMatch(/^合计,8,3,1,1,1,1,80,/);
    expect(lines.some((l) => l.startsWith('统计口径,') && l.includes('满意率 ='))).toBe(true);
  });

  it('exports the month as a real XLSX workbook, one row per unit and the total', async () => {
    const res = await get('/statistics/monthly.xlsx?month=2024-01');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe(
      'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
    );
    expect(res.headers.get('content-disposition')).toMatch(
      /attachment; filename="statistics-2024-01.xlsx"; filename\*=UTF-8''/,
    );
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(await res.arrayBuffer());
    const sheet = workbook.getWorksheet('月度统计');
    expect(sheet).toBeDefined();
    const header = sheet?.getRow(1).values as unknown[];
    expect(header.slice(1, 9)).toEqual([
      '承办单位',
      '受理量',
      '满意',
      '基本满意',
      '不满意',
      '无法联系',
      '拒绝评价',
      '满意率(%)',
    ]);
    const rows = [2, 3, 4, 5].map((n) => (sheet?.getRow(n).values as unknown[]).slice(1, 9));
    expect(rows).toEqual([
      [B, 1, 1, 0, 0, 1, 1, 100],
      [A, 4, 2, 1, 1, 0, 0, 75],
      [C, 3, 0, 0, 0, 0, 0, ''],
      ['合计', 8, 3, 1, 1, 1, 1, 80],
    ]);
    const about = workbook.getWorksheet('统计口径');
    expect(about?.getCell('B4').text).toContain('满意率 = (满意 + 基本满意)');
    expect(workbook.getWorksheet('结账后更正')?.rowCount).toBe(3);
  });
});
