/**
 * Aggregates results lines into per-task, per-method summaries: score quantiles at each
 * checkpoint over seeds, failures, and coverage. Reads only results lines and run.json, and never
 * trusts a stored aggregate: gap closed is recomputed from each recommendation's objective value
 * and the task's frozen reference in run.json.
 *
 * @module
 */

import type { CheckpointRecord, ResultLine } from "../core/results.ts";
import { mean, median, quantile } from "../numerics/stats/summary.ts";
import { gapClosed } from "../core/task.ts";
import type { MethodMeta, RunMeta, TaskMeta } from "./meta.ts";

/** Score summary at one checkpoint. */
export interface PointSummary {
  readonly budget: number;
  readonly median: number;
  readonly q25: number;
  readonly q75: number;
  readonly mean: number;
  readonly n: number;
}

/** One method on one task. */
export interface CellSummary {
  readonly method: MethodMeta;
  /** Seeds that finished. */
  readonly ok: number;
  /** Seeds that failed, with their reasons. */
  readonly failures: readonly { readonly seed: number; readonly message: string }[];
  /** True when every seed of the run finished. */
  readonly complete: boolean;
  /** Summary at each checkpoint (ok cells only). */
  readonly curve: readonly PointSummary[];
  /** Median objective value of the final recommendation. */
  readonly finalValue: number;
  /** Median evaluations used. */
  readonly evaluations: number;
  /** The finished lines, in seed order. */
  readonly lines: readonly ResultLine[];
}

/** One task with all its methods. */
export interface TaskSummary {
  readonly task: TaskMeta;
  readonly methods: readonly CellSummary[];
}

/**
 * Builds the summaries. Lines of task versions or methods not in `meta` are ignored; when a cell
 * appears twice the last line wins.
 *
 * @param meta The run's run.json.
 * @param lines The run's results lines.
 * @returns One summary per task, in run.json order.
 */
export function aggregate(meta: RunMeta, lines: readonly ResultLine[]): TaskSummary[] {
  const byCell = new Map<string, ResultLine>();
  for (const l of lines) byCell.set(`${l.task.id}@${l.task.version}|${l.method}|${l.seed}`, l);
  return meta.tasks.map((task) => ({
    task,
    methods: meta.methods.map((method) => {
      const cells = meta.seeds.flatMap((seed) => {
        const l = byCell.get(`${task.id}@${task.version}|${method.id}|${seed}`);
        return l ? [l] : [];
      });
      const ok = cells.filter((c) => c.status === "ok");
      const curve = task.checkpoints.map((budget, i) => {
        const scores = ok.flatMap((c) =>
          c.checkpoints[i] ? [gapClosed(c.checkpoints[i]!.value, task.reference)] : []
        );
        return {
          budget,
          median: median(scores),
          q25: quantile(scores, 0.25),
          q75: quantile(scores, 0.75),
          mean: mean(scores),
          n: scores.length,
        };
      });
      return {
        method,
        ok: ok.length,
        failures: cells.filter((c) => c.status === "failed").map((c) => ({
          seed: c.seed,
          message: c.error ? `${c.error.name}: ${c.error.message}` : "failed",
        })),
        complete: ok.length === meta.seeds.length,
        curve,
        finalValue: median(ok.map((c) => c.checkpoints[c.checkpoints.length - 1]?.value ?? NaN)),
        evaluations: median(ok.map((c) => c.trajectory.length)),
        lines: ok,
      };
    }),
  }));
}

/** Final-budget median score of a summary (NaN when no seed finished). */
export function finalScore(c: CellSummary): number {
  return c.curve[c.curve.length - 1]?.median ?? NaN;
}

/**
 * The recommendation in force at a share of the budget: the last checkpoint whose budget is at
 * most `fraction · budget` (undefined before the first checkpoint).
 *
 * @param line A finished results line.
 * @param budget The task's budget.
 * @param fraction Share of the budget in (0, 1].
 * @returns The checkpoint, or undefined.
 */
export function checkpointAt(
  line: ResultLine,
  budget: number,
  fraction: number,
): CheckpointRecord | undefined {
  let out: CheckpointRecord | undefined;
  for (const c of line.checkpoints) {
    if (c.budget <= fraction * budget * (1 + 1e-9)) out = c;
  }
  return out;
}
