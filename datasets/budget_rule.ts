/**
 * The budget rule of pool-mode tasks: a task discriminates only when its budget leaves room
 * between random search and the pool's best. The rule (stated in every built-in card's
 * `budgetRule` and applied to bring-your-own tables):
 *
 * > The budget B is the largest power of two, at most a quarter of the target pool, at which the
 * > median gap closed of random search (uniform draws without replacement from the target pool,
 * > recommending the best seen) is at most 0.8; never less than 1 and always below the pool size.
 *
 * For a single-fidelity pool the median is exact: with the pool sorted best first and N members,
 * the best of b draws without replacement has rank > r with probability C(N − r, b) / C(N, b), so
 * its median rank is the smallest r with 1 − C(N − r, b)/C(N, b) ≥ ½, and its gap closed is the
 * r-th best member's.
 *
 * @module
 */

import { gapClosed, type Reference } from "../core/task.ts";

/** Random search's median gap closed is kept at or below this at the final budget. */
export const RULE_CEILING = 0.8;
/** The budget never exceeds this share of the target pool. */
export const RULE_POOL_SHARE = 0.25;

/** The rule in one sentence (written into task cards as `budgetRule`). */
export const BUDGET_RULE =
  `largest power of two ≤ ${RULE_POOL_SHARE} × target pool at which random search's median ` +
  `final gap closed is ≤ ${RULE_CEILING} (target ≈ 0.4–0.8); never the whole pool`;

/**
 * Median gap closed of the best of `b` uniform draws without replacement from a pool.
 *
 * @example
 * ```ts
 * import { medianBestOf } from "./budget_rule.ts";
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * // pool 4, 3, 2, 1 (gap closed, best first): one draw's median is the 2nd best (rank ≤ 2 w.p. ½)
 * assertEquals(medianBestOf([1, 2, 3, 4], 1), 3);
 * ```
 * @param scores Gap closed of every pool member (any order).
 * @param b Draws (1 ≤ b ≤ pool size).
 * @returns The median gap closed of the best draw.
 */
export function medianBestOf(scores: readonly number[], b: number): number {
  const s = [...scores].sort((x, y) => y - x);
  const n = s.length;
  for (let r = 1; r <= n; r++) {
    let tail = 1; // C(n − r, b) / C(n, b)
    for (let i = 0; i < b; i++) tail *= Math.max(0, n - r - i) / (n - i);
    if (1 - tail >= 0.5) return s[r - 1]!;
  }
  return s[n - 1]!;
}

/**
 * The rule's budget for a pool of objective values.
 *
 * @example
 * ```ts
 * import { ruleBudget } from "./budget_rule.ts";
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * const values = Array.from({ length: 64 }, (_, i) => i); // minimise
 * const b = ruleBudget(values, { zero: 31.5, best: 0, bestRow: 0 });
 * assertEquals(b < 64 && b >= 1, true);
 * ```
 * @param values Objective values of the target pool.
 * @param ref The pool's reference (zero = mean, best = best value).
 * @returns The budget in target-fidelity runs.
 * @throws {RangeError} For a pool of fewer than 2 members (no budget leaves anything to find).
 */
export function ruleBudget(values: readonly number[], ref: Reference): number {
  if (values.length < 2) {
    throw new RangeError(
      `A target pool of ${values.length} run(s) cannot be benchmarked: need at least 2`,
    );
  }
  const scores = values.map((v) => gapClosed(v, ref));
  const cap = Math.max(1, Math.floor(RULE_POOL_SHARE * values.length));
  let budget = 1;
  for (let b = 2; b <= cap; b *= 2) {
    if (medianBestOf(scores, b) > RULE_CEILING) break;
    budget = b;
  }
  return budget;
}
