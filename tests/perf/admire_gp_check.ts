/**
 * Why ADMIRE has no continuous task: fits the BO issue's Gaussian process (`numerics/gp/gp.ts`,
 * single-fidelity ARD Matérn-5/2 kernel, MAP hyper-parameters) to ADMIRE's IFT runs at each
 * scale on three random 80/20 splits, and prints the held-out Spearman ρ, top-10% recall and
 * the fitted noise share of the standardised variance. The surrogate gate asks ρ ≥ 0.90; the
 * MLP ensembles reach 0.63–0.86 (runners/surrogates/README.md).
 *
 * Usage: deno run -A tests/perf/admire_gp_check.ts
 *
 * @module
 */

import { spearman, topRecall } from "../../numerics/stats/correlation.ts";
import { fitGp } from "../../numerics/gp/gp.ts";
import { Rng } from "../../numerics/rng.ts";
import { loadTable } from "../../datasets/registry.ts";

const METRIC = "avg_id+ood";
const table = await loadTable("admire_ift");
for (const fidelity of ["0.5B", "3B", "7B"]) {
  const runs = table.runs.filter((r) => r.fidelity === fidelity);
  const d = runs[0]!.mixture.length;
  for (const seed of [1, 2, 3]) {
    const order = new Rng(seed).shuffle(runs.map((_, i) => i));
    const nTest = Math.round(0.2 * runs.length);
    const test = order.slice(0, nTest), train = order.slice(nTest);
    const y = train.map((i) => runs[i]!.metrics[METRIC]!);
    const mean = y.reduce((a, b) => a + b, 0) / y.length;
    const sd = Math.sqrt(y.reduce((a, b) => a + (b - mean) ** 2, 0) / y.length);
    const fit = fitGp({
      kind: "single",
      d,
      x: new Float64Array(train.flatMap((i) => [...runs[i]!.mixture])),
      fidelity: new Float64Array(train.length),
      y: new Float64Array(y.map((v) => (v - mean) / sd)),
    });
    const pred = Array.from(
      fit.posterior.predict(new Float64Array(test.flatMap((i) => [...runs[i]!.mixture])), nTest)
        .mean,
    );
    const truth = test.map((i) => runs[i]!.metrics[METRIC]!);
    console.log(JSON.stringify({
      fidelity,
      seed,
      train: train.length,
      heldOut: nTest,
      spearman: Number(spearman(truth, pred).toFixed(3)),
      recall10: Number(topRecall(truth, pred, 0.1, false).toFixed(2)),
      noiseShare: Number(
        (fit.posterior.hyper.noise / (fit.posterior.hyper.noise + fit.posterior.hyper.outputscale))
          .toFixed(3),
      ),
    }));
  }
}
