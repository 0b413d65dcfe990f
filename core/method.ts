/**
 * The offline method interface: `ask` proposals, `tell` observations, `recommend` a mixture,
 * with a read-only context (domains, prior, pools, fidelities and costs, budget, seeded RNG).
 *
 * @example A method that queries pool members in order and recommends the best one seen
 * ```ts
 * import type { MethodFactory } from "./method.ts";
 * import type { Observation } from "./types.ts";
 *
 * export const inOrder: MethodFactory = {
 *   id: "in-order",
 *   version: "1",
 *   description: "Queries the pool in table order",
 *   ranked: true,
 *   create(ctx) {
 *     let next = 0;
 *     const seen: Observation[] = [];
 *     return {
 *       ask: ({ remaining }) => {
 *         const p = ctx.pool?.[next++];
 *         return p && ctx.costs[p.fidelity]! <= remaining ? [p] : [];
 *       },
 *       tell: (obs) => void seen.push(...obs),
 *       recommend: () => ({ mixture: ctx.targetPool![0]! }),
 *     };
 *   },
 * };
 * ```
 *
 * @module
 */

import type { Rng } from "../numerics/rng.ts";
import type { Direction, Domain, MetricInfo, Mixture, Observation, Proposal } from "./types.ts";
import type { FeasibleSet } from "./feasible.ts";

/** Everything a method may know about a task; it never sees the table itself. */
export interface MethodContext {
  /** Versioned task key. */
  readonly task: string;
  /** Objective expression, direction, and bounds when the objective is a single bounded metric. */
  readonly objective: {
    readonly expression: string;
    readonly direction: Direction;
    readonly bounds?: { readonly lower: number; readonly upper: number };
    /**
     * The objective as an affine function of two or more table metrics (a stored average
     * expanded through its card `definition`, or a linear expression), when it is one; absent
     * for single metrics and non-linear expressions. Observations carry these metrics.
     */
    readonly linear?: LinearObjective;
  };
  /** Domains with priors (and counts where known). */
  readonly domains: readonly Domain[];
  /** The natural mixture (domain priors). */
  readonly prior: Mixture;
  /** Queryable fidelity ids, cheapest first. */
  readonly fidelities: readonly string[];
  /** Cost per queryable fidelity, in the task's unit. */
  readonly costs: Readonly<Record<string, number>>;
  /** Fidelity on which the recommendation is judged. */
  readonly targetFidelity: string;
  /** `pool`: proposals must be pool members; `continuous`: any mixture. */
  readonly mode: "pool" | "continuous";
  /** Queryable (mixture, fidelity) pairs in pool mode. */
  readonly pool: readonly Proposal[] | undefined;
  /** Mixtures a recommendation may be, in pool mode. */
  readonly targetPool: readonly Mixture[] | undefined;
  /** Total budget in the task's cost unit. */
  readonly budget: number;
  /** The method's random stream, derived from (task, seed). */
  readonly rng: Rng;
  /** Objective values of the target pool, given only to oracle methods (never ranked). */
  readonly oracle?: readonly number[];
  /**
   * Continuous mode on a task whose runner trusts only part of the simplex (the surrogate tasks'
   * trust regions): the feasible set per queryable and target fidelity — box bounds per domain,
   * an L1 radius around the table's run mixtures at that fidelity, `contains(w)`, `distance(w)`
   * and `repair(w)` ({@linkcode FeasibleSet}). The region is part of the task: a query outside it
   * is answered by the task's out-of-region policy (the table's worst run), and a recommendation
   * outside it is scored that way. Absent in pool mode and on runners that answer any mixture.
   */
  readonly feasible?: Readonly<Record<string, FeasibleSet>>;
}

/** An objective written as `intercept + Σ weight·metric` over table metrics. */
export interface LinearObjective {
  /** Constant term. */
  readonly intercept: number;
  /** The metrics with their weights, directions and bounds. */
  readonly terms: readonly (MetricInfo & { readonly weight: number })[];
}

/** Budget state handed to {@linkcode Method.ask}. */
export interface AskState {
  /** Cost spent so far. */
  readonly spent: number;
  /** Cost left. */
  readonly remaining: number;
}

/**
 * A fit-based method's note that the predictor behind a recommendation is degenerate:
 * `constant` (the same prediction for every candidate, so the pick is the tie-break alone) or
 * `rank-deficient` (a least-squares design of lower rank than the model has free directions).
 */
export interface FitWarning {
  readonly degenerate: "constant" | "rank-deficient";
  /** What was found, e.g. "GBDT on 8 runs predicts one value for all 768 candidates". */
  readonly detail: string;
}

/** A method's final answer. */
export interface Recommendation {
  /** The recommended mixture. */
  readonly mixture: Mixture;
  /** The method's own prediction of its objective value, when it has one. */
  readonly predicted?: number;
  /** Set when the fitted predictor behind the recommendation is degenerate. */
  readonly fit?: FitWarning;
}

/** One running instance of a method (one cell). */
export interface Method {
  /** Proposals for the next runs; an empty array means the method is done. */
  ask(state: AskState): readonly Proposal[] | Promise<readonly Proposal[]>;
  /** The runner's answers to the last proposals, in order. */
  tell(observations: readonly Observation[]): void | Promise<void>;
  /** The current recommendation. */
  recommend(): Recommendation | Promise<Recommendation>;
}

/** A training example of the Predict track: a mixture and its objective value. */
export interface Example {
  /** The mixture. */
  readonly mixture: Mixture;
  /** Its objective value (in the objective's own direction). */
  readonly value: number;
  /** All metric values of the run, when the track has them (per-metric fits use them). */
  readonly metrics?: Readonly<Record<string, number>>;
}

/** A fitted model of the objective as a function of the mixture (the Predict track). */
export interface Predictor {
  /** Predicted objective values, one per mixture, in the objective's own direction. */
  predict(mixtures: readonly Mixture[]): Float64Array;
}

/** A registered method: metadata plus a constructor. */
export interface MethodFactory {
  /** Stable id, e.g. `random-search`. */
  readonly id: string;
  /** One line for listings. */
  readonly description: string;
  /**
   * Version of the implementation, written in every results line (`versions.method`): bump it
   * whenever the method's results may change, so that a leaderboard never ranks lines of two
   * implementations under one id (it refuses to mix them).
   */
  readonly version: string;
  /** False for oracle references that are shown but never ranked. */
  readonly ranked: boolean;
  /** True when the method needs {@linkcode MethodContext.oracle}. */
  readonly oracle?: boolean;
  /**
   * The task modes it runs (`pool`: replay tasks; `continuous`: surrogate and training tasks).
   * The bench does not schedule it on other tasks, and says so. @default {["pool", "continuous"]}
   */
  readonly modes?: readonly ("pool" | "continuous")[];
  /**
   * Parameterised ids: `<id>@<argument>` (for example `bo@1B`, BO run at the 1B fidelity)
   * resolves to `variant(argument)`. Absent on methods that take no argument.
   */
  readonly variant?: (argument: string) => MethodFactory;
  /** Creates an instance for one cell. */
  create(ctx: MethodContext): Method;
  /**
   * Fits the method's own predictor on examples (fit-based methods only; the Predict track).
   * The context's pool fields describe the training pool; `rng` seeds any randomness.
   */
  fit?(examples: readonly Example[], ctx: MethodContext): Predictor;
}
