/**
 * Shared machinery of `bo` and `mfbo` (ADMIRE-BayesOpt, Chen et al., 2025, arXiv:2508.11551;
 * methods.md §2): pool bookkeeping, the fidelity value a fidelity id enters the GP with, the
 * maximised target, warm-started MAP fits, and the fallbacks used before any observation.
 *
 * Fidelity value of a fidelity id = its cost ÷ the target fidelity's cost (ADMIRE's fidelity
 * values are its costs with the largest model at 1: 0.1774/0.4817/1 for IFT, 0.001/0.06/1 for
 * the Pile), clamped to [0, 1]; when the target fidelity cannot be queried (transfer tasks) the
 * most expensive queryable fidelity plays the part of fidelity 1.
 *
 * @module
 */

import { fitGp, type GpPosterior, GpWorkspace } from "../numerics/gp/gp.ts";
import type { GpData, GpKind } from "../numerics/gp/types.ts";
import type { Example, MethodContext, Predictor } from "../core/method.ts";
import { nearestIndex } from "../core/mixture.ts";
import type { Rng } from "../numerics/rng.ts";
import type { Mixture, Observation, Proposal } from "../core/types.ts";

/** Cost of the fidelity that counts as fidelity 1. */
export function fidelityScale(ctx: MethodContext): number {
  const target = ctx.costs[ctx.targetFidelity];
  if (target !== undefined && target > 0) return target;
  return Math.max(...ctx.fidelities.map((f) => ctx.costs[f]!));
}

/** The fidelity value of a fidelity id, in [0, 1]. */
export function fidelityValue(ctx: MethodContext, fidelity: string): number {
  const c = ctx.costs[fidelity];
  if (c === undefined) throw new RangeError(`Fidelity "${fidelity}" is not queryable`);
  return Math.min(Math.max(c / fidelityScale(ctx), 0), 1);
}

/** +1 when the objective is maximised, −1 when minimised (BO maximises sign·value). */
export function objectiveSign(ctx: MethodContext): 1 | -1 {
  return ctx.objective.direction === "minimize" ? -1 : 1;
}

/** Flattens mixtures to an n×d row-major array. */
export function flatten(mixtures: readonly Mixture[], d: number): Float64Array {
  const out = new Float64Array(mixtures.length * d);
  mixtures.forEach((w, i) => {
    for (let k = 0; k < d; k++) out[i * d + k] = w[k]!;
  });
  return out;
}

/** Index of the largest value: the first one on ties, 0 when none beats −∞ (NaN never wins). */
export function argmax(values: ArrayLike<number>): number {
  let best = values.length > 0 ? 0 : -1, bestValue = -Infinity;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (v > bestValue) {
      best = i;
      bestValue = v;
    }
  }
  return best;
}

/** The queried part of a pool: which candidates are left, and what was observed. */
export class PoolTracker {
  /** Candidates, in pool order. */
  readonly candidates: readonly Proposal[];
  /** Candidate mixtures, flattened. */
  readonly x: Float64Array;
  /** Fidelity value of each candidate. */
  readonly fidelity: Float64Array;
  /** Cost of each candidate. */
  readonly cost: Float64Array;
  /** Mixture dimension. */
  readonly d: number;
  #open: boolean[];
  #pending: number[] = [];
  #obsX: number[] = [];
  #obsF: number[] = [];
  #obsY: number[] = [];
  #obsIndex: number[] = [];
  #sign: 1 | -1;
  #ctx: MethodContext;
  #index: Map<string, number> | undefined;
  #mixtureIds: Int32Array | undefined;
  #byMixture: Map<string, number> | undefined;

  constructor(ctx: MethodContext, candidates: readonly Proposal[]) {
    this.#ctx = ctx;
    this.candidates = candidates;
    this.d = ctx.domains.length;
    this.x = flatten(candidates.map((c) => c.mixture), this.d);
    this.fidelity = Float64Array.from(candidates, (c) => fidelityValue(ctx, c.fidelity));
    this.cost = Float64Array.from(candidates, (c) => ctx.costs[c.fidelity]!);
    this.#open = candidates.map(() => true);
    this.#sign = objectiveSign(ctx);
  }

  /** Number of observations told so far. */
  get observed(): number {
    return this.#obsY.length;
  }

  /** Indices of candidates not yet proposed whose cost fits the remaining budget. */
  affordable(remaining: number, where: (i: number) => boolean = () => true): number[] {
    const out: number[] = [];
    for (let i = 0; i < this.candidates.length; i++) {
      if (this.#open[i] && this.cost[i]! <= remaining + 1e-9 && where(i)) out.push(i);
    }
    return out;
  }

  /** Marks a candidate as proposed and returns it. */
  propose(index: number): Proposal {
    this.#open[index] = false;
    this.#pending.push(index);
    return this.candidates[index]!;
  }

  /**
   * Records the answers to the pending proposals, in order. An observation with no pending
   * proposal (told without being asked for) is matched to its candidate by fidelity and
   * mixture, which is then closed.
   */
  tell(observations: readonly Observation[]): void {
    for (const o of observations) {
      let i = this.#pending.shift();
      if (i === undefined) {
        i = this.#lookup(o);
        if (i !== undefined) this.#open[i] = false;
      }
      const w = i === undefined ? o.mixture : this.candidates[i]!.mixture;
      for (let k = 0; k < this.d; k++) this.#obsX.push(w[k]!);
      this.#obsF.push(i === undefined ? fidelityValue(this.#ctx, o.fidelity) : this.fidelity[i]!);
      this.#obsY.push(this.#sign * o.value);
      this.#obsIndex.push(i ?? -1);
    }
  }

  /**
   * For each candidate, the index of the first candidate with the same mixture (so that
   * candidates at several fidelities of one mixture share it). Computed on first use.
   */
  get mixtureIds(): Int32Array {
    if (!this.#mixtureIds) {
      const first = this.#byMixture = new Map<string, number>();
      this.#mixtureIds = Int32Array.from(this.candidates, (c, i) => {
        const key = c.mixture.join(",");
        const at = first.get(key);
        if (at !== undefined) return at;
        first.set(key, i);
        return i;
      });
    }
    return this.#mixtureIds;
  }

  /** The mixture id (see {@link mixtureIds}) of any mixture: the key string when no candidate has it. */
  mixtureId(mixture: ArrayLike<number>): number | string {
    const key = Array.prototype.join.call(mixture, ",");
    if (!this.#byMixture) void this.mixtureIds;
    return this.#byMixture!.get(key) ?? key;
  }

  /** The candidate index of each observation, in order (−1 for one outside the pool). */
  observedCandidates(): readonly number[] {
    return this.#obsIndex;
  }

  #lookup(o: Observation): number | undefined {
    const key = (p: Proposal) => `${p.fidelity}|${p.mixture.join(",")}`;
    this.#index ??= new Map(this.candidates.map((c, i) => [key(c), i]));
    return this.#index.get(key(o));
  }

  /** Largest maximised target observed (−∞ before any). */
  bestY(): number {
    return Math.max(-Infinity, ...this.#obsY);
  }

  /** The observations as GP training data. */
  data(kind: GpKind): GpData {
    return {
      kind,
      d: this.d,
      x: Float64Array.from(this.#obsX),
      fidelity: Float64Array.from(this.#obsF),
      y: Float64Array.from(this.#obsY),
    };
  }

  /** Picks one of the given indices uniformly at random. */
  pickRandom(indices: readonly number[], rng: Rng): number {
    return indices[rng.int(indices.length)]!;
  }
}

/**
 * Settings of warm-started fits: first trial step 0.03 raw units (instead of L-BFGS's unit
 * step, which overshoots from a point that is already near the optimum), and stopping at
 * gradient ∞-norm ≤ 1e-4 or relative decrease ≤ 1e-7 (scipy's defaults, 1e-5 and 2.2e-9, are
 * kept for cold fits). On the IFT pool this halves the loss evaluations per fit; the losses
 * reached differ from the tight ones by ~1e-7 per observation.
 */
export const WARM_FIT = { firstStep: 0.03, gradientTolerance: 1e-4, functionTolerance: 1e-7 };

/** MAP fits that start from the previous fit's hyper-parameters (when asked to). */
export class WarmFitter {
  #raw: Float64Array | undefined;
  #workspace = new GpWorkspace();
  #warm: boolean;
  #rng: Rng;

  constructor(rng: Rng, warmStart: boolean) {
    this.#rng = rng;
    this.#warm = warmStart;
  }

  /** Fits the GP to the data and remembers the hyper-parameters. */
  fit(data: GpData): GpPosterior {
    const init = this.#warm ? this.#raw : undefined;
    const common = { rng: this.#rng, workspace: this.#workspace };
    const r = fitGp(data, init ? { init, ...common, ...WARM_FIT } : common);
    this.#raw = r.raw;
    return r.posterior;
  }
}

/**
 * When the hyper-parameters are refitted: at every step while there are at most
 * `everyStepUntil` observations, then whenever the number of observations has grown by the
 * factor `growth` since the last refit. Between refits the posterior is extended at fixed
 * hyper-parameters ({@link GpPosterior.extend}: the Cholesky factor is bordered in O(n²)).
 */
export interface RefitSchedule {
  /** Refit at every step up to this many observations. */
  readonly everyStepUntil: number;
  /** Then refit once the observations number at least this factor times the last refit's. */
  readonly growth: number;
}

/**
 * How the BO methods refit: `"every-step"` (the reference's behaviour: a MAP fit after every
 * observation; used by the ADMIRE reproduction), `"scheduled"` ({@link DEFAULT_SCHEDULE}), or
 * an explicit schedule.
 */
export type RefitOption = "every-step" | "scheduled" | RefitSchedule;

/**
 * The default schedule: every step up to 64 observations, then whenever they have doubled
 * (refits at 128, 256, 512, …; the cost of all refits beyond 64 together is about 8/7 of the
 * last one's). Chosen on measured speed with the paired change in final scores against exact
 * mode inside seed noise (README, "Speed"; a first try with 32 was not on
 * admire-ift/avg-7b).
 */
export const DEFAULT_SCHEDULE: RefitSchedule = { everyStepUntil: 64, growth: 2 };

/** The schedule an option stands for (`"every-step"`: refit at every step). */
export function refitSchedule(option: RefitOption): RefitSchedule {
  if (option === "every-step") return { everyStepUntil: Infinity, growth: 1 };
  if (option === "scheduled") return DEFAULT_SCHEDULE;
  if (!(option.everyStepUntil >= 0) || !(option.growth >= 1)) {
    throw new RangeError(
      `Cannot use a refit schedule with everyStepUntil "${option.everyStepUntil}" and growth "${option.growth}" (need ≥ 0 and ≥ 1)`,
    );
  }
  return option;
}

/** One change of the jitter on the kernel matrix's diagonal, as {@link GpModel} saw it. */
export interface JitterEvent {
  /** Observations at the time. */
  readonly observations: number;
  /** The new jitter. */
  readonly jitter: number;
  /** How the factor was made: a refit, a bordered factor, or a refactorisation at fixed hyper-parameters. */
  readonly via: "fit" | "extend" | "refactor";
}

/**
 * The BO methods' GP over a growing set of observations: refits the hyper-parameters (MAP,
 * warm-started when asked) when the schedule says so, and otherwise extends the previous
 * posterior by the new observations at fixed hyper-parameters. Jitter changes are logged.
 */
export class GpModel {
  /** Every change of the factor's jitter, in order. */
  readonly jitterLog: JitterEvent[] = [];
  #fitter: WarmFitter;
  #schedule: RefitSchedule;
  #post: GpPosterior | undefined;
  #lastFit = 0;
  #fits = 0;

  constructor(rng: Rng, warmStart: boolean, refit: RefitOption) {
    this.#fitter = new WarmFitter(rng, warmStart);
    this.#schedule = refitSchedule(refit);
  }

  /** Number of MAP fits so far. */
  get fits(): number {
    return this.#fits;
  }

  /**
   * The posterior given all the data (whose first rows must be those seen before).
   *
   * @param data Every observation so far.
   * @returns The posterior.
   */
  update(data: GpData): GpPosterior {
    const n = data.y.length, prev = this.#post;
    const have = prev?.data.y.length ?? 0;
    if (prev && have === n) return prev;
    const s = this.#schedule;
    let post: GpPosterior, via: JitterEvent["via"];
    if (!prev || have > n || n <= s.everyStepUntil || n >= this.#lastFit * s.growth) {
      post = this.#fitter.fit(data);
      this.#lastFit = n;
      this.#fits++;
      via = "fit";
    } else {
      const d = data.d;
      post = prev.extend(
        data.x.subarray(have * d),
        data.fidelity.subarray(have),
        data.y.subarray(have),
      );
      via = post.extended ? "extend" : "refactor";
    }
    if (post.factor.jitter !== (prev?.factor.jitter ?? 0)) {
      this.jitterLog.push({ observations: n, jitter: post.factor.jitter, via });
    }
    this.#post = post;
    return post;
  }
}

/** The target-pool member nearest (L1) to the prior: the answer before any observation. */
export function priorFallback(ctx: MethodContext): Mixture {
  const pool = ctx.targetPool!;
  return pool[nearestIndex(pool, ctx.prior)]!;
}

/** Requires pool mode with a target pool. */
export function requirePool(ctx: MethodContext, id: string): void {
  if (ctx.mode !== "pool" || !ctx.pool || !ctx.targetPool || ctx.targetPool.length === 0) {
    throw new TypeError(`Method "${id}" supports pool mode only`);
  }
}

/**
 * Predict-track fits kept for reuse within one process (a lane's cell process runs cell after
 * cell). `bo`, `mfbo` and `mfbo-pm` share {@link fitPredictor}, and its fit depends on the
 * examples and on the context's random stream only through the retries of `fitGp` (prior draws
 * after a failed attempt). A fit whose first attempt succeeded drew nothing, so every method and
 * every seed given the same examples computes exactly that fit: such a fit is kept (the last
 * {@link PREDICTOR_FITS_KEPT}) and returned again, bit for bit the same posterior; a fit that
 * needed retries is never kept. The reusing cell's `timings.fitMs` is then the look-up's time.
 */
export class PredictorFits {
  #kept: { data: GpData; post: GpPosterior }[] = [];
  #hits = 0;
  #fits = 0;

  /** Look-ups answered from a kept fit. */
  get hits(): number {
    return this.#hits;
  }

  /** Fits computed. */
  get fits(): number {
    return this.#fits;
  }

  /**
   * The posterior of the MAP fit to the data (drawing retries from `rng`), kept or computed.
   *
   * @param data Training data.
   * @param rng Source of the retries' prior draws.
   * @returns The posterior.
   */
  posterior(data: GpData, rng: Rng): GpPosterior {
    const kept = this.#kept.find((e) => sameData(e.data, data));
    if (kept) {
      this.#hits++;
      return kept.post;
    }
    const fit = fitGp(data, { rng });
    this.#fits++;
    if (fit.attempts === 1) {
      this.#kept.unshift({ data, post: fit.posterior });
      this.#kept.length = Math.min(this.#kept.length, PREDICTOR_FITS_KEPT);
    }
    return fit.posterior;
  }
}

/** How many Predict-track fits a process keeps for reuse. */
export const PREDICTOR_FITS_KEPT = 4;

/** The Predict-track fits of this process ({@link PredictorFits}). */
export const predictorFits: PredictorFits = new PredictorFits();

function sameData(a: GpData, b: GpData): boolean {
  return a.kind === b.kind && a.d === b.d && sameValues(a.x, b.x) && sameValues(a.y, b.y) &&
    sameValues(a.fidelity, b.fidelity);
}

function sameValues(a: Float64Array, b: Float64Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return false;
  return true;
}

/**
 * The Predict track's model: the single-fidelity GP (s²·M₀, botorch 0.10 defaults) fitted by MAP
 * to the examples; predictions are its posterior mean, in the objective's own direction. The fit
 * is shared with earlier cells of the process that fitted the same examples without retries
 * ({@link PredictorFits}: the same numbers by construction).
 */
export function fitPredictor(examples: readonly Example[], ctx: MethodContext): Predictor {
  if (examples.length === 0) throw new RangeError("Cannot fit the GP to no examples");
  const d = examples[0]!.mixture.length;
  const sign = objectiveSign(ctx);
  const data: GpData = {
    kind: "single",
    d,
    x: flatten(examples.map((e) => e.mixture), d),
    fidelity: new Float64Array(examples.length).fill(1),
    y: Float64Array.from(examples, (e) => sign * e.value),
  };
  const post = predictorFits.posterior(data, ctx.rng);
  return {
    predict(mixtures) {
      const mean = post.predict(flatten(mixtures, d), 1).mean;
      return mean.map((v) => sign * v);
    },
  };
}
