/**
 * Report generation for a 10-seed bench of every registered method on every built-in task (the
 * issue's budget: ≤ 3 s, HTML < 8 MB). Setup runs the real bench for the cheap baselines and, for
 * the other registered methods, copies random search's lines under their ids (same trajectory
 * sizes as a search method), padded to 16 methods; Predict lines are regmix-linear's, copied
 * under every fit-based method's id.
 *
 * ```
 * deno task perf                                   # as a deno bench
 * deno run -A tests/perf/report_bench.ts [DIR]     # one timed run, prints seconds and size
 * ```
 */

import process from "node:process";
import { runBench } from "../../bench/bench.ts";
import type { ResultLine } from "../../core/results.ts";
import { runPredict } from "../../harness/predict.ts";
import { loadPredictTaskCard, loadTable, PREDICT_TASKS } from "../../datasets/registry.ts";
import { METHODS } from "../../methods/mod.ts";
import type { RunMeta } from "../../reports/meta.ts";
import { writeReports } from "../../reports/write.ts";

const CHEAP = ["uniform", "natural", "temperature", "unimax", "random-search", "best-of-pool"];

/** Builds the results folder and returns its path. */
async function setup(dir: string): Promise<string> {
  await runBench({
    quick: false,
    seeds: 10,
    methods: CHEAP.filter((id) => METHODS.some((m) => m.id === id)),
    out: dir,
    resume: false,
    workers: 2,
    timeLimitMs: 300_000,
    command: "deno run -A tests/perf/report_bench.ts",
  });
  const meta = JSON.parse(await Deno.readTextFile(`${dir}/run.json`)) as RunMeta;
  const ids = METHODS.map((m) => m.id).filter((id) => !CHEAP.includes(id));
  for (let k = 0; ids.length + CHEAP.length < 16; k++) ids.push(`extra-${k}`);
  const text = await Deno.readTextFile(`${dir}/results.jsonl`);
  const random = text.split("\n").filter(Boolean).map((l) => JSON.parse(l) as ResultLine)
    .filter((l) => l.method === "random-search");
  await Deno.writeTextFile(
    `${dir}/results.jsonl`,
    text +
      ids.flatMap((id) => random.map((l) => JSON.stringify({ ...l, method: id }) + "\n")).join(""),
  );
  const linear = METHODS.find((m) => m.id === "regmix-linear");
  const fits = METHODS.filter((m) => m.fit).map((m) => m.id);
  const predict: string[] = [];
  if (linear) {
    for (const id of PREDICT_TASKS) {
      const card = await loadPredictTaskCard(id);
      const table = await loadTable(card.table);
      for (const seed of meta.seeds) {
        const line = runPredict(card, table, linear, seed);
        for (const f of fits) predict.push(JSON.stringify({ ...line, method: f }) + "\n");
      }
    }
  }
  await Deno.writeTextFile(`${dir}/predict.jsonl`, predict.join(""));
  await Deno.writeTextFile(
    `${dir}/run.json`,
    JSON.stringify(
      {
        ...meta,
        methods: [
          ...meta.methods,
          ...ids.map((id) => ({ id, description: "copy of random-search", ranked: true })),
        ],
      },
      null,
      2,
    ) + "\n",
  );
  return dir;
}

if (import.meta.main) {
  const dir = await setup(Deno.args[0] ?? await Deno.makeTempDir({ prefix: "mixbench-perf-" }));
  const lines = (await Deno.readTextFile(`${dir}/results.jsonl`)).split("\n").filter(Boolean);
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const files = await writeReports(dir);
  const s = (performance.now() - t0) / 1000;
  const c = process.cpuUsage(c0);
  const mb = (await Deno.stat(files.html)).size / 2 ** 20;
  console.log(
    `${lines.length} results lines in ${dir}: report generated in ${s.toFixed(2)} s wall ` +
      `(${((c.user + c.system) / 1e6).toFixed(2)} s CPU), report.html ${mb.toFixed(2)} MiB`,
  );
} else {
  const dir = await setup(await Deno.makeTempDir({ prefix: "mixbench-perf-" }));
  Deno.bench("writeReports(): 10 seeds × every method × every task (budget 3 s)", async () => {
    const files = await writeReports(dir);
    const size = (await Deno.stat(files.html)).size;
    if (size >= 8 * 2 ** 20) throw new RangeError(`report.html is ${size} bytes, over 8 MiB`);
  });
}
