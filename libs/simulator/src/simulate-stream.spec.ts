import { resolve } from 'node:path';
import { loadConfig } from '@hotline/platform';
import { loadSimulationData } from './load-simulation-data';
import { simulateStream, simulateYear } from './simulate';

const data = loadSimulationData(
  loadConfig({ CONFIG_DIR: resolve(__dirname, '../../../config') }).files,
);

describe('simulateStream', () => {
  it('yields the same events in the same order as simulateYear', () => {
    const options = { ...data, seed: 9, year: 2024, orders: 2000 };
    const streamed = [...simulateStream(options)];
    expect(streamed).toEqual(simulateYear(options).events);
  });

  it('stays in time order for a bigger run over synthetic units, and yields every order', () => {
    let previous = -Infinity;
    let outOfOrder = 0;
    let orders = 0;
    for (const event of simulateStream({
      ...data,
      seed: 10,
      year: 2025,
      orders: 30_000,
      units: 300,
    })) {
      const ms = Date.parse(event.occurredAt);
      if (ms < previous) outOfOrder += 1;
      previous = ms;
      if (event.type === 'dispatched' && event.sequence === 1) orders += 1;
    }
    expect(outOfOrder).toBe(0);
    expect(orders).toBe(30_000);
  });

  it('is lazy: the first events come before the year is generated', () => {
    const stream = simulateStream({ ...data, seed: 1, year: 2024, orders: 5_000_000 });
    const first = stream.next();
    expect(first.done).toBe(false);
    expect(first.value?.type).toBe('dispatched');
    expect(first.value?.occurredAt.startsWith('2024-01-01')).toBe(true);
    stream.return();
  });
});
