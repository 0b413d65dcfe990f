/**
 * Small statistics helpers: mean, quantiles (linear interpolation between order statistics,
 * numpy's default), median and interquartile range, and the 95% Student-t interval of a mean.
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

/** Two-sided 95% Student-t quantiles for 1…30 degrees of freedom. */
const T95 = [
  12.706,
  4.303,
  3.182,
  2.776,
  2.571,
  2.447,
  2.365,
  2.306,
  2.262,
  2.228,
  2.201,
  2.179,
  2.16,
  2.145,
  2.131,
  2.12,
  2.11,
  2.101,
  2.093,
  2.086,
  2.08,
  2.074,
  2.069,
  2.064,
  2.06,
  2.056,
  2.052,
  2.048,
  2.045,
  2.042,
];

/** A mean with its 95% Student-t interval. */
export interface TInterval {
  /** The mean. */
  readonly mean: number;
  /** Lower end (NaN with fewer than 2 values). */
  readonly low: number;
  /** Upper end (NaN with fewer than 2 values). */
  readonly high: number;
  /** Number of values. */
  readonly n: number;
}

/**
 * Mean and two-sided 95% Student-t interval (e.g. of paired differences); beyond 30 degrees of
 * freedom the normal quantile 1.96.
 *
 * @example
 * ```ts
 * import { tInterval95 } from "./summary.ts";
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * // [1, 2, 3]: mean 2, sd 1, se 1/√3, t(2) = 4.303
 * const g = tInterval95([1, 2, 3]);
 * assertEquals([g.mean, +(g.high - g.mean).toFixed(3)], [2, +(4.303 / Math.sqrt(3)).toFixed(3)]);
 * ```
 * @param d Values.
 * @returns The interval.
 */
export function tInterval95(d: readonly number[]): TInterval {
  const n = d.length;
  const m = d.reduce((s, x) => s + x, 0) / n;
  if (n < 2) return { mean: m, low: NaN, high: NaN, n };
  const sd = Math.sqrt(d.reduce((s, x) => s + (x - m) ** 2, 0) / (n - 1));
  const h = (T95[n - 2] ?? 1.96) * sd / Math.sqrt(n);
  return { mean: m, low: m - h, high: m + h, n };
}
