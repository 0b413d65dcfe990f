/**
 * The walk over the merge steps shared by the mixture-LP solvers (`lp.ts`, `interval_lp.ts`,
 * `cuts.ts`; the reference's `run_solver.py` walk, Hayase et al. 2024, arXiv 2407.16607, §3.3):
 * per-category pair counts c_i^(t)(p) replayed step by step, the α-weighted normalised count
 * W(p) = Σ_i α_i s c_i^(t)(p) / d_i, and a max-priority queue over W(p) − off_p (off: the pair
 * slacks v_p, or the cover z_p of the bundle solver) with lazy deletion.
 *
 * @module
 */

import { MaxHeap } from "./heap.ts";
import type { PairStats } from "./bpe.ts";

/** Walk state over the merge steps of one replay (reused across rounds). */
export class MergeWalk {
  /** Counts c_i(p) at the current step, per category. */
  readonly C: Float64Array[];
  /** W(p) at the current step. */
  readonly W: Float64Array;
  /** The queue over W(p) − off_p (entries may be stale: lazy deletion). */
  readonly heap: MaxHeap = new MaxHeap();
  readonly #stats: PairStats;
  readonly #s: number;
  readonly #seen: Int32Array;
  readonly #held: number[] = [];
  #weight: number[] = [];
  #off: Float64Array;

  /**
   * A walk over the steps of `stats`.
   *
   * @param stats Pair statistics from `replayMerges`.
   * @param s The coefficient scale.
   */
  constructor(stats: PairStats, s: number) {
    const n = stats.names.length, P = stats.P;
    this.#stats = stats;
    this.#s = s;
    this.C = Array.from({ length: n }, () => new Float64Array(P));
    this.W = new Float64Array(P);
    this.#seen = new Int32Array(P);
    this.#off = new Float64Array(P);
  }

  /** Rewinds to step 0 at proportions α with pair offsets `off` (kept by reference). */
  start(alpha: ArrayLike<number>, off: Float64Array): void {
    const { C, W, heap } = this, stats = this.#stats, s = this.#s, n = C.length;
    const weight = Array.from({ length: n }, (_, i) => alpha[i]! * s / stats.pairs0[i]!);
    this.#weight = weight;
    this.#off = off;
    W.fill(0);
    for (let i = 0; i < n; i++) {
      C[i]!.fill(0);
      const { idx, count } = stats.initial[i]!;
      for (let j = 0; j < idx.length; j++) {
        C[i]![idx[j]!] = count[j]!;
        W[idx[j]!]! += weight[i]! * count[j]!;
      }
    }
    heap.clear();
    this.#seen.fill(-1);
    for (let p = 0; p < W.length; p++) if (W[p]! > 0) heap.push(W[p]! - off[p]!, p);
  }

  /**
   * At step t, pops the pairs whose current priority W(p) − off_p exceeds `cutoff` (stale entries
   * are pushed again at their current priority; a pair is taken once per step) and calls
   * `take(p)` for each, until `batch` calls returned true; then pushes the taken pairs back.
   */
  scan(t: number, cutoff: number, batch: number, take: (p: number) => boolean): void {
    const { W, heap } = this, off = this.#off, seen = this.#seen, held = this.#held;
    let added = 0;
    held.length = 0;
    while (added < batch && heap.size > 0 && heap.topPrio() > cutoff) {
      const p = heap.topItem(), pr = heap.topPrio();
      heap.pop();
      if (seen[p] === t) continue;
      const cur = W[p]! - off[p]!;
      if (pr !== cur) {
        if (W[p]! > 0) heap.push(cur, p);
        continue;
      }
      seen[p] = t;
      held.push(p);
      if (take(p)) added++;
    }
    for (const p of held) heap.push(W[p]! - off[p]!, p);
  }

  /** Applies merge t's count changes (pairs whose weight grew are queued again). */
  advance(t: number): void {
    const { C, W, heap } = this, off = this.#off, weight = this.#weight;
    for (let i = 0; i < C.length; i++) {
      const { start, idx, val } = this.#stats.deltas[i]!;
      const Ci = C[i]!, wi = weight[i]!;
      for (let j = start[t]!; j < start[t + 1]!; j++) {
        const p = idx[j]!, v = val[j]!;
        Ci[p]! += v;
        W[p]! += wi * v;
        if (v > 0 && wi > 0) heap.push(W[p]! - off[p]!, p);
      }
    }
  }

  /** The row coefficients s (c_i(plus) − c_i(minus)) / d_i (−1: that count is 0) into `out`. */
  coef<A extends Float64Array>(plus: number, minus: number, out: A): A {
    const { C } = this, d = this.#stats.pairs0, s = this.#s;
    for (let i = 0; i < C.length; i++) {
      const a = plus >= 0 ? C[i]![plus]! : 0, b = minus >= 0 ? C[i]![minus]! : 0;
      out[i] = (a - b) * s / d[i]!;
    }
    return out;
  }
}
