/**
 * `tikmix` — TiKMiX-D (Wang et al., 2025, arXiv:2508.17677; methods.md §12): periodically
 * during the run, the **group influence** of each domain on the target set is estimated from
 * gradients, `GI_i ≈ ∇L_T(θ)ᵀ H⁻¹ ∇L_{D_i}(θ)`, and the mixture maximising the total influence
 * under a regulariser is taken: `w = argmax_{w ∈ Δ} Σ_i w_i GI_i − λ KL(w ‖ u)`, whose solution
 * is `w_i ∝ u_i exp(GI_i / λ)` (u: the uniform prior mixture). The product is the schedule (in-run
 * track). Target set as in `dga`: the held-out domain on `minimix/target-*` tasks, else the mean
 * of the per-domain gradients.
 *
 * **Unverified — which parts.** No reference code exists and the paper body could not be read
 * (methods.md §12: `[mem, verify]`). Taken from the abstract: the periodic re-estimation of a
 * per-domain influence on target tasks and the direct optimisation of the influence-weighted
 * objective (TiKMiX-D). mixbench's choices, none verified: H = I (no Hessian or Fisher: the
 * influence is a plain gradient inner product, normalised by the mean per-domain gradient norm),
 * the KL regulariser towards the uniform prior with λ = 1 (methods.md's R "keeping w near the
 * prior"), re-estimation every steps / 8 steps with one 512-byte probe sequence per domain.
 * TiKMiX-M (the regression variant) is not implemented.
 *
 * @module
 */

import type { OnlineMethodFactory } from "../../core/online.ts";

/**
 * TiKMiX-D's mixture from group influences: `w_i ∝ exp(GI_i / (λ n̄))` (uniform prior).
 *
 * @example
 * ```ts
 * import { tikmixWeights } from "./tikmix.ts";
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * // n̄ = mean(√4, √1) = 1.5; GI = [3, 0], λ = 1: w ∝ [e², 1]
 * const w = tikmixWeights([[4, 0], [0, 1]], [3, 0], 1);
 * const e2 = Math.exp(2);
 * assertEquals(w.map((x) => x.toFixed(12)), [e2 / (e2 + 1), 1 / (e2 + 1)].map((x) => x.toFixed(12)));
 * ```
 */
export function tikmixWeights(
  gram: readonly (readonly number[])[],
  influence: readonly number[],
  lambda: number,
): number[] {
  const k = influence.length;
  const norm = gram.reduce((s, row, i) => s + Math.sqrt(Math.max(0, row[i]!)), 0) / k;
  const l = influence.map((x) => x / (lambda * (norm + 1e-12)));
  const m = Math.max(...l);
  const e = l.map((x) => Math.exp(x - m));
  const z = e.reduce((s, x) => s + x, 0);
  return e.map((x) => x / z);
}

/** TiKMiX-D with regularisation λ and `rounds` re-estimations per run. */
export function tikmixWith(o: { lambda: number; rounds: number }): OnlineMethodFactory {
  return {
    id: "tikmix",
    version: "1",
    description:
      "TiKMiX-D (partly unverified): periodic group influence from gradient products, KL-regularised argmax",
    start(env0) {
      const k = env0.domains;
      const every = Math.max(1, Math.round(env0.steps / o.rounds));
      return {
        round(env) {
          const g = env.gradients({ probeSeqs: 1, target: env.hasTarget });
          const gi = g.target ?? g.gram.map((row) => row.reduce((s, x) => s + x, 0) / k);
          env.setWeights(tikmixWeights(g.gram, gi, o.lambda));
          env.train(Math.min(every, env.steps - env.step));
        },
        finish: () => ({}),
      };
    },
  };
}

/** TiKMiX-D: λ = 1, 8 re-estimations per run. */
export const tikmix: OnlineMethodFactory = tikmixWith({ lambda: 1, rounds: 8 });
