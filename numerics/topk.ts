/**
 * Batched scoring with a streaming top-k, the one scan used by every search over many candidate
 * mixtures (RegMix's simulation step, the surrogate f* search, the benchmarks): draw `total`
 * candidates chunk by chunk, score each chunk with a batched scorer (a TypeScript or WASM model,
 * or an onnxruntime session on CPU or GPU through `runners/score.ts`), and keep the k best in a
 * bounded heap; memory is O(chunk·m + k·m) for 1e5–1e6 candidates. {@linkcode scoreTopK} draws
 * the next chunk while an asynchronous scorer (a GPU worker) works on the last one;
 * {@linkcode scoreTopKSync} is the same scan for synchronous scorers. Same sampler stream and
 * scores → same result, from either.
 *
 * @example Keep the 3 mixtures with the largest first weight out of 1000 Dirichlet draws
 * ```ts
 * import { dirichletSampler, scoreTopK } from "./topk.ts";
 * import { Rng } from "./rng.ts";
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

import { dirichletRows } from "./stats/gamma.ts";
import type { Rng } from "./rng.ts";
/** Whether lower or higher scores are better. */
type Direction = "minimize" | "maximize";

/** Scores row-major mixtures (`count` × `inputs`) into `out[0 … count)`. */
export interface BatchScorer {
  /** Mixture length m. */
  readonly inputs: number;
  /** Writes one score per row; may be asynchronous (an onnxruntime session). */
  score(rows: Float64Array, count: number, out: Float64Array): void | Promise<void>;
  /**
   * Optional: scores the rows but returns only those whose signed score sign·s may be below
   * `bound` (a superset of the rows where it is), with their scores, in row order — e.g. rows
   * selected on a GPU, so that only candidates cross back. {@linkcode scoreTopK} calls it instead
   * of `score` once it holds k candidates (`bound` is then the k-th best signed score); the
   * result is the same as with `score`.
   */
  scoreBelow?(
    rows: Float64Array,
    count: number,
    sign: 1 | -1,
    bound: number,
  ): Promise<{ rows: Uint32Array; scores: Float64Array }>;
}

/** A {@linkcode BatchScorer} that scores synchronously. */
export interface SyncBatchScorer extends BatchScorer {
  score(rows: Float64Array, count: number, out: Float64Array): void;
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
 * k best (ties: the earlier draw wins). The next chunk is drawn while the scorer's promise is
 * pending.
 *
 * @param scorer Batched scorer (`runners/score.ts` wraps onnxruntime sessions).
 * @param sampler Candidate generator, called once per chunk in order.
 * @param options Total, chunk size, k and direction.
 * @returns The k best candidates and their scores, best first.
 */
export async function scoreTopK(
  scorer: BatchScorer,
  sampler: Sampler,
  options: ScoreTopKOptions,
): Promise<TopK> {
  const scan = new Scan(scorer.inputs, sampler, options);
  let count = scan.draw();
  while (count > 0) {
    const bound = scan.bound();
    if (scorer.scoreBelow && bound < Infinity) {
      const pending = scorer.scoreBelow(scan.rows, count, scan.sign, bound);
      const next = scan.drawAhead();
      const picked = await pending;
      scan.keepSome(count, picked.rows, picked.scores);
      count = next;
      continue;
    }
    const pending = scorer.score(scan.rows, count, scan.out);
    const next = scan.drawAhead();
    await pending;
    scan.keep(count);
    count = next;
  }
  return scan.result();
}

/**
 * {@linkcode scoreTopK} for a synchronous scorer: the same draws, scores and result, without
 * awaiting.
 *
 * @example
 * ```ts
 * import { dirichletSampler, scoreTopKSync } from "./topk.ts";
 * import { Rng } from "./rng.ts";
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * const scorer = {
 *   inputs: 2,
 *   score(rows: Float64Array, count: number, out: Float64Array) {
 *     for (let r = 0; r < count; r++) out[r] = rows[2 * r]!;
 *   },
 * };
 * const top = scoreTopKSync(scorer, dirichletSampler([1, 1], new Rng(1)), { total: 100, k: 1 });
 * assertEquals(top.values[0]! < 0.05, true);
 * ```
 * @param scorer Synchronous batched scorer.
 * @param sampler Candidate generator, called once per chunk in order.
 * @param options Total, chunk size, k and direction.
 * @returns The k best candidates and their scores, best first.
 */
export function scoreTopKSync(
  scorer: SyncBatchScorer,
  sampler: Sampler,
  options: ScoreTopKOptions,
): TopK {
  const scan = new Scan(scorer.inputs, sampler, options);
  let count = scan.draw();
  while (count > 0) {
    scorer.score(scan.rows, count, scan.out);
    const next = scan.drawAhead();
    scan.keep(count);
    count = next;
  }
  return scan.result();
}

/**
 * The state of one scan: two row/score buffers (the scorer works on one while the sampler fills
 * the other), the heap, and the counts.
 */
class Scan {
  readonly #m: number;
  readonly #sampler: Sampler;
  readonly #total: number;
  readonly #heap: TopHeap;
  readonly #bufs: Float64Array[];
  readonly #outs: Float64Array[];
  #cur = 0;
  #drawn = 0;
  #scored = 0;
  /** 1 when low scores are best, −1 when high ones are. */
  readonly sign: 1 | -1;

  constructor(m: number, sampler: Sampler, options: ScoreTopKOptions) {
    const total = options.total;
    if (!Number.isInteger(total) || total < 0) {
      throw new RangeError(`Cannot score "${total}" candidates: expected a non-negative integer`);
    }
    const chunk = Math.max(1, Math.min(options.chunk ?? 65_536, total));
    this.#m = m;
    this.#sampler = sampler;
    this.#total = total;
    this.sign = (options.direction ?? "minimize") === "minimize" ? 1 : -1;
    this.#heap = new TopHeap(Math.max(0, Math.min(options.k ?? 128, total)), m);
    this.#bufs = [new Float64Array(chunk * m), new Float64Array(chunk * m)];
    this.#outs = [new Float64Array(chunk), new Float64Array(chunk)];
  }

  /** Rows of the chunk being scored. */
  get rows(): Float64Array {
    return this.#bufs[this.#cur]!;
  }

  /** Scores of the chunk being scored. */
  get out(): Float64Array {
    return this.#outs[this.#cur]!;
  }

  /** Fills the current buffer; returns the rows drawn (0 when done). */
  draw(): number {
    return this.#fill(this.#cur);
  }

  /** Fills the other buffer (the next chunk); returns the rows drawn. */
  drawAhead(): number {
    return this.#fill(1 - this.#cur);
  }

  /** The k-th best signed score kept (a row must beat it to enter), or ∞ while fewer are kept. */
  bound(): number {
    return this.#heap.full ? this.#heap.keys[0]! : Infinity;
  }

  /** Offers the current chunk's scored rows to the heap and moves to the next buffer. */
  keep(count: number): void {
    const rows = this.rows, out = this.out, m = this.#m;
    for (let r = 0; r < count; r++) {
      this.#heap.offer(this.sign * out[r]!, this.#scored + r, rows, r * m);
    }
    this.#scored += count;
    this.#cur = 1 - this.#cur;
  }

  /**
   * Offers some of the current chunk's rows (ascending row indices with their scores), the
   * others being known not to enter, and moves to the next buffer.
   */
  keepSome(count: number, picked: Uint32Array, scores: Float64Array): void {
    const rows = this.rows, m = this.#m;
    for (let i = 0; i < picked.length; i++) {
      const r = picked[i]!;
      if (r >= count) throw new RangeError(`Scorer picked row ${r} of a chunk of ${count}`);
      this.#heap.offer(this.sign * scores[i]!, this.#scored + r, rows, r * m);
    }
    this.#scored += count;
    this.#cur = 1 - this.#cur;
  }

  result(): TopK {
    const heap = this.#heap, m = this.#m;
    const order = heap.sorted();
    return {
      mixtures: order.map((i) => Array.from(heap.rows.subarray(i * m, i * m + m))),
      values: order.map((i) => this.sign * heap.keys[i]!),
      scored: this.#scored,
    };
  }

  #fill(b: number): number {
    const c = Math.min(this.#bufs[b]!.length / this.#m, this.#total - this.#drawn);
    if (c > 0) this.#sampler(this.#bufs[b]!, c);
    this.#drawn += c;
    return c;
  }
}

/**
 * A sampler of Dirichlet(α) mixtures from a seeded stream: each chunk is drawn in place by
 * `dirichletRows` (`numerics/stats/gamma.ts`), the same rows as one `dirichlet` call per row.
 *
 * @param alpha Concentrations (one per domain).
 * @param rng Random stream.
 * @returns The sampler.
 */
export function dirichletSampler(alpha: readonly number[], rng: Rng): Sampler {
  const a = Float64Array.from(alpha);
  return (rows, count) => {
    dirichletRows(rng, a, rows, count);
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

  /** Whether k candidates are kept. */
  get full(): boolean {
    return this.#k > 0 && this.#size === this.#k;
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
