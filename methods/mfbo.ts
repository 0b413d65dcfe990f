/**
 * `mfbo` — multi-fidelity Bayesian optimisation with cost-aware multi-fidelity max-value entropy
 * search, ADMIRE-BayesOpt's MFBO (Chen, Ouyang, Pearce, Hartvigsen, Schwarz, 2025,
 * arXiv:2508.11551; reference script `mfbayesopt_maxvalue.py`, methods.md §2 "Multi-fidelity
 * BO" and "Exact semantics of the MF-MES value").
 *
 * Algorithm: one random pool element of the cheapest fidelity; then at every step the
 * multi-fidelity GP (`numerics/gp/gp.ts`, fidelity value = cost ÷ target cost) is conditioned on
 * every observation (MAP-fitted at every step in exact mode, on a schedule by default), one
 * max-value sample f* of f(·, 1) is drawn (Gumbel fit by Brent quartiles over the observed
 * inputs at fidelity 1), 128 scrambled Sobol' normals are drawn, and every
 * REMAINING pool element is scored at its own fidelity by IG ÷ max(cost, 0.01) (botorch's
 * `InverseCostWeightedUtility` with `min_cost` 1e-2 on the affine cost = fidelity value); the
 * argmax is run. The run continues until the budget or the pool is exhausted.
 *
 * Recommendation (`recommend` option): `"acquisition"` (default, the reference's choice): the
 * target-pool member with the largest information gain at fidelity 1 under the current step's
 * f* and samples (the reference evaluates the same acquisition on the high-fidelity rows);
 * `"posterior-mean"`: the largest posterior mean at fidelity 1. The rule does not change the
 * trajectory (the same steps draw the same numbers), so an `mfbo` cell records its calls with
 * both rules' recommendations, and an `mfbo-pm` cell of the same context and options that
 * follows it in one cell process replays that record instead of recomputing it
 * (`methods/_twin_trajectory.ts`: the same line, bit for bit, timings aside).
 *
 * Pool mode only (ADMIRE's setting: replays over finite pools); continuous tasks are refused
 * with a TypeError.
 *
 * Departures from the reference:
 * - hyper-parameters are refitted on a schedule by default (`refit: "scheduled"`: every step up
 *   to 64 observations, then whenever the observations have doubled); in between, the posterior
 *   is extended at fixed hyper-parameters (bordered Cholesky factor, O(n²); the pool's and the
 *   target pool's whitened cross-covariances at their own fidelities and at fidelity 1 kept
 *   and extended by one row per observation, `numerics/gp/candidates.ts`). `refit:
 *   "every-step"` (ids `mfbo@exact`, `mfbo-pm@exact`) refits after every observation as the
 *   reference does; the ADMIRE reproduction uses it. README, "Speed", gives the measured
 *   change in final scores between the two modes;
 * - MAP fits start from the previous fit's hyper-parameters (warm start, to save time;
 *   `warmStart: false` restarts from botorch's defaults); a warm fit takes a first step of
 *   0.03 raw units and stops at gradient ∞-norm 1e-4 or relative decrease 1e-7 (cold fits use
 *   scipy's 1e-5 and 2.2e-9); the optimiser differs (see `numerics/gp/gp.ts`). A full replay of
 *   admire-ift/avg-7b (444 runs) takes about 30 s on the 2-core project machine in exact mode;
 * - a non-finite information gain counts as 0, and the inputs that project to the same point
 *   at fidelity 1 are scored once each (with their multiplicity) in the max-value sampler;
 * - the QMC normals come from the cell's seeded RNG (scrambled Sobol', `numerics/stats/qmc.ts`), the
 *   Gumbel uniform too; quartiles by Brent on ln F (see `methods/_mf_mes.ts`);
 * - the recommendation uses every observation told so far (the reference's lags one step);
 * - fidelity values are costs ÷ the target's cost (equal to ADMIRE's on both of its tasks).
 *
 * Extension (labelled, never the reproduction): `mfbo@exact+standardize` standardises the
 * outcomes before every fit, as later botorch versions do by default (option `standardize`).
 *
 * @module
 */

import { GpCandidates, type GpPosterior } from "../numerics/gp/gp.ts";
import type { MethodContext, MethodFactory, Recommendation } from "../core/method.ts";
import { sobolNormals } from "../numerics/stats/qmc.ts";
import {
  argmax,
  fitPredictor,
  flatten,
  GpModel,
  objectiveSign,
  PoolTracker,
  priorFallback,
  type RefitOption,
  requirePool,
} from "./_bo_common.ts";
import { informationGainOf, maxValueFromMoments } from "./_mf_mes.ts";
import { twinKey, type TwinMethod, twinRecordings } from "./_twin_trajectory.ts";

/** Options of {@linkcode mfboWith}. */
export interface MfboOptions {
  /** How the recommendation is chosen. @default {"acquisition"} */
  recommend?: "acquisition" | "posterior-mean";
  /** Start each MAP fit from the previous step's hyper-parameters. @default {true} */
  warmStart?: boolean;
  /**
   * When the GP's hyper-parameters are refitted: `"every-step"` as the reference (exact
   * mode, used by the ADMIRE reproduction), `"scheduled"` (every step up to 64 observations,
   * then whenever the observations have doubled, the posterior extended in O(n²) in between; `DEFAULT_SCHEDULE` in
   * `_bo_common.ts`), or an explicit schedule. @default {"scheduled"}
   */
  refit?: RefitOption;
  /** QMC normal samples per candidate. @default {128} */
  samples?: number;
  /**
   * EXTENSION, not the reference: standardise the observed outcomes before every fit (botorch's
   * `Standardize` outcome transform: mean 0, unbiased standard deviation 1, a deviation below
   * 1e-8 or undefined with one observation taken as 1), as botorch ≥ 0.12 does by default while
   * the reference's botorch 0.10 does not. Every acquisition value is computed in the
   * standardised space; predictions are mapped back. Exact mode only (every fit sees the whole
   * re-standardised data): id `mfbo@exact+standardize`. @default {false}
   */
  standardize?: boolean;
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
  const refit = options.refit ?? "scheduled";
  return {
    id,
    version: "1",
    description: rule === "posterior-mean"
      ? "MF-BO as mfbo, recommending the largest posterior mean at the target fidelity"
      : "ADMIRE-BayesOpt multi-fidelity BO: fidelity GP + cost-weighted MF-MES",
    ranked: true,
    modes: ["pool"],
    fit: fitPredictor,
    variant: (argument) => {
      if (argument !== "exact" && argument !== "exact+standardize") {
        throw new RangeError(
          `Method "${id}" takes only "@exact" (hyper-parameters refitted at every step) or ` +
            `"@exact+standardize" (an extension: standardised outcomes), not "@${argument}"`,
        );
      }
      return mfboWith({
        ...options,
        refit: "every-step",
        standardize: argument === "exact+standardize",
        id: `${id}@${argument}`,
      });
    },
    create(ctx) {
      requirePool(ctx, id);
      // The trajectory does not depend on the rule: an `acquisition` cell records it with both
      // rules' recommendations, and a `posterior-mean` cell of the same context and options
      // later in the process replays it (methods/_twin_trajectory.ts).
      const key = twinKey(ctx, { warmStart, refit, samples, standardize: options.standardize });
      const live = () => liveMfbo(ctx, id, { warmStart, refit, samples, options });
      return rule === "acquisition"
        ? twinRecordings.record(key, ctx, live(), { rule, rules: RULES })
        : twinRecordings.replay(key, ctx, live, rule);
    },
  };
}

/** The recommendation rules, the recording twin's first. */
const RULES: readonly string[] = ["acquisition", "posterior-mean"];

/** One cell's live MF-BO, recommending under any of {@link RULES}. */
function liveMfbo(
  ctx: MethodContext,
  id: string,
  o: { warmStart: boolean; refit: RefitOption; samples: number; options: MfboOptions },
): TwinMethod {
  const { warmStart, refit, samples, options } = o;
  const pool = new PoolTracker(ctx, ctx.pool!);
  const cheapest = ctx.fidelities[0]!;
  const model = new GpModel(ctx.rng, warmStart, refit);
  const targets = ctx.targetPool!;
  // Candidates: the pool at its own fidelities, then the target-pool members that are not
  // pool members at fidelity 1 (those are the same column: f(z, 1) twice, the same moments
  // bit for bit), at fidelity 1.
  const { columns: targetCols, extra } = targetColumns(pool, targets);
  const cands = new GpCandidates(
    concat(pool.x, flatten(extra.map((t) => targets[t]!), pool.d)),
    concat(pool.fidelity, new Float64Array(extra.length).fill(1)),
    { target: true },
  );
  const sign = objectiveSign(ctx);
  const standardize = options.standardize === true;
  if (standardize && refit !== "every-step") {
    throw new RangeError(
      `Method "${id}": standardised outcomes need exact mode (@exact+standardize)`,
    );
  }
  // Outcome scale of the current step: GP values are (y − shift) ÷ scale.
  let shift = 0, scale = 1;
  let step: Step | undefined;
  const state = (): Step => {
    if (!step || step.n !== pool.observed) {
      const data = pool.data("fidelity");
      if (standardize) [shift, scale] = standardizeInPlace(data.y);
      const post = model.update(data);
      cands.update(post);
      const fStar = maxValueSample(post, cands, pool, uniform());
      const normals = sobolNormals(samples, ctx.rng);
      step = { n: pool.observed, post, fStar, normals, gain: new Float64Array(cands.size) };
      step.gain.fill(NaN);
    }
    return step;
  };
  // The information gains of some candidates under this step's f* and samples, each
  // computed once per step (the recommendation and the next ask share the target columns).
  const gains = (cols: readonly number[]): Float64Array => {
    const { post, fStar, normals, gain } = state();
    const missing = cols.filter((c) => Number.isNaN(gain[c]!));
    if (missing.length > 0) {
      const ig = informationGainOf(cands.joint(missing), post.noise, fStar, normals);
      missing.forEach((c, r) => gain[c] = ig[r]!);
    }
    return Float64Array.from(cols, (c) => gain[c]!);
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
      const ig = gains(open);
      const value = ig.map((v, r) => v / Math.max(pool.fidelity[open[r]!]!, MIN_COST));
      return [pool.propose(open[argmax(value)]!)];
    },
    tell(observations) {
      pool.tell(observations);
    },
    recommend(rules) {
      const out: Record<string, Recommendation> = {};
      if (pool.observed === 0) {
        for (const r of rules) out[r] = { mixture: priorFallback(ctx) };
        return out;
      }
      state();
      const mean = cands.joint(targetCols).mean;
      for (const r of rules) {
        const i = argmax(r === "posterior-mean" ? mean : gains(targetCols));
        out[r] = { mixture: targets[i]!, predicted: sign * (shift + scale * mean[i]!) };
      }
      return out;
    },
  };
}

/**
 * Standardises outcomes in place as botorch's `Standardize` (mean, unbiased standard deviation;
 * a deviation below 1e-8, or undefined with one value, counts as 1).
 *
 * @returns The mean and standard deviation used.
 */
function standardizeInPlace(y: Float64Array): [number, number] {
  const n = y.length;
  const mean = y.reduce((a, b) => a + b, 0) / n;
  const sd = n > 1 ? Math.sqrt(y.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1)) : NaN;
  const scale = sd >= 1e-8 ? sd : 1;
  for (let i = 0; i < n; i++) y[i] = (y[i]! - mean) / scale;
  return [mean, scale];
}

/** One BO step's posterior, max-value sample, normals and information gains (NaN: not yet). */
interface Step {
  n: number;
  post: GpPosterior;
  fStar: number;
  normals: Float64Array;
  gain: Float64Array;
}

/**
 * The candidate column of each target-pool member: the first pool member with the same mixture
 * at fidelity value 1 when there is one (its moments at its own fidelity and at fidelity 1 are
 * those of the target column, bit for bit: the fidelity factor is 0 at fidelity 1), else a
 * column after the pool's, in order; `extra` lists the target indices that need one.
 */
function targetColumns(
  pool: PoolTracker,
  targets: readonly (readonly number[])[],
): { columns: number[]; extra: number[] } {
  const atOne = new Map<string, number>();
  for (let i = 0; i < pool.candidates.length; i++) {
    const key = pool.candidates[i]!.mixture.join(",");
    if (pool.fidelity[i] === 1 && !atOne.has(key)) atOne.set(key, i);
  }
  const extra: number[] = [];
  const columns = targets.map((t, r) => {
    const at = atOne.get(t.join(","));
    if (at !== undefined) return at;
    extra.push(r);
    return pool.candidates.length + extra.length - 1;
  });
  return { columns, extra };
}

function concat(a: Float64Array, b: Float64Array): Float64Array {
  const out = new Float64Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

/**
 * The max-value sample (`sampleMaxValue` in `_mf_mes.ts`) with the fidelity-1 moments of the
 * observed inputs read from the kept candidate moments (observations outside the pool are
 * predicted directly). The distinct inputs are taken in order of first observation, each with
 * weight 2 per observation, as `sampleMaxValue` does.
 */
function maxValueSample(
  post: GpPosterior,
  cands: GpCandidates,
  pool: PoolTracker,
  u: number,
): number {
  const d = post.data.d, xs = post.data.x, observed = pool.observedCandidates();
  const ids = pool.mixtureIds;
  const seen = new Map<number | string, number>();
  const weight: number[] = [], cols: number[] = [], outside: number[] = [];
  for (let i = 0; i < observed.length; i++) {
    const c = observed[i]!;
    const key = c >= 0 ? ids[c]! : pool.mixtureId(xs.subarray(i * d, (i + 1) * d));
    const at = seen.get(key);
    if (at !== undefined) {
      weight[at]! += 2;
      continue;
    }
    seen.set(key, weight.length);
    weight.push(2);
    cols.push(c);
    if (c < 0) outside.push(i);
  }
  const kept = cands.targetMoments(cols.filter((c) => c >= 0));
  const direct = outside.length > 0
    ? post.predict(
      Float64Array.from(outside.flatMap((i) => [...xs.subarray(i * d, (i + 1) * d)])),
      1,
    )
    : kept;
  const mean = new Float64Array(cols.length), variance = new Float64Array(cols.length);
  let a = 0, b = 0;
  cols.forEach((c, r) => {
    const src = c >= 0 ? kept : direct, at = c >= 0 ? a++ : b++;
    mean[r] = src.mean[at]!;
    variance[r] = src.variance[at]!;
  });
  return maxValueFromMoments(mean, variance, weight, u);
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
