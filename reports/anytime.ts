/**
 * The primary score of the optimise and transfer tracks: the normalised area under the anytime
 * curve of gap closed against log cost (the anytime view of COCO, Hansen et al., 2021,
 * arXiv:1603.08785, and of ADMIRE-BayesOpt's cost curves, Chen et al., 2025, arXiv:2508.11551).
 *
 * Definition. A task has checkpoints b₁ < … < b_K = B (its budget); a finished run records at each
 * checkpoint the recommendation in force and its gap closed s_k (0 = the target pool's mean, 1 =
 * its best). The anytime curve is the step function that takes the value s_k on the log-cost
 * interval (b_{k−1}, b_k] — each checkpoint's score stands for the stretch of budget that ends at
 * it — and the score is its mean over [b₁, B] in log cost:
 *
 *   AUC = Σ_{k=2..K} s_k · ln(b_k / b_{k−1}) / ln(B / b₁),
 *
 * and AUC = s₁ when the task has one checkpoint. A checkpoint a run did not record takes the score
 * of its last earlier checkpoint (0 before the first). The score is 1 only for a method that holds
 * the pool's best from the second checkpoint on, so it separates methods that reach the same
 * final recommendation at different costs; the final-budget score (s_K) is kept as a column.
 *
 * @module
 */

import type { ResultLine } from "../core/results.ts";
import { gapClosed } from "../core/task.ts";
import type { TaskMeta } from "./meta.ts";

/**
 * Gap closed at each of the task's checkpoints, carried forward over missing ones.
 *
 * @param line A finished results line.
 * @param task The task (checkpoints and reference).
 * @returns One score per task checkpoint.
 */
export function checkpointScores(line: ResultLine, task: TaskMeta): number[] {
  let last = 0;
  return task.checkpoints.map((b) => {
    const c = line.checkpoints.find((x) => Math.abs(x.budget - b) <= 1e-9 * Math.max(1, b));
    if (c) last = gapClosed(c.value, task.reference);
    return last;
  });
}

/**
 * Normalised area under a step curve in log cost (see the module doc).
 *
 * @example
 * ```ts
 * import { logArea } from "./anytime.ts";
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * // checkpoints 1, 2, 4: two equal log intervals ending at 2 and 4
 * assertEquals(logArea([1, 2, 4], [0, 0.5, 1]), 0.75);
 * assertEquals(logArea([8], [0.3]), 0.3);
 * ```
 * @param budgets Ascending checkpoint budgets.
 * @param scores Score at each checkpoint.
 * @returns The area divided by ln(B / b₁).
 */
export function logArea(budgets: readonly number[], scores: readonly number[]): number {
  const k = budgets.length;
  if (k === 0) return NaN;
  if (k === 1) return scores[0]!;
  let area = 0;
  for (let i = 1; i < k; i++) area += scores[i]! * Math.log(budgets[i]! / budgets[i - 1]!);
  return area / Math.log(budgets[k - 1]! / budgets[0]!);
}

/**
 * The anytime score (normalised log-cost AUC of gap closed) of one finished run.
 *
 * @param line A finished results line.
 * @param task The task.
 * @returns The score.
 */
export function anytimeScore(line: ResultLine, task: TaskMeta): number {
  return logArea(task.checkpoints, checkpointScores(line, task));
}

/** The definition in one paragraph, for the report and the leaderboard. */
export const ANYTIME_DEFINITION =
  "Anytime score = normalised area under gap closed against log cost: with checkpoints " +
  "b₁ < … < b_K = budget and gap closed s_k recorded at each, " +
  "Σ_{k≥2} s_k·ln(b_k/b_{k−1}) / ln(b_K/b₁) (step curve, each checkpoint's score standing for " +
  "the log-cost interval that ends at it; 1 = the pool's best held from the second checkpoint on)";
