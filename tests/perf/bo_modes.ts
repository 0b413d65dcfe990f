/**
 * Final scores of the BO methods in scheduled-refit mode (the default) against exact
 * (every-step) mode, seed by seed, on the built-in replay tasks where BO's observations
 * outgrow the every-step phase (issue 11: the change must be inside seed noise for the
 * scheduled mode to be the default).
 *
 * Each (task, method, seed) cell runs in both modes; a line per cell pair is appended to the
 * output file (so an interrupted run resumes), and the summary gives, per task and method, the
 * mean final score (gap closed at the full budget) of each mode, the mean paired difference
 * with its standard error, and the seed standard deviation of the exact mode.
 *
 * Usage: deno run -A tests/perf/bo_modes.ts [--seeds 10] [--tasks a,b] [--methods bo,mfbo]
 *   [--out out/perf/bo_modes.jsonl]
 *
 * @module
 */

import { runCell } from "../../harness/cell.ts";
import { loadTask } from "../../datasets/registry.ts";
import { getMethod } from "../../methods/mod.ts";
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
const out = flag("out", "out/perf/bo_modes.jsonl");

interface Pair {
  task: string;
  method: string;
  seed: number;
  exact: number;
  scheduled: number;
  exactMs: number;
  scheduledMs: number;
}

const done: Pair[] = [];
try {
  for (const l of (await Deno.readTextFile(out)).split("\n")) if (l) done.push(JSON.parse(l));
} catch (e) {
  if (!(e instanceof Deno.errors.NotFound)) throw e;
}
await Deno.mkdir(out.replace(/\/[^/]*$/, ""), { recursive: true });

const finalScore = (line: Awaited<ReturnType<typeof runCell>>) => {
  if (line.status !== "ok") throw new Error(`Cell failed: ${line.error?.message}`);
  return line.checkpoints.at(-1)!.score;
};

for (const taskId of tasks) {
  const task = await loadTask(taskId);
  for (const method of methods) {
    for (let seed = 0; seed < seeds; seed++) {
      if (done.some((p) => p.task === taskId && p.method === method && p.seed === seed)) continue;
      const run = async (id: string) => {
        const t = performance.now();
        const line = await runCell({
          task,
          runner: new ReplayRunner(task),
          factory: getMethod(id),
          seed,
          suite: "perf",
          timeLimitMs: 3_600_000,
        });
        return { score: finalScore(line), ms: performance.now() - t };
      };
      const s = await run(method);
      const e = await run(`${method}@exact`);
      const pair: Pair = {
        task: taskId,
        method,
        seed,
        exact: e.score,
        scheduled: s.score,
        exactMs: Math.round(e.ms),
        scheduledMs: Math.round(s.ms),
      };
      done.push(pair);
      await Deno.writeTextFile(out, JSON.stringify(pair) + "\n", { append: true });
      console.log(JSON.stringify(pair));
    }
  }
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const sd = (xs: number[]) => {
  const m = mean(xs);
  return Math.sqrt(xs.reduce((a, b) => a + (b - m) ** 2, 0) / Math.max(xs.length - 1, 1));
};
console.log(
  "| task | method | seeds | exact mean | scheduled mean | Δ (sched − exact) ± SE | seed sd (exact) | time exact → scheduled |",
);
console.log("| --- | --- | --- | --- | --- | --- | --- | --- |");
for (const taskId of tasks) {
  for (const method of methods) {
    const ps = done.filter((p) => p.task === taskId && p.method === method);
    if (ps.length === 0) continue;
    const diff = ps.map((p) => p.scheduled - p.exact);
    const f = (v: number) => v.toFixed(3);
    console.log(
      `| ${taskId} | ${method} | ${ps.length} | ${f(mean(ps.map((p) => p.exact)))} | ${
        f(mean(ps.map((p) => p.scheduled)))
      } | ${f(mean(diff))} ± ${f(sd(diff) / Math.sqrt(ps.length))} | ${
        f(sd(ps.map((p) => p.exact)))
      } | ${(mean(ps.map((p) => p.exactMs)) / 1000).toFixed(1)} s → ${
        (mean(ps.map((p) => p.scheduledMs)) / 1000).toFixed(1)
      } s |`,
    );
  }
}
