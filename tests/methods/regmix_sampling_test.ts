import { assert, assertAlmost, assertEquals } from "../_assert.ts";
import { dirichlet } from "../../numerics/stats/gamma.ts";
import { Rng } from "../../numerics/rng.ts";
import { loadTable } from "../../datasets/registry.ts";
import { regmixSearch, regmixSwarm } from "../../methods/_regmix_sampling.ts";

Deno.test("regmixSwarm() keeps the epoch cap, the 2e-4 grid, and no near-duplicates", async () => {
  const prior = (await loadTable("regmix_pile")).card.domains.map((d) => d.prior);
  const swarm = regmixSwarm(prior, 64, new Rng(42));
  assertEquals(swarm.length, 64);
  for (const w of swarm) {
    w.forEach((x, j) => {
      assert(x <= Math.min(15 * prior[j]!, 1) + 2e-4, `weight ${j} above its cap`);
      assertAlmost(x / 2e-4, Math.round(x / 2e-4), 1e-6, "on the 2e-4 grid");
    });
    assertAlmost(w.reduce((a, b) => a + b, 0), 1, 17 * 1e-4);
  }
  for (let a = 0; a < swarm.length; a++) {
    for (let b = a + 1; b < swarm.length; b++) {
      assert(swarm[a]!.reduce((d, x, j) => d + Math.abs(x - swarm[b]![j]!), 0) > 1e-5);
    }
  }
  // Small strengths make sparse mixtures: many zero weights on average, as in RegMix's swarm.
  const zeros = swarm.flat().filter((x) => x === 0).length / swarm.length;
  assert(zeros > 3, `mean zero weights per mixture ${zeros}`);
});

Deno.test("regmixSearch() streaming top-k equals a full sort of the same samples", () => {
  const prior = [0.5, 0.3, 0.2];
  const t = [1, -2, 0.5];
  const score = (rows: Float64Array, m: number, out: Float64Array) => {
    for (let r = 0; r < out.length; r++) {
      let s = 0;
      for (let j = 0; j < m; j++) s += t[j]! * rows[r * m + j]!;
      out[r] = s;
    }
  };
  const got = regmixSearch(score, prior, new Rng(7), { samples: 5000, topK: 10, chunk: 777 });
  const rng = new Rng(7);
  const all = Array.from({ length: 5000 }, () => Array.from(dirichlet(rng, prior)));
  const sorted = all.map((x) => ({ x, v: x.reduce((s, xi, j) => s + t[j]! * xi, 0) }))
    .sort((a, b) => a.v - b.v).slice(0, 10);
  sorted.forEach((e, i) => assertAlmost(got.best[i]!, e.v, 1e-12));
  const mean = [0, 1, 2].map((j) => sorted.reduce((s, e) => s + e.x[j]!, 0) / 10);
  mean.forEach((x, j) => assertAlmost(got.mixture[j]!, x, 1e-12));
  assert(got.mixture[1]! > 0.8, "the search leans to the domain with the lowest coefficient");
});
