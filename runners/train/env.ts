/**
 * The `minimix` training environment: the fixed recipe (fidelities, batch, schedule, data order)
 * that every method's fresh runs share, and {@linkcode Trainer}, one training run of the hashed
 * byte model ({@linkcode HashedLm}) on a mixture of corpus domains.
 *
 * Recipe. A batch is {@linkcode SEQS_PER_BATCH} sequences of {@linkcode SEQ_LEN} bytes (4 KiB);
 * each sequence is predicted from a zero context at its start. Sequence j of the run goes to the
 * domain with the largest credit after adding every domain's weight (smooth weighted
 * round-robin), so per-batch domain counts are exact up to one sequence and deterministic; within
 * a domain, sequences are read in a fresh seeded permutation per epoch, and epochs are recorded.
 * The learning rate warms up linearly over 5% of the steps and decays by a cosine to 10% of the
 * peak. Validation loss is bits per byte on whole 4 KiB validation pieces (zero context at each
 * piece's start): every 4th piece at S, every 2nd at M, all 24 at L.
 *
 * @module
 */

import { HashedLm, warmupCosine } from "../../numerics/lm/hashed_lm.ts";
import { deriveSeed, Rng } from "../../numerics/rng.ts";
import { type Corpus, VALID_PIECE } from "./corpus.ts";
import { type TrainFidelity, trainFidelity } from "./fidelities.ts";

/** Version of the environment: bump when the recipe, the model or the corpus split changes. */
export const ENV_VERSION = 1;
/** Bytes per sequence. */
export const SEQ_LEN = 512;
/** Sequences per batch. */
export const SEQS_PER_BATCH = 8;
/** Bytes per batch. */
export const BATCH_BYTES: number = SEQ_LEN * SEQS_PER_BATCH;

export { FIDELITIES, type TrainFidelity } from "./fidelities.ts";

/** What one run is: mixture over training domains, fidelity, seed. */
export interface RunSpec {
  /** Corpus indices of the domains the mixture weighs. */
  readonly trainDomains: readonly number[];
  /** Weights over `trainDomains` (non-negative, summing to 1). */
  readonly mixture: readonly number[];
  /** Fidelity id. */
  readonly fidelity: string;
  /** Seed of the data order. */
  readonly seed: number;
}

/** A finished run. */
export interface RunResult {
  /** Validation loss (bits/byte) per corpus domain. */
  readonly valid: readonly number[];
  /** Training loss (bits/byte) over the whole run, per training domain (NaN when unsampled). */
  readonly train: readonly number[];
  /** Epochs over each training domain's training bytes. */
  readonly epochs: readonly number[];
  /** Steps taken. */
  readonly steps: number;
  /** Wall-clock milliseconds of training and evaluation. */
  readonly ms: number;
}

/** One training run, stepped batch by batch. */
export class Trainer {
  /** The model. */
  readonly lm: HashedLm;
  /** The run's fidelity. */
  readonly fidelity: TrainFidelity;
  /** Total steps. */
  readonly steps: number;
  #corpus: Corpus;
  #domains: readonly number[];
  #weights: number[];
  #credit: number[];
  #seed: number;
  #step = 0;
  #used: number[];
  #perm: (Uint32Array | undefined)[];
  #trainNats: number[];
  #trainBytes: number[];

  /**
   * @param corpus The loaded corpus.
   * @param spec Mixture, domains, fidelity and seed.
   * @throws {RangeError} When the mixture is invalid or a domain index is out of range.
   */
  constructor(corpus: Corpus, spec: RunSpec) {
    this.fidelity = trainFidelity(spec.fidelity);
    this.lm = new HashedLm({ tableBits: this.fidelity.tableBits });
    this.steps = this.fidelity.tokens / BATCH_BYTES;
    this.#corpus = corpus;
    if (spec.trainDomains.some((d) => !(d >= 0 && d < corpus.domains.length))) {
      throw new RangeError(`Trainer: training domains "${spec.trainDomains}" out of range`);
    }
    this.#domains = [...spec.trainDomains];
    this.#seed = spec.seed;
    const k = this.#domains.length;
    this.#weights = new Array(k).fill(0);
    this.#credit = new Array(k).fill(0);
    this.#used = new Array(k).fill(0);
    this.#perm = new Array(k).fill(undefined);
    this.#trainNats = new Array(k).fill(0);
    this.#trainBytes = new Array(k).fill(0);
    this.setWeights(spec.mixture);
  }

  /** Steps taken so far. */
  get step(): number {
    return this.#step;
  }

  /**
   * Sets the sampling weights for the following batches (online methods change them mid-run).
   *
   * @throws {RangeError} When they are not finite, non-negative and summing to 1.
   */
  setWeights(weights: readonly number[]): void {
    const sum = weights.reduce((s, x) => s + x, 0);
    if (
      weights.length !== this.#domains.length || weights.some((x) => !(x >= 0)) ||
      Math.abs(sum - 1) > 1e-6
    ) {
      throw new RangeError(
        `Trainer: weights must be ${this.#domains.length} non-negative numbers summing to 1`,
      );
    }
    this.#weights = weights.map((x) => x / sum);
  }

  /** The next sequence's local domain index (smooth weighted round-robin). */
  #nextDomain(): number {
    const c = this.#credit, w = this.#weights;
    let best = 0;
    for (let i = 0; i < c.length; i++) {
      c[i] = c[i]! + w[i]!;
      if (c[i]! > c[best]!) best = i;
    }
    c[best] = c[best]! - 1;
    return best;
  }

  /** Start offset of the next sequence of local domain i. */
  #nextOffset(i: number): number {
    const bytes = this.#corpus.domains[this.#domains[i]!]!.train;
    const n = Math.floor(bytes.length / SEQ_LEN);
    const u = this.#used[i]!;
    const epoch = Math.floor(u / n);
    if (u % n === 0) {
      const rng = new Rng(deriveSeed("minimix-order", this.#seed, this.#domains[i]!, epoch));
      const p = new Uint32Array(n);
      for (let j = 0; j < n; j++) p[j] = j;
      for (let j = n - 1; j > 0; j--) {
        const r = rng.int(j + 1);
        const t = p[j]!;
        p[j] = p[r]!;
        p[r] = t;
      }
      this.#perm[i] = p;
    }
    this.#used[i] = u + 1;
    return this.#perm[i]![u % n]! * SEQ_LEN;
  }

  /**
   * Trains one batch and returns its per-domain sequence counts and losses (nats summed).
   *
   * @param visit Called with each sequence (local domain index, bytes, start) before it is
   * trained on (the online mode evaluates a frozen reference model on it).
   */
  trainBatch(
    visit?: (local: number, bytes: Uint8Array, offset: number) => void,
  ): { counts: number[]; nats: number[] } {
    const k = this.#domains.length;
    const counts = new Array(k).fill(0);
    const nats = new Array(k).fill(0);
    for (let s = 0; s < SEQS_PER_BATCH; s++) {
      const i = this.#nextDomain();
      const off = this.#nextOffset(i);
      const bytes = this.#corpus.domains[this.#domains[i]!]!.train;
      visit?.(i, bytes, off);
      const l = this.lm.accumulate(bytes, off, off + SEQ_LEN);
      counts[i]++;
      nats[i] += l;
      this.#trainNats[i] = this.#trainNats[i]! + l;
      this.#trainBytes[i] = this.#trainBytes[i]! + SEQ_LEN;
    }
    const f = this.fidelity;
    const lr = warmupCosine(this.#step, {
      peak: f.peakLr,
      warmup: Math.max(1, Math.round(this.steps * 0.05)),
      total: this.steps,
    });
    this.lm.adamStep(lr, 1 / BATCH_BYTES);
    this.#step++;
    return { counts, nats };
  }

  /**
   * Validation loss in bits/byte of one corpus domain at this fidelity's evaluation subset.
   */
  validLoss(domain: number): number {
    const v = this.#corpus.domains[domain]!.valid;
    const stride = this.fidelity.evalStride;
    let nats = 0;
    let bytes = 0;
    for (let p = 0; p + VALID_PIECE <= v.length; p += VALID_PIECE * stride) {
      nats += this.lm.loss(v, p, p + VALID_PIECE);
      bytes += VALID_PIECE;
    }
    return nats / bytes / Math.LN2;
  }

  /** A copy of the data-order state (for checkpoints; the model is saved apart). */
  saveState(): unknown {
    return {
      step: this.#step,
      weights: [...this.#weights],
      credit: [...this.#credit],
      used: [...this.#used],
      perm: this.#perm.map((p) => p?.slice()),
      trainNats: [...this.#trainNats],
      trainBytes: [...this.#trainBytes],
    };
  }

  /** Restores a state from {@linkcode Trainer.saveState} of this trainer. */
  loadState(state: unknown): void {
    const s = state as {
      step: number;
      weights: number[];
      credit: number[];
      used: number[];
      perm: (Uint32Array | undefined)[];
      trainNats: number[];
      trainBytes: number[];
    };
    this.#step = s.step;
    this.#weights = [...s.weights];
    this.#credit = [...s.credit];
    this.#used = [...s.used];
    this.#perm = s.perm.map((p) => p?.slice());
    this.#trainNats = [...s.trainNats];
    this.#trainBytes = [...s.trainBytes];
  }

  /** Training loss so far per training domain (bits/byte) and epochs per domain. */
  trainStats(): { train: number[]; epochs: number[] } {
    return {
      train: this.#trainNats.map((n, i) => n / this.#trainBytes[i]! / Math.LN2),
      epochs: this.#used.map((u, i) =>
        u * SEQ_LEN / this.#corpus.domains[this.#domains[i]!]!.train.length
      ),
    };
  }
}

/**
 * One fresh run: train a new model on the mixture for the fidelity's token budget, then measure
 * the validation loss of every corpus domain.
 *
 * @param corpus The loaded corpus.
 * @param spec Mixture, domains, fidelity and seed.
 * @returns Per-domain validation and training losses, epochs, steps and time.
 */
export function freshRun(corpus: Corpus, spec: RunSpec): RunResult {
  const t0 = performance.now();
  const tr = new Trainer(corpus, spec);
  while (tr.step < tr.steps) tr.trainBatch();
  const valid = corpus.domains.map((_, d) => tr.validLoss(d));
  const { train, epochs } = tr.trainStats();
  return { valid, train, epochs, steps: tr.steps, ms: performance.now() - t0 };
}
