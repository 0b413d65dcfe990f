/**
 * The Predict track: a fit-based method fits its own predictor on the training runs of a table
 * and predicts held-out runs; scored by Spearman ρ, Kendall τ, Pearson r, MAE, top-10% recall
 * and pairwise decision accuracy (the Transfer track's measure when a set is at another scale).
 *
 * @module
 */

import { kendall, pearson, spearman, topRecall } from "../numerics/stats/correlation.ts";
import { type LineVersions, readJsonLines } from "./results.ts";
import type { RunTable } from "./table.ts";
import type { PoolSpec } from "./task.ts";
import type { Direction, Run } from "./types.ts";

/** Schema id of Predict-track task cards. */
export const PREDICT_TASK_SCHEMA = "mixbench.predict-task/1";
/** Schema id of predict.jsonl lines. */
export const PREDICT_SCHEMA = "mixbench.predict/2";

/** The scores of one set (a {@linkcode PredictSet} without its arrays and names). */
export type SetScores = Pick<
  PredictSet,
  "spearman" | "kendall" | "pearson" | "mae" | "top10Recall" | "decisionAccuracy"
>;

/**
 * The scores of predictions against the truth: Spearman ρ, Kendall τ, Pearson r, MAE, top-10%
 * recall and decision accuracy. Written in predict lines, and recomputed by the reports.
 *
 * @example
 * ```ts
 * import { scoreSet } from "./predict.ts";
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * const s = scoreSet([1, 2, 3, 4], [1.5, 2.5, 2.9, 4.2], "minimize");
 * assertEquals([s.spearman, s.decisionAccuracy], [1, 1]);
 * ```
 * @param truth True objective values.
 * @param predicted Predicted values.
 * @param direction Objective direction (top 10% = smallest when minimised).
 * @returns The scores.
 */
export function scoreSet(
  truth: readonly number[],
  predicted: readonly number[],
  direction: Direction,
): SetScores {
  let mae = 0;
  truth.forEach((t, i) => (mae += Math.abs(t - predicted[i]!)));
  return {
    spearman: spearman(truth, predicted),
    kendall: kendall(truth, predicted),
    pearson: pearson(truth, predicted),
    mae: truth.length > 0 ? mae / truth.length : NaN,
    top10Recall: topRecall(truth, predicted, 0.1, direction === "minimize"),
    decisionAccuracy: decisionAccuracy(truth, predicted),
  };
}

/**
 * Reads predict.jsonl (a missing file reads as no lines; a cut last line is ignored; a line that
 * is not JSON or not of {@linkcode PREDICT_SCHEMA} is an error naming it).
 *
 * @param path The file.
 * @returns The lines, in file order.
 */
export function readPredictLines(path: string): Promise<PredictLine[]> {
  return readJsonLines<PredictLine>(path, PREDICT_SCHEMA);
}

/** A Predict-track task card. */
export interface PredictTaskCard {
  readonly schema: string;
  /** Task id, e.g. `regmix-pile/predict-pile-cc`. */
  readonly id: string;
  readonly version: number;
  readonly title: string;
  readonly description: string;
  /** Built-in table id. */
  readonly table: string;
  /** Metric name or expression. */
  readonly objective: string;
  readonly direction: Direction;
  /** Training runs. */
  readonly train: PoolSpec;
  /** Held-out sets; a set at another fidelity than `train` also measures transfer. */
  readonly sets: readonly (PoolSpec & { readonly name: string })[];
}

/** Scores of one held-out set. */
export interface PredictSet {
  readonly name: string;
  readonly fidelity: string;
  readonly n: number;
  readonly spearman: number;
  readonly kendall: number;
  readonly pearson: number;
  readonly mae: number;
  /** Share of the true top 10% that the prediction also puts in its top 10%. */
  readonly top10Recall: number;
  /** Share of pairs of runs the prediction orders as the truth does (ties in truth skipped). */
  readonly decisionAccuracy: number;
  readonly truth: readonly number[];
  readonly predicted: readonly number[];
}

/** One line of predict.jsonl. */
export interface PredictLine {
  readonly schema: string;
  readonly suite: string;
  readonly task: { readonly id: string; readonly version: number };
  readonly method: string;
  /** Versions of the method, suite and table (see {@linkcode LineVersions}). */
  readonly versions?: LineVersions;
  readonly seed: number;
  readonly status: "ok" | "failed";
  readonly error?: { readonly name: string; readonly message: string };
  /** Number of training runs. */
  readonly train: number;
  readonly sets: readonly PredictSet[];
  readonly timings: { readonly fitMs: number; readonly predictMs: number };
}

/** Selects the runs of a pool spec (same rules as task pools). */
export function selectRuns(table: RunTable, spec: PoolSpec): Run[] {
  return table.runs.filter((r) =>
    r.fidelity === spec.fidelity && (!spec.splits || spec.splits.includes(r.split))
  ).slice(0, spec.first ?? Infinity);
}

/** Share of pairs (i, j) with distinct truths that the prediction orders the same way. */
export function decisionAccuracy(truth: ArrayLike<number>, predicted: ArrayLike<number>): number {
  let agree = 0, total = 0;
  for (let i = 0; i < truth.length; i++) {
    for (let j = i + 1; j < truth.length; j++) {
      const dt = truth[i]! - truth[j]!;
      if (dt === 0) continue;
      total++;
      const dp = predicted[i]! - predicted[j]!;
      if (dp === 0) agree += 0.5;
      else if (Math.sign(dp) === Math.sign(dt)) agree++;
    }
  }
  return total > 0 ? agree / total : NaN;
}
