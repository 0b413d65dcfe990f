/**
 * RegMix (Liu, Zeng, Lu, Wang, Shi, Xu, Lin; 2024; arXiv:2407.01492, ICLR 2025; methods.md §1):
 * train a swarm of small proxy runs on varied mixtures, regress the target metric on the mixture
 * weights, and pick the mixture the regressor likes best.
 *
 * - `regmix`: the LightGBM regressor of the reference notebook (`regression_fitting/
 *   regression.ipynb`, cell 13) with LightGBM's defaults (core/gbdt.ts: leaf-wise, 31 leaves,
 *   ≥ 20 rows per leaf, 255 bins, L2, shrinkage 0.01, ≤ 1000 rounds), early-stopped after 3
 *   rounds without improvement on a seeded held-out slice (10%) of the TRAINING runs. The
 *   notebook early-stops on the same 256 unseen runs it reports Spearman ρ on — a leak this
 *   suite does not copy.
 * - `regmix-linear`: the paper's linear alternative, ordinary least squares of the target on the
 *   weights with an intercept; rows sum to 1, so the design is rank-deficient and the
 *   minimum-norm solution is taken (core/lstsq.ts).
 *
 * Pool mode: the swarm is a sequence of random pool draws at the cheapest queryable fidelity
 * (the proxy scale), and the recommendation ranks the target pool by the regressor's prediction.
 * Continuous mode (surrogate tasks): the swarm is RegMix's sampler (methods/regmix_sampling.ts,
 * rows renormalised after the 2e-4 rounding) and the recommendation is the mean of the 128 best
 * of 100 000 Dirichlet(prior) samples, as in the reference notebook.
 *
 * @module
 */

import { fitGbdt } from "../core/gbdt.ts";
import { lstsq } from "../core/lstsq.ts";
import type { MethodFactory } from "../core/method.ts";
import type { Rng } from "../core/rng.ts";
import type { Mixture } from "../core/types.ts";
import { swarmMethod, type SwarmOptions } from "./_swarm.ts";

/** Options of {@linkcode regmix}. */
export interface RegMixOptions extends SwarmOptions {
  /** Share of the training runs held out for early stopping. @default {0.1} */
  validationShare?: number;
  /** Boosting rounds (upper bound with early stopping). @default {1000} */
  numRounds?: number;
}

/**
 * Fits RegMix's GBDT regressor with early stopping on a seeded slice of the training runs.
 *
 * @param xs Training mixtures.
 * @param ys Targets.
 * @param rng Random stream for the slice.
 * @param options Slice share and rounds.
 * @returns A predictor of the target.
 */
export function fitRegMixGbdt(
  xs: readonly Mixture[],
  ys: readonly number[],
  rng: Rng,
  options: RegMixOptions = {},
): (ms: readonly Mixture[]) => Float64Array {
  const share = options.validationShare ?? 0.1;
  const numRounds = options.numRounds ?? 1000;
  const idx = rng.shuffle(xs.map((_, i) => i));
  const nValid = xs.length >= 25 ? Math.max(5, Math.round(share * xs.length)) : 0;
  const valid = idx.slice(0, nValid);
  const train = idx.slice(nValid);
  const model = fitGbdt(train.map((i) => xs[i]!), train.map((i) => ys[i]!), {
    numRounds,
    ...(nValid > 0
      ? { validation: { x: valid.map((i) => xs[i]!), y: valid.map((i) => ys[i]!) } }
      : {}),
  });
  return (ms) => model.predict(ms);
}

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
    "RegMix with ordinary least squares (intercept, minimum-norm), best predicted pool member",
    { fit: (xs, ys) => ({ predict: fitRegMixLinear(xs, ys) }) },
    options,
  );
}
