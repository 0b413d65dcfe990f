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

import { runCell } from "../../harness/cell.ts";
import { loadTask } from "../../datasets/registry.ts";
import { getMethod } from "../../methods/mod.ts";
import { boWith } from "../../methods/bo.ts";
import { mfboWith } from "../../methods/mfbo.ts";
import { DEFAULT_SCHEDULE, type RefitSchedule } from "../../methods/_bo_common.ts";
import { ReplayRunner } from "../../runners/replay.ts";

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

interface Cell {
  task: string;
  method: string;
  seed: number;
  /** "exact" or "scheduled:<everyStepUntil>/<growth>". */
  mode: string;
  score: number;
  ms: number;
}

const done: Cell[] = [];
try {
  for (const l of (await Deno.readTextFile(out)).split("\n")) if (l) done.push(JSON.parse(l));
} catch (e) {
  if (!(e instanceof Deno.errors.NotFound)) throw e;
}
await Deno.mkdir(out.replace(/\/[^/]*$/, ""), { recursive: true });
const find = (task: string, method: string, seed: number, mode: string) =>
  done.find((c) => c.task === task && c.method === method && c.seed === seed && c.mode === mode);

for (const taskId of Deno.args.includes("--summary") ? [] : tasks) {
  const task = await loadTask(taskId);
  for (const method of methods) {
    for (let seed = 0; seed < seeds; seed++) {
      for (const mode of [label, "exact"]) {
        if (find(taskId, method, seed, mode)) continue;
        const factory = mode === "exact"
          ? getMethod(`${method}@exact`)
          : method === "mfbo"
          ? mfboWith({ refit: schedule })
          : boWith({ refit: schedule });
        const t = performance.now();
        const line = await runCell({
          task,
          runner: new ReplayRunner(task),
          factory,
          seed,
          suite: "perf",
          timeLimitMs: 3_600_000,
        });
        if (line.status !== "ok") throw new Error(`Cell failed: ${line.error?.message}`);
        const cell: Cell = {
          task: taskId,
          method,
          seed,
          mode,
          score: line.checkpoints.at(-1)!.score,
          ms: Math.round(performance.now() - t),
        };
        done.push(cell);
        await Deno.writeTextFile(out, JSON.stringify(cell) + "\n", { append: true });
        console.log(JSON.stringify(cell));
      }
    }
  }
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const sd = (xs: number[]) => {
  const m = mean(xs);
  return Math.sqrt(xs.reduce((a, b) => a + (b - m) ** 2, 0) / Math.max(xs.length - 1, 1));
};
console.log(`Scheduled mode: ${label}`);
console.log(
  "| task | method | seeds | exact mean | scheduled mean | Δ (sched − exact) ± SE | seed sd (exact) | time exact → scheduled |",
);
console.log("| --- | --- | --- | --- | --- | --- | --- | --- |");
for (const taskId of tasks) {
  for (const method of methods) {
    const ps = Array.from({ length: seeds }, (_, seed) => ({
      e: find(taskId, method, seed, "exact"),
      s: find(taskId, method, seed, label),
    })).filter((p) => p.e && p.s).map((p) => ({ e: p.e!, s: p.s! }));
    if (ps.length === 0) continue;
    const diff = ps.map((p) => p.s.score - p.e.score);
    const f = (v: number) => v.toFixed(3);
    console.log(
      `| ${taskId} | ${method} | ${ps.length} | ${f(mean(ps.map((p) => p.e.score)))} | ${
        f(mean(ps.map((p) => p.s.score)))
      } | ${f(mean(diff))} ± ${f(sd(diff) / Math.sqrt(ps.length))} | ${
        f(sd(ps.map((p) => p.e.score)))
      } | ${(mean(ps.map((p) => p.e.ms)) / 1000).toFixed(1)} s → ${
        (mean(ps.map((p) => p.s.ms)) / 1000).toFixed(1)
      } s |`,
    );
  }
}
