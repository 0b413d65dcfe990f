/**
 * Final scores of the BO methods in scheduled-refit mode (the default) against exact
 * (every-step) mode, seed by seed, on the built-in replay tasks where BO's observations
 * outgrow the every-step phase (issue 11: the change must be inside seed noise for the
 * scheduled mode to be the default).
 *
 * Each (task, method, seed) cell runs in exact mode and in scheduled mode (the default
 * schedule, or `--every N --growth G`); a line per cell and mode is appended to the output file,
 * and cells already there are not run again (so an interrupted run resumes, and exact cells,
 * the slow ones, are shared by every schedule tried). The summary gives, per task and method,
 * the mean final score (gap closed at the full budget) of each mode, the mean paired
 * difference with its standard error, and the seed standard deviation of the exact mode.
 * "Inside seed noise" is read as |mean paired difference| < 2 standard errors.
 *
 * Usage: deno run -A tests/perf/bo_modes.ts [--seeds 10] [--tasks a,b] [--methods bo,mfbo]
 *   [--every 64 --growth 2] [--out out/perf/bo_cells.jsonl] [--summary] (summary only)
 *
 * @module
 */

import { getMethod } from "../../methods/mod.ts";
import { boWith } from "../../methods/bo.ts";
import { mfboWith } from "../../methods/mfbo.ts";
import { DEFAULT_SCHEDULE, type RefitSchedule } from "../../methods/_bo_common.ts";
import { mean, paired, runModeCells } from "./_mode_cells.ts";

const flag = (name: string, fallback: string) => {
  const i = Deno.args.indexOf(`--${name}`);
  return i >= 0 ? Deno.args[i + 1]! : fallback;
};
const seeds = Number(flag("seeds", "10"));
const tasks = flag(
  "tasks",
  "regmix-pile/avg-1b,regmix-pile/pile-cc-1b,regmix-pile/pile-cc,admire-ift/avg-7b,olmix/superswarm-bpb",
).split(",");
const methods = flag("methods", "bo,mfbo").split(",");
const out = flag("out", "out/perf/bo_cells.jsonl");

const schedule: RefitSchedule = {
  everyStepUntil: Number(flag("every", `${DEFAULT_SCHEDULE.everyStepUntil}`)),
  growth: Number(flag("growth", `${DEFAULT_SCHEDULE.growth}`)),
};
const label = `scheduled:${schedule.everyStepUntil}/${schedule.growth}`;

const find = await runModeCells({
  tasks,
  methods,
  seeds,
  modes: [label],
  out,
  factory: (method, mode) =>
    mode === "exact"
      ? getMethod(`${method}@exact`)
      : method === "mfbo"
      ? mfboWith({ refit: schedule })
      : boWith({ refit: schedule }),
});

console.log(`Scheduled mode: ${label}`);
console.log(
  "| task | method | seeds | exact mean | scheduled mean | Δ (sched − exact) ± SE | seed sd (exact) | time exact → scheduled |",
);
console.log("| --- | --- | --- | --- | --- | --- | --- | --- |");
for (const taskId of tasks) {
  for (const method of methods) {
    const p = paired(find, taskId, method, seeds, label);
    if (!p) continue;
    const f = (v: number) => v.toFixed(3);
    console.log(
      `| ${taskId} | ${method} | ${p.n} | ${f(p.exactMean)} | ${f(p.modeMean)} | ${f(p.diff)} ± ${
        f(p.se)
      } | ${f(p.exactSd)} | ${(mean(p.exact.map((c) => c.ms)) / 1000).toFixed(1)} s → ${
        (mean(p.mode.map((c) => c.ms)) / 1000).toFixed(1)
      } s |`,
    );
  }
}
