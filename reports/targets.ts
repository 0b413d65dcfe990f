/**
 * Cost-to-target analysis of a task set: per task and method, the seeds that reach each pool
 * quantile level, the expected running time (ERT) and the speed-up over random search at the 90th
 * percentile and the best of the target pool; across the tasks, run-length ECDFs over all levels.
 *
 * @module
 */

import type { TaskSummary } from "./aggregate.ts";
import {
  expectedRunningTime,
  firstHit,
  type Hit,
  runLengthEcdf,
  type Speedup,
  speedup,
} from "./cost_to_target.ts";
import type { TaskMeta } from "./meta.ts";

/** Method id of the random-search baseline the speed-ups are taken against. */
export const RANDOM_SEARCH = "random-search";
/** Pool quantile levels of the speed-up tables (the 90th percentile and the best). */
export const SPEEDUP_LEVELS: readonly number[] = [0.9, 1];

/** One level of one method on one task. */
export interface LevelResult {
  /** Pool quantile level (1 = best of the pool). */
  readonly q: number;
  /** The level as an objective value. */
  readonly value: number;
  /** Seeds that reached it, of `n`. */
  readonly successes: number;
  readonly n: number;
  /** Expected running time in the task's cost unit (Infinity when no seed reached it). */
  readonly ert: number;
  /** Speed-up over random search (null for random search itself or when it did not run). */
  readonly speedup: Speedup | null;
}

/** Cost-to-target results of one task. */
export interface TaskTargets {
  readonly task: TaskMeta;
  readonly methods: readonly { readonly id: string; readonly levels: readonly LevelResult[] }[];
}

/** One method's run-length ECDF over a task set. */
export interface Ecdf {
  readonly id: string;
  /** Cost as a share of each task's budget, ascending (the first point is the left edge). */
  readonly x: readonly number[];
  /** Share of (task, seed, level) attempts reached by then. */
  readonly y: readonly number[];
  /** Attempts counted. */
  readonly attempts: number;
}

/** Cost-to-target analysis of a task set. */
export interface TargetAnalysis {
  readonly tasks: readonly TaskTargets[];
  readonly ecdfs: readonly Ecdf[];
  /** Levels used in the ECDFs. */
  readonly levels: readonly number[];
  /** Left edge of the ECDF axis, where attempts reached at cost 0 are drawn. */
  readonly xMin: number;
  /** Whether random search ran (speed-ups need it). */
  readonly random: boolean;
}

/** Levels of a task: from run.json's target-pool quantiles, else only the best known value. */
export function taskLevels(task: TaskMeta): { q: number; value: number }[] {
  return task.targetPool
    ? task.targetPool.levels.map((l) => ({ q: l.q, value: l.value }))
    : [{ q: 1, value: task.reference.best }];
}

/**
 * Analyses a task set.
 *
 * @param set Per-task summaries of one track.
 * @returns Per-task levels and speed-ups, and ECDFs per method.
 */
export function analyseTargets(set: readonly TaskSummary[]): TargetAnalysis {
  const random = set.some((s) =>
    s.methods.some((c) => c.method.id === RANDOM_SEARCH && c.lines.length > 0)
  );
  const hitsOf = (s: TaskSummary, id: string, level: number): Hit[] =>
    (s.methods.find((c) => c.method.id === id)?.lines ?? []).map((l) =>
      firstHit(l.checkpoints, l.spent, level, s.task.direction)
    );
  const tasks = set.map((s): TaskTargets => ({
    task: s.task,
    methods: s.methods.filter((c) => c.lines.length > 0).map((c) => ({
      id: c.method.id,
      levels: taskLevels(s.task).filter((l) => SPEEDUP_LEVELS.includes(l.q)).map((l) => {
        const hits = hitsOf(s, c.method.id, l.value);
        const r = hitsOf(s, RANDOM_SEARCH, l.value);
        return {
          q: l.q,
          value: l.value,
          successes: hits.filter((h) => h.cost !== null).length,
          n: hits.length,
          ert: expectedRunningTime(hits),
          speedup: c.method.id === RANDOM_SEARCH || r.length === 0 ? null : speedup(r, hits),
        };
      }),
    })),
  }));
  const levels = [...new Set(set.flatMap((s) => taskLevels(s.task).map((l) => l.q)))].sort();
  const positive = set.flatMap((s) => s.task.checkpoints.map((c) => c / s.task.budget));
  const xMin = Math.min(...positive) / 2;
  const ecdfs = set[0]!.methods.flatMap((c): Ecdf[] => {
    const costs = set.flatMap((s) =>
      taskLevels(s.task).flatMap((l) =>
        hitsOf(s, c.method.id, l.value).map((h) =>
          h.cost === null ? null : Math.max(xMin, h.cost / s.task.budget)
        )
      )
    );
    if (costs.length === 0) return [];
    const xs = [...new Set([xMin, ...costs.filter((x): x is number => x !== null), 1])]
      .sort((a, b) => a - b);
    return [{ id: c.method.id, x: xs, y: runLengthEcdf(costs, xs), attempts: costs.length }];
  });
  return { tasks, ecdfs, levels, xMin, random };
}
