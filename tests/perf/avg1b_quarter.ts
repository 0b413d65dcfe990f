/**
 * The regmix-pile/avg-1b saturation experiment (README, "Leaderboard"): each seed gets a seeded
 * random subset of the 512 1M runs as its 1M pool (the other pools as in the task), and the final
 * gap closed of each method is printed per seed with the median. Not a task: it shows whether fewer
 * proxy runs stop the fit-based methods from finding the pooled 1B best.
 *
 * Usage: deno run -A tests/perf/avg1b_quarter.ts [N=128] [methods=random-search,regmix,…] [seeds=10]
 *
 * @module
 */

import { getMethod, loadTask, ReplayRunner, Rng, runCell } from "../../mod.ts";

const base = await loadTask("regmix-pile/avg-1b");
const n = Number(Deno.args[0] ?? 128);
const methods = (Deno.args[1] ?? "random-search,regmix,dml,bimix,climb,bo,mfbo-pm").split(",");
const seeds = Number(Deno.args[2] ?? 10);
const swarm = base.queryPools.get("1M")!;
for (const m of methods) {
  const finals: number[] = [];
  for (let s = 0; s < seeds; s++) {
    const idx = new Rng(1000 + s).shuffle(swarm.map((_, i) => i)).slice(0, n).sort((a, b) => a - b);
    const task = {
      ...base,
      queryPools: new Map(base.queryPools).set("1M", idx.map((i) => swarm[i]!)),
    };
    const line = await runCell({
      task,
      runner: new ReplayRunner(task),
      factory: getMethod(m),
      seed: s,
      suite: "avg1b-quarter",
      timeLimitMs: 600_000,
    });
    finals.push(line.checkpoints.at(-1)!.score!);
  }
  const sorted = [...finals].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  const median = sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  console.log(
    `${m.padEnd(14)} median ${median.toFixed(3)}, at 1.000 on ${
      finals.filter((x) => x >= 1 - 1e-12).length
    }/${seeds}: ${finals.map((x) => x.toFixed(3)).join(" ")}`,
  );
}
