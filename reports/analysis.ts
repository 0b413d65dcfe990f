/**
 * Everything the report and the leaderboards show, computed in one place from the raw files of a
 * results folder (run.json, results.jsonl, predict.jsonl): per-task summaries, the cross-task
 * analysis and cost-to-target results of each track, the Predict and Transfer panels' scores and
 * the runner diagnostics.
 *
 * @module
 */

import type { ResultLine } from "../core/results.ts";
import type { PredictLine } from "../core/predict.ts";
import { analyseTracks, type TrackAnalysis } from "./across.ts";
import { aggregate, type TaskSummary } from "./aggregate.ts";
import { type RunnerDiagnostics, runnerDiagnostics } from "./diagnostics.ts";
import type { RunMeta } from "./meta.ts";
import { type PredictTaskSummary, summarisePredict } from "./predict_summary.ts";
import { analyseTargets, type TargetAnalysis } from "./targets.ts";

/** One track: its cross-task analysis and its cost-to-target results. */
export interface TrackReport {
  readonly across: TrackAnalysis;
  readonly targets: TargetAnalysis;
}

/** Everything a report shows. */
export interface Analysis {
  readonly meta: RunMeta;
  readonly summaries: readonly TaskSummary[];
  readonly tracks: readonly TrackReport[];
  readonly predict: readonly PredictTaskSummary[];
  /** Null when no surrogate answered (the panel is left out). */
  readonly diagnostics: readonly RunnerDiagnostics[] | null;
}

/**
 * Analyses a results folder's contents.
 *
 * @example
 * ```ts ignore
 * import { analyse } from "./analysis.ts";
 * const a = analyse(meta, lines, []);
 * ```
 * @param meta run.json.
 * @param lines results.jsonl lines.
 * @param predict predict.jsonl lines (empty when the Predict track did not run).
 * @returns The analysis.
 */
export function analyse(
  meta: RunMeta,
  lines: readonly ResultLine[],
  predict: readonly PredictLine[],
): Analysis {
  const summaries = aggregate(meta, lines);
  const tracks = analyseTracks(summaries, meta.seeds).map((across) => ({
    across,
    targets: analyseTargets(summaries.filter((s) => s.task.track === across.track)),
  }));
  return {
    meta,
    summaries,
    tracks,
    predict: summarisePredict(meta, predict),
    diagnostics: runnerDiagnostics(meta, lines),
  };
}
