/**
 * Rank and linear correlation: Spearman ρ (average ranks for ties), Pearson r, Kendall τ-b, and
 * top-k recall, used by the Predict and Transfer tracks.
 *
 * @module
 */

/**
 * Ranks starting at 1, ties given their average rank (as scipy.stats.rankdata "average").
 *
 * @example
 * ```ts
 * import { ranks } from "./correlation.ts";
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * assertEquals(ranks([10, 20, 20, 5]), [2, 3.5, 3.5, 1]);
 * ```
 */
export function ranks(xs: ArrayLike<number>): number[] {
  const n = xs.length;
  const idx = Array.from({ length: n }, (_, i) => i).sort((a, b) => xs[a]! - xs[b]!);
  const out = new Array<number>(n);
  for (let i = 0; i < n;) {
    let j = i;
    while (j + 1 < n && xs[idx[j + 1]!] === xs[idx[i]!]) j++;
    const r = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) out[idx[k]!] = r;
    i = j + 1;
  }
  return out;
}

/** Pearson correlation; NaN when either side is constant or lengths differ. */
export function pearson(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const n = a.length;
  if (n !== b.length || n < 2) return NaN;
  let ma = 0, mb = 0;
  for (let i = 0; i < n; i++) {
    ma += a[i]!;
    mb += b[i]!;
  }
  ma /= n;
  mb /= n;
  let sab = 0, saa = 0, sbb = 0;
  for (let i = 0; i < n; i++) {
    const da = a[i]! - ma, db = b[i]! - mb;
    sab += da * db;
    saa += da * da;
    sbb += db * db;
  }
  return saa > 0 && sbb > 0 ? sab / Math.sqrt(saa * sbb) : NaN;
}

/**
 * Spearman rank correlation: Pearson correlation of average ranks.
 *
 * @example
 * ```ts
 * import { spearman } from "./correlation.ts";
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * assertEquals(spearman([1, 2, 3, 4], [10, 30, 20, 40]), 0.8);
 * ```
 */
export function spearman(a: ArrayLike<number>, b: ArrayLike<number>): number {
  return pearson(ranks(a), ranks(b));
}

/** Kendall τ-b (tie-corrected), O(n²); NaN when either side is constant. */
export function kendall(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const n = a.length;
  if (n !== b.length || n < 2) return NaN;
  let concordant = 0, discordant = 0, tiesA = 0, tiesB = 0;
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const da = Math.sign(a[i]! - a[j]!), db = Math.sign(b[i]! - b[j]!);
      if (da === 0 && db === 0) continue;
      if (da === 0) tiesA++;
      else if (db === 0) tiesB++;
      else if (da === db) concordant++;
      else discordant++;
    }
  }
  const denom = Math.sqrt((concordant + discordant + tiesA) * (concordant + discordant + tiesB));
  return denom > 0 ? (concordant - discordant) / denom : NaN;
}

/**
 * Share of the true top fraction that the prediction also puts in its top fraction (k =
 * ceil(fraction · n); "top" = smallest when `lowerIsBetter`).
 */
export function topRecall(
  truth: ArrayLike<number>,
  predicted: ArrayLike<number>,
  fraction: number,
  lowerIsBetter: boolean,
): number {
  const n = truth.length;
  const k = Math.max(1, Math.ceil(fraction * n));
  const order = (xs: ArrayLike<number>) =>
    Array.from({ length: n }, (_, i) => i).sort((i, j) =>
      lowerIsBetter ? xs[i]! - xs[j]! : xs[j]! - xs[i]!
    )
      .slice(0, k);
  const top = new Set(order(truth));
  return order(predicted).filter((i) => top.has(i)).length / k;
}
