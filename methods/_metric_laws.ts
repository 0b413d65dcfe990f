/**
 * One exponential law per component metric (methods.md §23): when the objective is an affine
 * function of table metrics with positive weights in the loss-like orientation (a mean of
 * losses, of bits-per-byte, of error rates), Data Mixing Laws (`yegcjs/mixinglaws`, one law per
 * validation domain, predictions combined as the objective combines the domains) and Olmix
 * (`allenai/olmix` `olmix/fit/core.py`, one regressor per metric, the proposer summing their
 * exponential terms) fit each component separately. Objectives that are a single metric, not
 * affine, or affine with a negative loss-like weight (e.g. `a_loss − b_loss`) keep one law
 * fitted to the objective itself; so do runs that lack a component's value (surrogate answers
 * carry only the surrogate's metric).
 *
 * @module
 */

import { type ExpLaw, type ExpLawOptions, fitExpLaw, predictExpLaw } from "./_exp_law.ts";
import type { MethodContext, MethodFactory } from "../core/method.ts";
import type { Mixture } from "../core/types.ts";
import type { Rng } from "../numerics/rng.ts";
import { ownDomain, ownDomainOf } from "./_own_domain.ts";

/**
 * Where a law's own t entry starts at −U(0,1) (the others at 0.1·U(0,1)):
 * - `domain` (mixbench's default): the domain the metric is named after (`pile_cc_loss` →
 *   `pile_cc`), none when no domain matches (every Olmix superswarm metric);
 * - `none`: no own entry (the DML notebook's `param_genertor(-1)`);
 * - `metric-index`: the entry at the metric's position in the component list, whatever domain
 *   that is (Olmix's `init_params_log_linear_law(idx)`).
 */
export type OwnStart = "domain" | "none" | "metric-index";

/** A loss-like objective decomposed into loss-like components: `offset + Σ coef_k·e_k`. */
export interface Decomposition {
  /** Component metric names. */
  readonly metrics: readonly string[];
  /** Positive weights of the loss-like components. */
  readonly coef: readonly number[];
  /** Constant term. */
  readonly offset: number;
  /** Loss-like values per component (K rows of n runs). */
  readonly targets: readonly (readonly number[])[];
}

/**
 * Decomposes the loss-like objective (the orientation of `_swarm.ts`'s `lossLike`) over the
 * objective's linear terms: a minimised metric is its own loss-like value, a maximised one
 * bounded above by u is `u − y` (its error rate), otherwise `−y`.
 *
 * @param ctx Method context (the objective's `linear` form).
 * @param rows Every run's metric values.
 * @returns The decomposition, or undefined when the objective has no linear form over two or
 * more metrics, a loss-like weight is not positive, or a run lacks a component's value.
 */
export function decompose(
  ctx: MethodContext,
  rows: readonly (Readonly<Record<string, number>> | undefined)[],
): Decomposition | undefined {
  const lin = ctx.objective.linear;
  if (!lin || lin.terms.length < 2) return undefined;
  const sigma = ctx.objective.direction === "minimize" ? 1 : -1;
  const alpha = ctx.objective.direction === "minimize" ? 0 : ctx.objective.bounds?.upper ?? 0;
  let offset = alpha + sigma * lin.intercept;
  const coef: number[] = [];
  const targets: number[][] = [];
  for (const term of lin.terms) {
    const s = term.direction === "minimize" ? 1 : -1;
    const a = term.direction === "minimize" ? 0 : Number.isFinite(term.upper) ? term.upper : 0;
    const c = sigma * term.weight * s;
    if (!(c > 0)) return undefined;
    offset += sigma * term.weight * a;
    coef.push(c);
    const col: number[] = [];
    for (const r of rows) {
      const y = r?.[term.name];
      if (y === undefined || !Number.isFinite(y)) return undefined;
      col.push(s * (y - a));
    }
    targets.push(col);
  }
  return { metrics: lin.terms.map((t) => t.name), coef, offset, targets };
}

/** Laws whose weighted sum predicts the loss-like objective: `offset + Σ coef_k·law_k(r)`. */
export interface LawSum {
  /** One law per component, or one law of the objective itself. */
  readonly laws: readonly ExpLaw[];
  /** Their weights. */
  readonly coef: readonly number[];
  /** Constant term. */
  readonly offset: number;
  /** Component metrics, or the objective expression for a single law. */
  readonly metrics: readonly string[];
  /** Whether the laws are per component metric. */
  readonly perMetric: boolean;
}

/** Options of {@linkcode fitLawSum}. */
export interface LawSumOptions extends Omit<ExpLawOptions, "own" | "warm" | "grid"> {
  /**
   * Laws of an earlier fit (the previous checkpoint's): each law of it whose metric (or, for
   * the single law, objective expression) is fitted again is refined first as a warm start, and
   * its `shortlist` (when it has one) is screened instead of a freshly drawn grid.
   */
  warm?: LawSum;
  /** Screened starts refined, besides the warm start, for a law that has one. @default {refine} */
  warmRefine?: number;
  /** Own-entry start. @default {"domain"} */
  ownStart?: OwnStart;
  /** Fit one law per component when the objective decomposes. @default {true} */
  perMetric?: boolean;
}

/**
 * Fits one law per component metric when the objective decomposes ({@linkcode decompose}),
 * otherwise one law to the loss-like objective values.
 *
 * @param xs Mixtures.
 * @param ys Loss-like objective values.
 * @param rows Metric values per run (undefined entries force the single law).
 * @param ctx Method context.
 * @param rng Random stream (forked per component).
 * @param options Law form, start grid, effort, own-entry start.
 * @returns The laws with their weights.
 */
export function fitLawSum(
  xs: readonly Mixture[],
  ys: readonly number[],
  rows: readonly (Readonly<Record<string, number>> | undefined)[],
  ctx: MethodContext,
  rng: Rng,
  options: LawSumOptions = {},
): LawSum {
  const { warm: previous, warmRefine, ...rest } = options;
  const ownStart = rest.ownStart ?? "domain";
  const d = rest.perMetric === false ? undefined : decompose(ctx, rows);
  const warmOf = (metric: string, perMetric: boolean): Partial<ExpLawOptions> => {
    if (!previous || previous.perMetric !== perMetric) return {};
    const k = previous.metrics.indexOf(metric);
    if (k < 0) return {};
    const law = previous.laws[k]!;
    return {
      warm: [law],
      ...(warmRefine === undefined ? {} : { refine: warmRefine }),
      ...(law.shortlist ? { grid: law.shortlist } : {}),
    };
  };
  if (!d) {
    const own = ownStart === "domain" ? ownDomain(ctx) : ownStart === "none" ? -1 : 0;
    const metric = ctx.objective.expression;
    return {
      laws: [fitExpLaw(xs, ys, rng, { ...rest, own, ...warmOf(metric, false) })],
      coef: [1],
      offset: 0,
      metrics: [metric],
      perMetric: false,
    };
  }
  const laws = d.metrics.map((metric, k) => {
    const own = ownStart === "domain"
      ? ownDomainOf(metric, ctx.domains)
      : ownStart === "none"
      ? -1
      : k < ctx.domains.length
      ? k
      : -1;
    return fitExpLaw(xs, d.targets[k]!, rng.fork(metric), {
      ...rest,
      own,
      ...warmOf(metric, true),
    });
  });
  return { laws, coef: d.coef, offset: d.offset, metrics: d.metrics, perMetric: true };
}

/** Predicts the loss-like objective with a law sum. */
export function predictLawSum(sum: LawSum, r: Mixture): number {
  let y = sum.offset;
  sum.laws.forEach((law, k) => (y += sum.coef[k]! * predictExpLaw(law, r)));
  return y;
}

/**
 * The exponential terms of a law sum as the KL proposer takes them: exponents `t_k` and weights
 * `coef_k·exp(b_k)` (the constants `exp(a_k)` do not move the argmin).
 */
export function proposerTerms(sum: LawSum): { t: number[][]; weights: number[] } {
  return {
    t: sum.laws.map((l) => [...l.t]),
    weights: sum.laws.map((l, k) => sum.coef[k]! * Math.exp(l.b)),
  };
}

/**
 * The fast default of a law-fitting method (`dml`, `olmix`) joined to its exact mode: the
 * Predict track's fit always takes the exact mode's (it fits once per cell, with no earlier fit to
 * warm-start from), and the id argument `exact` (`<id>@exact`) selects the exact mode.
 *
 * @param factory The method in the mode `exact` says.
 * @param exact Whether `factory` is the exact mode.
 * @param exactMode Builds the exact mode.
 * @returns The method with its Predict-track fit and its `variant`.
 */
export function withExactMode(
  factory: MethodFactory,
  exact: boolean,
  exactMode: () => MethodFactory,
): MethodFactory {
  const base = factory.id.split("@")[0]!;
  return {
    ...factory,
    ...(exact ? {} : { fit: exactMode().fit! }),
    variant: (argument) => {
      if (argument !== "exact") {
        throw new RangeError(
          `Method "${base}@${argument}": the only argument is "exact" (the reference's fitting effort)`,
        );
      }
      return exactMode();
    },
  };
}
