/** Micro-benchmarks of the shared numerics: Dirichlet sampling, least squares, L-BFGS. */

import { dirichlet } from "../../numerics/stats/gamma.ts";
import { lbfgs } from "../../numerics/optim/lbfgs.ts";
import { lstsq } from "../../numerics/linalg/lstsq.ts";
import { Rng } from "../../numerics/rng.ts";
import { loadTable } from "../../datasets/registry.ts";

const table = await loadTable("regmix_pile");
const prior = table.card.domains.map((d) => d.prior);
const tempered = (() => {
  const t = prior.map((p) => Math.sqrt(p));
  const s = t.reduce((a, b) => a + b, 0);
  return t.map((v) => v / s);
})();

function draws(alpha: readonly number[]): void {
  const rng = new Rng(1);
  const out = new Float64Array(alpha.length);
  for (let i = 0; i < 100_000; i++) dirichlet(rng, alpha, out);
}

Deno.bench("dirichlet 1e5 draws × 17 dims, α = 1", { group: "dirichlet", baseline: true }, () => {
  draws(prior.map(() => 1));
});
Deno.bench("dirichlet 1e5 draws × 17 dims, α = tempered prior × 0.1 (~1e-3)", {
  group: "dirichlet",
}, () => {
  draws(tempered.map((p) => p * 0.1));
});
Deno.bench("dirichlet 1e5 draws × 17 dims, α = tempered prior × 5", { group: "dirichlet" }, () => {
  draws(tempered.map((p) => p * 5));
});

const train = table.runs.filter((r) => r.fidelity === "1M" && r.split === "train");
const design = train.map((r) => [1, ...r.mixture]);
const target = train.map((r) => r.metrics.pile_cc_loss!);
Deno.bench("lstsq 512×18 (RegMix 1M train, intercept + 17 weights, rank 17)", () => {
  lstsq(design, target);
});

function rosenbrock(x: Float64Array, g: Float64Array): number {
  let f = 0;
  g.fill(0);
  for (let i = 0; i < x.length - 1; i++) {
    const a = x[i]!, t = x[i + 1]! - a * a, u = 1 - a;
    f += 100 * t * t + u * u;
    g[i]! += -400 * a * t - 2 * u;
    g[i + 1]! += 200 * t;
  }
  return f;
}
const start = Array.from({ length: 10 }, (_, i) => i % 2 === 0 ? -1.2 : 1);
Deno.bench("lbfgs Rosenbrock 10-D from (−1.2, 1, …), default tolerances", () => {
  lbfgs(rosenbrock, start);
});
