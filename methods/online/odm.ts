/**
 * `odm` and `odm-smoothed` — Online Data Mixing (Albalak, Pan, Raffel, Wang, 2023,
 * arXiv:2312.02406; methods.md §8): every domain is an arm of a non-stationary bandit whose reward
 * is its training loss; after each step the sampling weights are updated from the losses of the
 * batch just trained on (free signals: no extra pass).
 *
 * Two ids, because the paper's rule and the released code's differ (methods.md §8(d)):
 *
 * - `odm` — the paper's EXP3 form: `ε_t = min(1/K, √(ln K / (K t)))`; for each domain i in the
 *   batch, `R̂_i ← s R̂_i + (1 − s) ℓ_i / π_i` (importance-weighted, smoothed);
 *   `π_i = (1 − K ε_t) · exp(ε_{t−1} R̂_i) / Σ_j exp(ε_{t−1} R̂_j) + ε_t`. **Unverified**: this form
 *   is reconstructed from memory of the paper (methods.md tags it `[mem]`); s = 0.9 is the code's
 *   default; the EXP3 updater of the code also divides rewards by 10, which is not applied here.
 * - `odm-smoothed` — the released "smoothed_mean" group update used for the final runs
 *   (`megatron/data/data_sampling_utils.py`): `R̂_i ← s R̂_i + (1 − s) exp(ℓ_i)` (no importance
 *   weight), `π_i ∝ (1 − K ε_t) R̂_i / Σ_j R̂_j + ε_t`, with s = 0.5 (`train_1B_ema_0.5smoothing.sh`).
 *   R̂ starts at 0; until every domain has reported once the update is skipped (the 0/0 guard
 *   methods.md asks for).
 *
 * Departures (both ids): mixed minibatches with **exact** per-batch domain counts (the
 * environment's smooth round-robin) instead of independent draws per slot; initial weights
 * uniform (the released runs start from The Pile's default weights; minimix's natural mixture is
 * uniform); the warm-up without updates is 5% of the steps (2 000 steps in the released 1B runs,
 * whose total is not in methods.md); losses in nats per byte (the code's are nats per token);
 * `t` counts updates from 1, and `ε_0` is taken as `ε_1`.
 *
 * @module
 */

import type { OnlineMethodFactory } from "../../core/online.ts";

/** State of the ODM bandit. */
export interface OdmState {
  /** Smoothed rewards per domain. */
  readonly rewards: number[];
  /** Sampling weights. */
  readonly weights: number[];
  /** Updates made so far. */
  t: number;
}

/** Exploration rate `ε_t = min(1/K, √(ln K / (K t)))`. */
export function odmEpsilon(k: number, t: number): number {
  return Math.min(1 / k, Math.sqrt(Math.log(k) / (k * Math.max(1, t))));
}

/**
 * One update of the paper's EXP3 form from one batch's per-domain losses (nats; NaN = absent).
 *
 * @example
 * ```ts
 * import { odmExp3Update } from "./odm.ts";
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * const s = { rewards: [0, 0], weights: [0.5, 0.5], t: 0 };
 * odmExp3Update(s, [1, NaN], 0.9);
 * // R̂ = [0.1 · 1 / 0.5, 0] = [0.2, 0]; ε_1 = 0.5 (K = 2): π = (1 − 1)·softmax + 0.5 = uniform
 * assertEquals(s.rewards.map((x) => x.toFixed(12)), ["0.200000000000", "0.000000000000"]);
 * assertEquals(s.weights, [0.5, 0.5]);
 * ```
 */
export function odmExp3Update(s: OdmState, loss: readonly number[], smoothing: number): void {
  const k = s.weights.length;
  s.t++;
  loss.forEach((l, i) => {
    if (Number.isNaN(l)) return;
    s.rewards[i] = smoothing * s.rewards[i]! + (1 - smoothing) * l / s.weights[i]!;
  });
  const eps = odmEpsilon(k, s.t);
  const prev = odmEpsilon(k, s.t - 1);
  const m = Math.max(...s.rewards.map((r) => prev * r));
  const e = s.rewards.map((r) => Math.exp(prev * r - m));
  const z = e.reduce((a, x) => a + x, 0);
  const w = e.map((x) => (1 - k * eps) * x / z + eps);
  const sum = w.reduce((a, x) => a + x, 0);
  w.forEach((x, i) => (s.weights[i] = x / sum));
}

/**
 * One update of the released smoothed-mean form; skipped (weights unchanged) until every domain
 * has a positive reward.
 *
 * @example
 * ```ts
 * import { odmSmoothedUpdate } from "./odm.ts";
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * const s = { rewards: [0, 0], weights: [0.5, 0.5], t: 8 };
 * odmSmoothedUpdate(s, [0, Math.log(3)], 0.5);
 * // R̂ = [0.5, 1.5]; ε_9 = min(0.5, √(ln 2 / 18)) ≈ 0.196; π ∝ (1 − 2ε)·[0.25, 0.75] + ε
 * const eps = Math.sqrt(Math.log(2) / 18);
 * assertEquals(s.weights.map((x) => x.toFixed(6)), [0.25 * (1 - 2 * eps) + eps, 0.75 * (1 - 2 * eps) + eps].map((x) => x.toFixed(6)));
 * ```
 */
export function odmSmoothedUpdate(s: OdmState, loss: readonly number[], smoothing: number): void {
  const k = s.weights.length;
  s.t++;
  loss.forEach((l, i) => {
    if (Number.isNaN(l)) return;
    s.rewards[i] = smoothing * s.rewards[i]! + (1 - smoothing) * Math.exp(l);
  });
  if (s.rewards.some((r) => !(r > 0))) return;
  const eps = odmEpsilon(k, s.t);
  const z = s.rewards.reduce((a, x) => a + x, 0);
  const w = s.rewards.map((r) => (1 - k * eps) * r / z + eps);
  const sum = w.reduce((a, x) => a + x, 0);
  w.forEach((x, i) => (s.weights[i] = x / sum));
}

function odmFactory(
  id: string,
  description: string,
  update: (s: OdmState, loss: readonly number[], smoothing: number) => void,
  smoothing: number,
): OnlineMethodFactory {
  return {
    id,
    version: "1",
    description,
    start(env) {
      const k = env.domains;
      const s: OdmState = {
        rewards: new Array(k).fill(0),
        weights: new Array(k).fill(1 / k),
        t: 0,
      };
      const warmup = Math.round(env.steps * 0.05);
      return {
        round(env) {
          env.setWeights(s.weights);
          if (env.step < warmup) return void env.train(warmup - env.step);
          const { trainLoss } = env.train(1);
          update(s, trainLoss[0]!.map((x) => x * Math.LN2), smoothing);
        },
        finish: () => ({}),
      };
    },
  };
}

/** ODM, the paper's EXP3 form (s = 0.9). */
export const odm: OnlineMethodFactory = odmFactory(
  "odm",
  "Online Data Mixing: EXP3 on per-domain training loss, importance-weighted smoothed rewards",
  odmExp3Update,
  0.9,
);

/** ODM, the released smoothed-mean form (s = 0.5). */
export const odmSmoothed: OnlineMethodFactory = odmFactory(
  "odm-smoothed",
  "Online Data Mixing, released smoothed-mean update: exp(loss) rewards, linear normalisation",
  odmSmoothedUpdate,
  0.5,
);
