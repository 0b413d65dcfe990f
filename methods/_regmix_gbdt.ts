/**
 * RegMix's GBDT regressor fit (Liu et al., 2024, arXiv:2407.01492, §3.2), shared by `regmix` and
 * `climb` (CLIMB's predictor is RegMix's).
 *
 * @module
 */

import { fitGbdt } from "../numerics/gbdt/gbdt.ts";
import type { Rng } from "../numerics/rng.ts";
import type { Mixture } from "../core/types.ts";
import type { SwarmOptions } from "./_swarm.ts";

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
