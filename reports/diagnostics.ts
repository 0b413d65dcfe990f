/**
 * Runner diagnostics, for runs where a surrogate answered some queries: per task and method the
 * share of answers from the table and from the surrogate, the surrogate answers' out-of-distribution
 * (OOD) scores, and how many answers had metrics clipped to their bounds.
 *
 * A trajectory step is a surrogate answer when it carries `source.kind === "surrogate"` (with
 * `ood`, the ensemble `spread` and `clipped`, the number of metrics clipped; see
 * `StepSource` in harness/cell.ts), or — in lines that carry no `source` — when its `row` is −1.
 *
 * Recommendations: the final checkpoint of each finished seed, counted in the trust region when
 * its source is a table row or a surrogate answer with `inRegion` not false (lines from runners
 * without a region count as unknown); scores above 1 (better than the task's f*) are counted, as
 * they usually mean the method found where the model is wrong.
 *
 * @module
 */

import type { ResultLine, TrajectoryStep } from "../core/results.ts";
import { median, quantile } from "../numerics/stats/summary.ts";
import type { RunMeta } from "./meta.ts";

/** Diagnostics of one method on one task. */
export interface RunnerDiagnostics {
  readonly task: string;
  readonly method: string;
  /** Answers counted (every step of every finished seed). */
  readonly answers: number;
  readonly table: number;
  readonly surrogate: number;
  /** OOD scores of the surrogate answers that carry one: median, 90th percentile, max. */
  readonly ood: {
    readonly n: number;
    readonly median: number;
    readonly p90: number;
    readonly max: number;
  };
  /** Median ensemble spread of the surrogate answers that carry one (NaN when none). */
  readonly spread: number;
  /** Surrogate answers with at least one clipped metric, and clipped metrics in all. */
  readonly clippedAnswers: number;
  readonly clippedMetrics: number;
  /** Final recommendations (one per finished seed): in the trust region, out of it, unknown. */
  readonly recommendations: {
    readonly inRegion: number;
    readonly outOfRegion: number;
    readonly unknown: number;
  };
  /** Final recommendations scoring above 1 gap closed (better than f*). */
  readonly above1: number;
}

/** Whether a step was answered by a surrogate. */
export function isSurrogate(step: TrajectoryStep): boolean {
  return step.source ? step.source.kind === "surrogate" : step.row === -1;
}

/**
 * Runner diagnostics per task and method, or null when no surrogate answered anything (the panel
 * is then left out).
 *
 * @param meta The run's run.json.
 * @param lines The results lines.
 * @returns Rows for (task, method) pairs that have answers, or null.
 */
export function runnerDiagnostics(
  meta: RunMeta,
  lines: readonly ResultLine[],
): RunnerDiagnostics[] | null {
  const steps = (l: ResultLine) => l.trajectory;
  if (!lines.some((l) => steps(l).some(isSurrogate))) return null;
  return meta.tasks.flatMap((t) =>
    meta.methods.flatMap((m) => {
      const mine = lines.filter((l) =>
        l.task.id === t.id && l.task.version === t.version && l.method === m.id &&
        l.status === "ok"
      );
      const all = mine.flatMap(steps);
      if (all.length === 0) return [];
      const sur = all.filter(isSurrogate);
      const sources = sur.flatMap((s) => (s.source?.kind === "surrogate" ? [s.source] : []));
      const ood = sources.map((s) => s.ood);
      const spread = sources.flatMap((s) => (s.spread === undefined ? [] : [s.spread]));
      const clipped = sources.map((s) => s.clipped ?? 0);
      const finals = mine.flatMap((l) => l.checkpoints.slice(-1));
      const region = (c: (typeof finals)[number]) =>
        !c.source
          ? "unknown"
          : c.source.kind !== "surrogate"
          ? "in"
          : c.source.inRegion === undefined
          ? "unknown"
          : c.source.inRegion
          ? "in"
          : "out";
      return [{
        task: `${t.id}@${t.version}`,
        method: m.id,
        answers: all.length,
        table: all.length - sur.length,
        surrogate: sur.length,
        ood: {
          n: ood.length,
          median: median(ood),
          p90: quantile(ood, 0.9),
          max: ood.length ? Math.max(...ood) : NaN,
        },
        spread: median(spread),
        clippedAnswers: clipped.filter((c) => c > 0).length,
        clippedMetrics: clipped.reduce((a, b) => a + b, 0),
        recommendations: {
          inRegion: finals.filter((c) => region(c) === "in").length,
          outOfRegion: finals.filter((c) => region(c) === "out").length,
          unknown: finals.filter((c) => region(c) === "unknown").length,
        },
        above1: finals.filter((c) => c.score > 1 + 1e-12).length,
      }];
    })
  );
}
