import { Random } from './random';
import { resolveUnits, UnitDirectory, unitKindOf } from './simulation-units';

const configured = [
  { id: 'teda-enforcement', name: '泰达街综合执法大队' },
  { id: 'teda-property-group', name: '泰达街物业服务集团' },
  { id: 'teda-utility-group', name: '泰达街公用事业集团' },
  { id: 'teda-service-center', name: '泰达街便民服务中心' },
  { id: 'teda-community-1', name: '第一社区' },
];

describe('units', () => {
  it.each([
    ['teda-enforcement', 'enforcement'],
    ['teda-property-group', 'property'],
    ['teda-utility-group', 'utility'],
    ['teda-service-center', 'service'],
    ['teda-community-1', 'community'],
    ['something-else', 'community'],
  ])('reads the kind of %s from its id: %s', (id, kind) => {
    expect(unitKindOf(id)).toBe(kind);
  });

  it('adds synthetic units after the configured ones, or keeps the first N', () => {
    const many = resolveUnits(configured, 12);
    expect(many.map((u) => u.id).slice(0, 6)).toEqual([
      ...configured.map((u) => u.id),
      'sim-unit-00006',
    ]);
    expect(new Set(many.map((u) => u.id)).size).toBe(12);
    expect(resolveUnits(configured, 2).map((u) => u.id)).toEqual([
      'teda-enforcement',
      'teda-property-group',
    ]);
  });

  it('sends water, power, gas and heating to the utility group, reports mostly to enforcement', () => {
    const directory = new UnitDirectory(resolveUnits(configured));
    const random = Random.derive(1, 1);
    const count = (pick: () => string, id: string) =>
      Array.from({ length: 2000 }, pick).filter((u) => u === id).length;
    expect(
      count(() => directory.pick(random, 'help', 'utility').id, 'teda-utility-group'),
    ).toBeGreaterThan(1200);
    expect(
      count(() => directory.pick(random, 'report', 'normal').id, 'teda-enforcement'),
    ).toBeGreaterThan(1200);
  });

  it('re-dispatches to another unit, and works with a single unit', () => {
    const directory = new UnitDirectory(resolveUnits(configured));
    const random = Random.derive(2, 1);
    for (let i = 0; i < 200; i += 1) {
      expect(directory.pickOther(random, 'report', 'normal', 'teda-enforcement').id).not.toBe(
        'teda-enforcement',
      );
    }
    const single = new UnitDirectory(resolveUnits(configured, 1));
    expect(single.pick(random, 'praise', 'normal').id).toBe('teda-enforcement');
  });
});
