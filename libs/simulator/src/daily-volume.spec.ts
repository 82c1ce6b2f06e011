import { resolve } from 'node:path';
import { loadConfig } from '@hotline/platform';
import { dispatchInstants, planDays } from './daily-volume';
import { loadSimulationData } from './load-simulation-data';

const { calendar } = loadSimulationData(
  loadConfig({ CONFIG_DIR: resolve(__dirname, '../../../config') }).files,
);

describe('planDays', () => {
  it.each([0, 1, 365, 11_229, 3_000_000])(
    'shares %i orders out exactly over the year',
    (orders) => {
      const days = planDays(calendar, 7, 2024, orders);
      expect(days).toHaveLength(366);
      expect(days.reduce((sum, d) => sum + d.orders, 0)).toBe(orders);
    },
  );

  it('gives the quietest days to the Spring Festival and the busiest to working days', () => {
    const days = planDays(calendar, 7, 2024, 100_000);
    const springFestival = days.filter((d) => {
      const day = calendar.describeDay(d.dayOn);
      return day.kind === 'holiday' && day.name === '春节';
    });
    const working = days.filter((d) => calendar.describeDay(d.dayOn).working);
    expect(Math.max(...springFestival.map((d) => d.orders))).toBeLessThan(
      Math.min(...working.map((d) => d.orders)),
    );
  });

  it('names days in the calendar zone: 2024-02-10 starts at 00:00 +08:00', () => {
    const day = planDays(calendar, 7, 2024, 10).find((d) => d.dayOn === '2024-02-10');
    expect(new Date(day!.startMs).toISOString()).toBe('2024-02-09T16:00:00.000Z');
    expect(day!.endMs - day!.startMs).toBe(86_400_000);
  });
});

describe('dispatchInstants', () => {
  it('puts every order inside its day, in time order, on whole seconds', () => {
    const day = planDays(calendar, 7, 2024, 50_000).find((d) => d.dayOn === '2024-03-01')!;
    const instants = dispatchInstants(7, day);
    expect(instants).toHaveLength(day.orders);
    expect(instants.every((ms) => ms >= day.startMs && ms < day.endMs && ms % 1000 === 0)).toBe(
      true,
    );
    expect(instants.every((ms, i) => i === 0 || ms >= instants[i - 1]!)).toBe(true);
  });
});
