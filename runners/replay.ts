/**
 * Replay runner (pool mode): answers a proposal with the finished run of the table that has the
 * same fidelity and mixture. Exact, no model involved.
 *
 * @module
 */

import { mixtureKey } from "../core/mixture.ts";
import type { Judgement, Runner } from "../core/runner.ts";
import type { Task } from "../core/task.ts";
import type { Mixture, Observation, Proposal, Run } from "../core/types.ts";

/** Decimals of the look-up key: pool mixtures are compared after rounding to 1e-6. */
const KEY_DECIMALS = 6;

/**
 * The cost of one run at a fidelity of a task.
 *
 * @param task The task.
 * @param fidelity The proposal's fidelity.
 * @returns The cost.
 * @throws {RangeError} When the task cannot query that fidelity (naming those it can).
 */
export function queryCost(task: Task, fidelity: string): number {
  const cost = task.costs.get(fidelity);
  if (cost === undefined) {
    throw new RangeError(
      `Fidelity "${fidelity}" cannot be queried in task "${task.card.id}" ` +
        `(queryable: ${[...task.costs.keys()].join(", ")})`,
    );
  }
  return cost;
}

/**
 * The answer given by a table run.
 *
 * @param task The task (its objective values the run).
 * @param mixture The mixture answered (the run's or the matching proposal's).
 * @param fidelity The fidelity queried.
 * @param run The table run.
 * @param cost The cost charged.
 * @returns The observation, with source `table`.
 */
export function tableObservation(
  task: Task,
  mixture: Mixture,
  fidelity: string,
  run: Run,
  cost: number,
): Observation {
  return {
    mixture,
    fidelity,
    value: task.objective.evaluate(run.metrics),
    metrics: run.metrics,
    cost,
    source: { kind: "table", row: run.row },
  };
}

/** Replays a task's table. */
export class ReplayRunner implements Runner {
  readonly kind = "replay" as const;
  #task: Task;
  #index = new Map<string, Run>();
  #target = new Map<string, Run>();

  /**
   * @example
   * ```ts ignore
   * const runner = new ReplayRunner(task);
   * const [obs] = runner.evaluate([{ mixture: task.targetPool[0]!.mixture, fidelity: "1M" }]);
   * ```
   * @param task The resolved task whose query and target pools are replayed.
   */
  constructor(task: Task) {
    this.#task = task;
    for (const [fidelity, runs] of task.queryPools) {
      for (const r of runs) {
        this.#index.set(`${fidelity}|${mixtureKey(r.mixture, KEY_DECIMALS)}`, r);
      }
    }
    for (const r of task.targetPool) this.#target.set(mixtureKey(r.mixture, KEY_DECIMALS), r);
  }

  /** Answers each proposal with its table run. */
  evaluate(proposals: readonly Proposal[]): Observation[] {
    return proposals.map((p) => {
      const cost = queryCost(this.#task, p.fidelity);
      const run = this.#index.get(`${p.fidelity}|${mixtureKey(p.mixture, KEY_DECIMALS)}`);
      if (!run) {
        throw new RangeError(
          `Mixture is not in the ${p.fidelity} pool of task "${this.#task.card.id}": ` +
            `replay runs answer only table mixtures`,
        );
      }
      return tableObservation(this.#task, run.mixture, p.fidelity, run, cost);
    });
  }

  /** Objective value of a target-pool member at the target fidelity. */
  judge(mixture: Mixture): Judgement {
    const run = this.#target.get(mixtureKey(mixture, KEY_DECIMALS));
    if (!run) {
      throw new RangeError(
        `Recommendation is not a member of the ${this.#task.card.target.fidelity} target pool of ` +
          `task "${this.#task.card.id}"`,
      );
    }
    return { value: this.#task.objective.evaluate(run.metrics), row: run.row };
  }
}
