/**
 * `doremi` — DoReMi (Xie et al., NeurIPS 2023, arXiv:2305.10429, §2 and Algorithm 1; reference
 * code `sangmichaelxie/doremi`, `doremi/trainer.py` L239-260; methods.md §5): a **reference** run
 * is trained on the uniform mixture (charged: a whole run, `aux:train`), then the steered
 * **proxy** run is trained with Group DRO on the excess loss: after each step, for every domain
 * in the batch, `ŝ_i = max(ℓ_θ,i − ℓ_ref,i, 0)` (the reference model, frozen, evaluated on the
 * same sequences: charged as a forward pass, `reference`); `log α ← log α + η ŝ`, `α ← softmax`,
 * `α ← (1 − c) α + c/m`; domains absent from the batch keep their previous ŝ. The output is the
 * **time average of α** over the proxy's steps (the static mixture of the weights-transfer track).
 * η = 1 (`reweight_eta`), c = 1e-3 (the paper's and the sample scripts' smoothing), α₀ uniform.
 *
 * `doremi-iter2` — iterated DoReMi (the README of the reference code): a second round whose
 * reference run is trained on the first round's output weights; both rounds' runs are charged.
 * The steered run is the last round's proxy.
 *
 * Departures: the proxy **samples** its batches with α instead of sampling uniformly and
 * reweighting the loss by α (the environment steers sampling only; in expectation the gradient is
 * the same, Σ_i α_i ∇L_i, with a different variance); the excess loss is clipped after averaging
 * over each domain's bytes of the batch (the environment gives per-domain mean losses, as Aioli's
 * port of DoReMi uses them) rather than per token; losses in nats per byte; the proxy and the
 * reference are the environment's hashed byte model at the run's fidelity, not 280M
 * transformers.
 *
 * @module
 */

import type { OnlineEnv, OnlineMethodFactory } from "../../core/online.ts";

/** DoReMi's state. */
export interface DoremiState {
  /** log α (unnormalised). */
  readonly logAlpha: number[];
  /** The current α. */
  readonly alpha: number[];
  /** Last excess loss per domain. */
  readonly excess: number[];
  /** Sum of α over updates, and their count. */
  readonly sum: number[];
  n: number;
}

/** A fresh state with uniform α. */
export function doremiState(k: number): DoremiState {
  return {
    logAlpha: new Array(k).fill(Math.log(1 / k)),
    alpha: new Array(k).fill(1 / k),
    excess: new Array(k).fill(0),
    sum: new Array(k).fill(0),
    n: 0,
  };
}

/**
 * One DoReMi update from one batch's per-domain proxy and reference losses (nats; NaN = absent).
 *
 * @example Two domains, η = 1, c = 0: the domain with excess loss 1 gains weight e : 1
 * ```ts
 * import { doremiState, doremiUpdate } from "./doremi.ts";
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * const s = doremiState(2);
 * doremiUpdate(s, [3, 2], [2, 2.5], 1, 0);
 * // excess = [max(3 − 2, 0), max(2 − 2.5, 0)] = [1, 0]; α ∝ [0.5 e, 0.5]
 * const e = Math.E;
 * assertEquals(s.alpha.map((x) => x.toFixed(12)), [e / (e + 1), 1 / (e + 1)].map((x) => x.toFixed(12)));
 * ```
 */
export function doremiUpdate(
  s: DoremiState,
  proxy: readonly number[],
  reference: readonly number[],
  eta: number,
  smoothing: number,
): void {
  const k = s.alpha.length;
  proxy.forEach((l, i) => {
    if (Number.isNaN(l) || Number.isNaN(reference[i]!)) return;
    s.excess[i] = Math.max(l - reference[i]!, 0);
  });
  for (let i = 0; i < k; i++) s.logAlpha[i] = s.logAlpha[i]! + eta * s.excess[i]!;
  const m = Math.max(...s.logAlpha);
  const e = s.logAlpha.map((x) => Math.exp(x - m));
  const z = e.reduce((a, x) => a + x, 0);
  for (let i = 0; i < k; i++) {
    s.alpha[i] = (1 - smoothing) * e[i]! / z + smoothing / k;
    // The next step starts from log α of the smoothed weights (methods.md §5 reading of
    // trainer.py L239-260; not re-checked against the code here).
    s.logAlpha[i] = Math.log(s.alpha[i]!);
    s.sum[i] = s.sum[i]! + s.alpha[i]!;
  }
  s.n++;
}

/** The time-averaged weights of a state. */
export function doremiAverage(s: DoremiState): number[] {
  if (s.n === 0) return [...s.alpha];
  const out = s.sum.map((x) => x / s.n);
  const z = out.reduce((a, x) => a + x, 0);
  return out.map((x) => x / z);
}

/** Trains a reference run on `weights` to its end (charged to the cell). */
function referenceRun(env: OnlineEnv, weights: readonly number[]): OnlineEnv {
  const ref = env.open(weights);
  while (ref.step < ref.steps) ref.train(ref.steps - ref.step);
  return ref;
}

/** One proxy run on `proxy` steered by Group DRO against `ref`; returns its state. */
function proxyRound(env: OnlineEnv, ref: OnlineEnv, s: DoremiState): void {
  env.setWeights(s.alpha);
  const { trainLoss, referenceLoss } = env.train(1, { reference: ref });
  doremiUpdate(
    s,
    trainLoss[0]!.map((x) => x * Math.LN2),
    referenceLoss![0]!.map((x) => x * Math.LN2),
    1,
    1e-3,
  );
}

function doremiFactory(id: string, description: string, rounds: number): OnlineMethodFactory {
  return {
    id,
    version: "1",
    description,
    start(env) {
      const k = env.domains;
      const uniform = new Array(k).fill(1 / k);
      // Earlier rounds: a reference run, then a whole proxy run in an auxiliary run; its output
      // weights are the next round's reference mixture.
      let refWeights: readonly number[] = uniform;
      for (let r = 1; r < rounds; r++) {
        const ref = referenceRun(env, refWeights);
        const proxy = env.open(uniform);
        const s = doremiState(k);
        while (proxy.step < proxy.steps) proxyRound(proxy, ref, s);
        refWeights = doremiAverage(s);
      }
      const ref = referenceRun(env, refWeights);
      const s = doremiState(k);
      return {
        round: (env) => proxyRound(env, ref, s),
        finish: () => ({ mixture: doremiAverage(s) }),
      };
    },
  };
}

/** DoReMi, one round (reference on uniform). */
export const doremi: OnlineMethodFactory = doremiFactory(
  "doremi",
  "DoReMi: Group DRO on excess loss over a uniform reference run; time-averaged weights",
  1,
);

/** Iterated DoReMi, two rounds. */
export const doremiIter2: OnlineMethodFactory = doremiFactory(
  "doremi-iter2",
  "Iterated DoReMi, 2 rounds: the second reference run is trained on round 1's weights",
  2,
);
