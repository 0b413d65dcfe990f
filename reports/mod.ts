/**
 * Reports built from a results folder (results.jsonl + run.json): the HTML report and the
 * leaderboards.
 *
 * @example
 * ```ts ignore
 * import { writeReports } from "./mod.ts";
 * await writeReports("out/bench");
 * ```
 *
 * @module
 */

export { aggregate, type CellSummary, type TaskSummary } from "./aggregate.ts";
export { renderReport } from "./html.ts";
export { leaderboardMarkdown, leaderboards } from "./leaderboard.ts";
export { readMeta, type RunMeta } from "./meta.ts";
export { writeReports } from "./write.ts";
