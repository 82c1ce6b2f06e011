/**
 * `npm run bench`: every benchmark on the real broker and database, one after another (they would
 * disturb each other on 2 cores), BENCH_REPEAT times (default 1), then one table of every figure
 * beside its naive baseline from the same run and its target (bench/summary-table.ts): printed,
 * written to bench-results/summary.json, and written into the README between its bench-table
 * markers. Each run's results are kept in bench-results/runs/<n>/.
 *
 *   npm run bench                  every benchmark once
 *   BENCH_REPEAT=3 npm run bench     three runs: the median run's row and the spread
 *   npm run bench -- --table       the table again from bench-results/runs/, nothing measured
 *
 * Sizes follow the targets by default; BENCH_QUICK=1 shrinks them for a smoke run.
 */
import { spawnSync } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { join, resolve } from 'node:path';
import { productionNodeEnv, productionNodeOptions } from '@hotline/testing';
import { machine, writeResult } from './bench-result';
import { summaryMarkdown, summaryRows, type Json, type Run } from './summary-table';

const ROOT = resolve(__dirname, '..');
const quick = process.env.BENCH_QUICK === '1';
const out = (line = '') => process.stdout.write(`${line}\n`);

/**
 * `worker`: the benchmark runs the worker's code in its own process (ingestion, the sweep, the
 * relay), so it starts with the worker's node options (config/node-options/worker), as the
 * worker does: their heap limits change the collector's cost by tens of percent.
 */
const RUNS: { name: string; script: string; env: Record<string, string>; worker?: true }[] = [
  {
    name: 'ingest',
    script: 'bench/ingest.bench.ts',
    worker: true,
    env: { BENCH_EVENTS: quick ? '50000' : '200000' },
  },
  {
    name: 'deadlines',
    script: 'bench/deadlines.bench.ts',
    env: quick ? { BENCH_ORDERS: '100000' } : {},
  },
  {
    name: 'escalation',
    script: 'bench/escalation.bench.ts',
    worker: true,
    env: quick ? { BENCH_OPEN_ORDERS: '100000', BENCH_RATE_SECONDS: '5' } : {},
  },
  {
    name: 'statistics',
    script: 'bench/statistics.bench.ts',
    env: quick ? { BENCH_ORDERS: '1000000' } : {},
  },
  {
    name: 'memory',
    script: 'bench/worker-memory.bench.ts',
    env: quick ? { BENCH_OPEN_ORDERS: '100000' } : {},
  },
  {
    name: 'api',
    script: 'bench/api-latency.bench.ts',
    env: quick ? { BENCH_OPEN_ORDERS: '100000' } : {},
  },
  {
    name: 'notifications',
    script: 'bench/notifications.bench.ts',
    env: quick ? { BENCH_NOTICES: '500', BENCH_ROBOT_MESSAGES: '12' } : {},
  },
];

const RESULTS = join(ROOT, 'bench-results');
const RUNS_DIR = join(RESULTS, 'runs');
const README = join(ROOT, 'README.md');
const TABLE_START = '<!-- bench-table:start -->';
const TABLE_END = '<!-- bench-table:end -->';

function readJson(path: string): Json | null {
  return existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8')) as Json) : null;
}

/** Every benchmark once; its results copied to bench-results/runs/<round>/. */
function runOnce(round: number, failed: string[]): void {
  const dir = join(RUNS_DIR, String(round));
  mkdirSync(dir, { recursive: true });
  for (const run of RUNS) {
    out(
      `\n=== run ${round}: ${run.name}: ${run.script} ${Object.entries(run.env)
        .map(([k, v]) => `${k}=${v}`)
        .join(' ')}`,
    );
    rmSync(join(RESULTS, `${run.name}.json`), { force: true });
    const result = spawnSync(
      process.execPath,
      [
        ...(run.worker ? productionNodeOptions('worker') : []),
        '-r',
        'ts-node/register/transpile-only',
        '-r',
        'tsconfig-paths/register',
        run.script,
      ],
      {
        cwd: ROOT,
        env: { ...(run.worker ? productionNodeEnv('worker') : {}), ...process.env, ...run.env },
        stdio: 'inherit',
      },
    );
    if (result.status !== 0) failed.push(`${run.name} (run ${round})`);
    const path = join(RESULTS, `${run.name}.json`);
    if (existsSync(path)) copyFileSync(path, join(dir, `${run.name}.json`));
  }
}

/** The runs kept in bench-results/runs/, in order. */
function keptRuns(): Run[] {
  if (!existsSync(RUNS_DIR)) return [];
  return readdirSync(RUNS_DIR)
    .filter((name) => /^\d+$/.test(name))
    .sort((a, b) => Number(a) - Number(b))
    .map((round) =>
      Object.fromEntries(
        RUNS.map((r) => [r.name, readJson(join(RUNS_DIR, round, `${r.name}.json`))]),
      ),
    );
}

/** Replaces the README's table between its markers (left alone when the markers are missing). */
function writeReadme(table: string, runs: Run[]): boolean {
  const readme = readFileSync(README, 'utf8');
  const start = readme.indexOf(TABLE_START);
  const end = readme.indexOf(TABLE_END);
  if (start < 0 || end < start) return false;
  const m = machine();
  const dates = runs
    .flatMap((run) => Object.values(run).map((json) => json?.['at']))
    .filter((at): at is string => typeof at === 'string')
    .sort();
  const when = dates.length ? `${dates[0]!.slice(0, 10)}` : 'unknown date';
  const caption = `${runs.length === 1 ? 'One run' : `${runs.length} runs`} of \`npm run bench\` on ${m.cpus} × ${m.cpuModel}, ${m.memoryGiB} GiB, Node ${m.node}, ${when}${quick ? ' (BENCH_QUICK sizes)' : ''}; regenerated from \`bench-results/runs/\` by \`npm run bench -- --table\`.`;
  writeFileSync(
    README,
    `${readme.slice(0, start + TABLE_START.length)}\n${caption}\n\n${table}\n${readme.slice(end)}`,
  );
  // Laid out as the rest of the README is (the formatting check covers it).
  spawnSync(process.execPath, [require.resolve('prettier/bin/prettier.cjs'), '--write', README], {
    stdio: 'ignore',
  });
  return true;
}

function main(): void {
  const failed: string[] = [];
  if (!process.argv.includes('--table')) {
    const rounds = Math.max(1, Number(process.env.BENCH_REPEAT ?? 1));
    rmSync(RUNS_DIR, { recursive: true, force: true });
    for (let round = 1; round <= rounds; round += 1) runOnce(round, failed);
  }
  const runs = keptRuns();
  if (runs.length === 0) {
    out('no runs in bench-results/runs/: run `npm run bench` first');
    process.exitCode = 1;
    return;
  }
  const rows = summaryRows(runs);
  const table = summaryMarkdown(rows, runs.length);
  const m = machine();
  out(
    `\nBenchmarks on ${m.cpus} × ${m.cpuModel}, ${m.memoryGiB} GiB, Node ${m.node}${quick ? ' (BENCH_QUICK sizes)' : ''}, ${runs.length} run(s)`,
  );
  out(table);
  out(`\nwritten ${writeResult('summary', { quick, runs: runs.length, failed, rows })}`);
  if (writeReadme(table, runs)) out('written README.md (the benchmark table)');
  if (failed.length > 0) {
    out(`failed: ${failed.join(', ')}`);
    process.exitCode = 1;
  }
}

main();
