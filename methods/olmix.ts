/**
 * `olmix` — Olmix (Chen, Murray, Heineman, Jordan, Hajishirzi, Ré, Soldaini, Lo; 2026;
 * arXiv:2602.12237; `allenai/olmix`, methods.md §15) with its defaults: the log-linear regressor
 * `ŷ(p) = exp(a) + exp(tᵀp)` fitted with the DML multi-start L-BFGS + Huber procedure (δ 0.02,
 * a ∈ linspace(−2, 1.5, 10) × 30 random t, 100 outer rounds), and the exact proposer
 * `argmin Σ_k v_k·exp(t_kᵀx) + λ·KL(x ‖ q)` over the capped simplex (λ = 0.1, q = the prior
 * floored at 1e-12), solved by methods/_kl_proposer.ts.
 *
 * Repetition caps `min(token_count · repetition_factor / target_tokens, 1)` (factor 4, target
 * 1e12 tokens, as in the Olmix example configs) apply when the table's domains carry token
 * counts; a domain without a count is uncapped, and caps summing below 1 (counts that are not
 * tokens, e.g. ADMIRE's sample counts) are not applied.
 *
 * Departures: one regressor is fitted to the task objective (Olmix fits one per metric and
 * weights them, v uniform; the tasks' objectives are single metrics or averages the tables give);
 * the start grid is screened to the best 8 starts (methods/_exp_law.ts); maximised objectives
 * bounded above are fitted as `upper − y`; in pool mode the recommendation is the target-pool
 * member nearest (L1) to the proposal.
 *
 * @module
 */

import { fitExpLaw, linspace, predictExpLaw } from "./_exp_law.ts";
import { klProposer } from "./_kl_proposer.ts";
import type { MethodContext, MethodFactory } from "../core/method.ts";
import { ownDomain } from "./_own_domain.ts";
import { swarmMethod, type SwarmOptions } from "./_swarm.ts";

/** Options of {@linkcode olmix}. */
export interface OlmixOptions extends SwarmOptions {
  /** KL regularisation λ. @default {0.1} */
  lambda?: number;
  /** Repetition factor of the caps. @default {4} */
  repetitionFactor?: number;
  /** Target training tokens of the caps. @default {1e12} */
  targetTokens?: number;
  /** Starts optimised after screening the grid. @default {8} */
  refine?: number;
}

/** Repetition caps from token counts, or undefined when they do not apply. */
export function repetitionCaps(
  ctx: MethodContext,
  factor: number,
  target: number,
): number[] | undefined {
  if (!ctx.domains.some((d) => d.count !== undefined)) return undefined;
  const caps = ctx.domains.map((d) =>
    d.count === undefined ? 1 : Math.min((d.count * factor) / target, 1)
  );
  return caps.reduce((a, b) => a + b, 0) >= 1 ? caps : undefined;
}

/**
 * Creates the Olmix method.
 *
 * @param options λ, caps and fitting effort.
 * @returns The method factory.
 */
export function olmix(options: OlmixOptions = {}): MethodFactory {
  const lambda = options.lambda ?? 0.1;
  const factor = options.repetitionFactor ?? 4;
  const target = options.targetTokens ?? 1e12;
  const refine = options.refine ?? 8;
  return swarmMethod(
    "olmix",
    "Olmix: log-linear regressor + exact KL-regularised proposer on the capped simplex",
    {
      fit(xs, ys, ctx) {
        const law = fitExpLaw(xs, ys, ctx.rng.fork("olmix"), {
          withB: false,
          delta: 0.02,
          aGrid: linspace(-2, 1.5, 10),
          tStarts: 30,
          steps: 100,
          own: ownDomain(ctx),
          refine,
        });
        const caps = repetitionCaps(ctx, factor, target);
        return {
          predict: (ms) => Float64Array.from(ms, (r) => predictExpLaw(law, r)),
          propose: () => klProposer([law.t], ctx.prior, { lambda, ...(caps ? { caps } : {}) }).x,
        };
      },
    },
    options,
  );
}
