/**
 * Runs one Predict-track cell: a fit-based method fits its predictor on the training runs of a
 * table and predicts each held-out set, scored by {@linkcode scoreSet}.
 *
 * @module
 */

import type { Example, MethodContext, MethodFactory } from "../core/method.ts";
import type { Mixture } from "../core/types.ts";
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

/** A predictor that fits and predicts asynchronously (a bridged method's, bench/bridge/). */
export interface AsyncFitter {
  /** Fits on the training examples with the method's context. */
  fit(examples: readonly Example[], ctx: MethodContext): Promise<void>;
  /** Predicted objective values, one per mixture. */
  predict(mixtures: readonly Mixture[]): Promise<readonly number[]>;
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
  const t = { fitMs: 0, predictMs: 0 };
  try {
    if (!factory.fit) throw new TypeError(`Method "${factory.id}" fits no predictor`);
    const inputs = predictInputs(card, table, seed);
    const t0 = performance.now();
    const predictor = factory.fit(inputs.examples, inputs.context);
    t.fitMs = performance.now() - t0;
    const predicted = inputs.sets.map((s) => {
      const t1 = performance.now();
      const p = Array.from(predictor.predict(s.mixtures));
      t.predictMs += performance.now() - t1;
      return p;
    });
    return predictLine(card, factory.id, seed, options, t, { inputs, predicted });
  } catch (e) {
    return predictLine(card, factory.id, seed, options, t, { error: e });
  }
}

/**
 * {@linkcode runPredict} for a predictor that answers asynchronously (a bridged method): the same
 * training examples, context, held-out sets and scores.
 *
 * @param card The Predict-track task card.
 * @param table Its table.
 * @param id The method id written in the line.
 * @param fitter The predictor.
 * @param seed Seed of the method's random stream.
 * @param options Suite version.
 * @returns The predict.jsonl line.
 */
export async function runPredictAsync(
  card: PredictTaskCard,
  table: RunTable,
  id: string,
  fitter: AsyncFitter,
  seed: number,
  options: PredictOptions = {},
): Promise<PredictLine> {
  const t = { fitMs: 0, predictMs: 0 };
  try {
    const inputs = predictInputs(card, table, seed);
    const t0 = performance.now();
    await fitter.fit(inputs.examples, inputs.context);
    t.fitMs = performance.now() - t0;
    const predicted: number[][] = [];
    for (const s of inputs.sets) {
      const t1 = performance.now();
      predicted.push(Array.from(await fitter.predict(s.mixtures)));
      t.predictMs += performance.now() - t1;
    }
    return predictLine(card, id, seed, options, t, { inputs, predicted });
  } catch (e) {
    return predictLine(card, id, seed, options, t, { error: e });
  }
}

/** What a Predict cell fits on and is scored against. */
interface PredictInputs {
  readonly examples: readonly Example[];
  readonly context: MethodContext;
  readonly train: number;
  readonly sets: readonly {
    readonly name: string;
    readonly fidelity: string;
    readonly mixtures: readonly Mixture[];
    readonly truth: number[];
  }[];
}

/** The training examples, the method's context and the held-out sets of a Predict task. */
function predictInputs(card: PredictTaskCard, table: RunTable, seed: number): PredictInputs {
  const objective = compileObjective(card.objective, table.card.metrics.map((m) => m.name));
  const train = selectRuns(table, card.train);
  return {
    examples: train.map((r) => ({
      mixture: r.mixture,
      value: objective.evaluate(r.metrics),
      metrics: r.metrics,
    })),
    context: fitContext(
      `${card.id}@${card.version}`,
      table,
      { metrics: objective.metrics, expression: card.objective, direction: card.direction },
      train,
      card.train.fidelity,
      seed,
    ),
    train: train.length,
    sets: card.sets.map((s) => {
      const runs = selectRuns(table, s);
      return {
        name: s.name,
        fidelity: s.fidelity,
        mixtures: runs.map((r) => r.mixture),
        truth: runs.map((r) => objective.evaluate(r.metrics)),
      };
    }),
  };
}

/** The line of a Predict cell: scored sets, or the error that failed it. */
function predictLine(
  card: PredictTaskCard,
  id: string,
  seed: number,
  options: PredictOptions,
  t: { fitMs: number; predictMs: number },
  outcome: { inputs: PredictInputs; predicted: number[][] } | { error: unknown },
): PredictLine {
  const base = {
    schema: PREDICT_SCHEMA,
    suite: options.suite ?? "dev",
    task: { id: card.id, version: card.version },
    method: id,
    seed,
  };
  const timings = { fitMs: Math.round(t.fitMs), predictMs: Math.round(t.predictMs) };
  let error = "error" in outcome ? outcome.error : undefined;
  if (!("error" in outcome)) {
    try {
      const sets = outcome.inputs.sets.map((s, i): PredictSet => {
        const predicted = outcome.predicted[i]!;
        if (
          predicted.length !== s.truth.length ||
          predicted.some((x) => typeof x !== "number" || !Number.isFinite(x))
        ) {
          throw new RangeError(`Method "${id}" predicted non-finite values on set "${s.name}"`);
        }
        return {
          name: s.name,
          fidelity: s.fidelity,
          n: s.truth.length,
          ...scoreSet(s.truth, predicted, card.direction),
          truth: s.truth,
          predicted,
        };
      });
      return { ...base, status: "ok", train: outcome.inputs.train, sets, timings };
    } catch (e) {
      error = e;
    }
  }
  const err = error instanceof Error ? error : new Error(String(error));
  return {
    ...base,
    status: "failed",
    error: { name: err.name, message: err.message },
    train: 0,
    sets: [],
    timings,
  };
}
