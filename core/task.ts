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
  /**
   * Noisy answers. `evaluation`: every surrogate answer to a query (inside the trust region) gets
   * a normal draw with the model's run-specific evaluation standard error (its card's
   * `validation.noise`, at the shared-correlation bound), seeded by (task, cell seed, fidelity,
   * mixture) so that every method sees the same draw for the same query; recommendations are
   * judged without it. Absent: noise-free answers (the same value for the same mixture).
   */
  readonly noise?: "evaluation";
}

/** What a `train` task's fresh runs train on. */
export interface TrainSpec {
  /** Environment id (a folder under datasets/, e.g. `minimix`). */
  readonly env: string;
  /** Domains the mixture weighs, a subset of the environment's in its order. */
  readonly domains: readonly string[];
  /** Seed of every fresh run's data order. */
  readonly seed: number;
  /**
   * Answer queries by a proxy instead of fresh runs (recommendations are still judged by a fresh
   * run at the target fidelity). Absent: every query is a fresh run.
   */
  readonly proxy?: TrainProxySpec;
}

/**
 * The merge proxy of a `train` task (Na et al., 2024; runners/train/merge.ts): a base model on the
 * uniform mixture and one continued copy per domain are trained once per cell at the task's single
 * query fidelity, and every query is answered by the validation losses of the mixture-weighted
 * parameter average of the copies.
 */
export interface TrainProxySpec {
  /** Always `merge`. */
  readonly kind: "merge";
  /**
   * Training charged once for building the proxy, in the task's cost unit: ½ + ½ per domain runs
   * of the query fidelity. It is paid before the first query, so the card's `budget` is what is
   * left for queries (total cost of a cell = `build` + `budget`).
   */
  readonly build: number;
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
  /**
   * Runner kind: `replay` (pool mode), `surrogate` or `train` (continuous mode; `train` answers
   * every proposal with a fresh training run).
   */
  readonly runner: "replay" | "surrogate" | "train";
  /** Surrogate runner settings; required when `runner` is `surrogate`. */
  readonly surrogate?: SurrogateSpec;
  /** Training-environment settings; required when `runner` is `train`. */
  readonly train?: TrainSpec;
  /** Fidelities a method may query. */
  readonly query: readonly QuerySpec[];
  /** Where the recommendation is judged. */
  readonly target: PoolSpec;
  /** Total budget, in the task's cost unit. */
  readonly budget: number;
  /** Budgets at which the recommendation is recorded (ascending, last = budget). */
  readonly checkpoints: readonly number[];
  /**
   * `"query"`: also record the recommendation after every ask–evaluate–tell round (one query
   * for sequential methods) in the results line's `recommendations`, as ADMIRE-BayesOpt's
   * reference scripts log it. @default {checkpoints only}
   */
  readonly recordEvery?: "query";
  /** How the budget was chosen (datasets/budget_rule.ts) and what random search scores there. */
  readonly budgetRule?: string;
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
 * Binds a card to its table and checks that pools, objective and checkpoints make sense: every
 * run of a pool has the metrics the objective reads and a finite objective value, and the target
 * pool holds at least 2 runs.
 *
 * @param card The task card.
 * @param table The table it names.
 * @returns The resolved task.
 * @throws {TypeError} When the card and table disagree, or a pool run lacks a metric the
 * objective reads (`file:line:column`).
 * @throws {RangeError} When the objective is not finite on a pool run (`file:line`), or the target
 * pool holds fewer than 2 runs.
 */
export function resolveTask(card: TaskCard, table: RunTable): Task {
  const objective = compileObjective(card.objective, table.card.metrics.map((m) => m.name));
  const select = (spec: PoolSpec, what: string): Run[] => {
    if (!table.card.fidelities.some((f) => f.id === spec.fidelity)) {
      throw new TypeError(
        `Task "${card.id}": ${what} fidelity "${spec.fidelity}" is not in table "${table.card.id}"`,
      );
    }
    // A training environment has no finished runs: every answer is a fresh run.
    if (card.runner === "train") return [];
    const runs = table.runs.filter((r) =>
      r.fidelity === spec.fidelity && (!spec.splits || spec.splits.includes(r.split))
    ).slice(0, spec.first ?? Infinity);
    if (runs.length === 0) throw new TypeError(`Task "${card.id}": the ${what} pool is empty`);
    checkRuns(card, table, objective, runs);
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
  const targetPool = select(card.target, "target");
  // A replay task judges recommendations among the target pool's runs: it needs two to compare
  // (surrogate and train tasks answer any mixture).
  if (card.runner === "replay" && targetPool.length < 2) {
    throw new RangeError(
      targetPool.length === 0
        ? `${table.file}: no run at fidelity "${card.target.fidelity}" (the target of task "${card.id}"), expected at least 2 runs to compare mixtures`
        : `${table.file}:${
          targetPool[0]!.row + 2
        }: the only run at fidelity "${card.target.fidelity}" ` +
          `(the target of task "${card.id}"), expected at least 2 runs to compare mixtures`,
    );
  }
  return { card, table, objective, queryPools, targetPool, costs };
}

/**
 * Checks that the objective reads a finite number on every run of a pool: each metric it uses is
 * filled (a table may leave cells empty in columns no objective reads) and the value is finite.
 */
function checkRuns(
  card: TaskCard,
  table: RunTable,
  objective: Objective,
  runs: readonly Run[],
): void {
  for (const r of runs) {
    const line = `${table.file}:${r.row + 2}`;
    for (const m of objective.metrics) {
      if (r.metrics[m] !== undefined) continue;
      const j = table.columns?.indexOf(`metric_${m}`) ?? -1;
      throw new TypeError(
        `${line}${j >= 0 ? `:${j + 1}` : ""}: cell "metric_${m}" is empty, but the objective ` +
          `"${card.objective}" of task "${card.id}" reads it`,
      );
    }
    let value: number;
    try {
      value = objective.evaluate(r.metrics);
    } catch (e) {
      throw new TypeError(`${line}: ${(e as Error).message}`, { cause: e });
    }
    if (!Number.isFinite(value)) {
      throw new RangeError(
        `${line}: the objective "${card.objective}" of task "${card.id}" is "${value}" on this ` +
          `run, expected a finite number`,
      );
    }
  }
}

/**
 * Computes the pool-mode reference values from the table: f₀ = mean objective over the target
 * pool, f* = its best.
 *
 * @param task A resolved task.
 * @returns The reference values to freeze in the card.
 * @throws {RangeError} When the objective is the same on every run of the target pool.
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
  const zero = sum / task.targetPool.length;
  if (Math.abs(zero - bestValue) <= 1e-12 * Math.max(1, Math.abs(bestValue))) {
    throw new RangeError(
      `Task "${task.card.id}": the objective "${task.card.objective}" is "${bestValue}" on every ` +
        `run of the target pool, so no mixture can close a gap`,
    );
  }
  return { zero, best: bestValue, bestRow: best.row };
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
