/**
 * mixbench — a benchmark suite for data-mixture optimisation methods in language-model
 * training. The public API: load a task, create a runner, run a method on it.
 *
 * @example Run random search for one seed on RegMix's Pile-CC task
 * ```ts
 * import { getMethod, loadTask, ReplayRunner, runCell } from "./mod.ts";
 * import { ok } from "node:assert/strict";
 * const task = await loadTask("regmix-pile/pile-cc");
 * const line = await runCell({
 *   task,
 *   runner: new ReplayRunner(task),
 *   factory: getMethod("random-search"),
 *   seed: 0,
 *   suite: "example",
 *   timeLimitMs: 60_000,
 * });
 * ok(line.status === "ok" && line.checkpoints.length === task.card.checkpoints.length);
 * ```
 *
 * @module
 */

export * from "./core/mod.ts";
export * from "./numerics/mod.ts";
export * from "./harness/mod.ts";
export * from "./datasets/mod.ts";
export * from "./methods/mod.ts";
export * from "./runners/mod.ts";
export * from "./reports/mod.ts";
export { type BenchOptions, type BenchSummary, runBench, SEEDS } from "./bench/bench.ts";
