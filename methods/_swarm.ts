import type {
  Example,
  FitWarning,
  MethodContext,
  MethodFactory,
  Predictor,
} from "../core/method.ts";
import type { FeasibleSet } from "../core/feasible.ts";
import { nearestIndex, normalize } from "../core/mixture.ts";
import { regmixSearch, regmixSwarm } from "./_regmix_sampling.ts";
import type { Mixture, Proposal } from "../core/types.ts";

/** A fitted swarm regressor: loss-like predictions and, for methods with one, a proposer. */
export interface SwarmFit {
  /** Predictions in the loss-like orientation (lower is better). */
  predict(ms: readonly Mixture[]): Float64Array;
  /**
   * The method's own proposal on the simplex. When present, the recommendation in pool mode is
   * the target-pool member nearest to it (L1); otherwise the member with the best prediction.
   */
  propose?(): Mixture;
  /** Set by the regressor when its fit is degenerate (e.g. a rank-deficient design). */
  readonly warning?: FitWarning;
}

/** A run's metric values, when the runner or the track gives them. */
export type MetricRow = Readonly<Record<string, number>> | undefined;

/**
 * A regressor of a one-shot "swarm → fit → pick" method. It sees values in their loss-like
 * orientation (lower is better), and each run's metric values (for per-metric fits).
 */
export interface SwarmRegressor {
  fit(
    xs: readonly Mixture[],
    ys: readonly number[],
    ctx: MethodContext,
    rows: readonly MetricRow[],
  ): SwarmFit;
}

/** Options shared by the one-shot swarm methods. */
export interface SwarmOptions {
  /** Fidelity of the swarm runs. @default {the cheapest queryable fidelity} */
  fidelity?: string;
  /** Runs asked per batch (the recommendation is refitted at each checkpoint on what is in). @default {16} */
  batch?: number;
  /** Continuous mode: Dirichlet(prior) samples scored by the search when there is no proposer. @default {100000} */
  searchSamples?: number;
}

/**
 * Loss-like orientation of an objective: minimised values as they are; maximised values bounded
 * above by `upper` as `upper − y` (error rate for accuracies), otherwise `−y`.
 */
export function lossLike(
  ctx: MethodContext,
): { to: (y: number) => number; from: (l: number) => number } {
  if (ctx.objective.direction === "minimize") return { to: (y) => y, from: (l) => l };
  const u = ctx.objective.bounds?.upper;
  return u === undefined
    ? { to: (y) => -y, from: (l) => -l }
    : { to: (y) => u - y, from: (l) => u - l };
}

/** Largest swarm drawn in continuous mode. */
const MAX_SWARM = 1024;

/**
 * Builds a one-shot swarm method. Pool mode: random pool draws at the swarm fidelity (without
 * replacement, in batches), and at every recommendation a fit on all runs observed at that
 * fidelity, then either the target-pool member with the best prediction ("rank the pool") or,
 * for methods with a proposer, the member nearest (L1) to the proposal. Continuous mode: the
 * swarm is RegMix's sampler (at most 1024 runs), and the recommendation is the proposer's
 * mixture or, without one, RegMix's search (mean of the 128 best of 100 000 Dirichlet(prior)
 * samples). With fewer than two runs the prior (its nearest pool member) is recommended. The
 * factory's `fit` exposes the regressor to the Predict track.
 *
 * Feasible sets (continuous tasks whose runner trusts only part of the simplex,
 * `ctx.feasible`): the swarm is RegMix's sampler restricted to the swarm fidelity's set (other
 * candidates rejected), search samples outside the target fidelity's set are dropped, and a
 * recommendation outside it (a proposer's, or a mean of samples: the set is not convex) is
 * replaced by {@linkcode feasiblePick}; the prior is repaired the same way. Without a feasible
 * set nothing changes.
 */
export function swarmMethod(
  id: string,
  version: string,
  description: string,
  regressor: SwarmRegressor,
  options: SwarmOptions = {},
): MethodFactory {
  const batch = options.batch ?? 16;
  return {
    id,
    version,
    description,
    ranked: true,
    fit(examples: readonly Example[], ctx: MethodContext): Predictor {
      const t = lossLike(ctx);
      const f = regressor.fit(
        examples.map((e) => e.mixture),
        examples.map((e) => t.to(e.value)),
        ctx,
        examples.map((e) => e.metrics),
      );
      return { predict: (ms) => f.predict(ms).map(t.from) };
    },
    create(ctx) {
      const fidelity = options.fidelity ?? ctx.fidelities[0]!;
      const cost = ctx.costs[fidelity];
      if (cost === undefined) {
        throw new TypeError(`Method "${id}": fidelity "${fidelity}" is not queryable`);
      }
      const continuous = ctx.mode === "continuous";
      // The task's feasible sets (continuous tasks with a trust region): the swarm is drawn
      // inside the one of its fidelity, the recommendation kept inside the target's.
      const querySet = ctx.feasible?.[fidelity];
      const targetSet = ctx.feasible?.[ctx.targetFidelity];
      if (!continuous && (!ctx.pool || !ctx.targetPool)) {
        throw new TypeError(`Method "${id}": pool mode needs the pool and the target pool`);
      }
      // Pool mode: random pool draws. Continuous mode: RegMix's swarm sampler (methods.md §1).
      const order: Proposal[] = continuous
        ? regmixSwarm(
          ctx.prior,
          Math.min(MAX_SWARM, Math.floor((ctx.budget + 1e-9) / cost)),
          ctx.rng.fork("swarm"),
          querySet ? { accept: (w) => querySet.contains(w) } : {},
        )
          // RegMix rounds after normalising (sums within ±m·1e-4); renormalise for the harness.
          .map((w) => ({ mixture: normalize(w), fidelity }))
        : ctx.rng.shuffle(ctx.pool!.filter((p) => p.fidelity === fidelity));
      const targetPool = ctx.targetPool;
      const t = lossLike(ctx);
      const xs: Mixture[] = [];
      const ys: number[] = [];
      const rows: MetricRow[] = [];
      let next = 0;
      let cached:
        | { n: number; mixture: Mixture; predicted: number; fit?: FitWarning }
        | undefined;
      const pick = (
        fitted: SwarmFit,
      ): { mixture: Mixture; predicted: number; fit?: FitWarning } => {
        if (!targetPool) {
          let mixture = fitted.propose?.() ??
            regmixSearch(
              (rows, m, out) => {
                const ms = Array.from(
                  { length: out.length },
                  (_, r) => rows.subarray(r * m, r * m + m),
                );
                out.set(fitted.predict(ms as unknown as Mixture[]));
                // Candidates outside the feasible set are dropped (NaN never enters the top k).
                if (targetSet) ms.forEach((w, r) => targetSet.contains(w) || (out[r] = NaN));
              },
              ctx.prior,
              ctx.rng.fork("search"),
              { samples: options.searchSamples ?? 100_000 },
            ).mixture;
          if (targetSet) mixture = feasiblePick(targetSet, mixture, fitted.predict, ctx.prior);
          return { mixture, predicted: t.from(fitted.predict([mixture])[0]!) };
        }
        if (fitted.propose) {
          const mixture = targetPool[nearestIndex(targetPool, fitted.propose())]!;
          return { mixture, predicted: t.from(fitted.predict([mixture])[0]!) };
        }
        const pred = fitted.predict(targetPool);
        const best = bestPredicted(pred, targetPool, ctx.prior);
        const lo = Math.min(...pred), hi = Math.max(...pred);
        const fit: FitWarning | undefined = hi - lo <= 1e-12 * Math.max(1, Math.abs(hi))
          ? {
            degenerate: "constant",
            detail: `the regressor fitted on ${xs.length} runs predicts one value for all ` +
              `${pred.length} candidates; the pick is the tie-break (nearest to the prior)`,
          }
          : fitted.warning;
        return {
          mixture: targetPool[best]!,
          predicted: t.from(pred[best]!),
          ...(fit ? { fit } : {}),
        };
      };
      return {
        ask({ remaining }) {
          const k = Math.min(batch, Math.floor((remaining + 1e-9) / cost), order.length - next);
          const out = order.slice(next, next + Math.max(0, k));
          next += out.length;
          return out;
        },
        tell(observations) {
          for (const o of observations) {
            if (o.fidelity !== fidelity) continue;
            xs.push(o.mixture);
            ys.push(t.to(o.value));
            rows.push(o.metrics);
          }
        },
        recommend() {
          if (xs.length < 2) {
            return {
              mixture: targetPool
                ? targetPool[nearestIndex(targetPool, ctx.prior)]!
                : targetSet
                ? targetSet.repair(ctx.prior)
                : ctx.prior,
            };
          }
          if (cached?.n !== xs.length) {
            cached = { n: xs.length, ...pick(regressor.fit(xs, ys, ctx, rows)) };
          }
          return {
            mixture: cached.mixture,
            predicted: cached.predicted,
            ...(cached.fit ? { fit: cached.fit } : {}),
          };
        },
      };
    },
  };
}

/**
 * Keeps a continuous-mode recommendation inside the task's feasible set: `x` itself when it is
 * inside; otherwise, of the points where the segments from each anchor (table run) toward `x`
 * leave the set ({@linkcode FeasibleSet.repair}), the one with the best prediction (ties:
 * {@linkcode bestPredicted}). For a law convex on the box whose minimiser over it is `x` (BiMix,
 * Olmix's KL-regularised objective), that point is the best of its segment. A search that
 * found no feasible candidate (`x` all zeros) gets the same rule toward the prior.
 *
 * @example
 * ```ts
 * import { feasiblePick } from "./_swarm.ts";
 * import { FeasibleSet } from "../core/feasible.ts";
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * const set = new FeasibleSet({ fidelity: "1M", upper: [1, 1], radius: 0.2, anchors: [[0.8, 0.2], [0.5, 0.5]] });
 * const predict = (ms: readonly (readonly number[])[]) => Float64Array.from(ms, (w) => w[1]!); // less of domain 1 is better
 * const w = feasiblePick(set, [1, 0], predict, [0.5, 0.5]);
 * assertEquals(set.contains(w), true);
 * assertEquals(Math.abs(w[0]! - 0.9) < 1e-6, true); // from [0.8, 0.2], L1 0.2 toward [1, 0]
 * ```
 * @param set The feasible set of the target fidelity.
 * @param x The unconstrained recommendation.
 * @param predict Loss-like predictions (lower is better).
 * @param prior The prior (tie-break, and the direction when `x` is empty).
 * @returns A feasible mixture.
 */
export function feasiblePick(
  set: FeasibleSet,
  x: Mixture,
  predict: (ms: readonly Mixture[]) => Float64Array,
  prior: Mixture,
): Mixture {
  const to = x.some((v) => v > 0) ? x : prior;
  if (to === x && set.contains(x)) return x;
  const candidates = Array.from({ length: set.size }, (_, i) => set.repair(to, i));
  return candidates[bestPredicted(predict(candidates), candidates, prior)]!;
}

/**
 * Index of the best (lowest) prediction. Ties — predictions equal within 1e-12 relative, as a
 * constant predictor gives — are broken by the L1 distance of the candidate to the prior (the
 * natural mixture), then by its weights compared lexicographically: never by table row order.
 *
 * @example
 * ```ts
 * import { bestPredicted } from "./_swarm.ts";
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * const pool = [[1, 0], [0.5, 0.5], [0, 1]];
 * assertEquals(bestPredicted(Float64Array.of(1, 1, 1), pool, [0.4, 0.6]), 1);
 * assertEquals(bestPredicted(Float64Array.of(3, 2, 1), pool, [0.4, 0.6]), 2);
 * ```
 * @param pred Loss-like predictions, one per candidate.
 * @param candidates The candidate mixtures.
 * @param prior The prior mixture.
 * @returns The chosen index.
 */
export function bestPredicted(
  pred: Float64Array,
  candidates: readonly Mixture[],
  prior: Mixture,
): number {
  const lo = Math.min(...pred);
  const tol = 1e-12 * Math.max(1, Math.abs(lo));
  const l1 = (m: Mixture) => m.reduce((a, x, j) => a + Math.abs(x - prior[j]!), 0);
  let best = -1;
  let bestD = Infinity;
  for (let i = 0; i < pred.length; i++) {
    if (pred[i]! - lo > tol) continue;
    const d = l1(candidates[i]!);
    if (
      best < 0 || d < bestD - 1e-12 ||
      (Math.abs(d - bestD) <= 1e-12 && lexLess(candidates[i]!, candidates[best]!))
    ) {
      best = i;
      bestD = d;
    }
  }
  return best;
}

function lexLess(a: Mixture, b: Mixture): boolean {
  for (let j = 0; j < a.length; j++) if (a[j] !== b[j]) return a[j]! < b[j]!;
  return false;
}
