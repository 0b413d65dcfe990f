/**
 * Builds a pool-mode task card for a bring-your-own table.
 *
 * @module
 */

import type { PoolSpec } from "../core/task.ts";
import { PREDICT_TASK_SCHEMA, type PredictTaskCard } from "../core/predict.ts";
import { compileObjective } from "../core/objective.ts";
import { poolReference, resolveTask, TASK_SCHEMA, type TaskCard } from "../core/task.ts";
import type { RunTable } from "../core/table.ts";
import type { Direction } from "../core/types.ts";
import { summarizeTable } from "./loader.ts";
import { BUDGET_RULE, ruleBudget } from "./budget_rule.ts";

/** Options of {@linkcode customTaskCard}. */
export interface CustomTaskOptions {
  /** Metric name or expression; required when the table has more than one metric. */
  objective?: string | undefined;
  /**
   * Direction; defaults to the card's direction of the objective metric, and is required when the
   * objective is an expression or its metric's direction is not in a data card.
   */
  direction?: Direction | undefined;
  /** Target fidelity. @default {the costliest fidelity} */
  target?: string | undefined;
  /**
   * Budget in target-fidelity runs, below the target pool's size.
   * @default {the budget rule of datasets/budget_rule.ts (a fraction of the pool)}
   */
  budget?: number | undefined;
  /**
   * Let methods query fidelities costlier than the target too. @default {false: only fidelities
   * at or below the target's cost}
   */
  queryCostlier?: boolean | undefined;
}

/** A bring-your-own task with what the CLI should tell the user about it. */
export interface CustomTask {
  /** The task card. */
  readonly card: TaskCard;
  /**
   * Lines to print: the load summary, where the direction came from, a uniform prior for lack of
   * a card, fidelities left out as costlier than the target.
   */
  readonly notes: readonly string[];
}

/**
 * Makes a task card that asks for the best run at the target fidelity, the fidelities at or below
 * the target's cost queryable (all of them with `queryCostlier`) at their card cost relative to
 * the target's, with references frozen from the table. Its id, `custom/<name>-<sha8>`, is the
 * table's file name (its folder's for a `runs.csv`) and the first 8 hex digits of the sha256 of
 * runs.csv, so two tables never share results.
 *
 * @example
 * ```ts
 * import { parseRunTable } from "./loader.ts";
 * import { customTask } from "./custom_task.ts";
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * const csv = "fidelity,ratio_a,ratio_b,metric_acc\ns,0.5,0.5,0.6\ns,1,0,0.4\n";
 * const table = parseRunTable(csv, undefined, { file: "demo/mine.csv" });
 * const { card } = customTask(table, { direction: "maximize" });
 * assertEquals([card.id, card.direction, card.budget], ["custom/mine-1a6272f7", "maximize", 1]);
 * ```
 * @param table The loaded table.
 * @param options Objective, direction, target, budget and whether costlier fidelities are
 * queryable.
 * @returns The task card and the notes to print.
 * @throws {TypeError} No objective for a table with several metrics, an objective naming no
 * metric (with the closest names), or a direction that is neither given nor in the data card.
 * @throws {RangeError} An unknown target fidelity, a budget that is not positive, or a table the
 * task cannot be bound to (see core/task.ts resolveTask).
 */
export function customTask(table: RunTable, options: CustomTaskOptions): CustomTask {
  const metrics = table.card.metrics;
  const objective = options.objective ?? (metrics.length === 1 ? metrics[0]!.name : undefined);
  if (!objective) {
    throw new TypeError(
      `Table "${table.file}" has ${metrics.length} metrics: pass --objective (one of ${
        metrics.slice(0, 8).map((m) => m.name).join(", ")
      }${metrics.length > 8 ? ", …" : ""})`,
    );
  }
  const compiled = compileObjective(objective, metrics.map((m) => m.name));
  const metric = metrics.find((m) => m.name === objective.replace(/^metric_/, "")) ??
    metrics.find((m) => m.name === objective);
  const { direction, origin } = resolveDirection(table, objective, metric, options.direction);
  const fids = [...table.card.fidelities].sort((a, b) => a.cost - b.cost);
  const target = fids.find((f) => f.id === (options.target ?? fids[fids.length - 1]!.id));
  if (!target) {
    throw new RangeError(
      `--target "${options.target}" is not a fidelity of "${table.file}" (fidelities: ${
        fids.map((f) => f.id).join(", ")
      })`,
    );
  }
  const queryable = fids.filter((f) => options.queryCostlier === true || f.cost <= target.cost);
  const costlier = fids.filter((f) => !queryable.includes(f));
  const poolSize = table.runs.filter((r) => r.fidelity === target.id).length;
  const draft: TaskCard = {
    schema: TASK_SCHEMA,
    id: `custom/${tableName(table.file)}-${table.sha256.slice(0, 8)}`,
    version: 1,
    title: `${objective} on ${table.file}`,
    description: `Bring-your-own table ${table.file}, judged at fidelity ${target.id}; ` +
      `${objective} is ${direction}d (${origin}).`,
    track: "optimize",
    table: table.file,
    objective,
    direction,
    runner: "replay",
    query: queryable.map((f) => ({ fidelity: f.id, cost: f.cost / target.cost })),
    target: { fidelity: target.id },
    budget: 1,
    checkpoints: [1],
    costUnit: `${target.id} runs`,
    reference: { zero: 0, best: 0, bestRow: -1 },
  };
  const task = resolveTask(draft, table);
  const reference = poolReference(task);
  const budget = options.budget ??
    ruleBudget(task.targetPool.map((r) => task.objective.evaluate(r.metrics)), reference);
  if (!(budget > 0) || !Number.isFinite(budget)) {
    throw new RangeError(`--budget is "${budget}", expected a positive number`);
  }
  if (budget >= poolSize) {
    throw new RangeError(
      `--budget ${budget} would let a method enumerate the whole target pool of ${poolSize} ` +
        `${target.id} runs of "${table.file}": use a budget below ${poolSize}`,
    );
  }
  const checkpoints: number[] = [];
  for (let b = 1; b < budget; b *= 2) checkpoints.push(b);
  checkpoints.push(budget);
  const budgetRule = options.budget === undefined ? BUDGET_RULE : "set by --budget";
  const card: TaskCard = { ...draft, budget, checkpoints, budgetRule, reference };
  const notes = [
    ...summarizeTable(table, compiled.metrics).lines,
    `${table.file}: objective ${objective} is ${direction}d (${origin})`,
  ];
  if (table.card.inferred) {
    notes.push(
      `${table.file}: prior is uniform for lack of a card (natural, temperature and unimax ` +
        `then propose the uniform mixture)`,
    );
  }
  if (costlier.length > 0) {
    notes.push(
      `${table.file}: not queryable, as costlier than the target ${target.id}: ${
        costlier.map((f) => `${f.id} (cost ${f.cost})`).join(", ")
      }; pass --query-costlier to allow them`,
    );
  }
  return { card, notes };
}

/**
 * The task card of {@linkcode customTask} alone.
 *
 * @param table The loaded table.
 * @param options Objective, direction, target, budget and whether costlier fidelities are
 * queryable.
 * @returns The task card (id `custom/<name>-<sha8>`).
 */
export function customTaskCard(table: RunTable, options: CustomTaskOptions): TaskCard {
  return customTask(table, options).card;
}

/** The direction of the objective and where it came from; never a silent guess. */
function resolveDirection(
  table: RunTable,
  objective: string,
  metric: RunTable["card"]["metrics"][number] | undefined,
  given: Direction | undefined,
): { direction: Direction; origin: string } {
  const guess = metric?.directionGuessed ? `; the name-based guess was "${metric.direction}"` : "";
  if (given !== undefined) return { direction: given, origin: `from --direction${guess}` };
  if (!metric) {
    throw new TypeError(
      `Objective "${objective}" is an expression: pass --direction minimize or --direction ` +
        `maximize`,
    );
  }
  if (metric.directionGuessed) {
    throw new TypeError(
      `Objective "${objective}": the direction of metric "${metric.name}" is ${
        table.card.inferred ? "unknown (the table has no data card)" : "not in the data card"
      }: pass --direction minimize or --direction maximize (the name-based guess would be "${metric.direction}")`,
    );
  }
  return { direction: metric.direction, origin: "from the data card" };
}

/** The name part of a custom task id: the file's stem, or its folder's name for `runs.csv`. */
function tableName(file: string): string {
  const parts = file.split(/[/\\]/).filter((p) => p !== "" && p !== ".");
  const stem = (parts.at(-1) ?? "table").replace(/\.csv$/i, "");
  const name = stem === "runs" && parts.length > 1 ? parts.at(-2)! : stem;
  return name.replace(/[^A-Za-z0-9_.-]/g, "_");
}

/**
 * A Predict-track card for a bring-your-own table: fit on the `train` runs, predict each
 * held-out set, with the optimise task's objective and direction.
 *
 * @param task The table's optimise task card (objective, direction, id).
 * @param table The table.
 * @param train The training runs (a fidelity, optionally its splits).
 * @param sets The held-out sets.
 * @returns The card (id `<task id>/predict`).
 * @throws {RangeError} For an unknown fidelity or split, an empty set, or a held-out set that
 * is the training set.
 */
export function customPredictCard(
  task: TaskCard,
  table: RunTable,
  train: PoolSpec,
  sets: readonly PoolSpec[],
): PredictTaskCard {
  const name = (s: PoolSpec) => `${s.fidelity}${s.splits ? `:${s.splits.join("+")}` : ""}`;
  const runs = (s: PoolSpec, flag: string) => {
    if (!table.card.fidelities.some((f) => f.id === s.fidelity)) {
      throw new RangeError(
        `${flag} "${name(s)}": "${s.fidelity}" is not a fidelity of "${table.file}" (fidelities: ${
          table.card.fidelities.map((f) => f.id).join(", ")
        })`,
      );
    }
    const n =
      table.runs.filter((r) =>
        r.fidelity === s.fidelity && (!s.splits || s.splits.includes(r.split))
      ).length;
    if (n === 0) throw new RangeError(`${flag} "${name(s)}" selects no run of "${table.file}"`);
    return n;
  };
  const nTrain = runs(train, "--predict-train");
  if (sets.length === 0) throw new RangeError("--predict-sets names no held-out set");
  for (const s of sets) {
    runs(s, "--predict-sets");
    const overlaps = s.fidelity === train.fidelity &&
      (!s.splits || !train.splits || s.splits.some((x) => train.splits!.includes(x)));
    if (overlaps) {
      throw new RangeError(
        `--predict-sets "${name(s)}" overlaps the training runs "${name(train)}": hold out ` +
          `another fidelity or another split (FIDELITY:split)`,
      );
    }
  }
  return {
    schema: PREDICT_TASK_SCHEMA,
    id: `${task.id}/predict`,
    version: 1,
    title: `Predict ${task.objective} on ${table.file} from ${nTrain} ${name(train)} runs`,
    description: `Bring-your-own table ${table.file}: fit on ${name(train)}, predict ${
      sets.map(name).join(", ")
    }.`,
    table: table.file,
    objective: task.objective,
    direction: task.direction,
    train,
    sets: sets.map((s) => ({ ...s, name: name(s) })),
  };
}
