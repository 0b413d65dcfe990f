/**
 * `doge` — DoGE, Domain reweighting with Generalization Estimation (Fan, Pagliardini, Jaggi,
 * ICML 2024, arXiv:2310.15393, §3 and Algorithm 1; reference code `Olivia-fsm/DoGE`,
 * `src/trainer.py` L590-648 and `config/doge.json`; methods.md §6). A proxy run is steered by
 * mirror descent on the generalisation estimate: every step, with the per-domain gradients g_i
 * of the current model (charged, `gradients`) and the current learning rate η_t,
 * universal mode (the task trains on every domain it is judged on):
 * `s_i = η_t (Σ_j ⟨g_i, g_j⟩ − ⟨g_i, g_i⟩)`; out-of-domain mode (a `minimix/target-*` task, whose
 * held-out domain is the target o): `s_i = η_t ⟨g_i, g_o⟩`; then `s ← s / (mean_i ‖g_i‖ + 1e-6)`,
 * `s ← clip(s, η_t·dw_min, η_t·dw_max)`, `α ← softmax(log α + s / μ)`, `α ← (1 − ε) α + ε / m`.
 * The output is the **time average of α** (the weights-transfer track's static mixture).
 * μ = 0.01, dw_min = 0, dw_max = 5, ε = 0 (`config/doge.json`).
 *
 * Departures: the per-domain gradients are taken on fresh probe sequences (one 512-byte sequence
 * per domain per step, charged forward + backward) instead of on the domain's part of the
 * training batch, and without clipping the global gradient norm (the environment's model has
 * none); the proxy **samples** with α instead of taking the α-weighted sum of the domain
 * gradients (equal in expectation); the target gradient of the OOD mode is taken on two 4 KiB
 * validation pieces of the held-out domain (the reference code uses a batch of its training
 * split).
 *
 * **Step size (checked, kept).** The weight step is the model's current learning rate η_t in the
 * paper's derivation (one SGD step of the proxy on the α-weighted gradient, methods.md §6(a)) and
 * in both reference implementations (`Olivia-fsm/DoGE` `src/trainer.py` `update_domain_weights`:
 * `lr_t = self.lr_scheduler.get_last_lr()[0]`; Aioli's port `trainer/doge_trainer.py`: `lr =
 * self.lr_scheduler.get_last_lr()[0]`): neither defines a weight step size apart from the model's
 * learning rate, so none is invented here. At minimix's peak rate 0.05 (the reference script's is
 * 5e-4) η_t / μ is about 5 instead of 0.05, and on `minimix/avg` (S, seed 0) the 90th percentile of
 * the normalised score is 2.2, i.e. a step of about 10 in log α: the weights collapse within the
 * first steps (legal, ts_code, factbook and udhr below 0.001 by step 17). The reference's clip of
 * each domain gradient's norm (5; 1 in Aioli's port) would not change this: minimix's per-domain
 * gradient norms stay below 1.4 (median 0.18).
 *
 * @module
 */

import type { OnlineMethodFactory } from "../../core/online.ts";

/** DoGE's constants. */
export interface DogeOptions {
  /** Mirror-descent temperature μ. */
  readonly mu: number;
  /** Clip bounds (multiples of the learning rate). */
  readonly dwMin: number;
  readonly dwMax: number;
  /** Smoothing towards uniform. */
  readonly eps: number;
}

/** The reference configuration. */
export const DOGE_DEFAULTS: DogeOptions = { mu: 0.01, dwMin: 0, dwMax: 5, eps: 0 };

/**
 * One DoGE update of α from the Gram matrix (and, OOD, the target inner products).
 *
 * @example Universal mode, two domains, η_t = 0.1, μ = 0.1
 * ```ts
 * import { dogeUpdate } from "./doge.ts";
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * // Gram [[4, 1], [1, 1]]: s = 0.1·[1, 1] / (mean(2, 1) + 1e-6); clip to [0, 0.5]
 * const a = dogeUpdate([0.5, 0.5], [[4, 1], [1, 1]], undefined, 0.1, { mu: 0.1, dwMin: 0, dwMax: 5, eps: 0 });
 * // both scores are equal: α stays uniform
 * assertEquals(a.map((x) => x.toFixed(12)), ["0.500000000000", "0.500000000000"]);
 * ```
 */
export function dogeUpdate(
  alpha: readonly number[],
  gram: readonly (readonly number[])[],
  target: readonly number[] | undefined,
  lr: number,
  o: DogeOptions,
): number[] {
  const k = alpha.length;
  const raw = target
    ? target.map((x) => lr * x)
    : gram.map((row, i) => lr * (row.reduce((s, x) => s + x, 0) - row[i]!));
  const norm = gram.reduce((s, row, i) => s + Math.sqrt(Math.max(0, row[i]!)), 0) / k;
  const s = raw.map((x) => Math.min(lr * o.dwMax, Math.max(lr * o.dwMin, x / (norm + 1e-6))));
  const l = alpha.map((a, i) => Math.log(a) + s[i]! / o.mu);
  const m = Math.max(...l);
  const e = l.map((x) => Math.exp(x - m));
  const z = e.reduce((a, x) => a + x, 0);
  return e.map((x) => (1 - o.eps) * x / z + o.eps / k);
}

/** DoGE with the given constants. */
export function dogeWith(o: DogeOptions): OnlineMethodFactory {
  return {
    id: "doge",
    version: "1",
    description:
      "DoGE: mirror descent on per-domain gradient alignment (universal or OOD); time-averaged weights",
    start(env0) {
      const k = env0.domains;
      let alpha = new Array(k).fill(1 / k);
      const sum = new Array(k).fill(0);
      let n = 0;
      return {
        round(env) {
          // OOD mode on tasks with a held-out target domain, universal mode otherwise.
          const g = env.gradients({ probeSeqs: 1, target: env.hasTarget });
          alpha = dogeUpdate(alpha, g.gram, g.target, env.learningRate, o);
          alpha.forEach((x, i) => (sum[i] += x));
          n++;
          env.setWeights(alpha);
          env.train(1);
        },
        finish: () => ({ mixture: sum.map((x) => x / n) }),
      };
    },
  };
}

/** DoGE with the reference configuration. */
export const doge: OnlineMethodFactory = dogeWith(DOGE_DEFAULTS);
