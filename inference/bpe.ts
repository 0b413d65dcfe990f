/**
 * Byte-level BPE over a table of pre-token counts: a deterministic trainer and the merge replay
 * that records, for each category sample, the pair counts after every applied merge (Hayase, Liu,
 * Choi, Oh, Smith 2024, "Data Mixture Inference: What do BPE Tokenizers Reveal about their
 * Training Data?", arXiv 2407.16607, §3.1–3.2; methods.md §18 (c)).
 *
 * Token ids: the 256 bytes are ids 0–255, merge t (0-based) creates id 256 + t. A pair (a, b) has
 * the key `a · 2^21 + b`. Counts are kept per distinct pre-token (word) weighted by its frequency
 * and updated incrementally after each merge: only the words that contain the merged pair are
 * rewritten, and the pair counts of those words change by (new pairs − old pairs) × frequency.
 *
 * Trainer tie-breaking: the most frequent pair wins; among equally frequent pairs, the one with the
 * smaller left id, then the smaller right id (so byte pairs beat pairs with merged tokens of the
 * same count, and older merged tokens beat newer ones). Hugging Face `tokenizers` breaks ties
 * lexicographically by token string instead; the LP does not depend on the rule.
 *
 * @module
 */

import { MaxHeap } from "./heap.ts";

/** Multiplier of the left id in a pair key. */
export const KEY = 2 ** 21;

/** An ordered merge list with the pre-tokenisation it needs. */
export interface MergeList {
  /** The merges in order, as (left bytes, right bytes). */
  readonly merges: readonly (readonly [Uint8Array, Uint8Array])[];
  /** Split pattern: a pattern name or a regular-expression source. */
  readonly pattern: string;
  /** Where it came from (file, package or "trained"). */
  readonly source: string;
  /** Unicode normal form applied to text before pre-tokenisation (e.g. Claude's NFKC). */
  readonly normalize?: "NFC" | "NFKC";
}

/** The distinct pre-tokens of a text with their counts, as token-id arrays. */
export class WordTable {
  /** Token ids of each distinct word. */
  readonly words: Int32Array[] = [];
  /** Frequency of each word. */
  readonly freq: number[] = [];
  /** Current count of every pair with a positive count. */
  readonly counts: Map<number, number> = new Map();
  readonly #where: Map<number, number[]> = new Map();
  #stamp: Int32Array;
  #epoch = 0;

  /**
   * @param wordCounts Map from pre-token bytes (latin1 string) to count.
   */
  constructor(wordCounts: ReadonlyMap<string, number>) {
    for (const [w, f] of wordCounts) {
      const ids = new Int32Array(w.length);
      for (let i = 0; i < w.length; i++) ids[i] = w.charCodeAt(i);
      const idx = this.words.length;
      this.words.push(ids);
      this.freq.push(f);
      for (let i = 0; i + 1 < ids.length; i++) {
        const k = ids[i]! * KEY + ids[i + 1]!;
        this.counts.set(k, (this.counts.get(k) ?? 0) + f);
        const list = this.#where.get(k);
        if (list === undefined) this.#where.set(k, [idx]);
        else if (list[list.length - 1] !== idx) list.push(idx);
      }
    }
    this.#stamp = new Int32Array(this.words.length);
  }

  /** Total number of tokens (Σ word length × frequency). */
  tokens(): number {
    let n = 0;
    for (let i = 0; i < this.words.length; i++) n += this.words[i]!.length * this.freq[i]!;
    return n;
  }

  /**
   * Applies the merge (a, b) → id to every word, left to right without overlaps (as BPE encoding
   * does), and updates the pair counts.
   *
   * @param a Left id.
   * @param b Right id.
   * @param id The new token's id.
   * @param deltas Filled with pair key → count change (zero changes removed).
   */
  merge(a: number, b: number, id: number, deltas: Map<number, number>): void {
    deltas.clear();
    const key = a * KEY + b;
    const list = this.#where.get(key);
    if (list === undefined) return;
    const epoch = ++this.#epoch;
    const add = (k: number, v: number) => deltas.set(k, (deltas.get(k) ?? 0) + v);
    const touched: number[] = [];
    for (const w of list) {
      if (this.#stamp[w] === epoch) continue;
      this.#stamp[w] = epoch;
      const old = this.words[w]!;
      let hit = false;
      for (let i = 0; i + 1 < old.length; i++) {
        if (old[i] === a && old[i + 1] === b) {
          hit = true;
          break;
        }
      }
      if (!hit) continue;
      const out: number[] = [];
      for (let i = 0; i < old.length; i++) {
        if (i + 1 < old.length && old[i] === a && old[i + 1] === b) {
          out.push(id);
          i++;
        } else out.push(old[i]!);
      }
      const f = this.freq[w]!;
      for (let i = 0; i + 1 < old.length; i++) add(old[i]! * KEY + old[i + 1]!, -f);
      for (let i = 0; i + 1 < out.length; i++) {
        const k = out[i]! * KEY + out[i + 1]!;
        add(k, f);
        if (out[i] === id || out[i + 1] === id) {
          const l = this.#where.get(k);
          if (l === undefined) this.#where.set(k, [w]);
          else if (l[l.length - 1] !== w) l.push(w);
        }
      }
      this.words[w] = Int32Array.from(out);
      touched.push(w);
    }
    for (const [k, d] of deltas) {
      if (d === 0) {
        deltas.delete(k);
        continue;
      }
      const c = (this.counts.get(k) ?? 0) + d;
      if (c === 0) this.counts.delete(k);
      else this.counts.set(k, c);
    }
    if (!this.counts.has(key)) this.#where.delete(key);
    else this.#where.set(key, touched);
  }
}

/**
 * Trains a byte-level BPE tokenizer: repeatedly merges the most frequent adjacent pair (ties as in
 * the module doc) until `numMerges` merges are made or no pair is left.
 *
 * @example
 * ```ts
 * import { trainBpe } from "./bpe.ts";
 * import { countWords, compilePattern } from "./pretokenize.ts";
 * import { strictEqual as assertEquals } from "node:assert/strict";
 * const words = countWords("aaab aaab aab", compilePattern("gpt2"));
 * const t = trainBpe(words, 2, "gpt2");
 * assertEquals(new TextDecoder().decode(t.merges[0]![0]), "a");
 * assertEquals(t.merges.length, 2);
 * ```
 * @param wordCounts Pre-token counts ({@linkcode countWords} of the training text).
 * @param numMerges Number of merges to make.
 * @param pattern The split pattern used for `wordCounts` (recorded in the result).
 * @returns The merge list.
 */
export function trainBpe(
  wordCounts: ReadonlyMap<string, number>,
  numMerges: number,
  pattern: string,
): MergeList {
  const table = new WordTable(wordCounts);
  const heap = new MaxHeap();
  for (const [k, c] of table.counts) heap.push(c, k);
  const bytes: Uint8Array[] = [];
  for (let b = 0; b < 256; b++) bytes.push(new Uint8Array([b]));
  const merges: [Uint8Array, Uint8Array][] = [];
  const deltas = new Map<number, number>();
  while (merges.length < numMerges && heap.size > 0) {
    const k = heap.topItem(), p = heap.topPrio();
    heap.pop();
    const c = table.counts.get(k) ?? 0;
    if (c !== p) {
      if (c > 0) heap.push(c, k);
      continue;
    }
    const a = Math.floor(k / KEY), b = k - a * KEY;
    const id = 256 + merges.length;
    const l = bytes[a]!, r = bytes[b]!;
    const joined = new Uint8Array(l.length + r.length);
    joined.set(l);
    joined.set(r, l.length);
    bytes.push(joined);
    merges.push([l, r]);
    table.merge(a, b, id, deltas);
    for (const [q, d] of deltas) if (d > 0) heap.push(table.counts.get(q)!, q);
  }
  return { merges, pattern, source: "trained" };
}

/** Thrown when a merge list is not a consistent byte-level merge sequence. */
export class MergeListError extends Error {
  override name = "MergeListError";
}

/**
 * Turns a merge list into id pairs: merge t joins ids (a, b) into 256 + t.
 *
 * @param list The merge list.
 * @param limit Use only the first `limit` merges. @default {all}
 * @returns Flat pairs [a0, b0, a1, b1, …].
 * @throws {MergeListError} When a merge's part is not a byte or an earlier merge's token.
 */
export function mergeIds(list: MergeList, limit: number = list.merges.length): Int32Array {
  const T = Math.min(limit, list.merges.length);
  const ids = new Map<string, number>();
  const str = (b: Uint8Array) => {
    let s = "";
    for (const x of b) s += String.fromCharCode(x);
    return s;
  };
  for (let b = 0; b < 256; b++) ids.set(String.fromCharCode(b), b);
  const out = new Int32Array(2 * T);
  for (let t = 0; t < T; t++) {
    const [l, r] = list.merges[t]!;
    const ls = str(l), rs = str(r);
    const a = ids.get(ls), b = ids.get(rs);
    if (a === undefined || b === undefined) {
      throw new MergeListError(
        `${list.source}: merge ${t + 1} joins ${JSON.stringify(a === undefined ? ls : rs)}, ` +
          "which is neither a byte nor the result of an earlier merge",
      );
    }
    out[2 * t] = a;
    out[2 * t + 1] = b;
    if (!ids.has(ls + rs)) ids.set(ls + rs, 256 + t);
  }
  return out;
}

/** Pair counts of the category samples along the merge sequence (methods.md §18 (d)). */
export interface PairStats {
  /** Category names. */
  readonly names: readonly string[];
  /** Number of merges replayed (T). */
  readonly T: number;
  /** Number of distinct pairs seen (dense indices 0..P−1). */
  readonly P: number;
  /** Pair key of each dense index. */
  readonly keys: Float64Array;
  /** d_i: total pairs of category i at t = 0 (the "pairs" normaliser). */
  readonly pairs0: Float64Array;
  /** Tokens of category i before any merge (= bytes of its pre-tokens). */
  readonly tokens0: Float64Array;
  /** Tokens of category i after the T merges. */
  readonly tokensT: Float64Array;
  /** Initial counts per category: dense indices and counts. */
  readonly initial: readonly { readonly idx: Int32Array; readonly count: Float64Array }[];
  /** Dense index of the merged pair m^(t). */
  readonly merged: Int32Array;
  /** c_i^(t)(m^(t)) at index t·n + i. */
  readonly mergedCount: Float64Array;
  /** Per category: offsets into idx/val of each step's count changes (length T + 1). */
  readonly deltas: readonly {
    readonly start: Int32Array;
    readonly idx: Int32Array;
    readonly val: Float64Array;
  }[];
}

/**
 * Replays the first T merges on each category sample and records the initial pair counts and the
 * count changes of every step (the reference code's incremental storage).
 *
 * @param samples Per category: its name and pre-token counts.
 * @param merges Id pairs from {@linkcode mergeIds}.
 * @param skip Merges applied first without being recorded: the statistics start after them (the
 *   paper's analysis of a tokenizer that extends another one's merge list). @default {0}
 * @returns The pair statistics of merges skip..end (ids keep their place in the full list).
 */
export function replayMerges(
  samples: readonly { readonly name: string; readonly words: ReadonlyMap<string, number> }[],
  merges: Int32Array,
  skip = 0,
): PairStats {
  const T = merges.length / 2 - skip, n = samples.length;
  const dense = new Map<number, number>();
  const keys: number[] = [];
  const at = (k: number) => {
    let i = dense.get(k);
    if (i === undefined) {
      i = keys.length;
      dense.set(k, i);
      keys.push(k);
    }
    return i;
  };
  const merged = new Int32Array(T);
  const u = 2 * skip;
  for (let t = 0; t < T; t++) merged[t] = at(merges[u + 2 * t]! * KEY + merges[u + 2 * t + 1]!);
  const mergedCount = new Float64Array(T * n);
  const pairs0 = new Float64Array(n), tokens0 = new Float64Array(n), tokensT = new Float64Array(n);
  const initial: PairStats["initial"][number][] = [];
  const deltaOut: PairStats["deltas"][number][] = [];
  const d = new Map<number, number>();
  samples.forEach((s, i) => {
    const table = new WordTable(s.words);
    for (let t = 0; t < skip; t++) table.merge(merges[2 * t]!, merges[2 * t + 1]!, 256 + t, d);
    tokens0[i] = table.tokens();
    const idx = new Int32Array(table.counts.size), count = new Float64Array(table.counts.size);
    let j = 0, total = 0;
    for (const [k, c] of table.counts) {
      idx[j] = at(k);
      count[j++] = c;
      total += c;
    }
    pairs0[i] = total;
    initial.push({ idx, count });
    const start = new Int32Array(T + 1);
    const di: number[] = [], dv: number[] = [];
    for (let t = 0; t < T; t++) {
      const a = merges[u + 2 * t]!, b = merges[u + 2 * t + 1]!;
      mergedCount[t * n + i] = table.counts.get(a * KEY + b) ?? 0;
      table.merge(a, b, 256 + skip + t, d);
      for (const [k, v] of d) {
        di.push(at(k));
        dv.push(v);
      }
      start[t + 1] = di.length;
    }
    tokensT[i] = table.tokens();
    deltaOut.push({ start, idx: Int32Array.from(di), val: Float64Array.from(dv) });
  });
  return {
    names: samples.map((s) => s.name),
    T,
    P: keys.length,
    keys: Float64Array.from(keys),
    pairs0,
    tokens0,
    tokensT,
    initial,
    merged,
    mergedCount,
    deltas: deltaOut,
  };
}
