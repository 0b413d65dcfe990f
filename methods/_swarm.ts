import type { Example, MethodContext, MethodFactory, Predictor } from "../core/method.ts";
import { nearestIndex } from "../core/mixture.ts";
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
}

/**
 * A regressor of a one-shot "swarm → fit → pick" method. It sees values in their loss-like
 * orientation (lower is better).
 */
export interface SwarmRegressor {
  fit(xs: readonly Mixture[], ys: readonly number[], ctx: MethodContext): SwarmFit;
}

/** Options shared by the one-shot swarm methods. */
export interface SwarmOptions {
  /** Fidelity of the swarm runs. @default {the cheapest queryable fidelity} */
  fidelity?: string;
  /** Runs asked per batch (the recommendation is refitted at each checkpoint on what is in). @default {16} */
  batch?: number;
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

/**
 * Builds a pool-mode one-shot method: random pool draws at the swarm fidelity (without
 * replacement, in batches), and at every recommendation a fit on all runs observed at that
 * fidelity, then either the target-pool member with the best prediction ("rank the pool") or,
 * for methods with a proposer, the member nearest (L1) to the proposal. With fewer than two
 * runs the member nearest to the prior is recommended. The factory's `fit` exposes the
 * regressor to the Predict track.
 */
export function swarmMethod(
  id: string,
  description: string,
  regressor: SwarmRegressor,
  options: SwarmOptions = {},
): MethodFactory {
  const batch = options.batch ?? 16;
  return {
    id,
    description,
    ranked: true,
    fit(examples: readonly Example[], ctx: MethodContext): Predictor {
      const t = lossLike(ctx);
      const f = regressor.fit(
        examples.map((e) => e.mixture),
        examples.map((e) => t.to(e.value)),
        ctx,
      );
      return { predict: (ms) => f.predict(ms).map(t.from) };
    },
    create(ctx) {
      if (ctx.mode !== "pool" || !ctx.pool || !ctx.targetPool) {
        throw new TypeError(
          `Method "${id}" supports pool mode only (the surrogate runner is not built yet)`,
        );
      }
      const fidelity = options.fidelity ?? ctx.fidelities[0]!;
      const cost = ctx.costs[fidelity];
      if (cost === undefined) {
        throw new TypeError(`Method "${id}": fidelity "${fidelity}" is not queryable`);
      }
      const order: Proposal[] = ctx.rng.shuffle(ctx.pool.filter((p) => p.fidelity === fidelity));
      const targetPool = ctx.targetPool;
      const t = lossLike(ctx);
      const xs: Mixture[] = [];
      const ys: number[] = [];
      let next = 0;
      let cached: { n: number; index: number; predicted: number } | undefined;
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
          }
        },
        recommend() {
          if (xs.length < 2) return { mixture: targetPool[nearestIndex(targetPool, ctx.prior)]! };
          if (cached?.n !== xs.length) {
            const fitted = regressor.fit(xs, ys, ctx);
            let best = 0;
            let pred: Float64Array;
            if (fitted.propose) {
              best = nearestIndex(targetPool, fitted.propose());
              pred = fitted.predict([targetPool[best]!]);
              cached = { n: xs.length, index: best, predicted: t.from(pred[0]!) };
            } else {
              pred = fitted.predict(targetPool);
              for (let i = 1; i < pred.length; i++) if (pred[i]! < pred[best]!) best = i;
              cached = { n: xs.length, index: best, predicted: t.from(pred[best]!) };
            }
          }
          return { mixture: targetPool[cached.index]!, predicted: cached.predicted };
        },
      };
    },
  };
}
