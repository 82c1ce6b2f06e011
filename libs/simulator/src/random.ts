/**
 * The simulator's only source of randomness: xoshiro128** (Blackman & Vigna), 32-bit words in
 * plain `number`s with `Math.imul`, seeded through a murmur3-style mix so that nearby seeds and
 * nearby stream indices give unrelated sequences. No `Math.random`: the same seed replays the
 * same year on any machine and Node version.
 *
 * Streams: `Random.derive(seed, stream, index)` gives an independent generator for, say, order
 * 123 of seed 7, so one order's life does not depend on how many numbers other orders drew. That
 * is what lets the streaming generator and the array version produce identical events.
 */

/** murmur3 fmix32: a 32-bit avalanche. */
function fmix32(value: number): number {
  let h = value >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}

export class Random {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  private constructor(key: number) {
    // splitmix32 expands the key into the four state words (never all zero).
    let x = key >>> 0;
    const words: number[] = [];
    for (let i = 0; i < 4; i += 1) {
      x = (x + 0x9e3779b9) >>> 0;
      words.push(fmix32(x));
    }
    this.a = words[0] ?? 1;
    this.b = words[1] ?? 2;
    this.c = words[2] ?? 3;
    this.d = words[3] ?? 4;
    if ((this.a | this.b | this.c | this.d) === 0) this.a = 1;
  }

  /**
   * An independent generator for (seed, stream, index). `seed` is any non-negative safe integer;
   * `stream` names what the numbers are for (a small constant per use), `index` which one.
   */
  static derive(seed: number, stream: number, index = 0): Random {
    const low = seed >>> 0;
    const high = Math.floor(seed / 0x1_0000_0000) >>> 0;
    let h = fmix32(low ^ 0x243f6a88);
    h = fmix32(h ^ Math.imul(high, 0x9e3779b1) ^ 0x85a308d3);
    h = fmix32(h ^ Math.imul(stream >>> 0, 0xcc9e2d51) ^ 0x13198a2e);
    h = fmix32(h ^ Math.imul(index >>> 0, 0x1b873593) ^ 0x03707344);
    h = fmix32(h ^ Math.floor(index / 0x1_0000_0000));
    return new Random(h);
  }

  /** The next 32-bit unsigned integer. */
  nextUint32(): number {
    const result = Math.imul(rotl(Math.imul(this.b, 5) >>> 0, 7), 9) >>> 0;
    const t = (this.b << 9) >>> 0;
    this.c = (this.c ^ this.a) >>> 0;
    this.d = (this.d ^ this.b) >>> 0;
    this.b = (this.b ^ this.c) >>> 0;
    this.a = (this.a ^ this.d) >>> 0;
    this.c = (this.c ^ t) >>> 0;
    this.d = rotl(this.d, 11);
    return result;
  }

  /** Uniform in `[0, 1)`. */
  next(): number {
    return this.nextUint32() / 0x1_0000_0000;
  }

  /** Uniform in `[min, max)`. */
  between(min: number, max: number): number {
    return min + (max - min) * this.next();
  }

  /** Uniform integer in `[min, maxExclusive)`. */
  int(min: number, maxExclusive: number): number {
    return min + Math.floor((maxExclusive - min) * this.next());
  }

  /** True with probability `p`. */
  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new RangeError('cannot pick from an empty list');
    return items[this.int(0, items.length)] as T;
  }

  /** Log-uniform in `[min, max)`: as many values between 1 and 10 minutes as between 1 and 10 hours … */
  logBetween(min: number, max: number): number {
    return Math.exp(this.between(Math.log(min), Math.log(max)));
  }
}

/** A fixed discrete distribution: `pick` returns an index with probability weight ÷ total. */
export class WeightedTable<T> {
  private readonly cumulative: Float64Array;
  private readonly total: number;

  constructor(
    readonly items: readonly T[],
    weights: readonly number[],
  ) {
    if (items.length === 0 || items.length !== weights.length) {
      throw new RangeError('a weighted table needs one weight per item and at least one item');
    }
    this.cumulative = new Float64Array(weights.length);
    let sum = 0;
    weights.forEach((weight, i) => {
      if (!Number.isFinite(weight) || weight < 0) throw new RangeError(`bad weight ${weight}`);
      sum += weight;
      this.cumulative[i] = sum;
    });
    if (sum <= 0) throw new RangeError('a weighted table needs a positive total weight');
    this.total = sum;
  }

  static of<K extends string>(weights: Readonly<Record<K, number>>): WeightedTable<K> {
    const keys = Object.keys(weights) as K[];
    return new WeightedTable(
      keys,
      keys.map((k) => weights[k]),
    );
  }

  pick(random: Random): T {
    const target = random.next() * this.total;
    // Binary search: the first cumulative weight above the target.
    let lo = 0;
    let hi = this.cumulative.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((this.cumulative[mid] as number) > target) hi = mid;
      else lo = mid + 1;
    }
    return this.items[lo] as T;
  }
}
