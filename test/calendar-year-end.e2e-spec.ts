/**
 * The year end on the real broker and database: a worker whose calendar's official data ends on
 * 2026-12-31, with no 2027 notice, reads orders across 2026-12-31 → 2027-01-01 and keeps computing
 * their deadlines — working-day ones on the provisional 2027 computed from the law, natural ones
 * exact — and escalates on them; /health and /metrics say how many open orders rest on
 * provisional days. Then the 2027 notice is imported (`npm run calendar:import`), the worker
 * restarted on the new file, `npm run deadlines:recompute -- --calendar` shows the what-if and
 * applies it, and the sweep withdraws the escalations whose deadlines moved later.
 *
 * The worker's clock starts in February 2027 (CLOCK_START_AT): the orders are in its past, as a
 * year-end drill would have them. test/fixtures/notice-2027-invented.txt is a 2027 notice in the
 * published format with invented arrangements: its 春节 runs 2027-02-05…12 (the law alone gives
 * 02-05 and 02-08 off, the weekend between).
 */
import { execFile } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import type { WorkOrderEvent } from '@hotline/core';
import { DEVELOPMENT_JWT_SECRET, signAccessToken } from '@hotline/platform';
import {
  anEvent,
  createFreshDatabase,
  createFreshTopics,
  deleteTopics,
  kafkaBrokers,
  produceRaw,
  startWorker,
  waitFor,
  waitUntilJoined,
  type FreshDatabase,
  type WorkerProcess,
} from '@hotline/testing';
import { Client } from 'pg';

const ROOT = resolve(__dirname, '..');
const run = promisify(execFile);
const FAKE_START_MS = Date.parse('2027-02-15T09:00:00+08:00');

const asMessages = (events: WorkOrderEvent[]) =>
  events.map((event) => ({ key: event.workOrderId, value: JSON.stringify(event) }));
const dispatched = (id: string, at: string, urgency: 'normal' | 'life_safety') =>
  anEvent('dispatched', id, at, {
    unitId: 'teda-enforcement',
    category: urgency === 'normal' ? 'complaint' : 'help',
    urgency,
  });

interface EscalationRow {
  work_order_id: string;
  kind: string;
  status: string;
  fired_at: Date;
  due_at: Date | null;
  withdrawal: { reason: string } | null;
}

describe('across the year end without next year’s notice, then with it', () => {
  let db: FreshDatabase;
  let topics: string[];
  let configDir: string;
  let worker: WorkerProcess | undefined;
  let sql: Client;
  let env: Record<string, string>;
  const startedAtMs = Date.now();
  /** The drill's clock: February 2027, running since the test began. */
  const fakeNow = () => new Date(FAKE_START_MS + (Date.now() - startedAtMs));

  const escalations = async () =>
    (
      await sql.query<EscalationRow>(
        `SELECT work_order_id, kind, status, fired_at, due_at, withdrawal FROM escalations
          ORDER BY work_order_id, kind`,
      )
    ).rows;
  const command = async (script: string, args: string[]) => {
    const { stdout } = await run(
      process.execPath,
      ['-r', 'ts-node/register/transpile-only', '-r', 'tsconfig-paths/register', script, ...args],
      { cwd: ROOT, env: { ...process.env, ...env, TS_NODE_PROJECT: join(ROOT, 'tsconfig.json') } },
    );
    return stdout;
  };
  /** What the API says of the year: the spring order's explanation, January's statistics. */
  const askApi = async () => {
    const api = await startWorker({ ...env }, 'api');
    try {
      const token = await signAccessToken(
        { subject: 'e2e', role: 'supervisor', ttlSeconds: 600, now: new Date() },
        DEVELOPMENT_JWT_SECRET,
      );
      const get = (path: string) =>
        fetch(`http://127.0.0.1:${api.port}${path}`, {
          headers: { authorization: `Bearer ${token}` },
        });
      const order = await waitFor('the API', async () => {
        const res = await get('/work-orders/YE-SPRING');
        return res.ok
          ? ((await res.json()) as {
              explanation: {
                complete: { text: string; provisional: unknown };
                provisional: unknown;
              };
            })
          : undefined;
      });
      const january = (await (
        await get('/statistics/summary?from=2027-01-01&to=2027-01-31')
      ).json()) as { provisionalCalendar: unknown };
      return { explanation: order.explanation, january };
    } finally {
      await api.stop();
    }
  };
  const startDrillWorker = async () => {
    const started = await startWorker({ ...env, CLOCK_START_AT: fakeNow().toISOString() });
    await waitUntilJoined(started);
    return started;
  };

  beforeAll(async () => {
    db = await createFreshDatabase('yearend_e2e');
    topics = await createFreshTopics(['ye-events', 'ye-dlq', 'ye-escalations'], 1);
    // The operator's config folder: the calendar file in it is the one the import rewrites.
    configDir = mkdtempSync(join(tmpdir(), 'hotline-config-'));
    cpSync(join(ROOT, 'config'), configDir, { recursive: true });
    env = {
      DATABASE_URL: db.url,
      KAFKA_BROKERS: kafkaBrokers().join(','),
      EVENTS_TOPIC: topics[0]!,
      DLQ_TOPIC: topics[1]!,
      ESCALATIONS_TOPIC: topics[2]!,
      KAFKA_GROUP_ID: `${topics[0]}-worker`,
      CONFIG_DIR: configDir,
      WATERMARK_IDLE_MS: '1000',
    };
    sql = new Client({ connectionString: db.url });
    await sql.connect();
  });

  afterAll(async () => {
    await worker?.stop();
    await sql?.end();
    if (topics) await deleteTopics(topics);
    await db?.drop();
  });

  it('keeps computing deadlines on the provisional year, then recomputes when the notice is imported', async () => {
    worker = await startDrillWorker();
    await produceRaw(
      topics[0]!,
      asMessages([
        // A complaint dispatched Mon 2026-12-28 10:00, accepted, never replied: 7 working days.
        dispatched('YE-COMPLAINT', '2026-12-28T10:00:00', 'normal'),
        anEvent('accepted', 'YE-COMPLAINT', '2026-12-28T11:00:00', {}),
        // A life-safety order at 23:50 on 2026-12-31, never accepted: 15 natural minutes.
        dispatched('YE-LIFE', '2026-12-31T23:50:00', 'life_safety'),
        // A complaint in the week before the Spring Festival 2027, accepted, never replied.
        dispatched('YE-SPRING', '2027-02-01T10:00:00', 'normal'),
        anEvent('accepted', 'YE-SPRING', '2027-02-01T11:00:00', {}),
      ]),
    );

    // Escalations on the provisional and natural deadlines, in event time.
    const fired = await waitFor('the escalations on the year-end orders', async () => {
      const rows = await escalations();
      const found = (id: string, kind: string) =>
        rows.find((r) => r.work_order_id === id && r.kind === kind);
      const wanted = [
        found('YE-LIFE', 'accept_overdue'),
        found('YE-COMPLAINT', 'complete_overdue'),
        found('YE-SPRING', 'complete_overdue'),
        found('YE-SPRING', 'complete_warning'),
      ];
      return wanted.every((r) => r !== undefined) ? rows : undefined;
    });
    const firedAt = (id: string, kind: string) =>
      fired.find((r) => r.work_order_id === id && r.kind === kind)?.fired_at;
    // Natural: exactly 15 minutes after 23:50, across the year end.
    expect(firedAt('YE-LIFE', 'accept_overdue')).toEqual(new Date('2027-01-01T00:05:00+08:00'));
    // 12-28…31, 2027-01-01 (元旦) and the weekend skipped, 01-04…07.
    expect(firedAt('YE-COMPLAINT', 'complete_overdue')).toEqual(
      new Date('2027-01-07T10:00:00+08:00'),
    );
    // The provisional 春节: 02-05 (除夕) and 02-08 (初三) off, the weekend between.
    expect(firedAt('YE-SPRING', 'complete_overdue')).toEqual(new Date('2027-02-12T10:00:00+08:00'));
    expect(firedAt('YE-SPRING', 'complete_warning')).toEqual(new Date('2027-02-11T10:00:00+08:00'));

    const { body: before } = await worker.health();
    expect(before.calendar).toMatchObject({
      officialThrough: '2026-12-31',
      provisional: { from: '2027-01-01', to: '2030-12-31' },
      openOrdersOnProvisionalDays: 3,
      openOrdersWithUnavailableDeadlines: 0,
    });
    expect(before.calendar.officialDaysLeft).toBeLessThan(0);
    expect(before.calendar.daysLeft).toBeGreaterThan(1000);
    expect(await worker.metric('hotline_deadlines_provisional_open_orders')).toBe(3);
    expect(await worker.metric('hotline_deadline_errors_total')).toBe(0);
    expect(worker.output()).toContain('official data ends 2026-12-31; provisional from 2027-01-01');
    // The API says so too: in the order's explanation and over January's figures.
    const provisionalApi = await askApi();
    expect(provisionalApi.explanation.complete.provisional).toEqual({
      fromOn: '2027-02-01',
      toOn: '2027-02-12',
    });
    expect(provisionalApi.explanation.complete.text).toContain(
      '暂定 Provisional: 2027-02-01…2027-02-12',
    );
    expect(provisionalApi.january.provisionalCalendar).toEqual({
      fromOn: '2027-01-01',
      toOn: '2027-01-31',
    });

    // The notice is out: import it into the calendar file.
    const imported = await command('scripts/import-holiday-notice.ts', [
      join(ROOT, 'test/fixtures/notice-2027-invented.txt'),
    ]);
    expect(imported).toContain('国务院办公厅关于2027年部分节假日安排的通知 (2026-11-20)');
    expect(imported).toContain('2027-02-09 (周二) 调休放假 day off · 春节');
    expect(imported).toContain('2027-01-31 (周日) 调休上班 make-up workday · 春节');
    expect(imported).toContain('official data ends 2027-12-31; provisional from 2028-01-01');
    const file = JSON.parse(
      readFileSync(join(configDir, 'calendars/cn-2023-2026.json'), 'utf8'),
    ) as { coverage: { to: string }; notices: { year: number; issuedOn: string }[] };
    expect(file.coverage.to).toBe('2027-12-31');
    expect(file.notices).toEqual([expect.objectContaining({ year: 2027, issuedOn: '2026-11-20' })]);

    // Restart the worker on the new file; then the what-if, then the change.
    await worker.stop();
    worker = await startDrillWorker();
    const whatIf = await command('scripts/recompute-deadlines.ts', ['--calendar']);
    expect(whatIf).toMatch(
      /what-if: open orders recomputed on the calendar with official data through 2027-12-31/,
    );
    expect(whatIf).toMatch(/open orders awaiting the calendar\s+3/);
    expect(whatIf).toMatch(/deadlines change\s+1/);
    expect(whatIf).toContain(
      'YE-SPRING             tianjin-default@2025.1 2027-02-02T10:00:00+08:00 → 2027-02-02T10:00:00+08:00  2027-02-12T10:00:00+08:00 → 2027-02-18T10:00:00+08:00',
    );
    expect(whatIf).toContain('nothing written');
    expect((await escalations()).filter((r) => r.status === 'withdrawn')).toEqual([]);

    const applied = await command('scripts/recompute-deadlines.ts', ['--calendar', '--apply']);
    expect(applied).toMatch(/applied: open orders recomputed/);
    expect(applied).toMatch(/still on provisional days\s+0/);

    // The sweep re-decides the moved order: the 春节 it was judged by is over by 02-12, the
    // notice's is not; its warning and overdue no longer hold.
    const after = await waitFor('the withdrawals', async () => {
      const rows = await escalations();
      const spring = rows.filter(
        (r) => r.work_order_id === 'YE-SPRING' && r.kind.startsWith('complete_'),
      );
      return spring.length === 2 && spring.every((r) => r.status === 'withdrawn')
        ? rows
        : undefined;
    });
    for (const row of after.filter(
      (r) => r.work_order_id === 'YE-SPRING' && r.kind.startsWith('complete_'),
    )) {
      expect(row.withdrawal?.reason).toBe('deadline_recomputed');
    }
    // The others stand: the notice kept 2027-01-01…03 as the law has it, and natural clocks never
    // depended on it.
    for (const row of after.filter((r) => r.work_order_id !== 'YE-SPRING')) {
      expect(row.status).not.toBe('withdrawn');
    }
    const { rows: spring } = await sql.query<{
      complete_due_at: Date;
      deadlines: { provisional?: unknown };
    }>(`SELECT complete_due_at, deadlines FROM work_orders WHERE work_order_id = 'YE-SPRING'`);
    expect(spring[0]?.complete_due_at).toEqual(new Date('2027-02-18T10:00:00+08:00'));
    expect(spring[0]?.deadlines.provisional).toBeUndefined();

    const { body: afterHealth } = await worker.health();
    expect(afterHealth.calendar).toMatchObject({
      officialThrough: '2027-12-31',
      provisional: { from: '2028-01-01', to: '2031-12-31' },
      openOrdersOnProvisionalDays: 0,
    });
    expect(await worker.metric('hotline_deadlines_provisional_open_orders')).toBe(0);
    const officialApi = await askApi();
    expect(officialApi.explanation.complete.provisional).toBeNull();
    expect(officialApi.explanation.complete.text).not.toContain('暂定');
    expect(officialApi.january.provisionalCalendar).toBeNull();
    // Two worker and two API starts and three commands: about a minute alone, more beside the
    // other suites.
  }, 240_000);
});
