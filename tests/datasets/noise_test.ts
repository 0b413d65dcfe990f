import { assertEquals, assertThrows } from "../_assert.ts";
import { loadTable } from "../../datasets/registry.ts";
import { tableNoiseCeiling } from "../../datasets/noise.ts";

const table = await loadTable("admire_ift");

Deno.test("admire_ift card: verified item counts are the denominators of every value", () => {
  const counted = table.card.metrics.filter((m) => m.evaluation);
  assertEquals(counted.length, 17);
  const verified = counted.filter((m) => m.evaluation!.verified).map((m) => m.name);
  assertEquals(verified, [
    "gsm8k::tulu",
    "bbh:cot-v1::tulu",
    "ifeval::tulu",
    "popqa::tulu",
    "arc_challenge:rc::tulu",
    "gpqa:0shot_cot::tulu3",
    "piqa:mc::tulu",
    "socialiqa:mc::tulu",
  ]);
  // Independent check of one: every GSM8K score times 1319 is an integer.
  for (const r of table.runs) {
    const k = r.metrics["gsm8k::tulu"]! * 1319;
    assertEquals(Math.abs(k - Math.round(k)) < 1e-6, true);
  }
});

Deno.test("tableNoiseCeiling() on ADMIRE 7B: the r = 0 model is rejected, the bound is below 1", () => {
  const c = tableNoiseCeiling(table, { fidelity: "7B", metric: "avg_id+ood", draws: 200 })!;
  assertEquals(c.runs, 76);
  assertEquals(c.components.length, 17);
  assertEquals(c.noiseShare > 1, true);
  assertEquals(c.sharedCorrelationBound! > 0.8 && c.sharedCorrelationBound! < 1, true);
  const rhos = c.ceiling.map((x) => x.spearman);
  assertEquals(rhos.every((v, i) => i === 0 || v > rhos[i - 1]!), true);
});

Deno.test("tableNoiseCeiling() names a component without an item count", () => {
  assertThrows(
    () =>
      tableNoiseCeiling(table, { fidelity: "7B", metric: "avg_id+ood", components: ["avg_id"] }),
    RangeError,
    'metric "avg_id" of table "admire_ift" has no item count',
  );
});

Deno.test("tableNoiseCeiling() is null for a table without item counts", async () => {
  const regmix = await loadTable("regmix_pile");
  assertEquals(tableNoiseCeiling(regmix, { fidelity: "1M", metric: "pile_cc_loss" }), null);
});
