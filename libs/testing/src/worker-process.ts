/**
 * Runs the real worker as a child process (so tests can SIGKILL it) and talks to its HTTP port.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';

const ROOT = resolve(__dirname, '../../..');
/** Stops a started process when the test process goes away without stopping it. */
export const EXIT_WITH_PARENT = join(ROOT, 'libs', 'testing', 'exit-with-parent.cjs');

/**
 * How a test starts an app: with the node options production gives its role, from `dist/` when
 * TEST_APPS_FROM_DIST=1 (`npm test` builds the apps
 * first and sets it: a process then starts in about half a second of CPU, not three compiling
 * TypeScript), else from source with ts-node (a single `npx jest` run, always current).
 */
function appArguments(app: string): string[] {
  return [...productionNodeOptions(app), '-r', EXIT_WITH_PARENT, ...entryArguments(app)];
}

/**
 * The options production starts the role with (config/node-options/<role>), so tests and
 * benchmarks run as it runs; none when the role has no file.
 */
export function productionNodeOptions(app: string): string[] {
  const file = join(ROOT, 'config', 'node-options', app);
  return existsSync(file) ? readFileSync(file, 'utf8').trim().split(/\s+/).filter(Boolean) : [];
}

/**
 * The environment production starts the role with (config/node-options/<role>.env, one line of
 * NAME=value words): defaults, under what the caller set, as scripts/node-role.sh applies them
 * (worker-process.spec.ts checks that the two agree); none when the role has no file.
 */
export function productionNodeEnv(app: string): Record<string, string> {
  const file = join(ROOT, 'config', 'node-options', `${app}.env`);
  if (!existsSync(file)) return {};
  const words = readFileSync(file, 'utf8').trim().split(/\s+/).filter(Boolean);
  return Object.fromEntries(
    words.map((word) => {
      const at = word.indexOf('=');
      if (at <= 0) throw new Error(`${file}: ${JSON.stringify(word)} is not NAME=value`);
      return [word.slice(0, at), word.slice(at + 1)];
    }),
  );
}

function entryArguments(app: string): string[] {
  if (process.env.TEST_APPS_FROM_DIST !== '1') {
    return [
      '-r',
      'ts-node/register/transpile-only',
      '-r',
      'tsconfig-paths/register',
      `apps/${app}/src/main.ts`,
    ];
  }
  const main = join(ROOT, 'dist', 'apps', app, 'src', 'main.js');
  if (!existsSync(main)) {
    throw new Error(`TEST_APPS_FROM_DIST=1 but ${main} is missing: run \`npm run build\``);
  }
  return [main];
}

export function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolvePort(port));
    });
  });
}

export interface WorkerProcess {
  port: number;
  child: ChildProcess;
  output: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  health: () => Promise<{ status: number; body: HealthBody }>;
  metric: (name: string) => Promise<number>;
  /** SIGTERM and wait for a graceful exit. */
  stop: () => Promise<void>;
}

export interface HealthBody {
  /** `ok`, `starting` (the consumer is joining its group) or `degraded`. */
  status: string;
  live: boolean;
  ready: boolean;
  broker: {
    status: 'unknown' | 'reachable' | 'unreachable';
    since: string | null;
    lastError: string | null;
  };
  consumer: {
    status: string;
    /** From the broker: each partition's end minus the group's committed offset (null: not asked yet). */
    lag: number | null;
    restarts: number;
    pausedPartitions: { partition: number; offset: string; since: string | null; error: string }[];
    /** The slowest partition's effective watermark (ISO 8601 with the zone's offset). */
    eventTimeWatermark: string | null;
    watermarks: {
      partition: number;
      watermark: string | null;
      mode: 'none' | 'event_time' | 'live' | 'idle';
    }[];
    lastError: string | null;
  };
  database: { status: string };
  calendar: {
    officialThrough: string;
    provisional: { from: string; to: string; rule: string } | null;
    coverageThrough: string;
    daysLeft: number;
    officialDaysLeft: number;
    openOrdersOnProvisionalDays: number | null;
    openOrdersWithUnavailableDeadlines: number | null;
  };
}

/** Starts `apps/<app>/src/main.ts` with the given environment (on top of the test's own). */
export async function startWorker(
  env: Record<string, string>,
  app = 'worker',
): Promise<WorkerProcess> {
  const port = await freePort();
  const child = spawn(process.execPath, appArguments(app), {
    cwd: ROOT,
    env: {
      ...productionNodeEnv(app),
      ...process.env,
      KAFKAJS_NO_PARTITIONER_WARNING: '1',
      LOG_LEVEL: 'warn',
      KAFKA_SESSION_TIMEOUT_MS: '6000',
      WORKER_PORT: String(port),
      API_PORT: String(port),
      NOTIFIER_PORT: String(port),
      TS_NODE_PROJECT: resolve(ROOT, 'tsconfig.json'),
      ...env,
    },
    // The IPC channel tells the process when the test process is gone (exit-with-parent.cjs).
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((done) =>
    child.once('exit', (code, signal) => done({ code, signal })),
  );
  const base = `http://127.0.0.1:${port}`;
  const health = async () => {
    const res = await fetch(`${base}/health`);
    return { status: res.status, body: (await res.json()) as HealthBody };
  };
  const metric = async (name: string) => {
    const text = await (await fetch(`${base}/metrics`)).text();
    let sum = 0;
    for (const line of text.split('\n')) {
      if (line.startsWith(`${name} `) || line.startsWith(`${name}{`))
        sum += Number(line.split(' ').pop());
    }
    return sum;
  };
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
  };
  return { port, child, output: () => output, exited, health, metric, stop };
}

/** Polls `check` until it returns a value (not undefined) or the time runs out. */
export async function waitFor<T>(
  what: string,
  check: () => Promise<T | undefined>,
  timeoutMs = 60000,
  intervalMs = 200,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (error) {
      lastError = error;
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
  throw new Error(
    `timed out waiting for ${what}${lastError instanceof Error ? `: ${lastError.message}` : ''}`,
  );
}

/** Waits until the worker answers /health with its consumer joined. */
export async function waitUntilJoined(worker: WorkerProcess, timeoutMs = 60000): Promise<void> {
  await waitFor(
    `worker to join its group\n${worker.output()}`,
    async () => {
      if (worker.child.exitCode !== null) throw new Error(`worker exited:\n${worker.output()}`);
      const { body } = await worker.health();
      return body.consumer.status === 'joined' ? true : undefined;
    },
    timeoutMs,
  );
}
