import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { productionNodeEnv } from '@hotline/testing';

/** The machine a figure came from: benchmarks are only comparable on the same kind. */
export function machine(): {
  cpus: number;
  cpuModel: string;
  memoryGiB: number;
  node: string;
  nodeOptions: string[];
  /** The variables of the worker's environment file (config/node-options/worker.env) as set here. */
  nodeEnvironment: Record<string, string | null>;
} {
  const list = cpus();
  return {
    cpus: list.length,
    cpuModel: list[0]?.model ?? 'unknown',
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    // The heap limits the benchmark process ran with (the worker's, for the benchmarks that run
    // the worker's code in process): they change its collection costs by tens of percent.
    nodeOptions: [
      ...process.execArgv.filter((a) => a.startsWith('--')),
      ...(process.env.NODE_OPTIONS ?? '').split(/\s+/).filter(Boolean),
    ],
    nodeEnvironment: Object.fromEntries(
      Object.keys(productionNodeEnv('worker')).map((name) => [name, process.env[name] ?? null]),
    ),
  };
}

/** Writes `bench-results/<name>.json` (what `npm run bench` gathers into its table). */
export function writeResult(name: string, result: object): string {
  mkdirSync('bench-results', { recursive: true });
  const path = join('bench-results', `${name}.json`);
  writeFileSync(
    path,
    JSON.stringify({ machine: machine(), at: new Date().toISOString(), ...result }, null, 2),
  );
  return path;
}
