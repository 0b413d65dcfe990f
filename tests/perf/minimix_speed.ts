/**
 * Speed of the minimix learner: training bytes per second (wall and CPU time of this process) and
 * the wall time of one fresh run (training + validation) at S, M and L on the uniform mixture,
 * median of `--reps` runs (default 3). Run alone on an idle core for the targets
 * (≥ 1.5 M training bytes/s; S ≤ 0.2 s, L ≤ 3 s):
 * `deno run --allow-read --allow-env --allow-sys tests/perf/minimix_speed.ts [--reps N]`.
 *
 * @module
 */

import process from "node:process";
import { loadCorpus } from "../../runners/train/corpus.ts";
import { FIDELITIES } from "../../runners/train/fidelities.ts";
import { freshRun, Trainer } from "../../runners/train/env.ts";

const reps = Number(Deno.args[Deno.args.indexOf("--reps") + 1] ?? 3) || 3;
const corpus = loadCorpus();
const all = corpus.domains.map((_, i) => i);
const uniform = all.map(() => 1 / all.length);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

for (const f of FIDELITIES) {
  const wall: number[] = [], trainRate: number[] = [], cpuRate: number[] = [];
  for (let r = 0; r < reps; r++) {
    const tr = new Trainer(corpus, {
      trainDomains: all,
      mixture: uniform,
      fidelity: f.id,
      seed: r,
    });
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    while (tr.step < tr.steps) tr.trainBatch();
    const s = (performance.now() - t0) / 1000;
    const c = process.cpuUsage(c0);
    trainRate.push(f.tokens / s / 1e6);
    cpuRate.push(f.tokens / ((c.user + c.system) / 1e6) / 1e6);
    wall.push(
      freshRun(corpus, { trainDomains: all, mixture: uniform, fidelity: f.id, seed: r }).ms,
    );
  }
  console.log(
    `${f.id}: fresh run ${(median(wall) / 1000).toFixed(3)} s (median of ${reps}); training ` +
      `${median(trainRate).toFixed(2)} MB/s wall, ${
        median(cpuRate).toFixed(2)
      } MB/s per CPU-second`,
  );
}
console.log(
  `load average: ${
    Deno.loadavg().map((x) => x.toFixed(1)).join(" ")
  } on ${navigator.hardwareConcurrency} cores`,
);
