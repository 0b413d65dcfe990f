import { assert, assertAlmost, assertEquals } from "../_assert.ts";
import type { MethodFactory } from "../../core/method.ts";
import { decisionAccuracy } from "../../core/predict.ts";
import { runPredict } from "../../harness/predict.ts";
import { loadPredictTaskCard, loadTable } from "../../datasets/registry.ts";

/** Predicts each mixture's Pile-CC weight, negated: more Pile-CC → lower Pile-CC loss. */
const pileCcWeight: MethodFactory = {
  id: "pile-cc-weight",
  version: "1",
  description: "test predictor",
  ranked: true,
  create: () => ({ ask: () => [], tell: () => {}, recommend: () => ({ mixture: [] }) }),
  fit: (_examples, ctx) => {
    const j = ctx.domains.findIndex((d) => d.name === "pile_cc");
    return { predict: (ms) => Float64Array.from(ms, (w) => -w[j]!) };
  },
};

Deno.test("decisionAccuracy() counts correctly ordered pairs, half for predicted ties", () => {
  assertEquals(decisionAccuracy([1, 2, 3], [1, 2, 3]), 1);
  assertEquals(decisionAccuracy([1, 2, 3], [3, 2, 1]), 0);
  assertEquals(decisionAccuracy([1, 2, 3], [1, 1, 3]), 2.5 / 3);
});

Deno.test("runPredict() scores a predictor on the RegMix held-out sets", async () => {
  const card = await loadPredictTaskCard("regmix-pile/predict-pile-cc");
  const table = await loadTable(card.table);
  const line = runPredict(card, table, pileCcWeight, 0);
  assertEquals(line.status, "ok");
  assertEquals(line.train, 512);
  assertEquals(line.sets.map((s) => [s.name, s.n]), [["1M-test", 256], ["60M", 256], ["1B", 64]]);
  for (const s of line.sets) {
    assert(
      s.spearman > 0.5,
      `${s.name}: the Pile-CC share alone ranks Pile-CC loss (ρ ${s.spearman})`,
    );
    assertAlmost(s.decisionAccuracy, (s.kendall + 1) / 2, 0.02);
  }
});

Deno.test("runPredict() fails the line, not the caller, for a method without a predictor", async () => {
  const card = await loadPredictTaskCard("regmix-pile/predict-pile-cc");
  const { fit: _, ...noFit } = pileCcWeight;
  const line = runPredict(card, await loadTable(card.table), noFit, 0);
  assertEquals([line.status, line.error?.message], [
    "failed",
    'Method "pile-cc-weight" fits no predictor',
  ]);
});
