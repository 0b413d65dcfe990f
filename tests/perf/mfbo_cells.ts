/**
 * CPU time of the `mfbo` and `mfbo-pm` cells of `deno task bench --quick`, run in this one
 * process (seeds 0–2 on the optimise tasks, then the Predict-track cells), per task; with
 * `--out=FILE`, every cell's line without its timings (and versions), one JSON line each, so that
 * two versions of the code can be checked for bit-identical results with `cmp`.
 *
 * Usage: deno run -A tests/perf/mfbo_cells.ts [task ids] [--no-predict] [--out=FILE]
 *
 * @module
 */

import process from "node:process";
import { runCell } from "../../harness/cell.ts";
import { runPredict } from "../../harness/predict.ts";
import { loadPredictTaskCard, loadTable, loadTask } from "../../datasets/registry.ts";
import { ReplayRunner } from "../../runners/replay.ts";
import { mfboWith } from "../../methods/mfbo.ts";

const TASKS = [
  "regmix-pile/pile-cc",
  "regmix-pile/pile-cc-1b",
  "regmix-pile/avg-1b",
  "admire-ift/avg-7b",
  "admire-ift/avg-7b-transfer",
  "minimix-swarm/avg-l",
  "olmix/superswarm-bpb",
];
const PREDICT = [
  "regmix-pile/predict-pile-cc",
  "admire-ift/predict-avg",
  "minimix-swarm/predict-avg",
];
const only = Deno.args.filter((a) => !a.startsWith("--"));
const methods = [mfboWith(), mfboWith({ recommend: "posterior-mean" })];
const cpu = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
const lines: string[] = [];
/** The line without what differs between runs of the same code. */
const keep = (line: object) => {
  const { timings: _t, versions: _v, ...rest } = line as Record<string, unknown>;
  lines.push(JSON.stringify(rest));
};
let total = 0;
for (const id of TASKS.filter((t) => only.length === 0 || only.includes(t))) {
  const task = await loadTask(id);
  const c = cpu();
  for (const factory of methods) {
    for (const seed of [0, 1, 2]) {
      const runner = new ReplayRunner(task);
      keep(await runCell({ task, runner, factory, seed, suite: "perf", timeLimitMs: 900_000 }));
    }
  }
  const t = cpu() - c;
  total += t;
  console.log(`${id}: ${(t / 1000).toFixed(2)} s CPU`);
}
if (!Deno.args.includes("--no-predict")) {
  const c = cpu();
  for (const id of PREDICT.filter((t) => only.length === 0 || only.includes(t))) {
    const card = await loadPredictTaskCard(id);
    const table = await loadTable(card.table);
    for (const factory of methods) {
      for (const seed of [0, 1, 2]) keep(runPredict(card, table, factory, seed, { suite: "perf" }));
    }
  }
  const t = cpu() - c;
  total += t;
  console.log(`predict: ${(t / 1000).toFixed(2)} s CPU`);
}
console.log(`total ${(total / 1000).toFixed(2)} s CPU`);
const out = Deno.args.find((a) => a.startsWith("--out="));
if (out) await Deno.writeTextFile(out.slice("--out=".length), lines.join("\n") + "\n");
