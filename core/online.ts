/**
 * The online method interface, beside the offline one ({@linkcode ./method.ts}): an online method
 * steers **one training run** of a `train` task batch by batch (methods.md §20). It is started on
 * an {@linkcode OnlineEnv} — the run, with the signals the method may read, each charged in the
 * environment's cost unit — and is then asked for one {@linkcode OnlineMethod.round} after another
 * until the run has taken all its steps. In a round it sets sampling weights, trains some steps
 * and reads the signals it is allowed (training loss per batch, validation loss per training
 * domain, per-domain gradient inner products, a frozen reference model's loss on the same batches,
 * auxiliary runs such as a reference or single-domain runs). At the end it reports the static
 * mixture it extracts, where its paper defines one (DoReMi's and DoGE's time-averaged weights).
 * It never sees the table, the objective's value or another cell.
 *
 * The harness (`harness/online.ts`) records the schedule (every weight change with the step it
 * took effect at) and the cost of each signal, and judges the final model of the same run
 * (in-run track) and, separately, a fresh run on the static mixture (weights-transfer track).
 *
 * @example A method that samples every domain equally and updates nothing (stratified)
 * ```ts
 * import type { OnlineEnv, OnlineMethodFactory } from "./online.ts";
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 *
 * const flat: OnlineMethodFactory = {
 *   id: "flat",
 *   version: "1",
 *   description: "Equal weights throughout",
 *   start(env) {
 *     const w = new Array(env.domains).fill(1 / env.domains);
 *     return {
 *       round(env) {
 *         env.setWeights(w);
 *         env.train(env.steps - env.step);
 *       },
 *       finish: () => ({ mixture: w }),
 *     };
 *   },
 * };
 *
 * // A toy environment: 2 domains, 4 steps, training costs 1 per step.
 * let step = 0, cost = 0;
 * const env: OnlineEnv = {
 *   domains: 2, steps: 4, learningRate: 0.1, hasTarget: false, get step() { return step; }, get cost() { return cost; },
 *   get costs() { return { train: cost }; },
 *   setWeights() {},
 *   train(n) { step += n; cost += n; return { counts: [], trainLoss: [] }; },
 *   validLoss: () => [1, 1],
 *   gradients: () => ({ gram: [[1, 0], [0, 1]] }),
 *   open: () => env,
 * };
 * const m = flat.start(env, 0);
 * while (env.step < env.steps) m.round(env);
 * assertEquals(m.finish().mixture, [0.5, 0.5]);
 * assertEquals(env.cost, 4);
 * ```
 *
 * @module
 */

/** What {@linkcode OnlineEnv.train} returns: one row per batch trained. */
export interface OnlineBatches {
  /** Sequences per training domain, one row per batch. */
  readonly counts: readonly (readonly number[])[];
  /** Training loss (bits/byte) per training domain per batch; NaN where a domain had none. */
  readonly trainLoss: readonly (readonly number[])[];
  /**
   * The reference run's loss (bits/byte) on the same sequences, per training domain per batch
   * (NaN where a domain had none); only when a reference was passed.
   */
  readonly referenceLoss?: readonly (readonly number[])[];
}

/** The gradient signals of {@linkcode OnlineEnv.gradients}. */
export interface OnlineGradients {
  /** ⟨g_i, g_j⟩ of the per-domain mean-loss gradients (training domains × training domains). */
  readonly gram: readonly (readonly number[])[];
  /** ⟨g_i, g_target⟩ with the target set's gradient, when a target was asked for. */
  readonly target?: readonly number[];
}

/**
 * One training run a method steers, with charged signals (the `train` runner's online mode,
 * runners/train/online.ts; cost unit: byte-passes, forward 1 per byte, training 3).
 */
export interface OnlineEnv {
  /** Number of training domains the weights cover. */
  readonly domains: number;
  /** Total optimiser steps of the run. */
  readonly steps: number;
  /** Steps taken so far. */
  readonly step: number;
  /**
   * Whether the task has a target set for {@linkcode OnlineEnv.gradients} (a held-out domain of
   * a `minimix/target-*` task).
   */
  readonly hasTarget: boolean;
  /** The learning rate of the next step (the recipe's schedule; DoGE scales by it). */
  readonly learningRate: number;
  /** Cost charged so far to this run (auxiliary runs opened from it keep their own). */
  readonly cost: number;
  /**
   * The same cost per signal: `train`, `reference`, `valid`, `gradients`, `checkpoint` (the
   * harness adds auxiliary runs' costs under `aux:<signal>`).
   */
  readonly costs: Readonly<Record<string, number>>;
  /** Sampling weights of the following batches (non-negative, summing to 1). */
  setWeights(weights: readonly number[]): void;
  /**
   * Trains up to n batches (never past the last step); per-batch domain counts and training
   * losses are free. With a reference run, that run's model (frozen) is also evaluated on the
   * same sequences (charged as a forward pass per byte).
   */
  train(n: number, options?: { readonly reference?: OnlineEnv }): OnlineBatches;
  /** Validation loss (bits/byte) per training domain (charged as forward passes). */
  validLoss(): number[];
  /**
   * Per-domain gradients of the current model on `probeSeqs` fresh sequences per training
   * domain, their Gram matrix, and with `target` their inner products with the gradient of the
   * task's target set (charged as forward + backward passes; no update is made).
   */
  gradients(options: { readonly probeSeqs: number; readonly target?: boolean }): OnlineGradients;
  /**
   * A new, independent run of the same recipe (a reference model, a single-domain run), whose
   * every cost is charged to this cell.
   *
   * @param weights Its initial sampling weights.
   */
  open(weights: readonly number[]): OnlineEnv;
}

/** What an online method reports at the end of its run. */
export interface OnlineOutcome {
  /**
   * The static mixture the method extracts (DoReMi's and DoGE's time-averaged weights); absent
   * for methods whose product is the schedule itself. The harness then uses the time average of
   * the schedule for the weights-transfer track and says so.
   */
  readonly mixture?: readonly number[];
}

/** One running online method (one cell). */
export interface OnlineMethod {
  /**
   * One round of the method: set weights, train one or more steps, read signals. Called until
   * the run has taken all its steps; a round that trains nothing fails the cell.
   */
  round(env: OnlineEnv): void;
  /** The static mixture, if the method defines one. */
  finish(): OnlineOutcome;
}

/** A registered online method: metadata plus a constructor. */
export interface OnlineMethodFactory {
  /** Stable id, e.g. `doremi`. */
  readonly id: string;
  /** One line for listings. */
  readonly description: string;
  /**
   * Version of the implementation, written in every results line; bump it whenever the method's
   * results may change (as `MethodFactory.version`).
   */
  readonly version: string;
  /**
   * Starts the method on a fresh run (before its first step). A method may open auxiliary runs
   * here (DoReMi's reference model, Skill-It's single-domain runs); they are charged.
   *
   * @param env The run.
   * @param seed The cell's seed (the method's own randomness derives from it).
   */
  start(env: OnlineEnv, seed: number): OnlineMethod;
}

/** A record of the schedule: the weights in force from a step on. */
export interface ScheduleEntry {
  /** First step trained with these weights. */
  readonly step: number;
  /** The weights, rounded to 6 decimals. */
  readonly weights: readonly number[];
}

/** The in-run and weights-transfer record of an online cell, written in its results line. */
export interface OnlineRecord {
  /** The fidelity of the steered run. */
  readonly fidelity: string;
  /** Steps of the run. */
  readonly steps: number;
  /** In-run track: the objective of the final model of the steered run, and its metrics. */
  readonly inRun: { readonly value: number; readonly metrics: Readonly<Record<string, number>> };
  /** The weight schedule (an entry per change). */
  readonly schedule: readonly ScheduleEntry[];
  /** Time average of the schedule over the run's steps. */
  readonly averaged: readonly number[];
  /** The static mixture the method extracts, when it defines one. */
  readonly mixture?: readonly number[];
  /** Cost in byte-passes per signal (`train`, `valid`, `gradients`, `reference`, `aux:train`, …). */
  readonly cost: Readonly<Record<string, number>>;
  /** Total cost in byte-passes. */
  readonly bytePasses: number;
  /**
   * The **equal-cost baseline** of the in-run track: `stratified` (uniform weights throughout)
   * given the method's whole cost as more training of the same run — the steered run's model,
   * data order (seed) and validation subset, trained for as many whole steps as the method's
   * total byte-passes pay for (methods.md §20.3: results at equal total cost, not only at equal
   * final-run steps), with the recipe's schedule spread over them. `value` is its final model's
   * objective, to set beside `inRun.value`.
   */
  readonly equalCost?: {
    /** Its fidelity id (`S@864`: S trained for 864 steps; the steered fidelity at equal steps). */
    readonly fidelity: string;
    /** Steps it trained. */
    readonly steps: number;
    /** Its training cost in byte-passes (at most the method's `bytePasses`, short of one step). */
    readonly bytePasses: number;
    /** The objective of its final model. */
    readonly value: number;
  };
  /**
   * Weights-transfer track: a fresh run at the target fidelity with the common recipe on the
   * static mixture (or the time-averaged schedule, `source` says which).
   */
  readonly transfer?: {
    readonly source: "mixture" | "averaged";
    readonly fidelity: string;
    readonly value: number;
  };
}
