import fc from 'fast-check';
import { duplicateSome, permuteOrders } from './delivery';

interface Item {
  order: string;
  n: number;
}

/** A stream of 0–300 items over up to 40 orders, numbered in stream order. */
const stream = fc
  .array(fc.integer({ min: 0, max: 39 }), { maxLength: 300 })
  .map((orders) => orders.map((o, n): Item => ({ order: `O${o}`, n })));
const seed = fc.nat();
const fraction = fc.double({ min: 0, max: 1, noNaN: true });
const orderOf = (item: Item) => item.order;
const sortedNumbers = (items: readonly Item[]) => items.map((i) => i.n).sort((a, b) => a - b);

describe('permuteOrders', () => {
  it('keeps every item once, and every order it did not pick in its place', () => {
    fc.assert(
      fc.property(stream, fraction, seed, (items, f, s) => {
        const permuted = permuteOrders(items, orderOf, f, s);
        expect(sortedNumbers(permuted)).toEqual(sortedNumbers(items));
        const moved = new Set(permuted.filter((item, i) => item !== items[i]).map(orderOf));
        permuted.forEach((item, i) => {
          if (!moved.has(item.order)) expect(item).toBe(items[i]);
          // A picked order's items only take slots that picked orders held.
          else expect(moved.has(items[i]!.order)).toBe(true);
        });
      }),
    );
  });

  it('picks the fraction of orders asked for, and the same ones for the same seed', () => {
    const items = Array.from({ length: 1000 }, (_, n): Item => ({ order: `O${n % 100}`, n }));
    const permuted = permuteOrders(items, orderOf, 0.05, 11);
    const touched = new Set(permuted.filter((item, i) => item !== items[i]).map(orderOf));
    expect(touched.size).toBeGreaterThan(0);
    expect(touched.size).toBeLessThanOrEqual(5);
    expect(permuteOrders(items, orderOf, 0.05, 11)).toEqual(permuted);
    expect(permuteOrders(items, orderOf, 0.05, 12)).not.toEqual(permuted);
    expect(permuteOrders(items, orderOf, 0, 11)).toEqual(items);
  });
});

describe('duplicateSome', () => {
  it('keeps the originals in order and sends each copy after its original', () => {
    fc.assert(
      fc.property(stream, fraction, seed, (items, f, s) => {
        const delivered = duplicateSome(items, f, s);
        const seen = new Set<Item>();
        const firsts: Item[] = [];
        for (const item of delivered) {
          if (seen.has(item)) continue;
          seen.add(item);
          firsts.push(item);
        }
        expect(firsts).toEqual(items);
        const asked = f === 0 || items.length === 0 ? 0 : Math.max(1, Math.round(items.length * f));
        expect(delivered.length - items.length).toBe(asked);
        // No item is sent more than twice.
        const counts = new Map<Item, number>();
        for (const item of delivered) counts.set(item, (counts.get(item) ?? 0) + 1);
        expect([...counts.values()].every((n) => n <= 2)).toBe(true);
      }),
    );
  });

  it('sends 3% of 1000 messages twice, the same ones for the same seed', () => {
    const items = Array.from({ length: 1000 }, (_, n): Item => ({ order: `O${n % 100}`, n }));
    const delivered = duplicateSome(items, 0.03, 5);
    expect(delivered).toHaveLength(1030);
    expect(duplicateSome(items, 0.03, 5)).toEqual(delivered);
    expect(duplicateSome(items, 0.03, 6)).not.toEqual(delivered);
  });
});
