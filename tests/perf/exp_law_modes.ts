/**
 * Final scores of `dml` and `olmix` in their default (fast) fitting mode against exact mode
 * (`dml@exact`, `olmix@exact`: the reference effort, 8 refined starts per law at every
 * checkpoint), seed by seed, on the built-in replay tasks where they fit exponential laws
 * (issue 11: the change must be inside seed noise for the fast mode to be the default).
 *
 * Each (task, method, seed) cell runs in each mode; a line per cell and mode is appended to the
 * output file, and cells already there are not run again (so an interrupted run resumes, and the
 * slow exact cells are shared by every fast mode tried). The summary gives, per task and method,
 * the mean final score (gap closed at the full budget) of each mode, the mean paired difference
 * with its standard error, the seed standard deviation of the exact mode, and the mean CPU
 * seconds per cell (user + system of this process while the cell ran). "Inside seed noise" is
 * read as |mean paired difference| < 2 standard errors.
 *
 * Usage: nice -n 10 deno run -A tests/perf/exp_law_modes.ts [--seeds 10] [--tasks a,b]
 *   [--methods dml,olmix] [--modes fast] [--out out/perf/exp_law_cells.jsonl] [--summary]
 *
 * @module
 */

import process from "node:process";
import { runCell } from "../../harness/cell.ts";
import { loadTask } from "../../datasets/registry.ts";
import { getMethod } from "../../methods/mod.ts";
import { ReplayRunner } from "../../runners/replay.ts";
import { dml } from "../../methods/dml.ts";
import { olmix } from "../../methods/olmix.ts";
import type { MethodFactory } from "../../core/method.ts";

const flag = (name: string, fallback: string) => {
  const i = Deno.args.indexOf(`--${name}`);
  return i >= 0 ? Deno.args[i + 1]! : fallback;
};
const seeds = Number(flag("seeds", "10"));
const tasks = flag(
  "tasks",
  "olmix/superswarm-bpb,regmix-pile/avg-1b,regmix-pile/pile-cc,regmix-pile/pile-cc-1b," +
    "admire-ift/avg-7b,admire-ift/avg-7b-transfer,minimix-swarm/avg-l",
).split(",");
const methods = flag("methods", "dml,olmix").split(",");
const modes = flag("modes", "fast").split(",");
const out = flag("out", "out/perf/exp_law_cells.jsonl");

/**
 * A mode: "exact" (the `@exact` id), "fast" (the default id), "r<k>" (exact mode with k refined
 * starts at every fit), "w<f>-<k>" (fast mode: f starts at the first fit, the warm start and the
 * best k of a freshly screened grid at later fits) or "s<f>-<k>-<K>" (the same, the k chosen
 * from the first fit's K best screened starts).
 */
function factoryFor(method: string, mode: string): MethodFactory {
  if (mode === "exact") return getMethod(`${method}@exact`);
  if (mode === "fast") return getMethod(method);
  const make = method === "dml" ? dml : olmix;
  const r = /^r(\d+)$/.exec(mode);
  if (r) return make({ exact: true, refine: Number(r[1]) });
  const w = /^w(\d+)-(\d+)$/.exec(mode);
  if (w) return make({ firstRefine: Number(w[1]), warmRefine: Number(w[2]), shortlist: 0 });
  const s = /^s(\d+)-(\d+)-(\d+)$/.exec(mode);
  if (s) {
    return make({ firstRefine: Number(s[1]), warmRefine: Number(s[2]), shortlist: Number(s[3]) });
  }
  throw new RangeError(`Unknown mode "${mode}"`);
}

interface Cell {
  task: string;
  method: string;
  seed: number;
  mode: string;
  score: number;
  ms: number;
  cpu: number;
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
const cpu = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};

for (const taskId of Deno.args.includes("--summary") ? [] : tasks) {
  const task = await loadTask(taskId);
  for (const method of methods) {
    for (let seed = 0; seed < seeds; seed++) {
      for (const mode of [...modes, "exact"]) {
        if (find(taskId, method, seed, mode)) continue;
        const factory = factoryFor(method, mode);
        const t = performance.now(), c = cpu();
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
          cpu: Math.round((cpu() - c) * 1000) / 1000,
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
console.log(
  "| task | method | mode | seeds | exact mean | mode mean | Δ (mode − exact) ± SE | seed sd (exact) | CPU per cell, exact → mode |",
);
console.log("| --- | --- | --- | --- | --- | --- | --- | --- | --- |");
for (const taskId of tasks) {
  for (const method of methods) {
    for (const mode of modes) {
      const ps = Array.from({ length: seeds }, (_, seed) => ({
        e: find(taskId, method, seed, "exact"),
        s: find(taskId, method, seed, mode),
      })).filter((p) => p.e && p.s).map((p) => ({ e: p.e!, s: p.s! }));
      if (ps.length === 0) continue;
      const diff = ps.map((p) => p.s.score - p.e.score);
      const f = (v: number) => v.toFixed(3);
      console.log(
        `| ${taskId} | ${method} | ${mode} | ${ps.length} | ${
          f(mean(ps.map((p) => p.e.score)))
        } | ${f(mean(ps.map((p) => p.s.score)))} | ${f(mean(diff))} ± ${
          f(sd(diff) / Math.sqrt(ps.length))
        } | ${f(sd(ps.map((p) => p.e.score)))} | ${mean(ps.map((p) => p.e.cpu)).toFixed(1)} s → ${
          mean(ps.map((p) => p.s.cpu)).toFixed(1)
        } s |`,
      );
    }
  }
}
