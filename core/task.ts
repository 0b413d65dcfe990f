/**
 * Task cards: the question asked of a run table (objective, queryable fidelities and costs,
 * target fidelity, budget, checkpoints, runner kind) with frozen reference values, and the
 * gap-closed normalisation.
 *
 * @module
 */

import { compileObjective, type Objective } from "./objective.ts";
import type { RunTable } from "./table.ts";
import type { Direction, Run } from "./types.ts";

/** Schema id of task cards. */
export const TASK_SCHEMA = "mixbench.task/1";

/** Which runs of a table form a pool. */
export interface PoolSpec {
  /** Fidelity id. */
  readonly fidelity: string;
  /** Keep only runs whose split is one of these; all runs when absent. */
  readonly splits?: readonly string[];
  /** Keep only the first N runs (table order) left after the split filter. */
  readonly first?: number;
}

/** A fidelity a method may query, at a task-specific cost. */
export interface QuerySpec extends PoolSpec {
  /** Cost charged per run, in the task's cost unit. */
  readonly cost: number;
}

/** Frozen normalisation values. */
export interface Reference {
  /** Zero point f₀ (pool mode: the target pool's mean objective). */
  readonly zero: number;
  /** Best known value f* (pool mode: the target pool's best objective). */
  readonly best: number;
  /** Row of the best run, when it is a table row. */
  readonly bestRow: number;
}

/** Where a surrogate task's models are and how proposals match table runs. */
export interface SurrogateSpec {
  /**
   * Validation card (json) of the surrogate model per fidelity id, relative to the suite's root
   * folder or absolute; the card names its .onnx file.
   */
  readonly models: Readonly<Record<string, string>>;
  /** A proposal is a table run when both agree after rounding weights to this many decimals. */
  readonly matchDecimals: number;
  /**
   * What a mixture outside a model's trust region gets (required when a model card states a
   * region): `table-worst`, the table's worst run at the fidelity, for a query (marked out of
   * region in its source) and for a recommendation alike.
   */
  readonly outOfRegion?: "table-worst";
}

/** Contents of a task card file. */
export interface TaskCard {
  /** Always {@linkcode TASK_SCHEMA}. */
  readonly schema: string;
  /** Task id, `table-family/name`. */
  readonly id: string;
  /** Bumped whenever the objective, pools, costs or references change. */
  readonly version: number;
  /** One-line title. */
  readonly title: string;
  /** What is asked and why. */
  readonly description: string;
  /** Which track the task belongs to. */
  readonly track: "optimize" | "transfer";
  /** Built-in table id (folder under datasets/) or a path to runs.csv. */
  readonly table: string;
  /** Metric name or expression (see core/objective.ts). */
  readonly objective: string;
  /** Whether the objective is minimised or maximised. */
  readonly direction: Direction;
  /** Runner kind: `replay` (pool mode) or `surrogate` (continuous mode). */
  readonly runner: "replay" | "surrogate";
  /** Surrogate runner settings; required when `runner` is `surrogate`. */
  readonly surrogate?: SurrogateSpec;
  /** Fidelities a method may query. */
  readonly query: readonly QuerySpec[];
  /** Where the recommendation is judged. */
  readonly target: PoolSpec;
  /** Total budget, in the task's cost unit. */
  readonly budget: number;
  /** Budgets at which the recommendation is recorded (ascending, last = budget). */
  readonly checkpoints: readonly number[];
  /** Name of the cost unit, e.g. "1M runs". */
  readonly costUnit: string;
  /** Frozen reference values. */
  readonly reference: Reference;
}

/** A task card bound to its table. */
export interface Task {
  /** The card. */
  readonly card: TaskCard;
  /** The table. */
  readonly table: RunTable;
  /** The compiled objective. */
  readonly objective: Objective;
  /** Queryable runs per fidelity id. */
  readonly queryPools: ReadonlyMap<string, readonly Run[]>;
  /** Runs a recommendation may be, at the target fidelity. */
  readonly targetPool: readonly Run[];
  /** Cost per fidelity id. */
  readonly costs: ReadonlyMap<string, number>;
}

/** Versioned task key, `id@version`. */
export function taskKey(card: TaskCard): string {
  return `${card.id}@${card.version}`;
}

/**
 * Binds a card to its table and checks that pools, objective and checkpoints make sense.
 *
 * @param card The task card.
 * @param table The table it names.
 * @returns The resolved task.
 * @throws {TypeError} When the card and table disagree.
 */
export function resolveTask(card: TaskCard, table: RunTable): Task {
  const objective = compileObjective(card.objective, table.card.metrics.map((m) => m.name));
  const select = (spec: PoolSpec, what: string): Run[] => {
    if (!table.card.fidelities.some((f) => f.id === spec.fidelity)) {
      throw new TypeError(
        `Task "${card.id}": ${what} fidelity "${spec.fidelity}" is not in table "${table.card.id}"`,
      );
    }
    const runs = table.runs.filter((r) =>
      r.fidelity === spec.fidelity && (!spec.splits || spec.splits.includes(r.split))
    ).slice(0, spec.first ?? Infinity);
    if (runs.length === 0) throw new TypeError(`Task "${card.id}": the ${what} pool is empty`);
    return runs;
  };
  const queryPools = new Map<string, Run[]>();
  const costs = new Map<string, number>();
  for (const q of card.query) {
    queryPools.set(q.fidelity, select(q, "query"));
    costs.set(q.fidelity, q.cost);
  }
  const cps = card.checkpoints;
  if (cps.length === 0 || cps.some((c, i) => i > 0 && c <= cps[i - 1]!)) {
    throw new TypeError(`Task "${card.id}": checkpoints must be ascending and non-empty`);
  }
  if (Math.abs(cps[cps.length - 1]! - card.budget) > 1e-9) {
    throw new TypeError(`Task "${card.id}": the last checkpoint must equal the budget`);
  }
  return { card, table, objective, queryPools, targetPool: select(card.target, "target"), costs };
}

/**
 * Computes the pool-mode reference values from the table: f₀ = mean objective over the target
 * pool, f* = its best.
 *
 * @param task A resolved task.
 * @returns The reference values to freeze in the card.
 */
export function poolReference(task: Task): Reference {
  const better = task.card.direction === "minimize"
    ? (a: number, b: number) => a < b
    : (a: number, b: number) => a > b;
  let sum = 0;
  let best = task.targetPool[0]!;
  let bestValue = task.objective.evaluate(best.metrics);
  for (const r of task.targetPool) {
    const v = task.objective.evaluate(r.metrics);
    sum += v;
    if (better(v, bestValue)) [best, bestValue] = [r, v];
  }
  return { zero: sum / task.targetPool.length, best: bestValue, bestRow: best.row };
}

/**
 * Gap closed by a value: 0 at the reference zero point, 1 at the best known value; sign-adjusted
 * so that higher is better for both directions.
 *
 * @example
 * ```ts
 * import { gapClosed } from "./task.ts";
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * assertEquals(gapClosed(2.5, { zero: 3, best: 2, bestRow: 0 }), 0.5);
 * ```
 * @param value Objective value of a recommendation.
 * @param ref The frozen reference.
 * @returns The normalised score.
 */
export function gapClosed(value: number, ref: Reference): number {
  return (ref.zero - value) / (ref.zero - ref.best);
}
