/**
 * Aggregate scores across tasks the way rliable does (Agarwal et al., 2021, arXiv:2108.13264):
 * the mean and the interquartile mean (IQM) of every (task, seed) score pooled, with stratified
 * bootstrap percentile intervals — seeds are resampled with replacement within each task, so every
 * resample keeps each task's weight.
 *
 * @module
 */

import { Rng } from "../numerics/rng.ts";

/**
 * Mean of the values left after cutting `floor(proportion · n)` values from each end of the sorted
 * sample (as `scipy.stats.trim_mean`).
 *
 * @example
 * ```ts
 * import { trimMean } from "./bootstrap.ts";
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * assertEquals(trimMean([1, 2, 3, 4, 100], 0.25), 3);
 * ```
 * @param xs Values (any order).
 * @param proportion Share cut from each end, in [0, 0.5).
 * @returns The trimmed mean; NaN for no values.
 */
export function trimMean(xs: ArrayLike<number>, proportion: number): number {
  const n = xs.length;
  if (n === 0) return NaN;
  const s = Float64Array.from(xs).sort();
  const cut = Math.floor(proportion * n);
  let sum = 0;
  for (let i = cut; i < n - cut; i++) sum += s[i]!;
  return sum / (n - 2 * cut);
}

/**
 * Interquartile mean: the mean of the middle 50% (`scipy.stats.trim_mean(x, 0.25)`).
 *
 * @example
 * ```ts
 * import { iqm } from "./bootstrap.ts";
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * assertEquals(iqm([0, 1, 2, 3, 4, 5, 6, 100]), 3.5);
 * ```
 */
export function iqm(xs: ArrayLike<number>): number {
  return trimMean(xs, 0.25);
}

/** Arithmetic mean of an array-like; NaN for no values. */
export function meanOf(xs: ArrayLike<number>): number {
  if (xs.length === 0) return NaN;
  let s = 0;
  for (let i = 0; i < xs.length; i++) s += xs[i]!;
  return s / xs.length;
}

/** A point estimate with its bootstrap percentile interval. */
export interface Estimate {
  /** The statistic on the observed sample. */
  readonly point: number;
  /** Lower end of the interval. */
  readonly lo: number;
  /** Upper end of the interval. */
  readonly hi: number;
}

/** Options of {@linkcode stratifiedBootstrap}. */
export interface BootstrapOptions {
  /** Number of resamples. @default {2000} */
  resamples?: number;
  /** Seed of the resampling stream (the xoshiro128** stream of numerics/rng.ts `Rng`). @default {0} */
  seed?: number;
  /** Coverage of the percentile interval. @default {0.95} */
  confidence?: number;
}

/**
 * Stratified bootstrap of statistics of pooled scores: each resample draws, for every task in
 * order, as many seed indices as the task has, uniformly with replacement, pools
 * the drawn scores and applies each statistic to the same resample. The interval is the pair of
 * percentiles (1 ± confidence)/2 of the resampled statistics, interpolated linearly (numpy's
 * default). A statistic receives a scratch array it may reorder (see {@linkcode iqmInPlace}).
 *
 * @example
 * ```ts
 * import { iqmInPlace, meanOf, stratifiedBootstrapAll } from "./bootstrap.ts";
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * const [m, q] = stratifiedBootstrapAll([[0.1, 0.2, 0.3], [0.5, 0.5, 0.5]], [meanOf, iqmInPlace]);
 * assertEquals(m!.lo <= m!.point && m!.point <= m!.hi && q!.lo <= q!.hi, true);
 * ```
 * @param groups Scores per task (one array per task, one value per seed).
 * @param statistics Functions of the pooled scores.
 * @param options Resamples, seed and confidence.
 * @returns One estimate per statistic (NaN intervals when no task has a score).
 */
export function stratifiedBootstrapAll(
  groups: readonly (readonly number[])[],
  statistics: readonly ((pooled: Float64Array) => number)[],
  options: BootstrapOptions = {},
): Estimate[] {
  const resamples = options.resamples ?? 2000;
  const confidence = options.confidence ?? 0.95;
  const total = groups.reduce((a, g) => a + g.length, 0);
  const observed = new Float64Array(total);
  let k = 0;
  for (const g of groups) for (const x of g) observed[k++] = x;
  const points = statistics.map((f) => f(Float64Array.from(observed)));
  if (total === 0) return points.map((point) => ({ point, lo: NaN, hi: NaN }));
  const stats = statistics.map(() => new Float64Array(resamples));
  const draw = new Float64Array(total);
  const scratch = new Float64Array(total);
  const sizes = Int32Array.from(groups, (g) => g.length);
  // numerics/rng.ts `Rng`, one 32-bit output per draw, index = ⌊u · n / 2³²⌋ (bias < n / 2³²,
  // negligible for seed counts).
  const rng = new Rng(options.seed ?? 0);
  for (let r = 0; r < resamples; r++) {
    let j = 0, start = 0;
    for (let g = 0; g < sizes.length; g++) {
      const n = sizes[g]!;
      for (let i = 0; i < n; i++) {
        const u = rng.nextUint32();
        draw[j++] = observed[start + Math.floor((u * n) / 4294967296)]!;
      }
      start += n;
    }
    for (let s = 0; s < statistics.length; s++) {
      scratch.set(draw);
      stats[s]![r] = statistics[s]!(scratch);
    }
  }
  return stats.map((st, s) => {
    st.sort();
    return {
      point: points[s]!,
      lo: sortedQuantile(st, (1 - confidence) / 2),
      hi: sortedQuantile(st, (1 + confidence) / 2),
    };
  });
}

/**
 * Stratified bootstrap of one statistic (see {@linkcode stratifiedBootstrapAll}).
 *
 * @example
 * ```ts
 * import { iqm, stratifiedBootstrap } from "./bootstrap.ts";
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * const e = stratifiedBootstrap([[0.1, 0.2, 0.3], [0.5, 0.5, 0.5]], iqm);
 * assertEquals(e.lo <= e.point && e.point <= e.hi, true);
 * ```
 * @param groups Scores per task (one array per task, one value per seed).
 * @param statistic Function of the pooled scores.
 * @param options Resamples, seed and confidence.
 * @returns The point estimate and its interval.
 */
export function stratifiedBootstrap(
  groups: readonly (readonly number[])[],
  statistic: (pooled: Float64Array) => number,
  options: BootstrapOptions = {},
): Estimate {
  return stratifiedBootstrapAll(groups, [statistic], options)[0]!;
}

/** IQM that sorts its argument in place (for bootstrap scratch arrays; insertion sort). */
export function iqmInPlace(xs: Float64Array): number {
  const n = xs.length;
  if (n === 0) return NaN;
  for (let i = 1; i < n; i++) {
    const v = xs[i]!;
    let j = i - 1;
    while (j >= 0 && xs[j]! > v) {
      xs[j + 1] = xs[j]!;
      j--;
    }
    xs[j + 1] = v;
  }
  const cut = Math.floor(0.25 * n);
  let sum = 0;
  for (let i = cut; i < n - cut; i++) sum += xs[i]!;
  return sum / (n - 2 * cut);
}

function sortedQuantile(s: Float64Array, q: number): number {
  const h = (s.length - 1) * q;
  const lo = Math.floor(h);
  const hi = Math.min(lo + 1, s.length - 1);
  return s[lo]! + (h - lo) * (s[hi]! - s[lo]!);
}
