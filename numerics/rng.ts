/**
 * Seeded pseudo-random numbers: all randomness in the suite flows from an explicit seed.
 *
 * The generator is xoshiro128** (Blackman and Vigna, 2018) seeded through splitmix32; doubles take
 * 53 random bits from two outputs.
 *
 * @module
 */

/** Hashes a string to a 32-bit unsigned integer (FNV-1a followed by a murmur3 finaliser). */
export function hashString(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return fmix32(h);
}

/**
 * Mixes a 32-bit integer: murmur3's finaliser (its avalanche step).
 *
 * @param h The integer.
 * @returns The mixed value, unsigned.
 */
export function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/**
 * Derives a seed from named parts, e.g. `deriveSeed("regmix-pile/pile-cc@1", 3)`.
 *
 * @example
 * ```ts
 * import { deriveSeed } from "./rng.ts";
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * assertEquals(deriveSeed("task", 1), deriveSeed("task", 1));
 * ```
 * @param parts Strings and integers that identify the random stream.
 * @returns A 32-bit unsigned seed.
 */
export function deriveSeed(...parts: readonly (string | number)[]): number {
  return hashString(parts.map(String).join("\u241f"));
}

/** A seeded generator of uniform, normal and integer variates. */
export class Rng {
  #s0: number;
  #s1: number;
  #s2: number;
  #s3: number;

  /**
   * Creates a generator from a 32-bit seed.
   *
   * @example
   * ```ts
   * import { Rng } from "./rng.ts";
   * import { deepStrictEqual as assertEquals } from "node:assert/strict";
   * assertEquals(new Rng(7).next(), new Rng(7).next());
   * ```
   * @param seed Any integer; only its low 32 bits are used.
   */
  constructor(seed: number) {
    let x = seed >>> 0;
    const mix = (): number => {
      x = (x + 0x9e3779b9) >>> 0;
      let z = x;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
      return (z ^ (z >>> 16)) >>> 0;
    };
    // The state words are kept as signed 32-bit integers (the same bits): V8 then holds them
    // as small integers in the object instead of boxed doubles.
    this.#s0 = mix() | 0;
    this.#s1 = mix() | 0;
    this.#s2 = mix() | 0;
    this.#s3 = mix() | 0;
    if ((this.#s0 | this.#s1 | this.#s2 | this.#s3) === 0) this.#s0 = 1;
  }

  /** Returns the next 32-bit unsigned integer. */
  nextUint32(): number {
    const result = Math.imul(rotl(Math.imul(this.#s1, 5), 7), 9) >>> 0;
    const t = this.#s1 << 9;
    this.#s2 ^= this.#s0;
    this.#s3 ^= this.#s1;
    this.#s1 ^= this.#s2;
    this.#s0 ^= this.#s3;
    this.#s2 ^= t;
    this.#s3 = rotl(this.#s3, 11);
    return result;
  }

  /** Returns a uniform double in [0, 1) with 53 random bits. */
  next(): number {
    // nextUint32() twice, written out on local copies of the state (as in fill()).
    let s0 = this.#s0, s1 = this.#s1, s2 = this.#s2, s3 = this.#s3;
    const hi = Math.imul(rotl(Math.imul(s1, 5), 7), 9) >>> 5;
    let t = s1 << 9;
    s2 ^= s0;
    s3 ^= s1;
    s1 ^= s2;
    s0 ^= s3;
    s2 ^= t;
    s3 = rotl(s3, 11);
    const lo = Math.imul(rotl(Math.imul(s1, 5), 7), 9) >>> 6;
    t = s1 << 9;
    s2 ^= s0;
    s3 ^= s1;
    s1 ^= s2;
    s0 ^= s3;
    s2 ^= t;
    this.#s0 = s0;
    this.#s1 = s1;
    this.#s2 = s2;
    this.#s3 = rotl(s3, 11);
    return (hi * 67108864 + lo) / 9007199254740992;
  }

  /**
   * Writes `next()` draws into `out[from..to)`: the same values, in the same order, as that many
   * calls of `next()`, and the stream continues after them (one loop over the state instead of
   * two calls per draw).
   *
   * @example
   * ```ts
   * import { Rng } from "./rng.ts";
   * import { deepStrictEqual as assertEquals } from "node:assert/strict";
   * const a = new Rng(3), b = new Rng(3);
   * const out = new Float64Array(4);
   * a.fill(out, 1, 3);
   * assertEquals(Array.from(out), [0, b.next(), b.next(), 0]);
   * assertEquals(a.next(), b.next());
   * ```
   * @param out Destination.
   * @param from First index written. @default {0}
   * @param to Index after the last one written. @default {out.length}
   */
  fill(out: Float64Array, from = 0, to: number = out.length): void {
    let s0 = this.#s0, s1 = this.#s1, s2 = this.#s2, s3 = this.#s3;
    for (let i = from; i < to; i++) {
      // nextUint32() twice, as next() does.
      const hi = Math.imul(rotl(Math.imul(s1, 5), 7), 9) >>> 5;
      let t = s1 << 9;
      s2 ^= s0;
      s3 ^= s1;
      s1 ^= s2;
      s0 ^= s3;
      s2 ^= t;
      s3 = rotl(s3, 11);
      const lo = Math.imul(rotl(Math.imul(s1, 5), 7), 9) >>> 6;
      t = s1 << 9;
      s2 ^= s0;
      s3 ^= s1;
      s1 ^= s2;
      s0 ^= s3;
      s2 ^= t;
      s3 = rotl(s3, 11);
      out[i] = (hi * 67108864 + lo) / 9007199254740992;
    }
    this.#s0 = s0;
    this.#s1 = s1;
    this.#s2 = s2;
    this.#s3 = s3;
  }

  /**
   * The generator's state: four 32-bit words (signed). Two generators with equal states give
   * the same stream; reading the state draws nothing.
   *
   * @example
   * ```ts
   * import { Rng } from "./rng.ts";
   * import { deepStrictEqual as assertEquals, notDeepStrictEqual } from "node:assert/strict";
   * const a = new Rng(5), b = new Rng(5);
   * assertEquals(a.state(), b.state());
   * a.next();
   * notDeepStrictEqual(a.state(), b.state());
   * ```
   * @returns The state words.
   */
  state(): readonly [number, number, number, number] {
    return [this.#s0, this.#s1, this.#s2, this.#s3];
  }

  /** Returns a uniform integer in [0, n). */
  int(n: number): number {
    if (!Number.isInteger(n) || n <= 0) {
      throw new RangeError(`Cannot draw an integer below "${n}": expected a positive integer`);
    }
    return Math.floor(this.next() * n);
  }

  /** Returns a standard normal variate (Box–Muller, one of the pair). */
  normal(): number {
    let u = 0;
    while (u === 0) u = this.next();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * this.next());
  }

  /** Returns a new generator seeded from this one and a label, leaving this stream usable. */
  fork(label: string | number): Rng {
    return new Rng(deriveSeed(this.nextUint32(), label));
  }

  /** Shuffles an array in place (Fisher–Yates) and returns it. */
  shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const tmp = items[i]!;
      items[i] = items[j]!;
      items[j] = tmp;
    }
    return items;
  }
}

/** Rotates the 32 bits of x left by k (a signed 32-bit result; `>>> 0` reads it unsigned). */
function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}
