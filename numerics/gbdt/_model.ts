/**
 * A fitted GBDT: trees in flat typed arrays and the scoring loops.
 *
 * @module
 */

import { WasmScorer } from "./_wasm.ts";

/** Serialised form of a {@linkcode GbdtModel} (plain JSON). */
export interface GbdtModelJson {
  /** Format tag. */
  format: "mixbench-gbdt@1";
  /** Number of features a row must have. */
  nFeatures: number;
  /** Initial score (the mean of the training targets). */
  baseScore: number;
  /** Number of boosting rounds kept. */
  bestIteration: number;
  /** Tree t owns nodes `nodeOffsets[t] … nodeOffsets[t + 1] − 1` (length trees + 1). */
  nodeOffsets: number[];
  /** Tree t owns leaves `leafOffsets[t] … leafOffsets[t + 1] − 1` (length trees + 1). */
  leafOffsets: number[];
  /** Split feature of each node. */
  feature: number[];
  /** Split threshold of each node: rows with `x[feature] ≤ threshold` go left. */
  threshold: number[];
  /** Left child of each node, within its tree: ≥ 0 a node, < 0 the leaf `~child`. */
  left: number[];
  /** Right child of each node, encoded as `left`. */
  right: number[];
  /** Value of each leaf, learning rate applied. */
  leafValue: number[];
}

/**
 * A fitted gradient-boosted tree ensemble: trees in flat typed arrays. Create it with `fitGbdt`
 * or {@linkcode GbdtModel.fromJSON}.
 */
export class GbdtModel {
  /** Number of boosting rounds in the model (the best one when early stopping ran). */
  readonly bestIteration: number;
  /** Number of trees stored and used for prediction. */
  readonly numTrees: number;
  /** Number of features a row must have. */
  readonly nFeatures: number;
  readonly #json: GbdtModelJson;
  readonly #base: number;
  readonly #roots: Int32Array;
  readonly #feature: Int32Array;
  readonly #threshold: Float64Array;
  readonly #left: Int32Array;
  readonly #right: Int32Array;
  readonly #leafValue: Float64Array;
  #scorer: WasmScorer | null | undefined;

  /**
   * Builds a model from its serialised form (see {@linkcode GbdtModel.fromJSON}).
   *
   * @param json The model data.
   */
  constructor(json: GbdtModelJson) {
    checkJson(json);
    json = structuredClone(json);
    this.#json = json;
    this.nFeatures = json.nFeatures;
    this.bestIteration = json.bestIteration;
    this.numTrees = json.nodeOffsets.length - 1;
    this.#base = json.baseScore;
    const T = this.numTrees;
    this.#roots = new Int32Array(T);
    const nodes = json.feature.length;
    this.#feature = Int32Array.from(json.feature);
    this.#threshold = Float64Array.from(json.threshold);
    this.#left = new Int32Array(nodes);
    this.#right = new Int32Array(nodes);
    this.#leafValue = Float64Array.from(json.leafValue);
    for (let t = 0; t < T; t++) {
      const n0 = json.nodeOffsets[t]!, n1 = json.nodeOffsets[t + 1]!, l0 = json.leafOffsets[t]!;
      const global = (c: number) => (c >= 0 ? n0 + c : ~(l0 + ~c));
      this.#roots[t] = n1 > n0 ? n0 : ~l0;
      for (let k = n0; k < n1; k++) {
        this.#left[k] = global(json.left[k]!);
        this.#right[k] = global(json.right[k]!);
      }
    }
  }

  /**
   * Rebuilds a model saved with {@linkcode GbdtModel.toJSON}.
   *
   * @param json The parsed JSON.
   * @returns The model.
   * @throws {TypeError} Data that is not a model of this format.
   */
  static fromJSON(json: GbdtModelJson): GbdtModel {
    return new GbdtModel(json);
  }

  /** A copy of the model as plain JSON data (numbers round-trip exactly through JSON text). */
  toJSON(): GbdtModelJson {
    return structuredClone(this.#json);
  }

  /**
   * Predicts one value per row.
   *
   * @param x Rows of `nFeatures` values.
   * @returns The predictions.
   * @throws {TypeError} A row of the wrong length.
   */
  predict(x: readonly ArrayLike<number>[]): Float64Array {
    const d = this.nFeatures, m = x.length;
    const chunk = Math.max(1, Math.min(m, 4096));
    const rows = new Float64Array(chunk * d);
    const out = new Float64Array(m);
    for (let s = 0; s < m; s += chunk) {
      const e = Math.min(m, s + chunk);
      for (let i = s; i < e; i++) {
        const row = x[i]!;
        if (row.length !== d) {
          throw new TypeError(`Cannot predict: row ${i} has ${row.length} features, expected ${d}`);
        }
        for (let f = 0; f < d; f++) rows[(i - s) * d + f] = row[f]!;
      }
      this.predictInto(rows.subarray(0, (e - s) * d), d, out.subarray(s, e));
    }
    return out;
  }

  /**
   * Predicts a chunk of rows stored row-major, writing one value per row into `out`. Nothing is
   * allocated per call (the scorer is built on the first), so a large candidate set can be
   * scored chunk by chunk in one reused buffer. Rows go left where `x ≤ threshold`, so NaN goes
   * right. Trees of up to 32 leaves run in a WebAssembly SIMD kernel (QuickScorer-style leaf
   * bit masks over threshold ranks, four rows per vector, no data-dependent branches); the
   * result is the same sum, in the same order, as walking each tree.
   *
   * @example
   * ```ts
   * import { fitGbdt } from "./gbdt.ts";
   * import { deepStrictEqual as assertEquals } from "node:assert/strict";
   * const x = Array.from({ length: 60 }, (_, i) => [i % 2, i / 60]);
   * const model = fitGbdt(x, x.map(([a]) => a!), { numRounds: 50, learningRate: 0.5 });
   * const out = new Float64Array(2);
   * model.predictInto(new Float64Array([0, 0.5, 1, 0.5]), 2, out);
   * assertEquals(out.map(Math.round), new Float64Array([0, 1]));
   * ```
   * @param rows `out.length × nFeatures` values, row after row.
   * @param nFeatures Values per row; must equal the model's {@linkcode GbdtModel.nFeatures}.
   * @param out Receives the predictions.
   * @throws {TypeError} Shapes that do not match.
   */
  predictInto(rows: Float64Array, nFeatures: number, out: Float64Array): void {
    if (nFeatures !== this.nFeatures || rows.length !== out.length * nFeatures) {
      throw new TypeError(
        `Cannot predict: got ${rows.length} values for ${out.length} rows of ${nFeatures} ` +
          `features, expected rows of ${this.nFeatures} features`,
      );
    }
    this.#scorer ??= WasmScorer.create(this.#json);
    if (this.#scorer) this.#scorer.score(rows, this.#base, out);
    else this.#traverse(rows, out);
  }

  /** Plain traversal, for trees of more than 32 leaves or hosts without WebAssembly SIMD. */
  #traverse(rows: Float64Array, out: Float64Array): void {
    const d = this.nFeatures, m = out.length, T = this.numTrees;
    const roots = this.#roots, feature = this.#feature, threshold = this.#threshold;
    const left = this.#left, right = this.#right, leafValue = this.#leafValue;
    for (let i = 0; i < m; i++) {
      const base = i * d;
      let s = this.#base;
      for (let t = 0; t < T; t++) {
        let node = roots[t]!;
        while (node >= 0) {
          node = rows[base + feature[node]!]! <= threshold[node]! ? left[node]! : right[node]!;
        }
        s += leafValue[~node]!;
      }
      out[i] = s;
    }
  }
}

function checkJson(json: GbdtModelJson): void {
  const bad = (what: string) => {
    throw new TypeError(`Cannot read GBDT model: ${what}`);
  };
  if (json?.format !== "mixbench-gbdt@1") {
    bad(`format is "${json?.format}", expected "mixbench-gbdt@1"`);
  }
  if (!Number.isInteger(json.nFeatures) || json.nFeatures < 1) {
    bad(`nFeatures is "${json.nFeatures}", expected a positive integer`);
  }
  if (typeof json.baseScore !== "number") bad(`baseScore is "${json.baseScore}"`);
  const nodes = json.feature.length;
  if (
    json.threshold.length !== nodes || json.left.length !== nodes || json.right.length !== nodes
  ) {
    bad("feature, threshold, left and right differ in length");
  }
  const T = json.nodeOffsets.length - 1;
  if (T < 0 || json.leafOffsets.length !== T + 1) {
    bad("nodeOffsets and leafOffsets differ in length");
  }
  if (json.nodeOffsets[T] !== nodes || json.leafOffsets[T] !== json.leafValue.length) {
    bad("the offsets do not end at the array lengths");
  }
  for (let t = 0; t < T; t++) {
    const nodesIn = json.nodeOffsets[t + 1]! - json.nodeOffsets[t]!;
    const leavesIn = json.leafOffsets[t + 1]! - json.leafOffsets[t]!;
    if (leavesIn !== nodesIn + 1) bad(`tree ${t} has ${nodesIn} nodes and ${leavesIn} leaves`);
    for (let k = json.nodeOffsets[t]!; k < json.nodeOffsets[t + 1]!; k++) {
      for (const c of [json.left[k]!, json.right[k]!]) {
        if (
          !Number.isInteger(c) || c >= nodesIn || ~c >= leavesIn ||
          (c >= 0 && c <= k - json.nodeOffsets[t]!)
        ) {
          bad(`node ${k} has child "${c}" out of range`);
        }
      }
      const f = json.feature[k]!;
      if (!Number.isInteger(f) || f < 0 || f >= json.nFeatures) {
        bad(`node ${k} splits on feature "${f}"`);
      }
    }
  }
}
