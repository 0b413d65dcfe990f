/**
 * Merge-based fresh runs (Na, Magnusson, Jha, Sherborne, Strubell, Dodge, Dasigi, EMNLP 2024,
 * arXiv 2410.15661; methods.md §14): train a base model on the uniform mixture, continue one copy
 * per domain, and answer any mixture by the validation loss of the **mixture-weighted parameter
 * average** of the domain copies — a cheap proxy for training on that mixture, with the per-domain
 * training charged once.
 *
 * Recipe here: the base model trains the first half of the fidelity's steps on the uniform mixture;
 * each domain's copy continues from it for the second half on that domain alone (the learning-rate
 * schedule continues where the base stopped). Total training: half a run plus half a run per
 * domain.
 *
 * Departures from the paper: (1) mixture weights are any point of the simplex, averaged with those
 * weights, where the paper realises weights as multiplicities of equal-size units (a uniform
 * average over a multiset); (2) the "seed model" is trained here on the uniform mixture of the same
 * domains, not a separate pre-training corpus; (3) the Adam moments are not merged (only the
 * weights are evaluated).
 *
 * @example
 * ```ts ignore
 * const proxy = buildMergeProxy(loadCorpus(), { trainDomains: [0, 1, 2], fidelity: "M", seed: 0 });
 * const losses = proxy.evaluate([0.2, 0.3, 0.5]);
 * ```
 *
 * @module
 */

import type { HashedLm, HashedLmState } from "../../numerics/lm/hashed_lm.ts";
import type { Corpus } from "./corpus.ts";
import { Trainer } from "./env.ts";

/** Options of {@linkcode buildMergeProxy}. */
export interface MergeOptions {
  /** Corpus indices of the domains a mixture weighs. */
  trainDomains: readonly number[];
  /** Fidelity id. */
  fidelity: string;
  /** Seed of the data order. */
  seed: number;
}

/** The trained domain copies and the proxy evaluation. */
export interface MergeProxy {
  /** Training charged to build the proxy, in runs of its fidelity (½ + ½ per domain). */
  readonly chargedRuns: number;
  /**
   * Passes over each training domain's data behind its copy: the base model's share (uniform
   * mixture, first half) plus the copy's own continuation (second half).
   */
  readonly epochs: readonly number[];
  /**
   * Validation loss (bits/byte) of every corpus domain under the mixture-weighted average of the
   * domain copies.
   *
   * @param mixture Weights over the training domains.
   */
  evaluate(mixture: readonly number[]): number[];
}

/**
 * Trains the base model and one continued copy per domain.
 *
 * @param corpus The loaded corpus.
 * @param options Domains, fidelity and seed.
 * @returns The proxy.
 */
export function buildMergeProxy(corpus: Corpus, options: MergeOptions): MergeProxy {
  const k = options.trainDomains.length;
  const uniform = options.trainDomains.map(() => 1 / k);
  const tr = new Trainer(corpus, { ...options, mixture: uniform });
  const half = Math.floor(tr.steps / 2);
  while (tr.step < half) tr.trainBatch();
  const base = tr.lm.checkpoint();
  const order = tr.saveState();
  const experts: HashedLmState[] = [];
  const epochs: number[] = [];
  for (let d = 0; d < k; d++) {
    tr.lm.restore(base);
    tr.loadState(order);
    tr.setWeights(uniform.map((_, i) => (i === d ? 1 : 0)));
    while (tr.step < tr.steps) tr.trainBatch();
    experts.push(tr.lm.checkpoint());
    epochs.push(tr.trainStats().epochs[d]!);
  }
  const merged = new Trainer(corpus, { ...options, mixture: uniform });
  const lm: HashedLm = merged.lm;
  return {
    chargedRuns: 0.5 + 0.5 * k,
    epochs,
    evaluate(mixture) {
      if (mixture.length !== k) {
        throw new RangeError(`MergeProxy: mixture has ${mixture.length} weights, expected ${k}`);
      }
      lm.setWeightedSum(experts, mixture);
      return corpus.domains.map((_, i) => merged.validLoss(i));
    },
  };
}
