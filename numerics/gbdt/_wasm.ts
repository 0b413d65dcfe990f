/**
 * A WebAssembly (SIMD) scorer for tree ensembles of at most 32 leaves per tree, in the manner
 * of QuickScorer (Lucchese et al., SIGIR 2015): every row's feature values are first replaced by
 * their rank among the model's thresholds for that feature, then each node whose test sends a
 * row right clears the bits of the leaves in its left subtree from a 32-bit leaf mask; the
 * lowest bit left is the row's exit leaf (leaves are numbered left to right). Four rows share
 * one `v128`, and no step depends on a data-dependent branch. The kernels are in
 * `_gbdt_wasm_kernels.ts`; this file lays the model out in their memory and feeds them blocks.
 *
 * @module
 */

import { GROUPS, wasmModule } from "./_wasm_kernels.ts";

/** Tree ensemble in the model's flat form (children local to each tree, `~leaf` for leaves). */
export interface FlatTrees {
  nFeatures: number;
  nodeOffsets: ArrayLike<number>;
  leafOffsets: ArrayLike<number>;
  feature: ArrayLike<number>;
  threshold: ArrayLike<number>;
  left: ArrayLike<number>;
  right: ArrayLike<number>;
  leafValue: ArrayLike<number>;
}

/** Rows per block (a multiple of 4 · GROUPS): its ranks and sums stay in the first-level cache. */
const BLOCK = 256;

/** Scores row-major chunks with the WebAssembly kernels; see the module doc. */
export class WasmScorer {
  readonly #d: number;
  readonly #rank: (...args: number[]) => void;
  readonly #score: (...args: number[]) => void;
  readonly #rows: Float64Array;
  readonly #acc: Float64Array;
  readonly #ptr: Record<"rows" | "rk" | "acc" | "featTab" | "trees" | "treesEnd", number>;

  private constructor(trees: FlatTrees, module: WebAssembly.Module) {
    const d = trees.nFeatures, T = trees.nodeOffsets.length - 1;
    const nodes = trees.feature.length, leaves = trees.leafValue.length;
    // Distinct thresholds per feature, sorted, and each node's rank among them.
    const perFeature = Array.from({ length: d }, () => new Set<number>());
    for (let k = 0; k < nodes; k++) perFeature[trees.feature[k]!]!.add(trees.threshold[k]!);
    const sorted = perFeature.map((s) => Float64Array.from(s).sort());
    const rankOf = sorted.map((a) => new Map(Array.from(a, (v, i) => [v, i])));
    const sizes = sorted.map((a) => 2 ** Math.ceil(Math.log2(a.length + 1)));
    const tableWords = sizes.reduce((s, p) => s + p, 0);
    const stride = BLOCK * 4;
    // Layout (bytes): rows | rank columns | sums | feature table | thresholds | trees | nodes | leaves
    let at = 0;
    const take = (bytes: number) => {
      const p = at;
      at += Math.ceil(bytes / 16) * 16;
      return p;
    };
    const ptr = {
      rows: take(BLOCK * d * 8),
      rk: take(d * stride),
      acc: take(BLOCK * 8),
      featTab: take(d * 8),
      thresholds: take(tableWords * 8),
      trees: take(T * 16),
      treesEnd: 0,
      nodes: take(nodes * 16),
      leaves: take(leaves * 8),
    };
    ptr.treesEnd = ptr.trees + T * 16;
    const instance = new WebAssembly.Instance(module);
    const memory = instance.exports.memory as WebAssembly.Memory;
    memory.grow(Math.ceil(at / 65536));
    const buf = memory.buffer;
    const i32 = new Int32Array(buf), f64 = new Float64Array(buf);
    let table = ptr.thresholds;
    for (let f = 0; f < d; f++) {
      i32[ptr.featTab / 4 + 2 * f] = table;
      i32[ptr.featTab / 4 + 2 * f + 1] = sizes[f]! / 2;
      f64.fill(Infinity, table / 8, table / 8 + sizes[f]!);
      f64.set(sorted[f]!, table / 8);
      table += sizes[f]! * 8;
    }
    for (let t = 0; t < T; t++) {
      const n0 = trees.nodeOffsets[t]!, n1 = trees.nodeOffsets[t + 1]!, l0 = trees.leafOffsets[t]!;
      // Number leaves left to right; each node's mask holds its left subtree's leaves.
      const position = new Int32Array(trees.leafOffsets[t + 1]! - l0);
      const leftMask = new Int32Array(n1 - n0);
      let next = 0;
      const visit = (c: number): number => {
        if (c < 0) {
          position[~c] = next;
          return 1 << next++;
        }
        const lm = visit(trees.left[n0 + c]!);
        leftMask[c] = lm;
        return lm | visit(trees.right[n0 + c]!);
      };
      visit(n1 > n0 ? 0 : -1);
      i32[ptr.trees / 4 + 4 * t] = ptr.nodes + 16 * n0;
      i32[ptr.trees / 4 + 4 * t + 1] = ptr.nodes + 16 * n1;
      i32[ptr.trees / 4 + 4 * t + 2] = ptr.leaves + 8 * l0;
      for (let k = n0; k < n1; k++) {
        const f = trees.feature[k]!, rec = (ptr.nodes + 16 * k) / 4;
        i32[rec] = rankOf[f]!.get(trees.threshold[k]!)!;
        i32[rec + 1] = leftMask[k - n0]!;
        i32[rec + 2] = f * stride;
      }
      for (let l = 0; l < position.length; l++) {
        f64[ptr.leaves / 8 + l0 + position[l]!] = trees.leafValue[l0 + l]!;
      }
    }
    this.#d = d;
    this.#rank = instance.exports.rank as (...args: number[]) => void;
    this.#score = instance.exports.score as (...args: number[]) => void;
    this.#rows = new Float64Array(buf, ptr.rows, BLOCK * d);
    this.#acc = new Float64Array(buf, ptr.acc, BLOCK);
    this.#ptr = ptr;
  }

  /**
   * A scorer for the trees, or null when there are no trees, a tree has more than 32 leaves, or
   * WebAssembly SIMD is unavailable.
   */
  static create(trees: FlatTrees): WasmScorer | null {
    const T = trees.nodeOffsets.length - 1;
    for (let t = 0; t < T; t++) {
      if (trees.leafOffsets[t + 1]! - trees.leafOffsets[t]! > 32) return null;
    }
    const module = wasmModule();
    if (!module || T === 0) return null;
    try {
      return new WasmScorer(trees, module);
    } catch {
      return null; // e.g. a model too large for one WebAssembly memory: walk the trees instead
    }
  }

  /** Writes `base + Σ trees` for each row of the row-major chunk `rows` into `out`. */
  score(rows: Float64Array, base: number, out: Float64Array): void {
    const d = this.#d, m = out.length, p = this.#ptr;
    for (let s = 0; s < m; s += BLOCK) {
      const nb = Math.min(BLOCK, m - s);
      this.#rows.set(rows.subarray(s * d, (s + nb) * d));
      this.#rank(p.rows, nb, d, p.featTab, p.rk, BLOCK * 4);
      this.#acc.fill(base);
      const step = 4 * GROUPS;
      this.#score(p.trees, p.treesEnd, p.rk, p.acc, Math.ceil(nb / step) * step * 4);
      out.set(this.#acc.subarray(0, nb), s);
    }
  }
}
