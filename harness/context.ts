/**
 * The single builder of the read-only context a method receives (pool and continuous mode),
 * shared by the optimise loop ({@linkcode ./cell.ts}) and the Predict track
 * ({@linkcode ./predict.ts}).
 *
 * @module
 */

import type { FeasibleSet } from "../core/feasible.ts";
import type { MethodContext } from "../core/method.ts";
import { type Task, taskKey } from "../core/task.ts";
import type { RunTable } from "../core/table.ts";
import type { Direction, MetricInfo, Proposal, Run } from "../core/types.ts";
import { deriveSeed, Rng } from "../numerics/rng.ts";
import { linearForm } from "../core/objective.ts";

/** What every method context is built from, whatever the track. */
interface ContextParts {
  /** Task key (`id@version`): names the method's random stream. */
  readonly key: string;
  readonly objective: MethodContext["objective"];
  readonly domains: MethodContext["domains"];
  /** Queryable fidelities with their costs. */
  readonly costs: Iterable<readonly [string, number]>;
  readonly targetFidelity: string;
  readonly budget: number;
  readonly seed: number;
}

/** The parts of a method's context that every mode shares. */
function baseContext(p: ContextParts) {
  const costs = [...p.costs];
  return {
    task: p.key,
    objective: p.objective,
    domains: p.domains,
    prior: p.domains.map((d) => d.prior),
    fidelities: [...costs].sort((a, b) => a[1] - b[1]).map(([f]) => f),
    costs: Object.fromEntries(costs),
    targetFidelity: p.targetFidelity,
    budget: p.budget,
    rng: new Rng(deriveSeed(p.key, p.seed)),
  };
}

/** The context parts of an optimise-track task. */
function taskParts(task: Task, seed: number): ContextParts {
  const c = task.card;
  return {
    key: taskKey(c),
    objective: objectiveInfo(
      task.objective.metrics,
      task.table.card.metrics,
      c.objective,
      c.direction,
    ),
    domains: task.table.card.domains,
    costs: task.costs,
    targetFidelity: c.target.fidelity,
    budget: c.budget,
    seed,
  };
}

/**
 * Builds the context a fit-based method receives on the Predict track: its training runs as the
 * pool at one fidelity, the budget the number of training runs.
 *
 * @param key Task key (`id@version`).
 * @param table The run table (domains, metrics).
 * @param objective The compiled objective's metrics, expression and direction.
 * @param train The training runs.
 * @param fidelity Their fidelity.
 * @param seed Seed of the method's random stream.
 */
export function fitContext(
  key: string,
  table: RunTable,
  objective: { metrics: readonly string[]; expression: string; direction: Direction },
  train: readonly Run[],
  fidelity: string,
  seed: number,
): MethodContext {
  const base = baseContext({
    key,
    objective: objectiveInfo(
      objective.metrics,
      table.card.metrics,
      objective.expression,
      objective.direction,
    ),
    domains: table.card.domains,
    costs: [[fidelity, 1]],
    targetFidelity: fidelity,
    budget: train.length,
    seed,
  });
  return freezeContext({
    ...base,
    mode: "pool",
    pool: train.map((r) => ({ mixture: r.mixture, fidelity: r.fidelity })),
    targetPool: undefined,
  });
}

/** Builds the read-only context a method receives in pool mode. */
export function poolContext(task: Task, seed: number, oracle: boolean): MethodContext {
  const base = baseContext(taskParts(task, seed));
  const pool: Proposal[] = base.fidelities.flatMap((f) =>
    task.queryPools.get(f)!.map((r) => ({ mixture: r.mixture, fidelity: f }))
  );
  const ctx: MethodContext = {
    ...base,
    mode: "pool",
    pool,
    targetPool: task.targetPool.map((r) => r.mixture),
  };
  return freezeContext(
    oracle
      ? { ...ctx, oracle: task.targetPool.map((r) => task.objective.evaluate(r.metrics)) }
      : ctx,
  );
}

/**
 * Builds the read-only context a method receives in continuous mode (surrogate runner): any
 * mixture may be proposed, so there is no pool and no target pool, and oracle methods get no
 * oracle values (they refuse the task). Where the runner trusts only part of the simplex
 * (`Runner.feasible`, a surrogate model's trust region), the context carries those feasible
 * sets (`feasible`), one per fidelity.
 */
export function continuousContext(
  task: Task,
  seed: number,
  _oracle: boolean,
  feasible?: Readonly<Record<string, FeasibleSet>>,
): MethodContext {
  return freezeContext({
    ...baseContext(taskParts(task, seed)),
    mode: "continuous",
    pool: undefined,
    targetPool: undefined,
    ...(feasible ? { feasible } : {}),
  });
}

/**
 * Gives a context its own deep-frozen copies of everything but the RNG and the feasible sets
 * (immutable objects, shared as they are): whatever a method tries
 * on its context (assigning `ctx.prior[0]`, sorting `ctx.pool`) throws in its own cell and is
 * never seen by another cell, even one that shares its process and its table.
 *
 * @example
 * ```ts
 * import { freezeContext } from "./context.ts";
 * import { Rng } from "../numerics/rng.ts";
 * import { throws } from "node:assert/strict";
 * const ctx = freezeContext({
 *   task: "t@1", objective: { expression: "loss", direction: "minimize" }, domains: [],
 *   prior: [0.5, 0.5], fidelities: ["1M"], costs: { "1M": 1 }, targetFidelity: "1M",
 *   mode: "continuous", pool: undefined, targetPool: undefined, budget: 1, rng: new Rng(1),
 * });
 * throws(() => { (ctx.prior as number[])[0] = 1; }, TypeError);
 * ```
 * @param ctx The context.
 * @returns A deep-frozen copy (the RNG and the feasible sets are the same objects).
 */
export function freezeContext(ctx: MethodContext): MethodContext {
  const { rng, feasible, ...rest } = ctx;
  const copy = deepFreeze(structuredClone(rest));
  return Object.freeze({
    ...copy,
    rng,
    ...(feasible ? { feasible: Object.freeze({ ...feasible }) } : {}),
  }) as MethodContext;
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === "object" && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value as Record<string, unknown>)) deepFreeze(v);
  }
  return value;
}

/**
 * The objective as a method sees it: bounds only when it is a single metric with finite bounds;
 * the affine form over two or more metrics when it has one ({@linkcode linearForm}, which expands
 * the card's metric definitions).
 */
export function objectiveInfo(
  used: readonly string[],
  metrics: readonly MetricInfo[],
  expression: string,
  direction: Direction,
): MethodContext["objective"] {
  const info = metrics.find((m) => m.name === used[0]);
  const bare = expression.replace(/^metric_/, "");
  const base = used.length === 1 && info && info.name === bare && Number.isFinite(info.lower) &&
      Number.isFinite(info.upper)
    ? { expression, direction, bounds: { lower: info.lower, upper: info.upper } }
    : { expression, direction };
  const form = linearForm(expression, metrics);
  if (!form || form.terms.length < 2) return base;
  const byName = new Map(metrics.map((m) => [m.name, m]));
  return {
    ...base,
    linear: {
      intercept: form.intercept,
      terms: form.terms.map((t) => ({ ...byName.get(t.metric)!, weight: t.weight })),
    },
  };
}
