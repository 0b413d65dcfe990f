/**
 * `dml` — Data Mixing Laws (Ye, Liu, Sun, Zhan, Zhou, Qiu; 2024; arXiv:2403.16952, ICLR 2025),
 * the mixing law of §3 of the paper as specified in methods.md §3: the objective as a function
 * of the training proportions is `L(r) = exp(a) + exp(b + tᵀr)`, fitted with Huber loss (δ 0.05,
 * summed) and multi-start L-BFGS from the reference's init grid (log c ∈ linspace(−2, 1.5, 10) ×
 * log k ∈ linspace(−10, 1, 20) × 30 random t with t_own = −U(0,1), t_other = 0.1·U(0,1); 50 outer
 * rounds of ≤ 20 L-BFGS iterations).
 *
 * Departures from the reference code (`yegcjs/mixinglaws`):
 * - One law is fitted to the task objective itself. The paper fits one law per validation
 *   domain and sums them with fixed weights; the tasks here optimise a single metric (Pile-CC
 *   loss) or an average the tables already give (mean loss, IFT average, mean BPB).
 * - The 6000 starts are screened by their initial loss and the best 8 optimised
 *   (methods/_exp_law.ts).
 * - Maximised objectives bounded above (accuracies) are fitted as `upper − y` (error rates).
 * - The nested step and size laws need learning curves and are not used: no shipped table has
 *   them.
 * - Pool mode: the target-pool member with the lowest predicted loss is recommended (minimising
 *   a single law over the simplex puts all weight on the domain with the smallest t_j, so the
 *   continuous minimiser is meaningful only for the per-domain aggregate).
 *
 * @module
 */

import { fitExpLaw, predictExpLaw } from "./_exp_law.ts";
import type { MethodFactory } from "../core/method.ts";
import { ownDomain } from "./_own_domain.ts";
import { swarmMethod, type SwarmOptions } from "./_swarm.ts";

/** Options of {@linkcode dml}. */
export interface DmlOptions extends SwarmOptions {
  /** Starts optimised after screening the 6000-start grid. @default {8} */
  refine?: number;
}

/**
 * Creates the Data Mixing Laws method.
 *
 * @example
 * ```ts
 * import { dml } from "./dml.ts";
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * assertEquals(dml().id, "dml");
 * ```
 * @param options Swarm fidelity, batch size and fitting effort.
 * @returns The method factory.
 */
export function dml(options: DmlOptions = {}): MethodFactory {
  const refine = options.refine ?? 8;
  return swarmMethod(
    "dml",
    "Data Mixing Laws: exponential law fitted with Huber + multi-start L-BFGS, best predicted pool member",
    {
      fit(xs, ys, ctx) {
        const law = fitExpLaw(xs, ys, ctx.rng.fork("dml"), {
          own: ownDomain(ctx),
          delta: 0.05,
          refine,
        });
        return { predict: (ms) => Float64Array.from(ms, (r) => predictExpLaw(law, r)) };
      },
    },
    options,
  );
}
