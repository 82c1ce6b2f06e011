import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { productionNodeEnv, productionNodeOptions } from './worker-process';

const ROOT = resolve(__dirname, '..', '..', '..');

/** What node sees when scripts/node-role.sh starts it for `role`: its environment and options. */
function startedByLauncher(role: string): { env: Record<string, string>; execArgv: string[] } {
  const run = spawnSync(
    'sh',
    [
      'scripts/node-role.sh',
      role,
      '-e',
      'process.stdout.write(JSON.stringify({ env: process.env, execArgv: process.execArgv }))',
    ],
    // An environment without the variables the files set: what comes back is what they set.
    { cwd: ROOT, encoding: 'utf8', env: { PATH: process.env.PATH } },
  );
  expect(run.stderr).toBe('');
  return JSON.parse(run.stdout) as { env: Record<string, string>; execArgv: string[] };
}

describe('a role started as production starts it', () => {
  it('gets the same environment and node options from scripts/node-role.sh as tests and benchmarks give it', () => {
    const launched = startedByLauncher('worker');
    const env = productionNodeEnv('worker');
    expect(Object.keys(env).length).toBeGreaterThan(0);
    expect(launched.env).toMatchObject(env);
    expect(launched.execArgv.slice(0, -2)).toEqual(productionNodeOptions('worker'));
  });

  it('keeps a variable the caller set over the file’s default, as the tests’ processes do', () => {
    const [name] = Object.keys(productionNodeEnv('worker'));
    const run = spawnSync(
      'sh',
      ['scripts/node-role.sh', 'worker', '-e', `process.stdout.write(process.env.${name})`],
      { cwd: ROOT, encoding: 'utf8', env: { PATH: process.env.PATH, [name!]: 'the operator’s' } },
    );
    expect(run.stdout).toBe('the operator’s');
  });

  it.each([['a b'], ['../worker'], ['']])('refuses the role %j', (role) => {
    const run = spawnSync('sh', ['scripts/node-role.sh', role, '-e', '1'], {
      cwd: ROOT,
      encoding: 'utf8',
    });
    expect(run.status).toBe(64);
    expect(run.stderr).toContain('a role is');
  });

  it('starts a role without files with neither', () => {
    const launched = startedByLauncher('no-such-role');
    expect(productionNodeEnv('no-such-role')).toEqual({});
    expect(productionNodeOptions('no-such-role')).toEqual([]);
    expect(launched.execArgv).toEqual(['-e', expect.any(String)]);
    expect(launched.env).not.toHaveProperty('MALLOC_ARENA_MAX');
  });
});
