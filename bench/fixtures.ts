/**
 * What the benchmarks share: set-wise fills (a million rows with one `generate_series` insert, so a
 * benchmark spends its minutes measuring, not loading), and the compiled apps as child processes.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { freePort, productionNodeEnv, productionNodeOptions, waitFor } from '@hotline/testing';
import type { DataSource } from 'typeorm';

/** The street's units (config/organisation.json), so filters hit realistic slices of the table. */
export const BENCH_UNITS = [
  'teda-enforcement',
  'teda-property-group',
  'teda-utility-group',
  'teda-service-center',
  'teda-community-1',
  'teda-community-2',
  'teda-community-3',
  'teda-community-4',
  'teda-community-5',
  'teda-community-6',
] as const;

/** A folded order to copy into every filler row (its `workOrderId` replaced per row). */
export interface TemplateOrder {
  state: unknown;
  deadlines: unknown;
  profileId: string | null;
  profileVersion: string | null;
}

/** The stored state of one real order, to copy into filler rows. */
export async function templateOrder(ds: DataSource, workOrderId: string): Promise<TemplateOrder> {
  const [row] = await ds.query<
    {
      state: unknown;
      deadlines: unknown;
      profile_id: string | null;
      profile_version: string | null;
    }[]
  >(
    `SELECT state, deadlines, profile_id, profile_version FROM work_orders WHERE work_order_id = $1`,
    [workOrderId],
  );
  if (!row) throw new Error(`no work order ${workOrderId} to copy`);
  return {
    state: row.state,
    deadlines: row.deadlines,
    profileId: row.profile_id,
    profileVersion: row.profile_version,
  };
}

const EMPTY_TEMPLATE: TemplateOrder = {
  state: {},
  deadlines: null,
  profileId: null,
  profileVersion: null,
};

/**
 * `count` open orders (`BG00000001`…), in progress at the community units, received over the past
 * 30 days, whose next due instants lie 7 to ~19 days ahead: the haystack a sweep must not wade
 * through and a worker must not hold in memory.
 */
export async function fillOpenOrders(
  ds: DataSource,
  count: number,
  template: TemplateOrder = EMPTY_TEMPLATE,
): Promise<void> {
  await ds.query(
    `INSERT INTO work_orders (work_order_id, status, unit_id, category, urgency, state, deadlines,
                              profile_id, profile_version, event_count, received_at,
                              source_partition)
     SELECT id, 'in_progress', 'teda-community-' || (g % 6 + 1), 'help', 'normal',
            CASE WHEN $2::jsonb ? 'workOrderId' THEN jsonb_set($2::jsonb, '{workOrderId}', to_jsonb(id))
                 ELSE $2::jsonb END,
            $3::jsonb, $4, $5, 1,
            now() - interval '30 days' + (g::float8 / $1) * interval '30 days', 0
       FROM generate_series(1, $1) AS g, LATERAL (SELECT 'BG' || lpad(g::text, 8, '0') AS id) AS i`,
    [
      count,
      JSON.stringify(template.state),
      JSON.stringify(template.deadlines),
      template.profileId,
      template.profileVersion,
    ],
  );
  await ds.query(
    `INSERT INTO work_order_due (work_order_id, next_due_at)
     SELECT 'BG' || lpad(g::text, 8, '0'), now() + interval '7 days' + (g % 100000) * interval '10 seconds'
       FROM generate_series(1, $1) AS g`,
    [count],
  );
  await ds.query('ANALYZE work_orders, work_order_due');
}

/**
 * `count` orders (`BH00000001`…) received evenly over the year before `until`, across the street's
 * units, in the proportions of a year's history: three in four closed, the rest open with a due instant in
 * the coming weeks.
 */
export async function fillOrderHistory(
  ds: DataSource,
  count: number,
  until: Date,
  template: TemplateOrder = EMPTY_TEMPLATE,
): Promise<void> {
  await ds.query(
    `INSERT INTO work_orders (work_order_id, status, unit_id, category, urgency, state, deadlines,
                              profile_id, profile_version, event_count, received_at, closed_at,
                              source_partition)
     SELECT id, s.status, ($6::text[])[g % array_length($6::text[], 1) + 1], 'complaint', 'normal',
            CASE WHEN $2::jsonb ? 'workOrderId'
                 THEN jsonb_set(jsonb_set($2::jsonb, '{workOrderId}', to_jsonb(id)), '{status}', to_jsonb(s.status))
                 ELSE $2::jsonb END,
            $3::jsonb, $4, $5, 5, r.received_at,
            CASE WHEN s.status = 'closed' THEN r.received_at + interval '3 days' END,
            0
       FROM generate_series(1, $1) AS g,
            LATERAL (SELECT 'BH' || lpad(g::text, 8, '0') AS id,
                            $7::timestamptz - interval '365 days' + (g::float8 / $1) * interval '365 days' AS received_at) AS r,
            LATERAL (SELECT (ARRAY['closed', 'closed', 'closed', 'closed', 'closed', 'closed', 'closed',
                                   'closed', 'closed', 'in_progress', 'replied', 'dispatched'])[g % 12 + 1]
                            AS status) AS s`,
    [
      count,
      JSON.stringify(template.state),
      JSON.stringify(template.deadlines),
      template.profileId,
      template.profileVersion,
      [...BENCH_UNITS],
      until,
    ],
  );
  // The open ones have a due instant in the coming weeks.
  await ds.query(
    `INSERT INTO work_order_due (work_order_id, next_due_at)
     SELECT work_order_id, $1::timestamptz + (substr(work_order_id, 3)::int % 100000) * interval '20 seconds'
       FROM work_orders WHERE work_order_id LIKE 'BH%' AND status <> 'closed'`,
    [until],
  );
  await ds.query('ANALYZE work_orders, work_order_due');
}

const ROOT = resolve(__dirname, '..');

export interface CompiledApp {
  pid: number;
  port: number;
  base: string;
  /** The node options it was started with (config/node-options/<app>). */
  nodeOptions: readonly string[];
  /** The environment it was started with on top of the benchmark's (config/node-options/<app>.env). */
  nodeEnv: Readonly<Record<string, string>>;
  output: () => string;
  /** The sum of a Prometheus metric's samples on /metrics. */
  metric: (name: string) => Promise<number>;
  /** SIGTERM and wait for the exit. */
  stop: () => Promise<void>;
}

/**
 * Starts `dist/apps/<app>/src/main.js` (`npm run build` first) from the repository root on a free
 * loopback port and waits until it answers on /health: plain node with the role's production node
 * options (config/node-options/<app>, as arguments, as the image starts it), so its memory and
 * latency are the product's, not the TypeScript compiler's.
 */
export async function startCompiledApp(
  app: 'worker' | 'api',
  env: Record<string, string>,
): Promise<CompiledApp> {
  const main = resolve(ROOT, `dist/apps/${app}/src/main.js`);
  if (!existsSync(main)) throw new Error(`${main} is missing: run npm run build first`);
  const port = await freePort();
  const nodeOptions = productionNodeOptions(app);
  const nodeEnv = productionNodeEnv(app);
  const child = spawn(process.execPath, [...nodeOptions, main], {
    cwd: ROOT,
    env: {
      ...nodeEnv,
      ...process.env,
      KAFKAJS_NO_PARTITIONER_WARNING: '1',
      KAFKA_SESSION_TIMEOUT_MS: '6000',
      LOG_LEVEL: 'warn',
      HOST: '127.0.0.1',
      [app === 'worker' ? 'WORKER_PORT' : 'API_PORT']: String(port),
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  const base = `http://127.0.0.1:${port}`;
  const metric = async (name: string) => {
    const text = await (await fetch(`${base}/metrics`)).text();
    let sum = 0;
    for (const line of text.split('\n')) {
      if (line.startsWith(`${name} `) || line.startsWith(`${name}{`)) {
        sum += Number(line.split(' ').pop());
      }
    }
    return sum;
  };
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
  };
  try {
    await waitFor(
      `${app} to answer /health`,
      async () => {
        if (child.exitCode !== null) throw new Error(`${app} exited:\n${output}`);
        await fetch(`${base}/health`); // any answer: listening (a worker's may still be joining)
        return true;
      },
      60_000,
    );
  } catch (error) {
    await stop();
    throw error;
  }
  return { pid: child.pid!, port, base, nodeOptions, nodeEnv, output: () => output, metric, stop };
}

/** VmRSS (resident now) and VmHWM (peak resident) of a process, in MiB. */
export function residentMemory(pid: number | 'self'): { rssMiB: number; peakMiB: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = (field: string) =>
    Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1]);
  return { rssMiB: kib('VmRSS') / 1024, peakMiB: kib('VmHWM') / 1024 };
}

/** Linux's clock ticks per second (USER_HZ) on its x86 and arm64 builds: /proc/<pid>/stat's unit. */
const TICKS_PER_SECOND = 100;

/**
 * CPU milliseconds (user + system) in a `/proc/<pid>/stat` line; `withChildren`: with its reaped
 * children's too. After the command come state, ppid, …: utime, stime, cutime, cstime are the
 * line's fields 14–17.
 */
export function statCpuMs(stat: string, { withChildren = false } = {}): number {
  const fields = stat.slice(stat.lastIndexOf(') ') + 2).split(' ');
  const ticks = fields
    .slice(11, withChildren ? 15 : 13)
    .reduce((sum, field) => sum + Number(field), 0);
  return (ticks * 1000) / TICKS_PER_SECOND;
}

/**
 * CPU milliseconds this process and every PostgreSQL server process on the machine have used so far
 * (user + system, from /proc): the background writers count too, and a server process that ended
 * still counts, in its parent's time for reaped children. `postgres` is null when no PostgreSQL
 * process is visible here (another machine or namespace, or no /proc). The machine's changes of
 * speed move CPU spent about as much as the wall clock: compare runs taken in alternation.
 */
export function cpuNow(): { process: number; postgres: number | null } {
  const usage = process.cpuUsage();
  let postgres: number | null = null;
  let entries: string[] = [];
  try {
    entries = readdirSync('/proc');
  } catch {
    // Not Linux.
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      if (!stat.slice(0, stat.lastIndexOf(') ')).endsWith('(postgres')) continue;
      postgres = (postgres ?? 0) + statCpuMs(stat, { withChildren: true });
    } catch {
      // Ended just now.
    }
  }
  return { process: (usage.user + usage.system) / 1000, postgres };
}
