/**
 * The handling units orders go to: the organisation's units (config/organisation.json), each
 * given a kind from its id, plus synthetic units when a bigger run asks for more of them
 * (`units: 500` for a city-sized stream). Within a kind, units differ in size: a fixed weight
 * per unit derived from its position, so the same unit is always big or small.
 */
import type { Category, Urgency } from '@hotline/core';
import { Random, WeightedTable } from './random';
import {
  SYNTHETIC_UNIT_KIND_CYCLE,
  UNIT_KINDS,
  UNIT_KIND_BY_CATEGORY,
  UNIT_KIND_BY_URGENCY,
  type UnitKind,
} from './traffic-mix';

export interface SimulatedUnit {
  id: string;
  name: string;
  kind: UnitKind;
}

/** The kind a configured unit plays, from the words in its id; a community otherwise. */
export function unitKindOf(unitId: string): UnitKind {
  if (/enforcement|执法/.test(unitId)) return 'enforcement';
  if (/property|物业/.test(unitId)) return 'property';
  if (/utility|公用/.test(unitId)) return 'utility';
  if (/service|便民/.test(unitId)) return 'service';
  return 'community';
}

/**
 * The configured units, cut to `count` or extended with synthetic ones (`sim-unit-00011` …,
 * kinds in SYNTHETIC_UNIT_KIND_CYCLE).
 */
export function resolveUnits(
  configured: readonly { id: string; name: string }[],
  count: number = configured.length,
): SimulatedUnit[] {
  const units: SimulatedUnit[] = configured
    .slice(0, count)
    .map((u) => ({ id: u.id, name: u.name, kind: unitKindOf(u.id) }));
  for (let n = units.length + 1; units.length < count; n += 1) {
    const kind =
      SYNTHETIC_UNIT_KIND_CYCLE[(n - 1) % SYNTHETIC_UNIT_KIND_CYCLE.length] ?? 'community';
    const id = `sim-unit-${String(n).padStart(5, '0')}`;
    units.push({ id, name: `模拟承办单位${n}`, kind });
  }
  return units;
}

/** Picks a unit for an order by category and urgency; built once per simulation. */
export class UnitDirectory {
  private readonly byKind = new Map<UnitKind, WeightedTable<SimulatedUnit>>();
  private readonly kindTables = new Map<string, WeightedTable<UnitKind> | null>();
  private readonly anyUnit: WeightedTable<SimulatedUnit>;

  constructor(readonly units: readonly SimulatedUnit[]) {
    if (units.length === 0) throw new RangeError('the simulation needs at least one unit');
    const sizeOf = (index: number) => 0.6 + 0.8 * Random.derive(0, 0x5153, index).next();
    for (const kind of UNIT_KINDS) {
      const members = units.map((u, i) => ({ u, i })).filter(({ u }) => u.kind === kind);
      if (members.length > 0) {
        this.byKind.set(
          kind,
          new WeightedTable(
            members.map(({ u }) => u),
            members.map(({ i }) => sizeOf(i)),
          ),
        );
      }
    }
    this.anyUnit = new WeightedTable(
      units,
      units.map((_, i) => sizeOf(i)),
    );
  }

  pick(random: Random, category: Category, urgency: Urgency): SimulatedUnit {
    const kind = this.kindTable(category, urgency)?.pick(random);
    const table = kind === undefined ? this.anyUnit : this.byKind.get(kind);
    return (table ?? this.anyUnit).pick(random);
  }

  /** Another unit for a re-dispatch (改派): never the one that returned the order, if there is another. */
  pickOther(random: Random, category: Category, urgency: Urgency, notId: string): SimulatedUnit {
    if (this.units.length === 1) return this.units[0] as SimulatedUnit;
    for (let attempt = 0; attempt < 8; attempt += 1) {
      const unit = this.pick(random, category, urgency);
      if (unit.id !== notId) return unit;
    }
    const others = this.units.filter((u) => u.id !== notId);
    return random.pick(others);
  }

  /** The kind distribution for (category, urgency), restricted to kinds that have units. */
  private kindTable(category: Category, urgency: Urgency): WeightedTable<UnitKind> | undefined {
    const key = `${category}|${urgency}`;
    const known = this.kindTables.get(key);
    if (known !== undefined) return known ?? undefined;
    const weights = UNIT_KIND_BY_URGENCY[urgency] ?? UNIT_KIND_BY_CATEGORY[category];
    const kinds = UNIT_KINDS.filter((k) => this.byKind.has(k) && weights[k] > 0);
    const table =
      kinds.length === 0
        ? undefined
        : new WeightedTable(
            kinds,
            kinds.map((k) => weights[k]),
          );
    this.kindTables.set(key, table ?? null);
    return table;
  }
}
