/**
 * Speed of the exponential-law fit (methods/_exp_law.ts) at the settings of `dml` and `olmix`,
 * on real runs: the Olmix superswarm (64 domains, BPB metrics) and RegMix's Pile table
 * (17 domains, losses). Each fit is also run with the pre-issue-11 transcription
 * (tests/methods/_exp_law_reference.ts) and the two laws must be bit-identical.
 *
 * `deno run -A tests/perf/exp_law_speed.ts [--no-reference] [--n 32,128] [--metrics 3]`
 *
 * @module
 */

import { fitExpLaw } from "../../methods/_exp_law.ts";
import { referenceFitExpLaw } from "../methods/_exp_law_reference.ts";
import { Rng } from "../../numerics/rng.ts";
import { loadTable } from "../../datasets/registry.ts";
import process from "node:process";

const args = Deno.args;
const flag = (name: string) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const withReference = !args.includes("--no-reference");
const sizes = (flag("--n") ?? "32,128").split(",").map(Number);
const metricCount = Number(flag("--metrics") ?? "3");

const cpu = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};

const settings = {
  dml: { delta: 0.05 },
  olmix: { withB: false, delta: 0.02, steps: 100 },
} as const;

for (
  const [table, fidelity, metricFilter] of [
    ["olmix_superswarm", "30M", (m: string) => m !== "mean_bpb"],
    ["regmix_pile", "1M", (m: string) => m.endsWith("loss")],
  ] as const
) {
  const t = await loadTable(table);
  const runs = new Rng(0).shuffle(t.runs.filter((r) => r.fidelity === fidelity));
  const metrics = t.card.metrics.map((m) => m.name).filter(metricFilter).slice(0, metricCount);
  for (const n of sizes) {
    const sel = runs.slice(0, n);
    const xs = sel.map((r) => r.mixture);
    for (const [method, opts] of Object.entries(settings)) {
      let fast = 0, ref = 0;
      for (const metric of metrics) {
        const ys = sel.map((r) => r.metrics[metric]!);
        let c = cpu();
        const law = fitExpLaw(xs, ys, new Rng(5).fork(metric), { ...opts, own: 0 });
        fast += cpu() - c;
        if (withReference) {
          c = cpu();
          const want = referenceFitExpLaw(xs, ys, new Rng(5).fork(metric), { ...opts, own: 0 });
          ref += cpu() - c;
          if (JSON.stringify(law) !== JSON.stringify(want)) {
            throw new Error(`${table} n=${n} ${method} ${metric}: laws differ`);
          }
        }
      }
      const per = (s: number) => `${(s / metrics.length).toFixed(3)} s`;
      console.log(
        `${table} n=${n} m=${xs[0]!.length} ${method}: ${per(fast)} CPU per law` +
          (withReference ? ` (reference ${per(ref)}, ×${(ref / fast).toFixed(2)}, identical)` : ""),
      );
    }
  }
}
