/**
 * Runs one Predict-track cell: a fit-based method fits its predictor on the training runs of a
 * table and predicts each held-out set, scored by {@linkcode scoreSet}.
 *
 * @module
 */

import type { MethodFactory } from "../core/method.ts";
import { compileObjective } from "../core/objective.ts";
import {
  PREDICT_SCHEMA,
  type PredictLine,
  type PredictSet,
  type PredictTaskCard,
  scoreSet,
  selectRuns,
} from "../core/predict.ts";
import type { RunTable } from "../core/table.ts";
import { fitContext } from "./context.ts";

/** Options of {@linkcode runPredict}. */
export interface PredictOptions {
  /** Suite version written in the line. @default {"dev"} */
  suite?: string;
}

/**
 * Fits a method's predictor on the task's training runs and scores it on each held-out set.
 * Never throws for the method's fault: the line says `failed` and why.
 *
 * @param card The Predict-track task card.
 * @param table Its table.
 * @param factory A fit-based method (with `fit`).
 * @param seed Seed of the method's random stream (derived with the task key).
 * @param options Suite version.
 * @returns The predict.jsonl line.
 */
export function runPredict(
  card: PredictTaskCard,
  table: RunTable,
  factory: MethodFactory,
  seed: number,
  options: PredictOptions = {},
): PredictLine {
  const base = {
    schema: PREDICT_SCHEMA,
    suite: options.suite ?? "dev",
    task: { id: card.id, version: card.version },
    method: factory.id,
    seed,
  };
  let fitMs = 0, predictMs = 0;
  try {
    if (!factory.fit) throw new TypeError(`Method "${factory.id}" fits no predictor`);
    const objective = compileObjective(card.objective, table.card.metrics.map((m) => m.name));
    const train = selectRuns(table, card.train);
    const examples = train.map((r) => ({
      mixture: r.mixture,
      value: objective.evaluate(r.metrics),
      metrics: r.metrics,
    }));
    const t0 = performance.now();
    const predictor = factory.fit(
      examples,
      fitContext(
        `${card.id}@${card.version}`,
        table,
        { metrics: objective.metrics, expression: card.objective, direction: card.direction },
        train,
        card.train.fidelity,
        seed,
      ),
    );
    fitMs = performance.now() - t0;
    const sets = card.sets.map((s): PredictSet => {
      const runs = selectRuns(table, s);
      const truth = runs.map((r) => objective.evaluate(r.metrics));
      const t1 = performance.now();
      const predicted = Array.from(predictor.predict(runs.map((r) => r.mixture)));
      predictMs += performance.now() - t1;
      if (predicted.length !== truth.length || predicted.some((x) => !Number.isFinite(x))) {
        throw new RangeError(
          `Method "${factory.id}" predicted non-finite values on set "${s.name}"`,
        );
      }
      return {
        name: s.name,
        fidelity: s.fidelity,
        n: runs.length,
        ...scoreSet(truth, predicted, card.direction),
        truth,
        predicted,
      };
    });
    return {
      ...base,
      status: "ok",
      train: train.length,
      sets,
      timings: { fitMs: Math.round(fitMs), predictMs: Math.round(predictMs) },
    };
  } catch (e) {
    const err = e instanceof Error ? e : new Error(String(e));
    return {
      ...base,
      status: "failed",
      error: { name: err.name, message: err.message },
      train: 0,
      sets: [],
      timings: { fitMs: Math.round(fitMs), predictMs: Math.round(predictMs) },
    };
  }
}
