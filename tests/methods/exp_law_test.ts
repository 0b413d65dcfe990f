import { assert, assertAlmost } from "../_assert.ts";
import { fitExpLaw, predictExpLaw } from "../../methods/_exp_law.ts";
import { Rng } from "../../numerics/rng.ts";

Deno.test("fitExpLaw() recovers a known law (c, k, t) from data with 1e-3 noise", () => {
  const truth = { a: Math.log(1.5), b: Math.log(0.8), t: [-1.2, 0.4, 0.9, -0.3], loss: 0 };
  const rng = new Rng(11);
  const xs = Array.from({ length: 40 }, () => {
    const g = [0, 1, 2, 3].map(() => -Math.log(1 - rng.next()));
    const s = g.reduce((a, b) => a + b, 0);
    return g.map((x) => x / s);
  });
  const ys = xs.map((r) => predictExpLaw(truth, r) + 1e-3 * rng.normal());
  const law = fitExpLaw(xs, ys, new Rng(3));
  // c = exp(a) and k·exp(t_j) = exp(b + t_j) at each vertex are identifiable (Σr = 1 ties b to t).
  assertAlmost(Math.exp(law.a), 1.5, 0.02, "c");
  truth.t.forEach((tj, j) => assertAlmost(law.b + law.t[j]!, truth.b + tj, 0.02, `b + t[${j}]`));
  const probe = [0.1, 0.2, 0.3, 0.4];
  assertAlmost(predictExpLaw(law, probe), predictExpLaw(truth, probe), 2e-3, "prediction");
  assert(law.loss < 40 * 0.5 * (3e-3) ** 2, `Huber loss at the noise level, got ${law.loss}`);
});
