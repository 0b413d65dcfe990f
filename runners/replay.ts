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
      const cost = this.#task.costs.get(p.fidelity);
      if (cost === undefined) {
        throw new RangeError(
          `Fidelity "${p.fidelity}" cannot be queried in task "${this.#task.card.id}" ` +
            `(queryable: ${[...this.#task.costs.keys()].join(", ")})`,
        );
      }
      const run = this.#index.get(`${p.fidelity}|${mixtureKey(p.mixture, KEY_DECIMALS)}`);
      if (!run) {
        throw new RangeError(
          `Mixture is not in the ${p.fidelity} pool of task "${this.#task.card.id}": ` +
            `replay runs answer only table mixtures`,
        );
      }
      return {
        mixture: run.mixture,
        fidelity: p.fidelity,
        value: this.#task.objective.evaluate(run.metrics),
        metrics: run.metrics,
        cost,
        source: { kind: "table", row: run.row },
      };
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
