import { Random, WeightedTable } from './random';

const draw = (random: Random, n: number) => Array.from({ length: n }, () => random.nextUint32());

describe('Random (xoshiro128**)', () => {
  it('replays the same numbers for the same seed, stream and index', () => {
    expect(draw(Random.derive(7, 3, 12), 50)).toEqual(draw(Random.derive(7, 3, 12), 50));
  });

  it.each([
    ['seed', [7, 3, 12], [8, 3, 12]],
    ['stream', [7, 3, 12], [7, 4, 12]],
    ['index', [7, 3, 12], [7, 3, 13]],
    ['high bits of the seed', [7, 3, 12], [7 + 2 ** 32, 3, 12]],
  ] as const)('gives unrelated numbers when the %s differs', (_, a, b) => {
    const x = draw(Random.derive(a[0], a[1], a[2]), 50);
    const y = new Set(draw(Random.derive(b[0], b[1], b[2]), 50));
    expect(x.filter((v) => y.has(v))).toEqual([]);
  });

  it('stays in [0, 1) and is roughly uniform', () => {
    const random = Random.derive(1, 1);
    const buckets = new Array<number>(10).fill(0);
    for (let i = 0; i < 100_000; i += 1) {
      const x = random.next();
      expect(x >= 0 && x < 1).toBe(true);
      buckets[Math.floor(x * 10)]! += 1;
    }
    for (const count of buckets) expect(Math.abs(count - 10_000)).toBeLessThan(500);
  });

  it('draws integers in [min, max) and log-uniform values in range', () => {
    const random = Random.derive(2, 1);
    const ints = new Set(Array.from({ length: 1000 }, () => random.int(3, 6)));
    expect([...ints].sort()).toEqual([3, 4, 5]);
    for (let i = 0; i < 1000; i += 1) {
      const v = random.logBetween(10, 1000);
      expect(v >= 10 && v < 1000).toBe(true);
    }
  });
});

describe('WeightedTable', () => {
  it('picks in proportion to the weights and never a zero-weight item', () => {
    const table = WeightedTable.of({ a: 1, b: 3, never: 0 });
    const random = Random.derive(3, 1);
    const counts = { a: 0, b: 0, never: 0 };
    for (let i = 0; i < 40_000; i += 1) counts[table.pick(random)] += 1;
    expect(counts.never).toBe(0);
    expect(counts.b / counts.a).toBeGreaterThan(2.8);
    expect(counts.b / counts.a).toBeLessThan(3.2);
  });

  it('refuses empty tables and bad weights', () => {
    expect(() => new WeightedTable([], [])).toThrow(RangeError);
    expect(() => new WeightedTable(['a'], [-1])).toThrow(RangeError);
    expect(() => new WeightedTable(['a'], [0])).toThrow(RangeError);
  });
});
