/**
 * A max-heap of integer items (exact in a float64) keyed by a float priority, ties broken by the smaller item, for
 * lazy deletion: stale entries stay in the heap and the caller compares a popped entry's stored
 * priority with the item's current one (Hayase et al. 2024, reference `run_solver.py`).
 *
 * @module
 */

/** Max-heap of (priority, item); equal priorities pop the smaller item first. */
export class MaxHeap {
  #prio: Float64Array = new Float64Array(1024);
  #item: Float64Array = new Float64Array(1024);
  #n = 0;

  /** Number of entries (stale ones included). */
  get size(): number {
    return this.#n;
  }

  /** Removes every entry. */
  clear(): void {
    this.#n = 0;
  }

  #above(i: number, j: number): boolean {
    const a = this.#prio[i]!, b = this.#prio[j]!;
    return a > b || (a === b && this.#item[i]! < this.#item[j]!);
  }

  #swap(i: number, j: number): void {
    const p = this.#prio[i]!, t = this.#item[i]!;
    this.#prio[i] = this.#prio[j]!;
    this.#item[i] = this.#item[j]!;
    this.#prio[j] = p;
    this.#item[j] = t;
  }

  /**
   * Adds an entry.
   *
   * @example
   * ```ts
   * import { MaxHeap } from "./heap.ts";
   * import { strictEqual as assertEquals } from "node:assert/strict";
   * const h = new MaxHeap();
   * h.push(1, 7); h.push(3, 9); h.push(3, 2);
   * assertEquals(h.topItem(), 2);
   * ```
   * @param prio Priority (larger pops first).
   * @param item Non-negative integer item (exact up to 2^53).
   */
  push(prio: number, item: number): void {
    if (this.#n === this.#prio.length) {
      const p = new Float64Array(this.#n * 2), it = new Float64Array(this.#n * 2);
      p.set(this.#prio);
      it.set(this.#item);
      this.#prio = p;
      this.#item = it;
    }
    let i = this.#n++;
    this.#prio[i] = prio;
    this.#item[i] = item;
    while (i > 0) {
      const up = (i - 1) >> 1;
      if (!this.#above(i, up)) break;
      this.#swap(i, up);
      i = up;
    }
  }

  /** Priority of the top entry (-Infinity when empty). */
  topPrio(): number {
    return this.#n ? this.#prio[0]! : -Infinity;
  }

  /** Item of the top entry (-1 when empty). */
  topItem(): number {
    return this.#n ? this.#item[0]! : -1;
  }

  /** Removes the top entry. */
  pop(): void {
    if (!this.#n) return;
    this.#n--;
    this.#prio[0] = this.#prio[this.#n]!;
    this.#item[0] = this.#item[this.#n]!;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1, r = l + 1;
      let best = i;
      if (l < this.#n && this.#above(l, best)) best = l;
      if (r < this.#n && this.#above(r, best)) best = r;
      if (best === i) break;
      this.#swap(i, best);
      i = best;
    }
  }
}
