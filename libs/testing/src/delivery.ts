/**
 * How a stream of events really reaches the worker, as pure, seeded transforms of an in-order
 * stream: some orders' events out of place (a bridge retrying an order, an export sorted by
 * order), some messages delivered twice (a producer retry, a replayed range). The same seed gives
 * the same delivery, so a failing run can be replayed.
 */
import { Random } from '@hotline/simulator';

/** Random streams of this module (Random.derive's `stream`): one per transform. */
const STREAMS = { permute: 0x7e57_0001, duplicate: 0x7e57_0002 } as const;

/**
 * Picks `fraction` of the orders (rounded, at least one when the fraction is positive) and
 * shuffles the positions their items occupy among themselves: each picked order's items land in
 * slots the picked orders held, so some arrive early and some late, and every other item keeps
 * its place. Returns a new array with the same items.
 */
export function permuteOrders<T>(
  items: readonly T[],
  orderOf: (item: T) => string,
  fraction: number,
  seed: number,
): T[] {
  const random = Random.derive(seed, STREAMS.permute);
  const orders = [...new Set(items.map(orderOf))];
  const picked = new Set(sample(orders, countOf(orders.length, fraction), random));
  const slots = items.flatMap((item, i) => (picked.has(orderOf(item)) ? [i] : []));
  const moved = shuffle(
    slots.map((i) => items[i] as T),
    random,
  );
  const result = [...items];
  slots.forEach((slot, k) => (result[slot] = moved[k] as T));
  return result;
}

/**
 * Sends `fraction` of the items (rounded, at least one when the fraction is positive) a second
 * time, each copy at a random later point of the stream (right after its original at the
 * earliest, after the last item at the latest). The originals keep their relative order.
 */
export function duplicateSome<T>(items: readonly T[], fraction: number, seed: number): T[] {
  const random = Random.derive(seed, STREAMS.duplicate);
  const indices = items.map((_, i) => i);
  const copiesAfter = new Map<number, T[]>();
  for (const i of sample(indices, countOf(items.length, fraction), random)) {
    const after = random.int(i, items.length);
    copiesAfter.set(after, [...(copiesAfter.get(after) ?? []), items[i] as T]);
  }
  return items.flatMap((item, i) => [item, ...(copiesAfter.get(i) ?? [])]);
}

function countOf(total: number, fraction: number): number {
  if (fraction <= 0 || total === 0) return 0;
  return Math.min(total, Math.max(1, Math.round(total * fraction)));
}

/** `count` distinct items, in the order drawn (a partial Fisher–Yates shuffle). */
function sample<T>(items: readonly T[], count: number, random: Random): T[] {
  return shuffle(items, random, count).slice(0, count);
}

/** Fisher–Yates; with `count`, only the first `count` places are drawn. */
function shuffle<T>(items: readonly T[], random: Random, count = items.length): T[] {
  const result = [...items];
  for (let i = 0; i < Math.min(count, result.length - 1); i += 1) {
    const j = random.int(i, result.length);
    [result[i], result[j]] = [result[j] as T, result[i] as T];
  }
  return result;
}
