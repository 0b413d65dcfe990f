/**
 * The online mode of the `minimix` environment: one training run that a method steers batch by
 * batch, with the per-step signals the online mixing methods read (methods.md §4–8, 12–13, 20),
 * every one charged in one cost unit.
 *
 * **Cost unit: byte-passes.** A forward pass over one byte costs 1; its backward pass 2 more (the
 * usual 1 : 2 forward : backward ratio), so a training byte costs 3. Signals:
 *
 * | signal | charge |
 * | --- | --- |
 * | {@linkcode OnlineSession.step}: train n batches; per-batch domain counts (exact, see below) and per-domain training loss of each batch | 3 per training byte (the training itself); the losses are free |
 * | {@linkcode OnlineSession.step} with a reference session: its model's loss on the same sequences | 1 per training byte (a forward pass of the reference) |
 * | {@linkcode OnlineSession.validLoss}: per-domain validation loss | 1 per validation byte read |
 * | {@linkcode OnlineSession.gradients}: per-domain gradient Gram matrix and inner products with a target set's gradient | 3 per probe byte (forward + backward, no update) |
 * | {@linkcode OnlineSession.checkpoint} / {@linkcode OnlineSession.restore} | weights copied ÷ 40 (a byte's forward reads 40 weights) |
 *
 * Per-batch domain counts are **exact**: sequence j of the run goes to the domain with the largest
 * credit (smooth weighted round-robin), so after n sequences each domain has had its weight × n
 * sequences up to one.
 *
 * @example
 * ```ts ignore
 * const s = new OnlineSession(loadCorpus(), { trainDomains: [0, 1, 2], fidelity: "S", seed: 0, weights: [1 / 3, 1 / 3, 1 / 3] });
 * const { trainLoss } = s.step(4);
 * s.setWeights([0.5, 0.25, 0.25]);
 * const { gram } = s.gradients({ probeSeqs: 2 });
 * console.log(s.cost);
 * ```
 *
 * @module
 */

import type { OnlineEnv } from "../../core/online.ts";
import { type HashedLmState, warmupCosine } from "../../numerics/lm/hashed_lm.ts";
import { deriveSeed, Rng } from "../../numerics/rng.ts";
import { type Corpus, VALID_PIECE } from "./corpus.ts";
import { SEQ_LEN, Trainer } from "./env.ts";
import { lengthenedFidelity, STEP_BYTES, trainFidelity } from "./fidelities.ts";

/** Byte-passes per forward byte. */
export const FORWARD_COST = 1;
/** Byte-passes per trained (forward + backward) byte. */
export const TRAIN_COST = 3;
/** Weights a byte's forward pass reads (5 orders × 8 bits): checkpoint copies are charged per 40. */
export const WEIGHTS_PER_BYTE = 40;

/** Options of {@linkcode OnlineSession}. */
export interface OnlineOptions {
  /** Corpus indices of the domains the weights cover. */
  trainDomains: readonly number[];
  /** Fidelity id (table size, total steps, schedule). */
  fidelity: string;
  /** Seed of the data order and of the probes. */
  seed: number;
  /** Initial weights over `trainDomains`. */
  weights: readonly number[];
}

/** What {@linkcode OnlineSession.step} returns. */
export interface StepReport {
  /** Sequences per training domain, one row per batch. */
  readonly counts: readonly (readonly number[])[];
  /** Training loss (bits/byte) per training domain per batch; NaN where a domain had none. */
  readonly trainLoss: readonly (readonly number[])[];
  /** A reference session's loss on the same sequences (when one was passed to `step`). */
  readonly referenceLoss?: readonly (readonly number[])[];
}

/** A sparse gradient: sorted weight indices and values (mean over the probe's bytes). */
interface Sparse {
  readonly idx: Int32Array;
  readonly val: Float64Array;
}

function dot(a: Sparse, b: Sparse): number {
  let s = 0;
  for (let i = 0, j = 0; i < a.idx.length && j < b.idx.length;) {
    const x = a.idx[i]!, y = b.idx[j]!;
    if (x === y) s += a.val[i++]! * b.val[j++]!;
    else if (x < y) i++;
    else j++;
  }
  return s;
}

/** A saved session: the model and the data order. */
export interface OnlineCheckpoint {
  /** The model's state. */
  readonly model: HashedLmState;
  /** The trainer's data-order state. */
  readonly trainer: unknown;
}

/** One steerable training run with charged signals. */
export class OnlineSession {
  #trainer: Trainer;
  #corpus: Corpus;
  #domains: readonly number[];
  #seed: number;
  #cost = 0;
  #costs: Record<string, number> = {};
  #probes = 0;

  /**
   * @param corpus The loaded corpus.
   * @param options Domains, fidelity, seed and initial weights.
   */
  constructor(corpus: Corpus, options: OnlineOptions) {
    this.#corpus = corpus;
    this.#domains = [...options.trainDomains];
    this.#seed = options.seed;
    this.#trainer = new Trainer(corpus, {
      trainDomains: options.trainDomains,
      mixture: options.weights,
      fidelity: options.fidelity,
      seed: options.seed,
    });
  }

  /** The training domains (corpus indices). */
  get trainDomains(): readonly number[] {
    return this.#domains;
  }

  /** Byte-passes charged so far. */
  get cost(): number {
    return this.#cost;
  }

  /**
   * Byte-passes charged so far per signal: `train`, `reference` (a reference model's forward on
   * the training sequences), `valid`, `gradients`, `checkpoint`.
   */
  get costs(): Readonly<Record<string, number>> {
    return { ...this.#costs };
  }

  #charge(signal: string, x: number): void {
    this.#cost += x;
    this.#costs[signal] = (this.#costs[signal] ?? 0) + x;
  }

  /** Steps taken and the run's total. */
  get progress(): { step: number; steps: number } {
    return { step: this.#trainer.step, steps: this.#trainer.steps };
  }

  /** The learning rate of the next step (linear warm-up over 5% of the steps, then cosine). */
  get learningRate(): number {
    const f = this.#trainer.fidelity, steps = this.#trainer.steps;
    return warmupCosine(Math.min(this.#trainer.step, steps - 1), {
      peak: f.peakLr,
      warmup: Math.max(1, Math.round(steps * 0.05)),
      total: steps,
    });
  }

  /** Sets the sampling weights of the following batches. @throws {RangeError} Invalid weights. */
  setWeights(weights: readonly number[]): void {
    this.#trainer.setWeights(weights);
  }

  /**
   * Trains up to n batches (never past the run's last step).
   *
   * @param n Batches.
   * @param reference Another session whose model (not updated) is evaluated on the same
   * sequences: DoReMi's reference model, charged as a forward pass per byte to this session.
   * @returns Exact per-batch domain counts and per-domain training losses (free).
   */
  step(n: number, reference?: OnlineSession): StepReport {
    const counts: number[][] = [];
    const trainLoss: number[][] = [];
    const referenceLoss: number[][] = [];
    const k = this.#domains.length;
    const ref = reference ? reference.#trainer.lm : undefined;
    for (let b = 0; b < n && this.#trainer.step < this.#trainer.steps; b++) {
      const refNats = new Array(k).fill(0);
      const batch = this.#trainer.trainBatch(
        ref
          ? (i, bytes, off) => {
            refNats[i] += ref.loss(bytes, off, off + SEQ_LEN);
            this.#charge("reference", FORWARD_COST * SEQ_LEN);
          }
          : undefined,
      );
      const perByte = (nats: number[]) =>
        nats.map((x, i) => batch.counts[i] ? x / (batch.counts[i] * SEQ_LEN) / Math.LN2 : NaN);
      counts.push(batch.counts);
      trainLoss.push(perByte(batch.nats));
      if (ref) referenceLoss.push(perByte(refNats));
      this.#charge("train", TRAIN_COST * SEQ_LEN * batch.counts.reduce((s, c) => s + c, 0));
    }
    return ref ? { counts, trainLoss, referenceLoss } : { counts, trainLoss };
  }

  /**
   * Validation loss (bits/byte) of corpus domains on the fidelity's validation subset.
   *
   * @param domains Corpus indices. @default {every corpus domain}
   */
  validLoss(domains: readonly number[] = this.#corpus.domains.map((_, i) => i)): number[] {
    return domains.map((d) => {
      const v = this.#corpus.domains[d]!.valid;
      const pieces = Math.ceil(v.length / VALID_PIECE / this.#trainer.fidelity.evalStride);
      this.#charge("valid", FORWARD_COST * pieces * VALID_PIECE);
      return this.#trainer.validLoss(d);
    });
  }

  /**
   * Validation loss (bits/byte) of every corpus domain, **not charged**: the judge's measurement
   * of the final model (what a fresh run of the `train` runner reports), never a method's signal.
   */
  judgeLoss(): number[] {
    return this.#corpus.domains.map((_, d) => this.#trainer.validLoss(d));
  }

  /** The mean gradient of the loss over some sequences of a text (no update), sparse. */
  #gradient(bytes: Uint8Array, starts: readonly number[], len: number): Sparse {
    const lm = this.#trainer.lm;
    for (const s of starts) lm.accumulate(bytes, s, s + len);
    this.#charge("gradients", TRAIN_COST * len * starts.length);
    const idx = lm.touched().sort();
    const val = new Float64Array(idx.length);
    const n = len * starts.length;
    idx.forEach((j, k) => (val[k] = lm.gradient(j) / n));
    lm.clearGradient();
    return { idx, val };
  }

  /**
   * Per-domain gradients of the current model on fresh probe sequences of each training domain
   * (seeded, independent of the training order), their Gram matrix, and their inner products with
   * the gradient of a target set (whole 4 KiB validation pieces of a corpus domain), as DoGE and
   * DGA use them. No update is made.
   *
   * @param options Probe sequences per domain and the target.
   * @returns The Gram matrix (training domains × training domains) and the target products.
   */
  gradients(options: { probeSeqs: number; target?: { domain: number; pieces: number } }): {
    gram: number[][];
    target?: number[];
  } {
    const rng = new Rng(deriveSeed("minimix-probe", this.#seed, this.#probes++));
    const grads = this.#domains.map((d) => {
      const bytes = this.#corpus.domains[d]!.train;
      const n = Math.floor(bytes.length / SEQ_LEN);
      const starts = Array.from({ length: options.probeSeqs }, () => rng.int(n) * SEQ_LEN);
      return this.#gradient(bytes, starts, SEQ_LEN);
    });
    const gram = grads.map((a) => grads.map((b) => dot(a, b)));
    if (!options.target) return { gram };
    const v = this.#corpus.domains[options.target.domain]!.valid;
    const starts = Array.from({ length: options.target.pieces }, (_, i) => i * VALID_PIECE);
    const t = this.#gradient(v, starts, VALID_PIECE);
    return { gram, target: grads.map((g) => dot(g, t)) };
  }

  /** Saves the model and the data order (charged). */
  checkpoint(): OnlineCheckpoint {
    const lm = this.#trainer.lm;
    this.#charge("checkpoint", lm.size / WEIGHTS_PER_BYTE);
    return { model: lm.checkpoint(), trainer: this.#trainer.saveState() };
  }

  /** Goes back to a checkpoint of this session (charged). */
  restore(c: OnlineCheckpoint): void {
    const lm = this.#trainer.lm;
    this.#charge("checkpoint", lm.size / WEIGHTS_PER_BYTE);
    lm.restore(c.model);
    this.#trainer.loadState(c.trainer);
  }
}

/** Options of {@linkcode openOnlineEnv}. */
export interface OnlineEnvOptions extends OnlineOptions {
  /**
   * The corpus domain whose validation pieces are the target set of
   * {@linkcode OnlineEnv.gradients} (a task's held-out domain); none when absent.
   */
  readonly target?: number;
  /** Whole 4 KiB validation pieces of the target set a gradient reads. @default {2} */
  readonly targetPieces?: number;
}

/** An {@linkcode OnlineEnv} over a session, with the judge's view of its final model. */
export interface JudgedOnlineEnv extends OnlineEnv {
  /** The session behind it. */
  readonly session: OnlineSession;
  /**
   * Validation bits/byte of every corpus domain (`loss_<name>`), their mean (`avg`) and maximum
   * (`worst`) — the `train` runner's metrics of a fresh run, at this fidelity. Not charged: this
   * is the judge, not a signal.
   */
  metrics(): Record<string, number>;
}

/**
 * The core {@linkcode OnlineEnv} over an {@linkcode OnlineSession}: what online methods see.
 * Auxiliary runs ({@linkcode OnlineEnv.open}) are new sessions of the same recipe, fidelity and
 * seed; each charges its own cost (the harness adds them up).
 *
 * @param corpus The loaded corpus.
 * @param options Domains, fidelity, seed, initial weights and the target set.
 * @returns The environment.
 */
export function openOnlineEnv(corpus: Corpus, options: OnlineEnvOptions): JudgedOnlineEnv {
  const session = new OnlineSession(corpus, options);
  const env: JudgedOnlineEnv = {
    session,
    domains: options.trainDomains.length,
    get steps() {
      return session.progress.steps;
    },
    get step() {
      return session.progress.step;
    },
    get learningRate() {
      return session.learningRate;
    },
    hasTarget: options.target !== undefined,
    get cost() {
      return session.cost;
    },
    get costs() {
      return session.costs;
    },
    setWeights: (w) => session.setWeights(w),
    train(n, o) {
      const ref = o?.reference ? refOf(o.reference) : undefined;
      return session.step(n, ref);
    },
    validLoss: () => session.validLoss(options.trainDomains),
    gradients(o) {
      if (o.target && options.target === undefined) {
        throw new RangeError(
          "The task has no target set (only the minimix/target-* tasks hold a domain out)",
        );
      }
      const target = o.target
        ? { domain: options.target!, pieces: options.targetPieces ?? 2 }
        : undefined;
      return session.gradients(
        target ? { probeSeqs: o.probeSeqs, target } : { probeSeqs: o.probeSeqs },
      );
    },
    open: (weights) => openOnlineEnv(corpus, { ...options, weights }),
    metrics() {
      const valid = session.judgeLoss();
      const out: Record<string, number> = {};
      corpus.domains.forEach((d, i) => (out[`loss_${d.name}`] = valid[i]!));
      out.avg = valid.reduce((s, x) => s + x, 0) / valid.length;
      out.worst = Math.max(...valid);
      return out;
    },
  };
  return env;
}

function refOf(env: OnlineEnv): OnlineSession {
  const s = (env as Partial<JudgedOnlineEnv>).session;
  if (!(s instanceof OnlineSession)) {
    throw new TypeError("A reference run must be one opened by the environment (env.open)");
  }
  return s;
}

/**
 * Steps of the in-run track's **equal-cost baseline**: the most whole optimiser steps whose
 * training (3 byte-passes per byte, {@linkcode TRAIN_COST}) costs no more than a method's total
 * byte-passes — so the baseline gets the method's cost, short of less than one step.
 *
 * @example
 * ```ts
 * import { equalCostSteps, TRAIN_COST } from "./online.ts";
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * const step = TRAIN_COST * 4096; // one 4 KiB batch trained
 * assertEquals([equalCostSteps(64 * step), equalCostSteps(64 * step + step - 1)], [64, 64]);
 * ```
 * @param bytePasses A method's total cost.
 * @returns The steps (at least 1).
 */
export function equalCostSteps(bytePasses: number): number {
  // A hair of slack for totals summed in floating point (k × a step's cost exactly).
  return Math.max(1, Math.floor(bytePasses / (TRAIN_COST * STEP_BYTES) * (1 + 1e-12)));
}

/**
 * The fidelity of the equal-cost baseline of a run at `fidelity` costing `bytePasses`: the same
 * fidelity at its own length, else lengthened to {@linkcode equalCostSteps} steps (`S@864`).
 *
 * @example
 * ```ts
 * import { equalCostFidelity, TRAIN_COST } from "./online.ts";
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * const sRun = TRAIN_COST * (1 << 18); // an S run trained once
 * assertEquals([equalCostFidelity("S", sRun), equalCostFidelity("S", 13.5 * sRun)], ["S", "S@864"]);
 * ```
 * @param fidelity The steered run's fidelity id.
 * @param bytePasses The method's total cost.
 * @returns The fidelity id.
 */
export function equalCostFidelity(fidelity: string, bytePasses: number): string {
  const steps = equalCostSteps(bytePasses);
  return steps * STEP_BYTES === trainFidelity(fidelity).tokens
    ? fidelity
    : lengthenedFidelity(fidelity, steps);
}
