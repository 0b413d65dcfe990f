import { assert, assertAlmost, assertEquals } from "../_assert.ts";
import { runPredict } from "../../harness/predict.ts";
import { loadPredictTaskCard, loadTable } from "../../datasets/registry.ts";
import { regmix, regmixLinear } from "../../methods/regmix.ts";

const card = await loadPredictTaskCard("regmix-pile/predict-pile-cc");
const table = await loadTable(card.table);

Deno.test("regmix-linear ranks held-out Pile-CC losses with ρ 0.902 / 0.893 / 0.877 (±0.002)", () => {
  // Independent numpy recomputation (methods.md §21.1): 0.9021 / 0.8933 / 0.8766.
  const line = runPredict(card, table, regmixLinear(), 0);
  assertEquals(line.status, "ok");
  const rho = line.sets.map((s) => s.spearman);
  [0.902, 0.893, 0.877].forEach((r, i) => assertAlmost(rho[i]!, r, 0.002, line.sets[i]!.name));
});

Deno.test("regmix (GBDT) ranks held-out Pile-CC losses with ρ ≥ 0.98 (1M, 60M) and ≥ 0.92 (1B)", () => {
  for (const seed of [0, 1, 2, 3]) {
    const line = runPredict(card, table, regmix(), seed);
    assertEquals(line.status, "ok");
    const [m1, m60, b1] = line.sets.map((s) => s.spearman);
    assert(m1! >= 0.98 && m60! >= 0.98 && b1! >= 0.92, `seed ${seed}: ρ ${m1} / ${m60} / ${b1}`);
  }
});
