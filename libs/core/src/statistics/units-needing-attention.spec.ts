import { unitsNeedingAttention } from './units-needing-attention';

const unit = (key: string, s: number | null, c: number | null, overdueOpen = 0) => ({
  key,
  satisfactionRate: s,
  onTimeCompletionRate: c,
  overdueOpen,
});

describe('units that need attention', () => {
  const total = { satisfactionRate: 94, onTimeCompletionRate: 90 };

  it('names the units below the street, worst first, at most three', () => {
    const named = unitsNeedingAttention(
      [
        unit('a', 95, 91),
        unit('b', 90, 90),
        unit('c', 94, 80),
        unit('d', 94, 90, 2),
        unit('e', 93, 89),
      ],
      total,
    );
    expect(named.map((g) => [g.key, g.score])).toEqual([
      ['c', 10],
      ['b', 4],
      ['d', 2],
    ]);
  });

  it('counts a rate with nothing to rate as 100, so it never weighs against a unit', () => {
    expect(unitsNeedingAttention([unit('a', null, null)], total)).toEqual([]);
  });
});
