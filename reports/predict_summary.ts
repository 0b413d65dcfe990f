/**
 * The Predict and Transfer panels' numbers, from `predict.jsonl`: per Predict-track task, held-out
 * set and method, the median (and quartiles) over seeds of Spearman ρ, Kendall τ, Pearson r, MAE,
 * top-10% recall and pairwise decision accuracy — all recomputed from each line's `truth` and
 * `predicted` arrays, never read from the stored scores. A set measures transfer when its name
 * starts with `transfer:` or its fidelity differs from the training runs' (from run.json).
 *
 * @module
 */

import { type PredictLine, scoreSet, type SetScores } from "../core/predict.ts";
import { median, quantile } from "../numerics/stats/summary.ts";
import type { RunMeta } from "./meta.ts";

/** Median and quartiles over seeds. */
export interface Spread {
  readonly median: number;
  readonly q25: number;
  readonly q75: number;
}

/** Names of {@linkcode SetScores}, in table order. */
export const SCORE_NAMES: readonly (keyof SetScores)[] = [
  "spearman",
  "kendall",
  "pearson",
  "mae",
  "top10Recall",
  "decisionAccuracy",
];

/** One method on one held-out set. */
export interface PredictMethodSet {
  readonly id: string;
  /** Seeds scored. */
  readonly seeds: number;
  readonly scores: Readonly<Record<keyof SetScores, Spread>>;
  /** Truth and prediction of the first scored seed (for the scatter). */
  readonly sample: { readonly truth: readonly number[]; readonly predicted: readonly number[] };
}

/** One held-out set of a Predict-track task. */
export interface PredictSetSummary {
  readonly name: string;
  readonly fidelity: string;
  readonly n: number;
  /** True when the set is at another scale than the training runs. */
  readonly transfer: boolean;
  readonly methods: readonly PredictMethodSet[];
}

/** One Predict-track task. */
export interface PredictTaskSummary {
  readonly id: string;
  readonly version: number;
  readonly direction: "minimize" | "maximize";
  readonly sets: readonly PredictSetSummary[];
  /** Per method: finished and failed seeds (with reasons). */
  readonly coverage: readonly {
    readonly id: string;
    readonly ok: number;
    readonly failures: readonly string[];
  }[];
}

/**
 * Summarises predict lines per task, set and method (last line wins for a repeated cell).
 *
 * @param meta The run's run.json (seed list, Predict-track task descriptions).
 * @param lines The predict lines.
 * @returns One summary per task, in order of first appearance.
 */
export function summarisePredict(
  meta: RunMeta,
  lines: readonly PredictLine[],
): PredictTaskSummary[] {
  const byCell = new Map<string, PredictLine>();
  for (const l of lines) {
    if (meta.seeds.includes(l.seed)) {
      byCell.set(`${l.task.id}@${l.task.version}|${l.method}|${l.seed}`, l);
    }
  }
  const tasks = [...new Set([...byCell.values()].map((l) => `${l.task.id}@${l.task.version}`))];
  return tasks.map((key) => {
    const cells = [...byCell.values()].filter((l) => `${l.task.id}@${l.task.version}` === key);
    const { id, version } = cells[0]!.task;
    const tm = meta.predictTasks?.find((t) => t.id === id && t.version === version);
    const direction = tm?.direction ?? "minimize";
    const methods = [...new Set(cells.map((l) => l.method))];
    const ok = cells.filter((l) => l.status === "ok");
    const setNames = tm?.sets.map((s) => s.name) ??
      [...new Set(ok.flatMap((l) => l.sets.map((s) => s.name)))];
    const sets = setNames.map((name): PredictSetSummary => {
      const any = ok.flatMap((l) => l.sets).find((s) => s.name === name);
      const fidelity = tm?.sets.find((s) => s.name === name)?.fidelity ?? any?.fidelity ?? "";
      return {
        name,
        fidelity,
        n: any?.n ?? 0,
        transfer: name.startsWith("transfer:") ||
          (tm !== undefined && fidelity !== tm.trainFidelity),
        methods: methods.flatMap((m) => {
          const got = ok.filter((l) => l.method === m).sort((a, b) => a.seed - b.seed)
            .flatMap((l) => l.sets.filter((s) => s.name === name));
          if (got.length === 0) return [];
          const scores = got.map((s) => scoreSet(s.truth, s.predicted, direction));
          const spread = (k: keyof SetScores): Spread => {
            const xs = scores.map((s) => s[k]);
            return { median: median(xs), q25: quantile(xs, 0.25), q75: quantile(xs, 0.75) };
          };
          return [{
            id: m,
            seeds: got.length,
            scores: Object.fromEntries(SCORE_NAMES.map((k) => [k, spread(k)])) as Record<
              keyof SetScores,
              Spread
            >,
            sample: { truth: got[0]!.truth, predicted: got[0]!.predicted },
          }];
        }),
      };
    });
    const coverage = methods.map((m) => {
      const mine = cells.filter((l) => l.method === m);
      return {
        id: m,
        ok: mine.filter((l) => l.status === "ok").length,
        failures: mine.filter((l) => l.status === "failed").map((l) =>
          `seed ${l.seed}: ${l.error ? `${l.error.name}: ${l.error.message}` : "failed"}`
        ),
      };
    });
    return { id, version, direction, sets, coverage };
  });
}
