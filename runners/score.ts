/**
 * Batched scoring with a streaming top-k: draw `total` candidate mixtures chunk by chunk, score
 * each chunk with any batched scorer (an onnxruntime session on CPU or GPU, or a TypeScript
 * model), and keep the k best in a bounded heap; memory is O(chunk·m + k·m) for 1e5–1e6
 * candidates. The next chunk is drawn while the last one is being scored, so a GPU worker and
 * the sampler overlap. Same sampler stream and scores → same result.
 *
 * @example Keep the 3 mixtures with the largest first weight out of 1000 Dirichlet draws
 * ```ts
 * import { dirichletSampler, scoreTopK } from "./score.ts";
 * import { Rng } from "../core/rng.ts";
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * const scorer = {
 *   inputs: 2,
 *   score(rows: Float64Array, count: number, out: Float64Array) {
 *     for (let r = 0; r < count; r++) out[r] = rows[2 * r]!;
 *   },
 * };
 * const top = await scoreTopK(scorer, dirichletSampler([1, 1], new Rng(1)), {
 *   total: 1000,
 *   chunk: 128,
 *   k: 3,
 *   direction: "maximize",
 * });
 * assertEquals(top.values.length, 3);
 * assertEquals(top.values[0]! >= top.values[2]!, true);
 * ```
 *
 * @module
 */

import { dirichlet } from "../core/gamma.ts";
import type { Rng } from "../core/rng.ts";
import type { Direction } from "../core/types.ts";
import type { SurrogateSession } from "./ort_session.ts";

/** Scores row-major mixtures (`count` × `inputs`) into `out[0 … count)`. */
export interface BatchScorer {
  /** Mixture length m. */
  readonly inputs: number;
  /** Writes one score per row; may be asynchronous (an onnxruntime session). */
  score(rows: Float64Array, count: number, out: Float64Array): void | Promise<void>;
}

/** Fills `rows[0 … count·m)` with `count` candidate mixtures, row-major. */
export type Sampler = (rows: Float64Array, count: number) => void;

/** Options of {@linkcode scoreTopK}. */
export interface ScoreTopKOptions {
  /** Candidates to draw and score. */
  total: number;
  /** Candidates per scorer call. @default {65536} */
  chunk?: number;
  /** Best candidates kept. @default {128} */
  k?: number;
  /** Whether low or high scores are best. @default {"minimize"} */
  direction?: Direction;
}

/** The best candidates of a scan, best first. */
export interface TopK {
  /** The k best mixtures (fewer when fewer were scored), best first. */
  readonly mixtures: number[][];
  /** Their scores, best first. */
  readonly values: number[];
  /** Candidates scored. */
  readonly scored: number;
}

/**
 * Draws `total` candidates with `sampler` in chunks, scores them with `scorer` and keeps the
 * k best (ties: the earlier draw wins).
 *
 * @param scorer Batched scorer (see {@linkcode sessionScorer} for onnxruntime sessions).
 * @param sampler Candidate generator, called once per chunk in order.
 * @param options Total, chunk size, k and direction.
 * @returns The k best candidates and their scores, best first.
 */
export async function scoreTopK(
  scorer: BatchScorer,
  sampler: Sampler,
  options: ScoreTopKOptions,
): Promise<TopK> {
  const m = scorer.inputs;
  const total = options.total;
  if (!Number.isInteger(total) || total < 0) {
    throw new RangeError(`Cannot score "${total}" candidates: expected a non-negative integer`);
  }
  const chunk = Math.max(1, Math.min(options.chunk ?? 65_536, total));
  const k = Math.max(0, Math.min(options.k ?? 128, total));
  const sign = (options.direction ?? "minimize") === "minimize" ? 1 : -1;
  const heap = new TopHeap(k, m);
  const bufs = [new Float64Array(chunk * m), new Float64Array(chunk * m)];
  const outs = [new Float64Array(chunk), new Float64Array(chunk)];
  let drawn = 0, scored = 0, cur = 0;
  const draw = (b: number): number => {
    const c = Math.min(chunk, total - drawn);
    if (c > 0) sampler(bufs[b]!, c);
    drawn += c;
    return c;
  };
  let count = draw(cur);
  while (count > 0) {
    const pending = scorer.score(bufs[cur]!, count, outs[cur]!);
    const nextCount = draw(1 - cur);
    await pending;
    const rows = bufs[cur]!, out = outs[cur]!;
    for (let r = 0; r < count; r++) heap.offer(sign * out[r]!, scored + r, rows, r * m);
    scored += count;
    cur = 1 - cur;
    count = nextCount;
  }
  const order = heap.sorted();
  return {
    mixtures: order.map((i) => Array.from(heap.rows.subarray(i * m, i * m + m))),
    values: order.map((i) => sign * heap.keys[i]!),
    scored,
  };
}

/** Options of {@linkcode sessionScorer}. */
export interface SessionScorerOptions {
  /** Output column scored (of the session's k outputs). @default {0} */
  output?: number;
  /** Add this many ensemble spreads to the mean (an optimistic or pessimistic bound). @default {0} */
  spread?: number;
}

/**
 * A batched scorer over an onnxruntime surrogate session (CPU or GPU): the ensemble mean of
 * one output, optionally plus a multiple of the spread.
 *
 * @param session An open session.
 * @param options Which output, and the spread multiple.
 * @returns The scorer.
 */
export function sessionScorer(
  session: SurrogateSession,
  options: SessionScorerOptions = {},
): BatchScorer {
  const col = options.output ?? 0, kappa = options.spread ?? 0;
  const k = session.outputs;
  let f32 = new Float32Array(0);
  return {
    inputs: session.inputs,
    async score(rows, count, out) {
      if (f32.length < count * session.inputs) f32 = new Float32Array(count * session.inputs);
      for (let i = 0; i < count * session.inputs; i++) f32[i] = rows[i]!;
      const { mean, spread } = await session.run(f32, count);
      for (let r = 0; r < count; r++) {
        out[r] = mean[r * k + col]! + (kappa === 0 ? 0 : kappa * spread[r * k + col]!);
      }
    },
  };
}

/**
 * A sampler of Dirichlet(α) mixtures from a seeded stream.
 *
 * @param alpha Concentrations (one per domain).
 * @param rng Random stream.
 * @returns The sampler.
 */
export function dirichletSampler(alpha: readonly number[], rng: Rng): Sampler {
  const m = alpha.length;
  const x = new Float64Array(m);
  return (rows, count) => {
    for (let r = 0; r < count; r++) rows.set(dirichlet(rng, alpha, x), r * m);
  };
}

/** A bounded max-heap on (key, index): keeps the k smallest keys, earlier index on ties. */
class TopHeap {
  readonly keys: Float64Array;
  readonly index: Float64Array;
  readonly rows: Float64Array;
  #size = 0;
  #k: number;
  #m: number;

  constructor(k: number, m: number) {
    this.#k = k;
    this.#m = m;
    this.keys = new Float64Array(k);
    this.index = new Float64Array(k);
    this.rows = new Float64Array(k * m);
  }

  /** Whether (a, ia) ranks after (b, ib): larger key, or equal key and later index. */
  #after(a: number, b: number): boolean {
    const ka = this.keys[a]!, kb = this.keys[b]!;
    return ka > kb || (ka === kb && this.index[a]! > this.index[b]!);
  }

  offer(key: number, index: number, src: Float64Array, offset: number): void {
    if (this.#k === 0 || Number.isNaN(key)) return;
    const m = this.#m;
    if (this.#size < this.#k) {
      const i = this.#size++;
      this.keys[i] = key;
      this.index[i] = index;
      this.rows.set(src.subarray(offset, offset + m), i * m);
      this.#up(i);
    } else if (key < this.keys[0]!) {
      this.keys[0] = key;
      this.index[0] = index;
      this.rows.set(src.subarray(offset, offset + m), 0);
      this.#down(0);
    }
  }

  /** Slot indices ordered best first. */
  sorted(): number[] {
    return Array.from({ length: this.#size }, (_, i) => i).sort((a, b) =>
      this.keys[a]! - this.keys[b]! || this.index[a]! - this.index[b]!
    );
  }

  #swap(a: number, b: number): void {
    const m = this.#m;
    [this.keys[a], this.keys[b]] = [this.keys[b]!, this.keys[a]!];
    [this.index[a], this.index[b]] = [this.index[b]!, this.index[a]!];
    for (let j = 0; j < m; j++) {
      const t = this.rows[a * m + j]!;
      this.rows[a * m + j] = this.rows[b * m + j]!;
      this.rows[b * m + j] = t;
    }
  }

  #up(i: number): void {
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.#after(i, p)) return;
      this.#swap(i, p);
      i = p;
    }
  }

  #down(i: number): void {
    while (true) {
      const l = 2 * i + 1, r = l + 1;
      let top = i;
      if (l < this.#size && this.#after(l, top)) top = l;
      if (r < this.#size && this.#after(r, top)) top = r;
      if (top === i) return;
      this.#swap(i, top);
      i = top;
    }
  }
}
