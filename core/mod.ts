/**
 * The vocabulary of mixbench: what a method author needs — types, the method and runner
 * interfaces, tasks and run tables, mixtures and objectives, errors, the results and predict
 * schemas with their JSON-lines I/O, and the suite version. Numerics live in `numerics/`, the
 * loop that runs a cell in `harness/`.
 *
 * @example
 * ```ts
 * import { gapClosed, validateMixture } from "./mod.ts";
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * assertEquals(validateMixture([0.25, 0.75], 2, "demo"), [0.25, 0.75]);
 * assertEquals(gapClosed(1, { zero: 2, best: 1, bestRow: 0 }), 1);
 * ```
 *
 * @module
 */

export * from "./errors.ts";
export * from "./feasible.ts";
export type * from "./method.ts";
export * from "./mixture.ts";
export * from "./objective.ts";
export type * from "./online.ts";
export * from "./predict.ts";
export * from "./results.ts";
export type * from "./runner.ts";
export * from "./table.ts";
export * from "./task.ts";
export type * from "./types.ts";
export * from "./version.ts";
