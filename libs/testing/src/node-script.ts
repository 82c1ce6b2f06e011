import { spawnSync } from 'node:child_process';

/**
 * Runs `script` in a plain node process with the project's TypeScript loaders, from the project's
 * root: where Node's own module cache is in force, as in production, and not a test runner's
 * registry. Returns what it wrote.
 */
export function runNodeScript(script: string): { stdout: string; stderr: string } {
  const run = spawnSync(
    process.execPath,
    ['-r', 'ts-node/register/transpile-only', '-r', 'tsconfig-paths/register', '-e', script],
    { encoding: 'utf8', cwd: process.cwd() },
  );
  return { stdout: run.stdout, stderr: run.stderr };
}
