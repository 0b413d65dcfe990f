/**
 * `dga` — Dynamic Gradient Alignment (Fan, Grangier, Ablin, 2024, arXiv:2410.02498, §3;
 * methods.md §13): every T steps the per-domain gradients g_i of the current model and the
 * gradient g_T of the target set are taken (charged, `gradients`), and the weights take an
 * exponentiated-gradient step on their alignment, `a_i ∝ a_i exp(η ⟨g_i, g_T⟩ / n̄)`, followed by
 * the EMA `a ← β a_prev + (1 − β) a`; the run trains on a. The product is the schedule itself
 * (in-run track). Target set: on a `minimix/target-*` task the held-out domain's validation
 * pieces; on the other tasks, whose objective weighs every training domain, the mean of the
 * per-domain gradients (`⟨g_i, g_T⟩ = (1/k) Σ_j G_ij`, free from the Gram matrix).
 *
 * **Unverified** (methods.md tags the whole update `[mem]`; no reference code was read): the
 * update's form, the normalisation by the mean per-domain gradient norm n̄ (borrowed from DoGE
 * so that η is scale-free), and the constants, which are mixbench's choices, not the paper's
 * and not tuned: η = 1, β = 0.5, T = steps / 16, one 512-byte probe sequence per domain.
 * Departures: gradients on fresh probe sequences, not the training batch; the basis-distribution
 * variant for thousands of domains is not implemented (eight domains need none).
 *
 * @module
 */

import type { OnlineMethodFactory } from "../../core/online.ts";

/**
 * One DGA step: `a'_i ∝ a_i exp(η ⟨g_i, g_T⟩ / n̄)`, then `β a + (1 − β) a'`.
 *
 * @example
 * ```ts
 * import { dgaUpdate } from "./dga.ts";
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * // Gram diag [1, 1] (n̄ = 1), alignments [1, 0], η = 1, β = 0: a ∝ [e, 1]
 * const a = dgaUpdate([0.5, 0.5], [[1, 0], [0, 1]], [1, 0], 1, 0);
 * assertEquals(a.map((x) => x.toFixed(12)), [Math.E / (Math.E + 1), 1 / (Math.E + 1)].map((x) => x.toFixed(12)));
 * ```
 */
export function dgaUpdate(
  a: readonly number[],
  gram: readonly (readonly number[])[],
  align: readonly number[],
  eta: number,
  beta: number,
): number[] {
  const k = a.length;
  const norm = gram.reduce((s, row, i) => s + Math.sqrt(Math.max(0, row[i]!)), 0) / k;
  const l = a.map((x, i) => Math.log(x) + eta * align[i]! / (norm + 1e-12));
  const m = Math.max(...l);
  const e = l.map((x) => Math.exp(x - m));
  const z = e.reduce((s, x) => s + x, 0);
  return e.map((x, i) => beta * a[i]! + (1 - beta) * x / z);
}

/** DGA with step size η, EMA β and `rounds` updates per run. */
export function dgaWith(o: { eta: number; beta: number; rounds: number }): OnlineMethodFactory {
  return {
    id: "dga",
    version: "1",
    description:
      "DGA: exponentiated-gradient steps on alignment with the target set's gradient, EMA",
    start(env0) {
      const k = env0.domains;
      let a = new Array(k).fill(1 / k);
      const every = Math.max(1, Math.round(env0.steps / o.rounds));
      return {
        round(env) {
          const g = env.gradients({ probeSeqs: 1, target: env.hasTarget });
          const align = g.target ?? g.gram.map((row) => row.reduce((s, x) => s + x, 0) / k);
          a = dgaUpdate(a, g.gram, align, o.eta, o.beta);
          env.setWeights(a);
          env.train(Math.min(every, env.steps - env.step));
        },
        finish: () => ({}),
      };
    },
  };
}

/** DGA: η = 1, β = 0.5, 16 updates per run. */
export const dga: OnlineMethodFactory = dgaWith({ eta: 1, beta: 0.5, rounds: 16 });
