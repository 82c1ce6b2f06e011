import { createLogger } from '@hotline/platform';
import { sweepAgain, type SweepOutcome } from './due-instants.sweeper';
import { PeriodicTask } from './periodic-task';

const NOW = new Date('2024-03-04T09:00:00Z');
const logger = createLogger('silent', 'sweep-loop-spec');

function outcome(claimed: number, lookAgainAt: Date | null): SweepOutcome {
  return {
    claimed,
    created: 0,
    advanced: 0,
    resolved: 0,
    withdrawn: 0,
    firedAt: [],
    lookAgainAt,
    phaseMs: {},
  };
}

const after = (ms: number) => new Date(NOW.getTime() + ms);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('when the sweep loop sweeps again', () => {
  it.each([
    ['a full batch: more may be due, at once', outcome(500, null), true],
    ['nothing claimed and nothing scheduled: after the idle pause', outcome(0, null), false],
    ['nothing claimed, the next due instant in 30 ms: then', outcome(0, after(30)), 30],
    [
      'nothing claimed, the next one already due (locked by the other loop): shortly',
      outcome(0, after(-3)),
      5,
    ],
    ['some claimed, the next one became due meanwhile: at once', outcome(3, after(-1)), true],
    ['some claimed, the next one in 8 ms: then', outcome(3, after(8)), 8],
  ])('%s', (_, swept, expected) => {
    expect(sweepAgain(swept, 500, NOW)).toBe(expected);
  });
});

describe('a periodic task', () => {
  it('runs at once when woken during its idle pause', async () => {
    let runs = 0;
    const task = new PeriodicTask('t', () => Promise.resolve((runs += 1) < 0), 60_000, logger);
    task.start();
    await sleep(20);
    expect(runs).toBe(1);
    task.wake();
    await sleep(20);
    expect(runs).toBe(2);
    await task.stop();
  });

  it('runs again right after the step in flight when woken during it', async () => {
    let runs = 0;
    let release: () => void = () => undefined;
    const task = new PeriodicTask(
      't',
      () => {
        runs += 1;
        return runs === 1
          ? new Promise<boolean>((r) => (release = () => r(false)))
          : Promise.resolve(false);
      },
      60_000,
      logger,
    );
    task.start();
    await sleep(20);
    task.wake();
    release();
    await sleep(20);
    expect(runs).toBe(2);
    await task.stop();
  });

  it('waits the delay the step names when it is shorter than the idle pause', async () => {
    const at: number[] = [];
    const task = new PeriodicTask(
      't',
      () => Promise.resolve(at.push(Date.now()) < 2 ? 30 : false),
      60_000,
      logger,
    );
    task.start();
    // The second run comes after the step's 30 ms, not the idle pause's 60 s; a loaded machine may
    // be late to it, so it is waited for (up to 5 s) rather than looked for after a fixed sleep.
    for (let waited = 0; at.length < 2 && waited < 5_000; waited += 10) await sleep(10);
    await task.stop();
    expect(at).toHaveLength(2);
    expect(at[1]! - at[0]!).toBeGreaterThanOrEqual(25);
  });
});
