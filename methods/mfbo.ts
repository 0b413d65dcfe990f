/**
 * `mfbo` — multi-fidelity Bayesian optimisation with cost-aware multi-fidelity max-value entropy
 * search, ADMIRE-BayesOpt's MFBO (Chen, Ouyang, Pearce, Hartvigsen, Schwarz, 2025,
 * arXiv:2508.11551; reference script `mfbayesopt_maxvalue.py`, methods.md §2 "Multi-fidelity
 * BO" and "Exact semantics of the MF-MES value").
 *
 * Algorithm: one random pool element of the cheapest fidelity; then at every step the
 * multi-fidelity GP (`numerics/gp/gp.ts`, fidelity value = cost ÷ target cost) is MAP-fitted to every
 * observation, one max-value sample f* of f(·, 1) is drawn (Gumbel fit by Brent quartiles over
 * the observed inputs at fidelity 1), 128 scrambled Sobol' normals are drawn, and every
 * REMAINING pool element is scored at its own fidelity by IG ÷ max(cost, 0.01) (botorch's
 * `InverseCostWeightedUtility` with `min_cost` 1e-2 on the affine cost = fidelity value); the
 * argmax is run. The run continues until the budget or the pool is exhausted.
 *
 * Recommendation (`recommend` option): `"acquisition"` (default, the reference's choice): the
 * target-pool member with the largest information gain at fidelity 1 under the current step's
 * f* and samples (the reference evaluates the same acquisition on the high-fidelity rows);
 * `"posterior-mean"`: the largest posterior mean at fidelity 1.
 *
 * Pool mode only (ADMIRE's setting: replays over finite pools); continuous tasks are refused
 * with a TypeError.
 *
 * Departures from the reference:
 * - MAP fits start from the previous step's hyper-parameters (warm start, to save time;
 *   `warmStart: false` restarts from botorch's defaults); a warm fit takes a first step of
 *   0.03 raw units and stops at gradient ∞-norm 1e-4 or relative decrease 1e-7 (cold fits use
 *   scipy's 1e-5 and 2.2e-9); the optimiser differs (see `numerics/gp/gp.ts`). A full replay of
 *   admire-ift/avg-7b (444 runs) takes about 30 s on the 2-core project machine;
 * - a non-finite information gain counts as 0, and the inputs that project to the same point
 *   at fidelity 1 are scored once each (with their multiplicity) in the max-value sampler;
 * - the QMC normals come from the cell's seeded RNG (scrambled Sobol', `numerics/stats/qmc.ts`), the
 *   Gumbel uniform too; quartiles by Brent on ln F (see `methods/_mf_mes.ts`);
 * - the recommendation uses every observation told so far (the reference's lags one step);
 * - fidelity values are costs ÷ the target's cost (equal to ADMIRE's on both of its tasks).
 *
 * @module
 */

import type { GpPosterior } from "../numerics/gp/gp.ts";
import type { MethodFactory } from "../core/method.ts";
import { sobolNormals } from "../numerics/stats/qmc.ts";
import {
  argmax,
  fitPredictor,
  flatten,
  objectiveSign,
  PoolTracker,
  priorFallback,
  requirePool,
  WarmFitter,
} from "./_bo_common.ts";
import { informationGain, sampleMaxValue } from "./_mf_mes.ts";

/** Options of {@linkcode mfboWith}. */
export interface MfboOptions {
  /** How the recommendation is chosen. @default {"acquisition"} */
  recommend?: "acquisition" | "posterior-mean";
  /** Start each MAP fit from the previous step's hyper-parameters. @default {true} */
  warmStart?: boolean;
  /** QMC normal samples per candidate. @default {128} */
  samples?: number;
  /** Method id. @default {"mfbo", or "mfbo-pm" for posterior-mean recommendations} */
  id?: string;
}

/** botorch's `InverseCostWeightedUtility` min_cost. */
const MIN_COST = 0.01;

/**
 * Creates a multi-fidelity BO method.
 *
 * @example
 * ```ts
 * import { mfboWith } from "./mfbo.ts";
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * assertEquals(mfboWith({ recommend: "posterior-mean" }).id, "mfbo-pm");
 * ```
 * @param options Recommendation rule, warm start, samples and id.
 * @returns The method factory.
 */
export function mfboWith(options: MfboOptions = {}): MethodFactory {
  const rule = options.recommend ?? "acquisition";
  const id = options.id ?? (rule === "posterior-mean" ? "mfbo-pm" : "mfbo");
  const warmStart = options.warmStart ?? true;
  const samples = options.samples ?? 128;
  return {
    id,
    description: rule === "posterior-mean"
      ? "MF-BO as mfbo, recommending the largest posterior mean at the target fidelity"
      : "ADMIRE-BayesOpt multi-fidelity BO: fidelity GP + cost-weighted MF-MES",
    ranked: true,
    fit: fitPredictor,
    create(ctx) {
      requirePool(ctx, id);
      const pool = new PoolTracker(ctx, ctx.pool!);
      const cheapest = ctx.fidelities[0]!;
      const fitter = new WarmFitter(ctx.rng, warmStart);
      const targets = ctx.targetPool!;
      const targetX = flatten(targets, pool.d);
      const targetF = new Float64Array(targets.length).fill(1);
      const sign = objectiveSign(ctx);
      let step: { n: number; post: GpPosterior; fStar: number; normals: Float64Array } | undefined;
      const state = () => {
        if (!step || step.n !== pool.observed) {
          const post = fitter.fit(pool.data("fidelity"));
          const fStar = sampleMaxValue(post, uniform());
          step = { n: pool.observed, post, fStar, normals: sobolNormals(samples, ctx.rng) };
        }
        return step;
      };
      const uniform = () => {
        let u = 0;
        while (u === 0) u = ctx.rng.next();
        return u;
      };
      return {
        ask({ remaining }) {
          if (pool.observed === 0) {
            const low = pool.affordable(
              remaining,
              (i) => pool.candidates[i]!.fidelity === cheapest,
            );
            const open = low.length > 0 ? low : pool.affordable(remaining);
            return open.length === 0 ? [] : [pool.propose(pool.pickRandom(open, ctx.rng))];
          }
          const open = pool.affordable(remaining);
          if (open.length === 0) return [];
          const { post, fStar, normals } = state();
          const x = new Float64Array(open.length * pool.d);
          const f = new Float64Array(open.length);
          open.forEach((i, r) => {
            x.set(pool.x.subarray(i * pool.d, (i + 1) * pool.d), r * pool.d);
            f[r] = pool.fidelity[i]!;
          });
          const ig = informationGain(post, x, f, fStar, normals);
          const value = ig.map((v, r) => v / Math.max(f[r]!, MIN_COST));
          return [pool.propose(open[argmax(value)]!)];
        },
        tell(observations) {
          pool.tell(observations);
        },
        recommend() {
          if (pool.observed === 0) return { mixture: priorFallback(ctx) };
          const { post, fStar, normals } = state();
          const mean = post.predict(targetX, 1).mean;
          const score = rule === "posterior-mean"
            ? mean
            : informationGain(post, targetX, targetF, fStar, normals);
          const i = argmax(score);
          return { mixture: targets[i]!, predicted: sign * mean[i]! };
        },
      };
    },
  };
}

/**
 * Multi-fidelity BO with cost-weighted MF-MES, recommending by acquisition value as the
 * reference does (see the module doc).
 *
 * @example
 * ```ts
 * import { mfbo } from "./mfbo.ts";
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * assertEquals(mfbo.id, "mfbo");
 * ```
 */
export const mfbo: MethodFactory = mfboWith();
