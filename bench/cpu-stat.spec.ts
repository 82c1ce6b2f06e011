import { statCpuMs } from './fixtures';

// A /proc/<pid>/stat line: pid, (command), state, ppid, … utime stime cutime cstime (fields 14–17).
const stat = (command: string, [utime, stime, cutime, cstime]: number[]) =>
  `4242 (${command}) S 1 4242 4242 0 -1 4194560 100 0 0 0 ${utime} ${stime} ${cutime} ${cstime} 20 0 1 0`;

describe('the CPU in a /proc stat line', () => {
  it.each([
    ['postgres', [150, 50, 0, 0], false, 2000],
    ['postgres', [150, 50, 300, 100], true, 6000],
    ['postgres', [150, 50, 300, 100], false, 2000],
    // A command may hold spaces and ") ": the fields are read after its last ") ".
    ['odd) name (x', [7, 3, 1, 1], false, 100],
  ])('%s %j, with children %s: %d ms', (command, ticks, withChildren, ms) => {
    expect(statCpuMs(stat(command, ticks), { withChildren })).toBe(ms);
  });
});
