/**
 * The runner (oracle) interface: answers proposals with metrics, cost and provenance, and
 * judges recommendations at the target fidelity.
 *
 * @module
 */

import type { FeasibleSet } from "./feasible.ts";
import type { Mixture, Observation, Proposal, Source } from "./types.ts";

/** How a recommendation scored at the target fidelity. */
export interface Judgement {
  /** Objective value at the target fidelity. */
  readonly value: number;
  /** Table row of the recommended run, when it is one. */
  readonly row: number;
  /** Where the value came from (surrogate runners: OOD distance, spread, region, clipping). */
  readonly source?: Source;
}

/** Answers a method's proposals. */
export interface Runner {
  /** Runner kind. */
  readonly kind: "replay" | "surrogate" | "train" | "bridge";
  /**
   * The mixtures it trusts, per fidelity, where it trusts only part of the simplex (a surrogate
   * model's trust region); the harness hands them to methods as `MethodContext.feasible`.
   */
  readonly feasible?: Readonly<Record<string, FeasibleSet>>;
  /**
   * Answers proposals in order.
   * @throws {RangeError} When a proposal cannot be answered (not in the pool, unknown fidelity).
   */
  evaluate(proposals: readonly Proposal[]): Observation[] | Promise<Observation[]>;
  /**
   * Objective value of a recommendation at the target fidelity.
   * @throws {RangeError} When the mixture is not a member of the target pool (pool mode).
   */
  judge(mixture: Mixture): Judgement | Promise<Judgement>;
}
