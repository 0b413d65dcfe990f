/**
 * A histogram gradient-boosted regression-tree learner (GBDT) written for mixbench: LightGBM's
 * algorithm with the defaults RegMix (Liu et al., 2024, arXiv:2407.01492; regression step in
 * `regression_fitting/regression.ipynb`, see docs/methods.md §1) runs it with — L2 loss, init
 * score = mean(y) (boost_from_average), leaf-wise growth to 31 leaves with no depth limit, at
 * least 20 rows and 1e-3 hessian per leaf, up to 255 bins per feature from LightGBM's bin
 * mapper rules (at least 3 rows per bin), no L1/L2 penalty, no minimum gain, learning rate 0.01,
 * 1000 rounds, early stopping after 3 rounds without a lower validation L2 error (the best
 * iteration is kept). Histograms use the subtraction trick (the smaller child is built, its
 * sibling is parent − child).
 *
 * Labels and gradients are rounded to float32 as LightGBM stores them, so the trees are
 * LightGBM's: on the tests' data sets the predictions equal LightGBM 4.7.0's to 1e-15.
 * Departures: no missing values (training values must be finite; NaN goes right at
 * prediction), categorical features, bagging, feature sampling or threads; bin boundaries come
 * from all rows up to 200 000 and from a seeded sample above that (LightGBM's
 * `bin_construct_sample_cnt`, sampled differently).
 *
 * Prediction runs a WebAssembly SIMD kernel (QuickScorer-style bit masks, see
 * {@linkcode GbdtModel.predictInto}) for trees of up to 32 leaves, a plain tree walk otherwise.
 *
 * @example
 * ```ts
 * import { fitGbdt } from "./gbdt.ts";
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * const x = Array.from({ length: 100 }, (_, i) => [i / 100, 1 - i / 100]);
 * const y = x.map(([a]) => (a! < 0.5 ? 1 : 3));
 * const model = fitGbdt(x, y, { numRounds: 500, learningRate: 0.1 });
 * const [lo, hi] = model.predict([[0.2, 0.8], [0.9, 0.1]]);
 * assertEquals([Math.round(lo!), Math.round(hi!)], [1, 3]);
 * ```
 *
 * @module
 */

import { binBounds, binOf } from "./_bins.ts";
import { type BinMatrix, TreeGrower } from "./_grow.ts";
import { GbdtModel, type GbdtModelJson } from "./_model.ts";
import { Rng } from "../rng.ts";

export { GbdtModel, type GbdtModelJson };

/** Options of {@linkcode fitGbdt}; the defaults are LightGBM's as RegMix uses them. */
export interface GbdtOptions {
  /** Largest number of boosting rounds (trees). @default {1000} */
  numRounds?: number;
  /** Shrinkage applied to every leaf value. @default {0.01} */
  learningRate?: number;
  /** Largest number of leaves per tree (leaf-wise growth, no depth limit). @default {31} */
  numLeaves?: number;
  /** Smallest number of training rows in a leaf. @default {20} */
  minDataInLeaf?: number;
  /** Smallest sum of hessians in a leaf (the row count, for L2 loss). @default {1e-3} */
  minSumHessianInLeaf?: number;
  /** Largest number of bins per feature. @default {255} */
  maxBin?: number;
  /** Smallest number of training rows per bin. @default {3} */
  minDataInBin?: number;
  /**
   * Stop when the validation L2 error has not improved for this many rounds and keep the best
   * iteration; only used with a validation set; 0 trains all rounds. @default {3}
   */
  earlyStoppingRounds?: number;
  /**
   * Seed of the row sample that bin boundaries are computed from when there are more than
   * 200 000 training rows; below that the fit is deterministic whatever the seed. @default {42}
   */
  seed?: number;
}

/** Options of {@linkcode fitGbdt}: the learner's options and an optional validation set. */
export interface FitGbdtOptions extends GbdtOptions {
  /** Rows and targets to early-stop on (never the rows you evaluate on). @default {undefined} */
  validation?: { x: readonly ArrayLike<number>[]; y: ArrayLike<number> };
}

const defaults = {
  numRounds: 1000,
  learningRate: 0.01,
  numLeaves: 31,
  minDataInLeaf: 20,
  minSumHessianInLeaf: 1e-3,
  maxBin: 255,
  minDataInBin: 3,
  earlyStoppingRounds: 3,
  seed: 42,
} satisfies Required<GbdtOptions>;

const BIN_SAMPLE = 200_000;

/**
 * Fits a gradient-boosted tree ensemble to `y` by L2 loss.
 *
 * @example
 * ```ts
 * import { fitGbdt } from "./gbdt.ts";
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * // A step at 0.5, one tree of two leaves: the exact split, leaves mean(y) ∓ 1.
 * const x = Array.from({ length: 100 }, (_, i) => [(i + 1) / 100]);
 * const y = x.map(([v]) => (v! <= 0.5 ? 1 : 3));
 * const model = fitGbdt(x, y, { numRounds: 1, numLeaves: 2, learningRate: 1, minDataInBin: 1 });
 * assertEquals(Array.from(model.predict([[0.5], [0.51]])), [1, 3]);
 * ```
 * @param x Training rows (all the same length, finite values).
 * @param y Targets, one per row.
 * @param options Learner options and an optional validation set for early stopping.
 * @returns The fitted model, truncated to the best iteration when early stopping ran.
 * @throws {TypeError} Empty data, rows of different lengths, or `y` of the wrong length.
 * @throws {RangeError} Non-finite values, or an option out of range.
 */
export function fitGbdt(
  x: readonly ArrayLike<number>[],
  y: ArrayLike<number>,
  options: FitGbdtOptions = {},
): GbdtModel {
  const o = resolve(options);
  const n = x.length;
  if (n === 0) throw new TypeError("Cannot fit a GBDT on no rows: expected at least one row");
  const d = x[0]!.length;
  checkRows(x, d, "training");
  if (y.length !== n) {
    throw new TypeError(`Cannot fit a GBDT: "y" has ${y.length} values, expected ${n}`);
  }
  const label = checkLabels(y, "training");

  const bounds = featureBounds(x, d, o);
  const numBins = Int32Array.from(bounds, (b) => b.length);
  const bins: BinMatrix = numBins.some((b) => b > 256)
    ? new Uint16Array(n * d)
    : new Uint8Array(n * d);
  for (let f = 0; f < d; f++) {
    for (let i = 0; i < n; i++) bins[f * n + i] = binOf(bounds[f]!, x[i]![f]!);
  }

  let base = 0;
  for (let i = 0; i < n; i++) base += label[i]!;
  base /= n;
  const score = new Float64Array(n).fill(base);
  const grad = new Float64Array(n);

  const valid = options.validation ? validationSet(options.validation, d, base) : undefined;
  const early = valid !== undefined && o.earlyStoppingRounds > 0;
  const grower = new TreeGrower(bins, numBins, o);
  const trees: GbdtModelJson = {
    format: "mixbench-gbdt@1",
    nFeatures: d,
    baseScore: base,
    bestIteration: 0,
    nodeOffsets: [0],
    leafOffsets: [0],
    feature: [],
    threshold: [],
    left: [],
    right: [],
    leafValue: [],
  };
  let bestLoss = Infinity, bestIteration = 0;
  for (let round = 0; round < o.numRounds; round++) {
    for (let i = 0; i < n; i++) grad[i] = Math.fround(score[i]! - label[i]!);
    const tree = grower.grow(grad);
    if (tree.numLeaves === 1 && round > 0) break; // no split left: LightGBM stops here too
    for (let k = 0; k < tree.numLeaves - 1; k++) {
      const f = tree.feature[k]!;
      trees.feature.push(f);
      trees.threshold.push(bounds[f]![tree.bin[k]!]!);
      trees.left.push(tree.left[k]!);
      trees.right.push(tree.right[k]!);
    }
    for (let l = 0; l < tree.numLeaves; l++) {
      const v = tree.leafValue[l]! * o.learningRate;
      trees.leafValue.push(v);
      const s = grower.start(l), e = s + grower.count(l), order = grower.order;
      for (let k = s; k < e; k++) score[order[k]!] = score[order[k]!]! + v;
    }
    trees.nodeOffsets.push(trees.feature.length);
    trees.leafOffsets.push(trees.leafValue.length);
    if (tree.numLeaves === 1) break;
    if (!early || !valid) continue;
    const loss = valid.addTree(trees, round);
    if (loss < bestLoss) {
      bestLoss = loss;
      bestIteration = round + 1;
    } else if (round + 1 - bestIteration >= o.earlyStoppingRounds) {
      break;
    }
  }
  return new GbdtModel(truncate(trees, early ? bestIteration : trees.nodeOffsets.length - 1));
}

/** The first `rounds` trees of an ensemble. */
function truncate(trees: GbdtModelJson, rounds: number): GbdtModelJson {
  const nodes = trees.nodeOffsets[rounds]!, leaves = trees.leafOffsets[rounds]!;
  return {
    ...trees,
    bestIteration: rounds,
    nodeOffsets: trees.nodeOffsets.slice(0, rounds + 1),
    leafOffsets: trees.leafOffsets.slice(0, rounds + 1),
    feature: trees.feature.slice(0, nodes),
    threshold: trees.threshold.slice(0, nodes),
    left: trees.left.slice(0, nodes),
    right: trees.right.slice(0, nodes),
    leafValue: trees.leafValue.slice(0, leaves),
  };
}

/** Validation rows (row-major), their running scores and float32 labels. */
function validationSet(
  set: { x: readonly ArrayLike<number>[]; y: ArrayLike<number> },
  d: number,
  base: number,
): { addTree(trees: GbdtModelJson, t: number): number } {
  const m = set.x.length;
  checkRows(set.x, d, "validation");
  if (m === 0 || set.y.length !== m) {
    throw new TypeError(
      `Cannot fit a GBDT: the validation set has ${m} rows and ${set.y.length} targets`,
    );
  }
  const label = checkLabels(set.y, "validation");
  const x = new Float64Array(m * d);
  for (let i = 0; i < m; i++) for (let f = 0; f < d; f++) x[i * d + f] = set.x[i]![f]!;
  const score = new Float64Array(m).fill(base);
  return {
    /** Adds tree `t` to the scores and returns the mean squared error (LightGBM's l2). */
    addTree(trees: GbdtModelJson, t: number): number {
      const n0 = trees.nodeOffsets[t]!, l0 = trees.leafOffsets[t]!;
      const { feature, threshold, left, right, leafValue } = trees;
      let loss = 0;
      for (let i = 0; i < m; i++) {
        let c = 0;
        while (c >= 0) {
          const k = n0 + c;
          c = x[i * d + feature[k]!]! <= threshold[k]! ? left[k]! : right[k]!;
        }
        score[i] = score[i]! + leafValue[l0 + ~c]!;
        const r = score[i]! - label[i]!;
        loss += r * r;
      }
      return loss / m;
    },
  };
}

function resolve(options: GbdtOptions): Required<GbdtOptions> {
  const o: Required<GbdtOptions> = { ...defaults };
  for (const key of Object.keys(defaults) as (keyof GbdtOptions)[]) {
    const v = options[key];
    if (v !== undefined) o[key] = v;
  }
  const check = (key: keyof GbdtOptions, ok: boolean, expected: string) => {
    if (!ok) {
      throw new RangeError(`Invalid GBDT option "${key}" = "${o[key]}": expected ${expected}`);
    }
  };
  const int = (v: number, min: number) => Number.isInteger(v) && v >= min;
  check("numRounds", int(o.numRounds, 1), "an integer ≥ 1");
  check("learningRate", o.learningRate > 0 && Number.isFinite(o.learningRate), "a number > 0");
  check("numLeaves", int(o.numLeaves, 2), "an integer ≥ 2");
  check("minDataInLeaf", int(o.minDataInLeaf, 1), "an integer ≥ 1");
  check("minSumHessianInLeaf", o.minSumHessianInLeaf >= 0, "a number ≥ 0");
  check("maxBin", int(o.maxBin, 2) && o.maxBin <= 65536, "an integer in [2, 65536]");
  check("minDataInBin", int(o.minDataInBin, 1), "an integer ≥ 1");
  check("earlyStoppingRounds", int(o.earlyStoppingRounds, 0), "an integer ≥ 0");
  check("seed", Number.isInteger(o.seed), "an integer");
  return o;
}

/** Labels as LightGBM stores them: float32 (its label_t). */
function checkLabels(y: ArrayLike<number>, what: string): Float64Array {
  const label = new Float64Array(y.length);
  for (let i = 0; i < y.length; i++) {
    if (!Number.isFinite(y[i])) {
      throw new RangeError(`Cannot fit a GBDT: ${what} target ${i} is "${y[i]}"`);
    }
    label[i] = Math.fround(y[i]!);
  }
  return label;
}

function checkRows(x: readonly ArrayLike<number>[], d: number, what: string): void {
  for (let i = 0; i < x.length; i++) {
    const row = x[i]!;
    if (row.length !== d) {
      throw new TypeError(
        `Cannot fit a GBDT: ${what} row ${i} has ${row.length} features, expected ${d}`,
      );
    }
    for (let f = 0; f < d; f++) {
      if (!Number.isFinite(row[f])) {
        throw new RangeError(`Cannot fit a GBDT: ${what} row ${i} feature ${f} is "${row[f]}"`);
      }
    }
  }
}

/** Bin bounds of every feature, from all rows or a seeded sample of BIN_SAMPLE rows. */
function featureBounds(
  x: readonly ArrayLike<number>[],
  d: number,
  o: Required<GbdtOptions>,
): Float64Array[] {
  let rows = Array.from({ length: x.length }, (_, i) => i);
  if (rows.length > BIN_SAMPLE) rows = new Rng(o.seed).shuffle(rows).slice(0, BIN_SAMPLE);
  const col = new Float64Array(rows.length);
  const out: Float64Array[] = [];
  for (let f = 0; f < d; f++) {
    for (let k = 0; k < rows.length; k++) col[k] = x[rows[k]!]![f]!;
    col.sort();
    out.push(binBounds(col, o.maxBin, o.minDataInBin));
  }
  return out;
}
