/**
 * `random-search` — draws pool members uniformly at random without replacement and recommends the
 * best one observed (the random baseline of ADMIRE-BayesOpt, Chen et al., 2025, arXiv:2508.11551).
 *
 * Draws come from the target fidelity when it can be queried, otherwise from every queryable
 * fidelity (transfer tasks). The recommendation is the best observed run at the target fidelity;
 * in transfer tasks, the target-pool member nearest (L1) to the best observed mixture; before any
 * observation, the target-pool member nearest to the prior.
 *
 * Continuous mode (surrogate runner): draws x ~ Dirichlet(s · prior) with strength s = the number
 * of domains (so a uniform prior gives the flat Dirichlet over the simplex), at the target
 * fidelity when it can be queried, else at the cheapest; recommends the best observed mixture at
 * the target fidelity, or the prior before any.
 *
 * @module
 */

import { dirichlet } from "../numerics/stats/gamma.ts";
import type { Method, MethodContext, MethodFactory } from "../core/method.ts";
import { nearestIndex } from "../core/mixture.ts";
import type { Observation, Proposal } from "../core/types.ts";

/** Random search over the pool. */
export const randomSearch: MethodFactory = {
  id: "random-search",
  version: "1",
  description: "Uniform random pool draws without replacement; recommends the best observed",
  ranked: true,
  create(ctx) {
    if (ctx.mode === "continuous") return continuous(ctx);
    if (ctx.mode !== "pool" || !ctx.pool || !ctx.targetPool) {
      throw new TypeError(`Method "random-search" supports pool mode only`);
    }
    const targetQueryable = ctx.fidelities.includes(ctx.targetFidelity);
    const order: Proposal[] = ctx.rng.shuffle(
      ctx.pool.filter((p) => !targetQueryable || p.fidelity === ctx.targetFidelity),
    );
    const targetPool = ctx.targetPool;
    const better = ctx.objective.direction === "minimize"
      ? (a: number, b: number) => a < b
      : (a: number, b: number) => a > b;
    let next = 0;
    let best: Observation | undefined;
    return {
      ask({ remaining }) {
        while (next < order.length) {
          const p = order[next++]!;
          if (ctx.costs[p.fidelity]! <= remaining + 1e-9) return [p];
        }
        return [];
      },
      tell(observations) {
        for (const o of observations) {
          if (!targetQueryable || o.fidelity === ctx.targetFidelity) {
            if (!best || better(o.value, best.value)) best = o;
          }
        }
      },
      recommend() {
        const w = best ? best.mixture : ctx.prior;
        return { mixture: targetPool[nearestIndex(targetPool, w)]! };
      },
    };
  },
};

/**
 * Continuous mode: Dirichlet(m · prior) draws at the target fidelity when it is queryable, else at
 * the cheapest; the best observed at that fidelity.
 */
function continuous(ctx: MethodContext): Method {
  const fidelity = ctx.fidelities.includes(ctx.targetFidelity)
    ? ctx.targetFidelity
    : ctx.fidelities[0]!;
  const cost = ctx.costs[fidelity]!;
  const alpha = ctx.prior.map((p) => p * ctx.prior.length);
  const better = ctx.objective.direction === "minimize"
    ? (a: number, b: number) => a < b
    : (a: number, b: number) => a > b;
  let best: Observation | undefined;
  return {
    ask({ remaining }) {
      if (cost > remaining + 1e-9) return [];
      return [{ mixture: Array.from(dirichlet(ctx.rng, alpha)), fidelity }];
    },
    tell(observations) {
      for (const o of observations) {
        if (o.fidelity === fidelity && (!best || better(o.value, best.value))) best = o;
      }
    },
    recommend() {
      return { mixture: best ? best.mixture : ctx.prior };
    },
  };
}
