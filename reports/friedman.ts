/**
 * Rank-based comparison of several methods over several tasks (Demšar, 2006, JMLR 7:1–30): average
 * ranks, the Friedman test (with the tie correction scipy applies) and the Nemenyi critical
 * difference, plus the groups of methods a critical-difference diagram joins with a bar.
 *
 * @module
 */

import { ranks } from "../numerics/stats/correlation.ts";
import { chiSquareSf, studentizedRangePpf } from "./_special.ts";

/**
 * Ranks of one block (task), 1 = best, ties sharing their average rank.
 *
 * @example
 * ```ts
 * import { blockRanks } from "./friedman.ts";
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * assertEquals(blockRanks([0.9, 0.5, 0.9]), [1.5, 3, 1.5]);
 * ```
 * @param scores One score per method; higher is better.
 * @returns One rank per method.
 */
export function blockRanks(scores: readonly number[]): number[] {
  return ranks(scores.map((s) => -s));
}

/**
 * Average rank of each method over blocks.
 *
 * @param matrix Scores, one row per block (task), one column per method; higher is better.
 * @returns One average rank per method.
 */
export function averageRanks(matrix: readonly (readonly number[])[]): number[] {
  const k = matrix[0]?.length ?? 0;
  const sum = new Array<number>(k).fill(0);
  for (const row of matrix) blockRanks(row).forEach((r, j) => (sum[j]! += r));
  return sum.map((s) => s / matrix.length);
}

/** Result of {@linkcode friedmanTest}. */
export interface FriedmanResult {
  /** Tie-corrected Friedman chi-square statistic. */
  readonly statistic: number;
  /** p-value from the chi-square distribution with k − 1 degrees of freedom. */
  readonly pValue: number;
  /** Blocks (tasks). */
  readonly n: number;
  /** Methods compared. */
  readonly k: number;
}

/**
 * Friedman's test that all methods have the same average rank, with the correction for ties used
 * by `scipy.stats.friedmanchisquare`.
 *
 * @example
 * ```ts
 * import { friedmanTest } from "./friedman.ts";
 * const r = friedmanTest([[3, 2, 1], [3, 1, 2], [3, 2, 1], [3, 2, 1]]);
 * if (Math.abs(r.statistic - 6.5) > 1e-12) throw new Error("expected 6.5");
 * ```
 * @param matrix Scores, one row per block (task), one column per method.
 * @returns Statistic and p-value.
 * @throws {RangeError} With fewer than 2 methods or 2 blocks.
 */
export function friedmanTest(matrix: readonly (readonly number[])[]): FriedmanResult {
  const n = matrix.length;
  const k = matrix[0]?.length ?? 0;
  if (k < 2 || n < 2) {
    throw new RangeError(`Cannot run a Friedman test on ${n} blocks × ${k} methods: need ≥ 2 × 2`);
  }
  const colSums = new Array<number>(k).fill(0);
  let ties = 0;
  for (const row of matrix) {
    const r = ranks(row);
    r.forEach((x, j) => (colSums[j]! += x));
    const counts = new Map<number, number>();
    for (const x of r) counts.set(x, (counts.get(x) ?? 0) + 1);
    for (const t of counts.values()) ties += t * (t * t - 1);
  }
  const ssbn = colSums.reduce((a, s) => a + s * s, 0);
  const c = 1 - ties / (k * (k * k - 1) * n);
  const statistic = c > 0 ? (12 / (k * n * (k + 1)) * ssbn - 3 * n * (k + 1)) / c : 0;
  return { statistic, pValue: c > 0 ? chiSquareSf(statistic, k - 1) : 1, n, k };
}

/**
 * Nemenyi critical difference of average ranks: CD = q_α/√2 · √(k(k+1)/(6N)), with q_α the
 * (1 − α) quantile of the studentized range of k means and infinite degrees of freedom.
 *
 * @example
 * ```ts
 * import { nemenyiCriticalDifference } from "./friedman.ts";
 * // Demšar (2006), Table 5: q_0.05 / √2 = 2.343 for k = 3
 * const cd = nemenyiCriticalDifference(3, 6);
 * if (Math.abs(cd - 2.343 * Math.sqrt(12 / 36)) > 1e-3) throw new Error(String(cd));
 * ```
 * @param k Methods compared.
 * @param n Blocks (tasks).
 * @param alpha Significance level (0.05 in the reports).
 * @returns The critical difference.
 */
export function nemenyiCriticalDifference(k: number, n: number, alpha = 0.05): number {
  return studentizedRangePpf(1 - alpha, k) / Math.SQRT2 * Math.sqrt(k * (k + 1) / (6 * n));
}

/**
 * Groups of methods whose average ranks lie within less than `cd` of each other (the bars of a
 * critical-difference diagram): maximal runs of consecutive methods in rank order, of size ≥ 2.
 *
 * @example
 * ```ts
 * import { cliques } from "./friedman.ts";
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * assertEquals(cliques([1, 1.5, 3, 3.2], 1), [[0, 1], [2, 3]]);
 * ```
 * @param avgRanks Average rank per method.
 * @param cd Critical difference.
 * @returns Index groups into `avgRanks`, each sorted by rank.
 */
export function cliques(avgRanks: readonly number[], cd: number): number[][] {
  const order = avgRanks.map((_, i) => i).sort((a, b) => avgRanks[a]! - avgRanks[b]!);
  const out: number[][] = [];
  let lastEnd = -1;
  for (let i = 0; i < order.length; i++) {
    let j = i;
    while (j + 1 < order.length && avgRanks[order[j + 1]!]! - avgRanks[order[i]!]! < cd) j++;
    if (j > i && j > lastEnd) {
      out.push(order.slice(i, j + 1));
      lastEnd = j;
    }
  }
  return out;
}
