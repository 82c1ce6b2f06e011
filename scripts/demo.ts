/**
 * The main job at this stage: start the worker and the API on local Kafka and PostgreSQL, feed
 * them the sample file of contract events, and print what was ingested.
 *
 *   npm run demo                 keeps the API running until Ctrl-C
 *   npm run demo -- --exit       exits once the report is printed
 *   npm run demo -- --file F     another JSON-lines file of contract events
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { resolveDatabase } from '@hotline/persistence';
import { createKafka, loadConfig } from '@hotline/platform';
import { Client } from 'pg';

const ROOT = resolve(__dirname, '..');
const args = process.argv.slice(2);
const exitWhenDone = args.includes('--exit') || !process.stdout.isTTY;
const fileArg = args.indexOf('--file');
const sampleFile = resolve(
  fileArg >= 0 && args[fileArg + 1]
    ? args[fileArg + 1]!
    : 'config/samples/hotline-events.sample.jsonl',
);

const say = (line = '') => process.stdout.write(`${line}\n`);

function start(app: 'worker' | 'api', env: Record<string, string>): ChildProcess {
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
      say(`${app} exited unexpectedly (${signal ?? code})`);
      process.exit(1);
    }
  });
  return child;
}

async function poll<T>(
  what: string,
  check: () => Promise<T | undefined>,
  timeoutMs = 120_000,
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

let stopping = false;

async function main(): Promise<void> {
  const config = loadConfig();
  say('hotline supervision demo');
  const database = await resolveDatabase(config.databaseUrl, config.databaseName, (l) =>
    say(`  ${l}`),
  );
  say(
    `  PostgreSQL: ${database.source} (${new URL(database.url).host}${new URL(database.url).pathname})`,
  );
  say(`  Kafka: ${config.kafka.brokers.join(',')}`);
  const env = { DATABASE_URL: database.url, LOG_LEVEL: 'warn' };
  const children = [start('worker', env), start('api', env)];
  const shutdown = async () => {
    stopping = true;
    for (const c of children) c.kill('SIGTERM');
    await Promise.all(
      children.map((c) => new Promise((r) => (c.exitCode !== null ? r(null) : c.once('exit', r)))),
    );
    await database.stop();
  };
  process.once('SIGINT', () => void shutdown().then(() => process.exit(0)));

  const { workerPort, apiPort } = config.http;
  await poll('the worker', async () => {
    const res = await fetch(`http://127.0.0.1:${workerPort}/health`);
    return res.ok ? true : undefined;
  });
  await poll('the API', async () =>
    (await fetch(`http://127.0.0.1:${apiPort}/health`)).ok ? true : undefined,
  );
  say(`  worker http://127.0.0.1:${workerPort}/health · API http://127.0.0.1:${apiPort}`);

  const lines = readFileSync(sampleFile, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '');
  const consumedBefore = await metric(workerPort, 'hotline_events_consumed_total');
  const kafka = createKafka({ brokers: config.kafka.brokers, clientId: 'hotline-demo' });
  const producer = kafka.producer();
  await producer.connect();
  await producer.send({
    topic: config.kafka.topics.events,
    messages: lines.map((value) => {
      // The key is the workOrderId; a line that is not JSON goes in unkeyed (the worker dead-letters it).
      try {
        return { key: (JSON.parse(value) as { workOrderId?: string }).workOrderId ?? null, value };
      } catch {
        return { key: null, value };
      }
    }),
  });
  await producer.disconnect();
  say(`  produced ${lines.length} messages from ${sampleFile}`);
  await poll('the worker to read them all', async () =>
    (await metric(workerPort, 'hotline_events_consumed_total')) - consumedBefore >= lines.length
      ? true
      : undefined,
  );

  const sql = new Client({ connectionString: database.url });
  await sql.connect();
  const { rows: byStatus } = await sql.query<{ status: string; n: number }>(
    'SELECT status, count(*)::int AS n FROM work_orders GROUP BY status ORDER BY status',
  );
  const { rows: byUnit } = await sql.query<{ unit_id: string; n: number }>(
    'SELECT unit_id, count(*)::int AS n FROM work_orders GROUP BY unit_id ORDER BY n DESC, unit_id',
  );
  const { rows: sample } = await sql.query<{ work_order_id: string }>(
    'SELECT work_order_id FROM work_orders ORDER BY work_order_id LIMIT 1',
  );
  await sql.end();
  say('');
  say('ingested');
  say(`  events applied        ${await metric(workerPort, 'hotline_events_applied_total')}`);
  say(`  duplicates ignored    ${await metric(workerPort, 'hotline_events_duplicate_total')}`);
  say(
    `  dead-lettered         ${await metric(workerPort, 'hotline_events_rejected_total')}  (topic ${config.kafka.topics.deadLetter})`,
  );
  say('orders by status');
  for (const r of byStatus) say(`  ${r.status.padEnd(20)}  ${r.n}`);
  say('orders by unit');
  for (const r of byUnit) say(`  ${(r.unit_id ?? '-').padEnd(20)}  ${r.n}`);
  const id = sample[0]?.work_order_id;
  if (id) say(`\ntry: curl -s http://127.0.0.1:${apiPort}/work-orders/${id}`);
  say(
    `     curl -s http://127.0.0.1:${workerPort}/health ; curl -s http://127.0.0.1:${workerPort}/metrics`,
  );

  if (exitWhenDone) {
    await shutdown();
    say('\ndemo finished; worker and API stopped');
    return;
  }
  say('\nworker and API keep running; Ctrl-C stops them');
}

main().catch((error: unknown) => {
  process.stderr.write(`demo failed: ${String((error as Error).stack ?? error)}\n`);
  process.exit(1);
});
