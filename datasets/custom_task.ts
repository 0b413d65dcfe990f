/**
 * Builds a pool-mode task card for a bring-your-own table.
 *
 * @module
 */

import { poolReference, resolveTask, TASK_SCHEMA, type TaskCard } from "../core/task.ts";
import type { RunTable } from "../core/table.ts";
import type { Direction } from "../core/types.ts";
import { BUDGET_RULE, ruleBudget } from "./budget_rule.ts";

/** Options of {@linkcode customTaskCard}. */
export interface CustomTaskOptions {
  /** Metric name or expression; required when the table has more than one metric. */
  objective?: string | undefined;
  /** Direction; defaults to the card's direction of the objective metric. */
  direction?: Direction | undefined;
  /** Target fidelity. @default {the costliest fidelity} */
  target?: string | undefined;
  /**
   * Budget in target-fidelity runs, below the target pool's size.
   * @default {the budget rule of datasets/budget_rule.ts (a fraction of the pool)}
   */
  budget?: number | undefined;
}

/**
 * Makes a task card that asks for the best run at the target fidelity, every fidelity queryable
 * at its card cost relative to the target's, with references frozen from the table.
 *
 * @param table The loaded table.
 * @param options Objective, direction, target and budget.
 * @returns The task card (id `custom/<table id>`).
 */
export function customTaskCard(table: RunTable, options: CustomTaskOptions): TaskCard {
  const metrics = table.card.metrics;
  const objective = options.objective ?? (metrics.length === 1 ? metrics[0]!.name : undefined);
  if (!objective) {
    throw new TypeError(
      `Table "${table.file}" has ${metrics.length} metrics: pass --objective (one of ${
        metrics.slice(0, 8).map((m) => m.name).join(", ")
      }${metrics.length > 8 ? ", …" : ""})`,
    );
  }
  const metric = metrics.find((m) => m.name === objective.replace(/^metric_/, ""));
  const direction = options.direction ?? metric?.direction;
  if (!direction) {
    throw new TypeError(`Objective "${objective}" is an expression: pass --direction`);
  }
  const fids = [...table.card.fidelities].sort((a, b) => a.cost - b.cost);
  const target = fids.find((f) => f.id === (options.target ?? fids[fids.length - 1]!.id));
  if (!target) {
    throw new RangeError(`--target "${options.target}" is not a fidelity of "${table.file}"`);
  }
  const unit = target.cost > 0 ? target.cost : 1;
  const poolSize = table.runs.filter((r) => r.fidelity === target.id).length;
  const draft: TaskCard = {
    schema: TASK_SCHEMA,
    id: `custom/${table.card.id}`,
    version: 1,
    title: `${objective} on ${table.file}`,
    description: `Bring-your-own table ${table.file}, judged at fidelity ${target.id}.`,
    track: "optimize",
    table: table.file,
    objective,
    direction,
    runner: "replay",
    query: fids.map((f) => ({ fidelity: f.id, cost: f.cost > 0 ? f.cost / unit : 1 })),
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
  return { ...draft, budget, checkpoints, budgetRule, reference };
}
