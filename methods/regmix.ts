/**
 * RegMix (Liu, Zeng, Lu, Wang, Shi, Xu, Lin; 2024; arXiv:2407.01492, ICLR 2025; methods.md §1):
 * train a swarm of small proxy runs on varied mixtures, regress the target metric on the mixture
 * weights, and pick the mixture the regressor likes best.
 *
 * - `regmix`: the LightGBM regressor of the reference notebook (`regression_fitting/
 *   regression.ipynb`, cell 13) with LightGBM's defaults (numerics/gbdt/gbdt.ts: leaf-wise, 31 leaves,
 *   ≥ 20 rows per leaf, 255 bins, L2, shrinkage 0.01, ≤ 1000 rounds), early-stopped after 3
 *   rounds without improvement on a seeded held-out slice (10%) of the TRAINING runs. The
 *   notebook early-stops on the same 256 unseen runs it reports Spearman ρ on — a leak this
 *   suite does not copy.
 * - `regmix-linear`: the paper's linear alternative, ordinary least squares of the target on the
 *   weights with an intercept; rows sum to 1, so the design is rank-deficient and the
 *   minimum-norm solution is taken (numerics/linalg/lstsq.ts).
 *
 * Pool mode: the swarm is a sequence of random pool draws at the cheapest queryable fidelity
 * (the proxy scale), and the recommendation ranks the target pool by the regressor's prediction.
 * Continuous mode (surrogate tasks): the swarm is RegMix's sampler (methods/_regmix_sampling.ts,
 * rows renormalised after the 2e-4 rounding) and the recommendation is the mean of the 128 best
 * of 100 000 Dirichlet(prior) samples, as in the reference notebook.
 *
 * Departure (version 2): on a task with a feasible set (`ctx.feasible`, the surrogate tasks' trust
 * regions) the method optimises within the task's feasible set — swarm candidates and search
 * samples outside it are rejected, and a mean of the best samples that falls outside (the set
 * is not convex) is replaced by the best-predicted point where a segment from a table run
 * toward it leaves the set (methods/_swarm.ts `feasiblePick`). The paper's setting has no such
 * set.
 *
 * @module
 */

import { lstsq } from "../numerics/linalg/lstsq.ts";
import type { MethodFactory } from "../core/method.ts";
import type { Mixture } from "../core/types.ts";
import { swarmMethod, type SwarmOptions } from "./_swarm.ts";
import { fitRegMixGbdt, type RegMixOptions } from "./_regmix_gbdt.ts";
export type { RegMixOptions } from "./_regmix_gbdt.ts";

/**
 * Fits ordinary least squares with an intercept (minimum-norm solution).
 *
 * @param xs Training mixtures.
 * @param ys Targets.
 * @returns A predictor of the target.
 */
export function fitRegMixLinear(
  xs: readonly Mixture[],
  ys: readonly number[],
): (ms: readonly Mixture[]) => Float64Array {
  const design = xs.map((r) => [1, ...r]);
  const { x: beta } = lstsq(design, ys);
  return (ms) =>
    Float64Array.from(ms, (r) => {
      let s = beta[0]!;
      for (let j = 0; j < r.length; j++) s += beta[j + 1]! * r[j]!;
      return s;
    });
}

/**
 * Creates `regmix` (GBDT regressor).
 *
 * @example
 * ```ts
 * import { regmix } from "./regmix.ts";
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * assertEquals(regmix().id, "regmix");
 * ```
 * @param options Swarm and regressor options.
 * @returns The method factory.
 */
export function regmix(options: RegMixOptions = {}): MethodFactory {
  return swarmMethod(
    "regmix",
    "2",
    "RegMix: random swarm, LightGBM-like GBDT regressor, best predicted pool member",
    { fit: (xs, ys, ctx) => ({ predict: fitRegMixGbdt(xs, ys, ctx.rng.fork("regmix"), options) }) },
    options,
  );
}

/**
 * Creates `regmix-linear` (least-squares regressor).
 *
 * @param options Swarm options.
 * @returns The method factory.
 */
export function regmixLinear(options: SwarmOptions = {}): MethodFactory {
  return swarmMethod(
    "regmix-linear",
    "2",
    "RegMix with ordinary least squares (intercept, minimum-norm), best predicted pool member",
    {
      fit: (xs, ys) => {
        const d = xs[0]?.length ?? 0;
        const { rank } = lstsq(xs.map((r) => [1, ...r]), ys);
        // Rows sum to 1, so [1, w] has at most d independent columns: rank < d leaves some
        // directions of the mixture unidentified (fewer runs than domains, or unused domains).
        return {
          predict: fitRegMixLinear(xs, ys),
          ...(rank < d
            ? {
              warning: {
                degenerate: "rank-deficient" as const,
                detail: `least-squares design of rank ${rank} < ${d} domains on ${xs.length} runs`,
              },
            }
            : {}),
        };
      },
    },
    options,
  );
}
