/**
 * The main job: a simulated year of a street's 12345 traffic through the whole product.
 *
 * Starts the worker and the API on local Kafka and PostgreSQL (the embedded server where none is
 * configured), publishes a seeded year of contract events, shows progress while the worker reads
 * them, waits for supervision to settle, and prints the year's report. Then it leaves the API
 * running and prints a token and URLs to try, or exits when asked to.
 *
 *   npm run demo                         TEDA Street's year: 11,229 orders in 2024, seed 2024
 *   npm run demo -- --exit               exit once the report is printed (also when not on a terminal)
 *   npm run demo -- --orders 500 --seed 7 --year 2025
 *
 * Each run uses a fresh database (`hotline_demo`, unless DATABASE_URL is set) and fresh topics.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import {
  createDatabase,
  databaseUrl,
  dropDatabase,
  postgresClientConfig,
  resolvePostgresAdminUrl,
} from '@hotline/platform/postgres';
import {
  DEVELOPMENT_JWT_SECRET,
  createKafka,
  createProducer,
  ensureTopics,
  loadConfig,
  signAccessToken,
} from '@hotline/platform';
import { unitsNeedingAttention } from '@hotline/core';
import { loadSimulationData, publishEvents, simulateStream } from '@hotline/simulator';
import { Client } from 'pg';

const ROOT = resolve(__dirname, '..');
const { values } = parseArgs({
  options: {
    exit: { type: 'boolean', default: false },
    orders: { type: 'string', default: '11229' },
    seed: { type: 'string', default: '2024' },
    year: { type: 'string', default: '2024' },
  },
  strict: true,
});
const interactive = process.stdout.isTTY && !values.exit;
const orders = Number(values.orders);
const seed = Number(values.seed);
const year = Number(values.year);

const say = (line = '') => process.stdout.write(`${line}\n`);
const grouped = (n: number) => Math.round(n).toLocaleString('en-US');
let lastStatusAt = 0;
function status(line: string, force = false): void {
  if (process.stdout.isTTY) {
    process.stdout.write(`\r${line.padEnd(110)}`);
  } else if (force || Date.now() - lastStatusAt > 2000) {
    lastStatusAt = Date.now();
    say(line);
  }
}
function bar(fraction: number, width = 30): string {
  const filled = Math.round(Math.min(1, Math.max(0, fraction)) * width);
  return `[${'█'.repeat(filled)}${'░'.repeat(width - filled)}] ${(fraction * 100).toFixed(0).padStart(3)}%`;
}

let stopping = false;
function start(app: 'worker' | 'api' | 'notifier', env: Record<string, string>): ChildProcess {
  const child = spawn(
    process.execPath,
    [
      '-r',
      'ts-node/register/transpile-only',
      '-r',
      'tsconfig-paths/register',
      `apps/${app}/src/main.ts`,
    ],
    { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'inherit'] },
  );
  child.once('exit', (code, signal) => {
    if (!stopping) {
      say(`\n${app} exited unexpectedly (${signal ?? code})`);
      process.exit(1);
    }
  });
  return child;
}

async function poll<T>(
  what: string,
  check: () => Promise<T | undefined>,
  timeoutMs = 300_000,
): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await check().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

async function metric(port: number, name: string): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  return text
    .split('\n')
    .filter((l) => l.startsWith(`${name} `) || l.startsWith(`${name}{`))
    .reduce((sum, l) => sum + Number(l.split(' ').pop()), 0);
}

function runReport(env: Record<string, string>): Promise<void> {
  return new Promise((done, fail) => {
    const child = spawn(
      process.execPath,
      [
        '-r',
        'ts-node/register/transpile-only',
        '-r',
        'tsconfig-paths/register',
        'scripts/report.ts',
        '--year',
        String(year),
      ],
      { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'inherit', 'inherit'] },
    );
    child.once('exit', (code) =>
      code === 0 ? done() : fail(new Error(`report exited with ${code}`)),
    );
  });
}

interface UnitFigures {
  key: string;
  received: number;
  satisfactionRate: number | null;
  onTimeCompletionRate: number | null;
  overdueOpen: number;
  escalationsTotal: number;
}

async function main(): Promise<void> {
  if (
    !Number.isSafeInteger(orders) ||
    orders < 1 ||
    !Number.isSafeInteger(seed) ||
    !Number.isSafeInteger(year)
  ) {
    throw new Error('--orders, --seed and --year are integers (orders ≥ 1)');
  }
  const config = loadConfig();
  const runId = Date.now().toString(36);
  say(`12345 hotline supervision demo · ${grouped(orders)} orders in ${year}, seed ${seed}`);

  // A fresh database for the run, on the configured, local or embedded server.
  let dbUrl = config.databaseUrl;
  let stopDatabase = () => Promise.resolve();
  if (!dbUrl) {
    const admin = await resolvePostgresAdminUrl({ log: (line) => say(`  ${line}`) });
    await dropDatabase(admin.url, 'hotline_demo');
    await createDatabase(admin.url, 'hotline_demo');
    dbUrl = databaseUrl(admin.url, 'hotline_demo');
    stopDatabase = () => admin.stop();
    say(`  PostgreSQL: ${admin.source} server, database hotline_demo (fresh)`);
  } else {
    say(`  PostgreSQL: DATABASE_URL`);
  }
  const topics = {
    EVENTS_TOPIC: `demo-${runId}.hotline.workorder.events`,
    DLQ_TOPIC: `demo-${runId}.hotline.workorder.events.dlq`,
    ESCALATIONS_TOPIC: `demo-${runId}.hotline.supervision.escalations`,
  };
  const kafka = createKafka({
    brokers: config.kafka.brokers,
    clientId: 'hotline-demo',
    security: config.kafka.security,
  });
  await ensureTopics(kafka, Object.values(topics), 3);
  say(`  Kafka: ${config.kafka.brokers.join(',')}, topics demo-${runId}.*`);

  const env = {
    DATABASE_URL: dbUrl,
    LOG_LEVEL: 'warn',
    KAFKA_GROUP_ID: `demo-${runId}`,
    // The year is published in one go: a few seconds after it has been read, nothing older is on
    // its way, and the wall clock may take over (a live deployment waits 5 minutes).
    WATERMARK_IDLE_MS: process.env.WATERMARK_IDLE_MS ?? '5000',
    ...topics,
  };
  // The notifier tells people of escalations; with no channel secrets set every channel is off
  // (its /health lists them), and last year's changes are older than NOTIFIER_MAX_CHANGE_AGE_HOURS.
  const children = [
    start('worker', env),
    start('api', env),
    start('notifier', { ...env, NOTIFIER_GROUP_ID: `demo-${runId}-notifier` }),
  ];
  const shutdown = async () => {
    stopping = true;
    for (const c of children) c.kill('SIGTERM');
    await Promise.all(
      children.map((c) => new Promise((r) => (c.exitCode !== null ? r(null) : c.once('exit', r)))),
    );
    await stopDatabase();
  };
  process.once('SIGINT', () => void shutdown().then(() => process.exit(0)));

  const { workerPort, apiPort } = config.http;
  await poll('the worker', async () =>
    (await fetch(`http://127.0.0.1:${workerPort}/health`)).ok ? true : undefined,
  );
  await poll('the API', async () =>
    (await fetch(`http://127.0.0.1:${apiPort}/health`)).ok ? true : undefined,
  );
  const notifierPort = config.notifier.port;
  await poll('the notifier', async () =>
    (await fetch(`http://127.0.0.1:${notifierPort}/health/live`)).ok ? true : undefined,
  );
  say(
    `  worker, API and notifier up (http://127.0.0.1:${workerPort}, http://127.0.0.1:${apiPort}, http://127.0.0.1:${notifierPort}/health)`,
  );
  say('');

  // Publish the simulated year as fast as possible while the worker reads it.
  const data = loadSimulationData(config.files);
  const producer = createProducer(kafka);
  await producer.connect();
  let published = 0;
  let publishing = true;
  const began = Date.now();
  const publication = publishEvents(simulateStream({ seed, year, orders, ...data }), {
    producer,
    topic: topics.EVENTS_TOPIC,
    batchSize: 2000,
    progressEveryMs: 200,
    onProgress: (p) => {
      published = p.published;
    },
  }).finally(() => {
    publishing = false;
  });
  let consumed = 0;
  let eventTime = '';
  while (publishing || consumed < published) {
    await new Promise((r) => setTimeout(r, 250));
    consumed = await metric(workerPort, 'hotline_events_consumed_total').catch(() => consumed);
    // How far the worker has read in event time: its watermark.
    const health = (await (
      await fetch(`http://127.0.0.1:${workerPort}/health`)
    )
      .json()
      .catch(() => ({}))) as {
      consumer?: { eventTimeWatermark?: string | null };
    };
    eventTime = health.consumer?.eventTimeWatermark?.slice(0, 10) ?? eventTime;
    if (published === 0) continue;
    const rate = consumed / Math.max(0.001, (Date.now() - began) / 1000);
    const total = publishing ? published * 1.02 : published;
    status(
      `${bar(consumed / total)}  ${grouped(consumed)}/${grouped(published)} events read · reached ${eventTime || '…'} · ${grouped(rate)}/s`,
    );
  }
  await publication;
  await producer.disconnect();
  const seconds = (Date.now() - began) / 1000;
  status(
    `${bar(1)}  ${grouped(consumed)} events read in ${seconds.toFixed(1)} s (${grouped(consumed / seconds)}/s)`,
    true,
  );
  if (process.stdout.isTTY) say('');

  // Let supervision settle: nothing due left to sweep, every escalation message published.
  const sql = new Client(postgresClientConfig(dbUrl, config.db.connection));
  await sql.connect();
  await poll('supervision to settle', async () => {
    const { rows } = await sql.query<{ due: number; unpublished: number }>(
      `SELECT (SELECT count(*)::int FROM work_order_due WHERE next_due_at <= now()) AS due,
              (SELECT count(*)::int FROM outbox WHERE published_at IS NULL) AS unpublished`,
    );
    const r = rows[0]!;
    status(
      `supervision: ${grouped(r.due)} orders due to sweep, ${grouped(r.unpublished)} messages to publish`,
    );
    return r.due === 0 && r.unpublished === 0 ? true : undefined;
  });
  const { rows: tally } = await sql.query<{ escalations: number; open: number; dead: number }>(
    `SELECT (SELECT count(*)::int FROM escalations) AS escalations,
            (SELECT count(*)::int FROM escalations WHERE status IN ('open', 'acknowledged')) AS open,
            (SELECT count(*)::int FROM outbox WHERE topic = $1) AS dead`,
    [topics.DLQ_TOPIC],
  );
  await sql.end();
  status(
    `supervision settled: ${grouped(tally[0]!.escalations)} escalations, ${grouped(tally[0]!.open)} still open; ` +
      `${grouped(await metric(workerPort, 'hotline_events_rejected_total'))} messages dead-lettered`,
    true,
  );
  if (process.stdout.isTTY) say('');
  say('');

  await runReport({ DATABASE_URL: dbUrl });

  // The units that need attention, from the API as a supervisor sees it.
  const token = await signAccessToken(
    { subject: 'demo-supervisor', role: 'supervisor', ttlSeconds: 8 * 3600, now: new Date() },
    config.auth.jwtSecret ?? DEVELOPMENT_JWT_SECRET,
  );
  const api = `http://127.0.0.1:${apiPort}`;
  const summary = (await (
    await fetch(`${api}/statistics/summary?from=${year}-01-01&to=${year}-12-31&groupBy=unit`, {
      headers: { authorization: `Bearer ${token}` },
    })
  ).json()) as { groups: UnitFigures[]; total: UnitFigures };
  const attention = unitsNeedingAttention(summary.groups, summary.total);
  say('');
  say(
    '需要关注的单位 (units that need attention: below the street on satisfaction or on-time completion, or with overdue orders)',
  );
  for (const g of attention) {
    say(
      `  ${g.key.padEnd(24)} 满意率 ${g.satisfactionRate?.toFixed(2) ?? '—'}%  按期办结率 ${g.onTimeCompletionRate?.toFixed(2) ?? '—'}%  超期未办结 ${g.overdueOpen}  督办 ${g.escalationsTotal}`,
    );
  }
  if (attention.length === 0) say('  none: every unit is at or above the street on every rate');

  if (!interactive) {
    await shutdown();
    say('\ndemo finished; worker and API stopped');
    return;
  }
  say('');
  say('The worker and the API keep running; Ctrl-C stops them. The console (督办台), signed in:');
  say(`  ${api}/console/#token=${token}`);
  say('A supervisor token (8 hours):');
  say(`  export TOKEN=${token}`);
  say('Try:');
  say(`  curl -s -H "Authorization: Bearer $TOKEN" '${api}/escalations?status=open&pageSize=5'`);
  say(`  curl -s -H "Authorization: Bearer $TOKEN" '${api}/work-orders?overdue=true&pageSize=5'`);
  say(
    `  curl -s -H "Authorization: Bearer $TOKEN" '${api}/statistics/monthly?month=${year}-03&groupBy=unit'`,
  );
  say(
    `  curl -s -H "Authorization: Bearer $TOKEN" -o report.xlsx '${api}/statistics/monthly.xlsx?month=${year}-03'`,
  );
  say(`  curl -s ${api}/openapi.json · curl -s http://127.0.0.1:${workerPort}/health · /metrics`);
}

main().catch((error: unknown) => {
  process.stderr.write(`\ndemo failed: ${String((error as Error).stack ?? error)}\n`);
  process.exit(1);
});
