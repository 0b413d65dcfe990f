/**
 * Reports built from a results folder (run.json, results.jsonl, predict.jsonl): the HTML report,
 * the leaderboards, the statistics behind them, validation of a results folder and paper
 * reproduction from manifests.
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
export { analyse, type Analysis } from "./analysis.ts";
export { ANYTIME_DEFINITION, anytimeScore, logArea } from "./anytime.ts";
export { type Estimate, iqm, stratifiedBootstrap, trimMean } from "./bootstrap.ts";
export { expectedRunningTime, firstHit, speedup } from "./cost_to_target.ts";
export { friedmanTest, nemenyiCriticalDifference } from "./friedman.ts";
export { renderReport } from "./html.ts";
export { leaderboardMarkdown, leaderboards } from "./leaderboard.ts";
export { readMeta, type RunMeta, taskMeta } from "./meta.ts";
export { analyseDir, writeReports } from "./write.ts";
