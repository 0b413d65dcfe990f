/**
 * Mixture validation and simple simplex geometry.
 *
 * @module
 */

import { InvalidMixtureError } from "./errors.ts";
import type { Mixture } from "./types.ts";

/** Tolerance on the sum of a proposed mixture. */
export const SUM_TOLERANCE = 1e-6;

/**
 * Checks that a method's mixture is a point of the simplex with `m` domains and returns it
 * renormalised to sum exactly to 1 (up to floating point).
 *
 * @example
 * ```ts
 * import { validateMixture } from "./mixture.ts";
 * import { throws as assertThrows } from "node:assert/strict";
 * validateMixture([0.5, 0.5], 2, "demo");
 * assertThrows(() => validateMixture([0.5, 0.6], 2, "demo"));
 * ```
 * @param mixture The weights to check.
 * @param m Expected number of domains.
 * @param method Id of the method that produced it, for the error message.
 * @returns The renormalised mixture.
 * @throws {InvalidMixtureError} When the weights have the wrong length, are not finite, are
 * negative, or do not sum to 1 within {@linkcode SUM_TOLERANCE}.
 */
export function validateMixture(mixture: unknown, m: number, method: string): Mixture {
  if (!Array.isArray(mixture) && !(mixture instanceof Float64Array)) {
    throw new InvalidMixtureError(method, `expected an array of "${m}" weights`);
  }
  const w = Array.from(mixture as ArrayLike<unknown>);
  if (w.length !== m) {
    throw new InvalidMixtureError(method, `got "${w.length}" weights, expected "${m}"`);
  }
  let sum = 0;
  for (let i = 0; i < m; i++) {
    const x = w[i];
    if (typeof x !== "number" || !Number.isFinite(x)) {
      throw new InvalidMixtureError(method, `weight ${i} is "${String(x)}", expected a number`);
    }
    if (x < 0) throw new InvalidMixtureError(method, `weight ${i} is negative ("${x}")`);
    sum += x;
  }
  if (Math.abs(sum - 1) > SUM_TOLERANCE) {
    throw new InvalidMixtureError(
      method,
      `weights sum to "${sum}", expected 1 within ${SUM_TOLERANCE}`,
    );
  }
  return (w as number[]).map((x) => x / sum);
}

/** L1 distance between two mixtures (twice their total-variation distance). */
export function l1Distance(a: Mixture, b: Mixture): number {
  let d = 0;
  for (let i = 0; i < a.length; i++) d += Math.abs(a[i]! - b[i]!);
  return d;
}

/** Shannon entropy of a mixture in nats. */
export function entropy(w: Mixture): number {
  let h = 0;
  for (const x of w) if (x > 0) h -= x * Math.log(x);
  return h;
}

/** KL divergence KL(w ‖ q) in nats; infinite when w puts mass where q has none. */
export function klDivergence(w: Mixture, q: Mixture): number {
  let d = 0;
  for (let i = 0; i < w.length; i++) {
    const x = w[i]!;
    if (x > 0) d += x * Math.log(x / q[i]!);
  }
  return d;
}

/** Renormalises non-negative weights to sum to 1. */
export function normalize(w: readonly number[]): number[] {
  let s = 0;
  for (const x of w) s += x;
  if (!(s > 0)) throw new RangeError(`Cannot normalise weights summing to "${s}"`);
  return w.map((x) => x / s);
}

/** Distances within this of the nearest count as ties (L1 distances lie in [0, 2]). */
const TIE = 1e-12;

/**
 * Index of the member of `pool` nearest to `target` in L1 distance. Ties (distances within
 * 1e-12) go to the lexicographically smallest mixture (compared weight by weight), so the answer
 * does not depend on the order of the pool's rows; among identical mixtures, the lowest index.
 *
 * @example
 * ```ts
 * import { nearestIndex } from "./mixture.ts";
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * // Both members are at L1 distance 1 from the uniform mixture: [0, 1] sorts first.
 * assertEquals(nearestIndex([[1, 0], [0, 1]], [0.5, 0.5]), 1);
 * ```
 * @param pool Candidate mixtures.
 * @param target The mixture to match.
 * @returns The index into `pool`.
 */
export function nearestIndex(pool: readonly Mixture[], target: Mixture): number {
  let best = -1;
  let bestD = Infinity;
  for (let i = 0; i < pool.length; i++) {
    const d = l1Distance(pool[i]!, target);
    if (d < bestD - TIE || (d <= bestD + TIE && lexLess(pool[i]!, pool[best]!))) {
      bestD = Math.min(d, bestD);
      best = i;
    }
  }
  if (best < 0) throw new RangeError("Cannot pick the nearest member of an empty pool");
  return best;
}

function lexLess(a: Mixture, b: Mixture): boolean {
  for (let k = 0; k < a.length; k++) {
    if (a[k]! !== b[k]!) return a[k]! < b[k]!;
  }
  return false;
}

/** A string key for a mixture, rounded to `decimals` places, for exact table look-ups. */
export function mixtureKey(w: Mixture, decimals = 6): string {
  const f = 10 ** decimals;
  return w.map((x) => String(Math.round(x * f))).join(",");
}
