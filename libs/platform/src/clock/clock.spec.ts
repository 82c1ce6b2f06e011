import { createClock, systemClock } from './clock';

describe('createClock', () => {
  it('is the system clock without a start', () => {
    expect(createClock(undefined)).toBe(systemClock);
  });

  it('starts at the given instant and runs at real speed', async () => {
    const clock = createClock(new Date('2027-01-08T01:00:00Z'));
    const first = clock().getTime();
    expect(first - Date.parse('2027-01-08T01:00:00Z')).toBeLessThan(1000);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(clock().getTime() - first).toBeGreaterThanOrEqual(45);
  });
});
