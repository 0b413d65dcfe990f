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

import { getMethod } from "../../methods/mod.ts";
import { mean, paired, runModeCells } from "./_mode_cells.ts";
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
 * A mode: "exact" (the `@exact` id), "fast" (the default id, version 4; "k1" is version 3),
 * "r<k>" (exact mode with k refined
 * starts at every fit), "w<f>-<k>" (fast mode: f starts at the first fit, the warm start and the
 * best k of a freshly screened grid at later fits), "s<f>-<k>-<K>" (the same, the k chosen
 * from the first fit's K best screened starts), both with the full round budget for the warm
 * start, or "k<d>" (fast mode, the warm start's rounds cut to 1/d of the budget).
 */
function factoryFor(method: string, mode: string): MethodFactory {
  if (mode === "exact") return getMethod(`${method}@exact`);
  if (mode === "fast") return getMethod(method);
  const make = method === "dml" ? dml : olmix;
  // The round budget: the warm start's in the w and s modes (as when they were measured).
  const warmSteps = method === "dml" ? 50 : 100;
  const r = /^r(\d+)$/.exec(mode);
  if (r) return make({ exact: true, refine: Number(r[1]) });
  const w = /^w(\d+)-(\d+)$/.exec(mode);
  if (w) {
    return make({ firstRefine: Number(w[1]), warmRefine: Number(w[2]), shortlist: 0, warmSteps });
  }
  const k = /^k(\d+)$/.exec(mode);
  if (k) return make({ warmSteps: Math.round(warmSteps / Number(k[1])) });
  const s = /^s(\d+)-(\d+)-(\d+)$/.exec(mode);
  if (s) {
    const [first, warm, kept] = [Number(s[1]), Number(s[2]), Number(s[3])];
    return make({ firstRefine: first, warmRefine: warm, shortlist: kept, warmSteps });
  }
  throw new RangeError(`Unknown mode "${mode}"`);
}

const find = await runModeCells({ tasks, methods, seeds, modes, out, factory: factoryFor });

console.log(
  "| task | method | mode | seeds | exact mean | mode mean | Δ (mode − exact) ± SE | seed sd (exact) | CPU per cell, exact → mode |",
);
console.log("| --- | --- | --- | --- | --- | --- | --- | --- | --- |");
for (const taskId of tasks) {
  for (const method of methods) {
    for (const mode of modes) {
      const p = paired(find, taskId, method, seeds, mode);
      if (!p) continue;
      const f = (v: number) => v.toFixed(3);
      console.log(
        `| ${taskId} | ${method} | ${mode} | ${p.n} | ${f(p.exactMean)} | ${f(p.modeMean)} | ${
          f(p.diff)
        } ± ${f(p.se)} | ${f(p.exactSd)} | ${mean(p.exact.map((c) => c.cpu!)).toFixed(1)} s → ${
          mean(p.mode.map((c) => c.cpu!)).toFixed(1)
        } s |`,
      );
    }
  }
}
