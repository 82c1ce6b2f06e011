/**
 * A process a test started stops when the test process is killed without stopping it: here a
 * parent started with an IPC channel, as startWorker starts the apps, starts a child with the
 * preload and is then SIGKILLed; the child, which would run forever, is gone soon after.
 */
import { spawn } from 'node:child_process';
import { EXIT_WITH_PARENT } from './worker-process';

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

async function waitUntil(check: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (check()) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return check();
}

describe('a process started for a test', () => {
  it.each([
    ['stops on SIGTERM', 'setInterval(() => {}, 1000)'],
    [
      'is stopped by force when SIGTERM does not stop it',
      "process.on('SIGTERM', () => {}); setInterval(() => {}, 1000)",
    ],
  ])(
    '%s once the process that started it is killed',
    async (_, program) => {
      // The parent prints its child's pid and waits; the child runs `program` with the preload.
      const parent = spawn(
        process.execPath,
        [
          '-e',
          `const c = require('node:child_process').spawn(process.execPath, ['-r', ${JSON.stringify(EXIT_WITH_PARENT)}, '-e', ${JSON.stringify(program)}], { stdio: ['ignore', 'ignore', 'ignore', 'ipc'] });
         console.log(c.pid); setInterval(() => {}, 1000);`,
        ],
        { stdio: ['ignore', 'pipe', 'inherit'] },
      );
      const childPid = await new Promise<number>((resolve) =>
        parent.stdout.once('data', (chunk: Buffer) => resolve(Number(chunk.toString().trim()))),
      );
      expect(alive(childPid)).toBe(true);
      // It does not stop on its own while its parent lives.
      expect(await waitUntil(() => !alive(childPid), 500)).toBe(false);
      parent.kill('SIGKILL');
      expect(await waitUntil(() => !alive(childPid), 15_000)).toBe(true);
    },
    30_000,
  );
});
