/**
 * Core of mixbench: types, task cards, objectives, the method and runner interfaces, the
 * harness loop, seeded RNG, mixture geometry and statistics.
 *
 * @example
 * ```ts
 * import { gapClosed, Rng, validateMixture } from "./mod.ts";
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * assertEquals(validateMixture([0.25, 0.75], 2, "demo"), [0.25, 0.75]);
 * assertEquals(gapClosed(1, { zero: 2, best: 1, bestRow: 0 }), 1);
 * assertEquals(new Rng(1).int(1), 0);
 * ```
 *
 * @module
 */

export * from "./brent.ts";
export * from "./cholesky.ts";
export * from "./correlation.ts";
export * from "./errors.ts";
export * from "./exp_law.ts";
export * from "./gamma.ts";
export * from "./gbdt.ts";
export * from "./gp.ts";
export * from "./huber.ts";
export * from "./kl_proposer.ts";
export * from "./lbfgs.ts";
export * from "./lstsq.ts";
export * from "./predict.ts";
export * from "./qmc.ts";
export * from "./harness.ts";
export type * from "./method.ts";
export * from "./mixture.ts";
export * from "./mlp.ts";
export * from "./normal.ts";
export * from "./objective.ts";
export * from "./results.ts";
export * from "./simplex.ts";
export * from "./rng.ts";
export * from "./score.ts";
export type * from "./runner.ts";
export * from "./stats.ts";
export * from "./table.ts";
export * from "./task.ts";
export type * from "./types.ts";
export * from "./version.ts";
