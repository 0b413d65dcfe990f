/**
 * Runners (oracles) that answer methods' proposals. Today: the replay runner (pool mode).
 *
 * @example
 * ```ts ignore
 * import { ReplayRunner } from "./mod.ts";
 * const runner = new ReplayRunner(task);
 * ```
 *
 * @module
 */

export { ReplayRunner } from "./replay.ts";
