/**
 * The console's scenario, shared by its browser tests and its first-page benchmark: a worker and
 * the API on a fresh database and topics, orders whose escalations fired (one withdrawn), the
 * console built and served at /console, and Debian's chromium driven by playwright-core.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { chromium, type Browser, type Page } from 'playwright-core';
import type { WorkOrderEvent } from '@hotline/core';
import { signAccessToken, type Role } from '@hotline/platform';
import {
  anEvent,
  createWorkerEnvironment,
  ordinaryOrder,
  produceRaw,
  startWorker,
  waitFor,
  waitUntilJoined,
  type WorkerEnvironment,
  type WorkerProcess,
} from '@hotline/testing';

const ROOT = resolve(__dirname, '..');
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const ENFORCEMENT = 'teda-enforcement';
export const COMMUNITY = 'teda-community-1';
/** Never accepted: accept and complete escalations fire (event time, judged by the wall clock). */
export const LATE = 'TJ-CON-A';
export const OTHER_UNIT = 'TJ-CON-B';
/** Accepted in time but delivered after its accept_overdue fired: withdrawn. */
export const WITHDRAWN = 'TJ-CON-W';
export const PHONE = '13812345678';

/** The first page's budgets: usable (its first escalations on screen) and its gzipped JavaScript. */
export const FIRST_PAGE_BUDGET = { usableMs: 1500, jsGzipBytes: 400 * 1024 };

const dispatched = (id: string, unitId: string, extra: object = {}) =>
  anEvent(
    'dispatched',
    id,
    '2024-03-04T10:00:00',
    {
      unitId,
      unitName: unitId === ENFORCEMENT ? '综合执法大队' : '第一社区',
      category: 'complaint',
      urgency: 'normal',
      title: '夜间施工噪音扰民',
      citizen: { name: '张三', phone: PHONE },
      ...extra,
    },
    { eventId: `${id}-1`, sequence: 1 },
  );

const asMessages = (events: WorkOrderEvent[]) =>
  events.map((event) => ({ key: event.workOrderId, value: JSON.stringify(event) }));

export interface ConsoleScenario {
  run: WorkerEnvironment;
  /** The API's address; the console is at `${base}/console/`. */
  base: string;
  browser: Browser;
  token(role: Role, unitId?: string): Promise<string>;
  dispose(): Promise<void>;
}

/** Rows of the page's table for an order whose text includes `kind`. */
export const openRows = (page: Page, order: string, kind: string) =>
  page.locator('tbody tr', { hasText: order }).filter({ hasText: kind });

export async function startConsoleScenario(): Promise<ConsoleScenario> {
  if (!existsSync(CHROMIUM)) throw new Error(`no chromium at ${CHROMIUM} (CHROMIUM_PATH)`);
  execFileSync('bash', [join(ROOT, 'scripts/console-build.sh')], { stdio: 'inherit' });
  const secret = randomBytes(32).toString('hex');
  const run = await createWorkerEnvironment('console');
  let worker: WorkerProcess | undefined;
  let api: WorkerProcess | undefined;
  let browser: Browser | undefined;
  const dispose = async () => {
    await browser?.close();
    await api?.stop();
    await worker?.stop();
    await run.dispose();
  };
  try {
    worker = await startWorker({ ...run.env, WATERMARK_IDLE_MS: '1000' });
    await waitUntilJoined(worker);
    await produceRaw(
      run.topics.events,
      asMessages([
        dispatched(LATE, ENFORCEMENT, {
          address: `泰达街道第三大街12号，联系电话${PHONE}`,
          content: `夜间施工噪音，身份证12010119900307123X`,
        }),
        dispatched(OTHER_UNIT, COMMUNITY),
        dispatched(WITHDRAWN, ENFORCEMENT),
        ...ordinaryOrder('TJ-CON-1', ENFORCEMENT, '2024-01-10'),
        ...ordinaryOrder('TJ-CON-2', COMMUNITY, '2024-02-06', 'basically_satisfied'),
        ...ordinaryOrder('TJ-CON-3', ENFORCEMENT, '2024-03-06', 'dissatisfied'),
        ...ordinaryOrder('TJ-CON-4', COMMUNITY, '2024-03-07'),
      ]),
    );
    const fired = async (order: string) =>
      waitFor(`accept_overdue of ${order}`, async () => {
        const { rows } = await run.sql.query<{ status: string }>(
          `SELECT status FROM escalations WHERE work_order_id = $1 AND kind = 'accept_overdue'`,
          [order],
        );
        return rows[0]?.status === 'open' ? true : undefined;
      });
    await Promise.all([fired(LATE), fired(OTHER_UNIT), fired(WITHDRAWN)]);
    await produceRaw(
      run.topics.events,
      asMessages([anEvent('accepted', WITHDRAWN, '2024-03-05T09:58:00', {}, { sequence: 2 })]),
    );
    await waitFor('the withdrawal', async () => {
      const { rows } = await run.sql.query<{ status: string }>(
        `SELECT status FROM escalations WHERE work_order_id = $1 AND kind = 'accept_overdue'`,
        [WITHDRAWN],
      );
      return rows[0]?.status === 'withdrawn' ? true : undefined;
    });
    api = await startWorker(
      { DATABASE_URL: run.db.url, JWT_SECRET: secret, MIGRATE_ON_START: 'false' },
      'api',
    );
    const base = `http://127.0.0.1:${api.port}`;
    await waitFor('the API', async () => ((await fetch(`${base}/health`)).ok ? true : undefined));
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
    const token = (role: Role, unitId?: string) =>
      signAccessToken(
        { subject: `${unitId ?? role}-person`, role, unitId, ttlSeconds: 3600, now: new Date() },
        secret,
      );
    return { run, base, browser, token, dispose };
  } catch (error) {
    await dispose();
    throw error;
  }
}

export interface FirstPageLoad {
  /** From navigation to the mark the inbox sets when its first escalations are on screen. */
  usableMs: number;
  /** The page's JavaScript, gzipped. */
  jsBytes: number;
}

/**
 * Cold loads of a supervisor's first page (no cache: the API answers `no-store`), each in a new
 * browser context, measured in the page.
 */
export async function firstPageLoads(
  scenario: ConsoleScenario,
  count: number,
): Promise<FirstPageLoad[]> {
  const link = `${scenario.base}/console/#token=${await scenario.token('supervisor')}`;
  const loads: FirstPageLoad[] = [];
  for (let i = 0; i < count; i += 1) {
    const context = await scenario.browser.newContext({ viewport: { width: 1366, height: 768 } });
    const page = await context.newPage();
    const scripts: Promise<number>[] = [];
    page.on('response', (res) => {
      if (res.request().resourceType() === 'script') {
        scripts.push(res.body().then((body) => gzipSync(body).length));
      }
    });
    await page.goto(link);
    await openRows(page, LATE, '超时未接单').waitFor();
    const usableMs = await page.evaluate<number>(
      `performance.getEntriesByName('hotline:first-page-usable')[0].startTime`,
    );
    const jsBytes = (await Promise.all(scripts)).reduce((a, b) => a + b, 0);
    loads.push({ usableMs, jsBytes });
    await context.close();
  }
  return loads;
}
