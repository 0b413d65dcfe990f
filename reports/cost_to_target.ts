/**
 * Cost to reach a quality level, COCO style (Hansen et al., 2021, arXiv:1605.03560): per seed the
 * cumulative cost at which the recommendation first reaches the level, the expected running time
 * (ERT) over seeds, run-length ECDFs, and the speed-up of a method over random search.
 *
 * A level τ is an objective value at the target fidelity. A seed reaches τ at the first recorded
 * recommendation (budget checkpoint) whose value is at least as good as τ; its cost is the cost
 * spent when that recommendation was taken — so costs are resolved at the checkpoints (an upper
 * bound within one checkpoint interval), and a zero-shot method that starts at τ costs 0.
 *
 * Two readings of "reaches τ at cost c" when recommendations are recorded often (after every
 * query, `recordEvery: "query"`), where they differ for a recommender that changes its pick:
 * - {@linkcode firstHit}, "best recommended so far": the first recommendation at least as good
 *   as τ — the cost at which the running maximum of recommended values reaches τ (the curve
 *   ADMIRE-BayesOpt's scripts print);
 * - {@linkcode heldHit}, "recommendation at cost c": the first cost from which every later
 *   recommendation of the run is at least as good as τ — a user who stops anywhere from there
 *   on gets τ; a run whose last recommendation misses τ never reaches it.
 *
 * @module
 */

import type { CheckpointRecord } from "../core/results.ts";
import type { Direction } from "../core/types.ts";

/** A recorded recommendation: cost spent when it was taken and its objective value. */
export interface Recorded {
  readonly spent: number;
  readonly value: number;
}

/** Outcome of one seed for one level. */
export interface Hit {
  /** Cost at which the level was first reached, or null when it never was. */
  readonly cost: number | null;
  /** Total cost the seed spent (its whole run). */
  readonly spent: number;
}

/** Whether `value` is at least as good as `level` (relative tolerance 1e-12 for rounding). */
export function reaches(value: number, level: number, direction: Direction): boolean {
  const tol = 1e-12 * Math.max(1, Math.abs(level));
  return direction === "minimize" ? value <= level + tol : value >= level - tol;
}

/**
 * First cost at which a seed's recommendation reaches a level.
 *
 * @example
 * ```ts
 * import { firstHit } from "./cost_to_target.ts";
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * const cps = [
 *   { budget: 2, spent: 2, evaluations: 2, mixture: [1], row: 0, value: 3, score: 0 },
 *   { budget: 4, spent: 4, evaluations: 4, mixture: [1], row: 1, value: 1, score: 1 },
 * ];
 * assertEquals(firstHit(cps, 4, 2, "minimize"), { cost: 4, spent: 4 });
 * assertEquals(firstHit(cps, 4, 0.5, "minimize"), { cost: null, spent: 4 });
 * ```
 * @param checkpoints The seed's recorded recommendations, in order.
 * @param spent Total cost the seed spent.
 * @param level The quality level (objective value).
 * @param direction Objective direction.
 * @returns The hit.
 */
export function firstHit(
  checkpoints: readonly Recorded[],
  spent: number,
  level: number,
  direction: Direction,
): Hit {
  const cp = checkpoints.find((c) => reaches(c.value, level, direction));
  return { cost: cp ? cp.spent : null, spent };
}

/**
 * First cost from which every later recorded recommendation reaches a level ("recommendation at
 * cost c" reading; see the module doc); null when the last one misses it.
 *
 * @example
 * ```ts
 * import { firstHit, heldHit } from "./cost_to_target.ts";
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * const recs = [{ spent: 1, value: 5 }, { spent: 2, value: 1 }, { spent: 3, value: 5 }, { spent: 4, value: 5 }];
 * assertEquals(firstHit(recs, 4, 5, "maximize"), { cost: 1, spent: 4 });
 * assertEquals(heldHit(recs, 4, 5, "maximize"), { cost: 3, spent: 4 });
 * assertEquals(heldHit(recs.slice(0, 2), 2, 5, "maximize"), { cost: null, spent: 2 });
 * ```
 * @param records The seed's recorded recommendations, in order.
 * @param spent Total cost the seed spent.
 * @param level The quality level (objective value).
 * @param direction Objective direction.
 * @returns The hit.
 */
export function heldHit(
  records: readonly Recorded[],
  spent: number,
  level: number,
  direction: Direction,
): Hit {
  let from = records.length;
  while (from > 0 && reaches(records[from - 1]!.value, level, direction)) from--;
  return { cost: from < records.length ? records[from]!.spent : null, spent };
}

/**
 * A line's recorded recommendations: those after every round when the task records them
 * (`recordEvery: "query"`), else the checkpoints.
 */
export function recordsOf(line: {
  readonly checkpoints: readonly CheckpointRecord[];
  readonly recommendations?: readonly Recorded[];
}): readonly Recorded[] {
  return line.recommendations ?? line.checkpoints;
}

/**
 * Expected running time: (cost of the successful seeds until success + total cost of the
 * unsuccessful seeds) ÷ number of successful seeds; infinite when no seed succeeds.
 *
 * @example
 * ```ts
 * import { expectedRunningTime } from "./cost_to_target.ts";
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * assertEquals(expectedRunningTime([{ cost: 2, spent: 8 }, { cost: null, spent: 8 }]), 10);
 * ```
 */
export function expectedRunningTime(hits: readonly Hit[]): number {
  let total = 0, successes = 0;
  for (const h of hits) {
    if (h.cost === null) total += h.spent;
    else {
      total += h.cost;
      successes++;
    }
  }
  return successes > 0 ? total / successes : Infinity;
}

/** Speed-up of a method over random search at one level. */
export interface Speedup {
  /** ERT of random search ÷ ERT of the method; Infinity when the method needs no cost. */
  readonly ratio: number;
  /** `"exact"`, `"lower-bound"` (random search never reached τ: total cost it spent ÷ the
   * method's ERT) or `"undefined"` (the method never reached τ). */
  readonly kind: "exact" | "lower-bound" | "undefined";
}

/**
 * Speed-up of a method over random search: ERT_random(τ) / ERT_method(τ).
 *
 * @example
 * ```ts
 * import { speedup } from "./cost_to_target.ts";
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * const random = [{ cost: 10, spent: 20 }, { cost: null, spent: 20 }];
 * assertEquals(speedup(random, [{ cost: 3, spent: 20 }]), { ratio: 10, kind: "exact" });
 * ```
 * @param random Hits of random search.
 * @param method Hits of the method.
 * @returns The ratio and whether it is exact.
 */
export function speedup(random: readonly Hit[], method: readonly Hit[]): Speedup {
  const m = expectedRunningTime(method);
  if (!Number.isFinite(m)) return { ratio: NaN, kind: "undefined" };
  const r = expectedRunningTime(random);
  if (Number.isFinite(r)) return { ratio: r / m, kind: "exact" };
  const spent = random.reduce((a, h) => a + h.spent, 0);
  return { ratio: spent / m, kind: "lower-bound" };
}

/**
 * The objective value that a share `q` of the pool is no better than (q = 1: the pool's best):
 * the q-quantile of the values for maximised objectives, the (1 − q)-quantile for minimised
 * ones (linear interpolation, numpy's default).
 *
 * @example
 * ```ts
 * import { poolLevel } from "./cost_to_target.ts";
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * assertEquals(poolLevel([1, 2, 3, 4, 5], 0.75, "minimize"), 2);
 * assertEquals(poolLevel([1, 2, 3, 4, 5], 1, "maximize"), 5);
 * ```
 */
export function poolLevel(values: readonly number[], q: number, direction: Direction): number {
  const s = [...values].sort((a, b) => a - b);
  const p = direction === "minimize" ? 1 - q : q;
  const h = (s.length - 1) * p;
  const lo = Math.floor(h);
  const hi = Math.min(lo + 1, s.length - 1);
  return s[lo]! + (h - lo) * (s[hi]! - s[lo]!);
}

/**
 * Run-length ECDF: for each x, the share of (seed, level) attempts reached at cost ≤ x.
 *
 * @param costs Cost of each attempt (null = never reached).
 * @param xs Points at which to evaluate, ascending.
 * @returns One share per point.
 */
export function runLengthEcdf(costs: readonly (number | null)[], xs: readonly number[]): number[] {
  const reached = costs.filter((c): c is number => c !== null).sort((a, b) => a - b);
  let i = 0;
  return xs.map((x) => {
    while (i < reached.length && reached[i]! <= x + 1e-12) i++;
    return costs.length > 0 ? i / costs.length : NaN;
  });
}
