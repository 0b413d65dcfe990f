/**
 * Small statistics helpers: mean, quantiles (linear interpolation between order statistics,
 * numpy's default), median and interquartile range.
 *
 * @module
 */

/** Arithmetic mean; NaN for no values. */
export function mean(xs: readonly number[]): number {
  if (xs.length === 0) return NaN;
  let s = 0;
  for (const x of xs) s += x;
  return s / xs.length;
}

/**
 * The q-quantile with linear interpolation (numpy's default "linear" method).
 *
 * @example
 * ```ts
 * import { quantile } from "./summary.ts";
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * assertEquals(quantile([1, 2, 3, 4], 0.5), 2.5);
 * assertEquals(quantile([1, 2, 3, 4], 0.25), 1.75);
 * ```
 * @param xs Values (any order).
 * @param q Quantile in [0, 1].
 * @returns The quantile; NaN for no values.
 */
export function quantile(xs: readonly number[], q: number): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const h = (s.length - 1) * q;
  const lo = Math.floor(h);
  const hi = Math.min(lo + 1, s.length - 1);
  return s[lo]! + (h - lo) * (s[hi]! - s[lo]!);
}

/** The median (linear interpolation). */
export function median(xs: readonly number[]): number {
  return quantile(xs, 0.5);
}
