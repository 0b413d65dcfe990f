import { assert, assertEquals } from "../_assert.ts";
import { mixtureKey } from "../../core/mixture.ts";
import { loadTable, TABLES } from "../../datasets/registry.ts";

function count(runs: readonly { fidelity: string }[], f: string): number {
  return runs.filter((r) => r.fidelity === f).length;
}

Deno.test("loadTable() loads every built-in table with its card's sha256", async () => {
  for (const id of TABLES) {
    const t = await loadTable(id);
    assertEquals(t.sha256, t.card.sha256, id);
    const prior = t.card.domains.reduce((a, d) => a + d.prior, 0);
    assert(Math.abs(prior - 1) < 1e-9, `${id} priors sum to ${prior}`);
  }
});

Deno.test("regmix_pile holds 768 1M, 256 60M and 64 1B runs; 60M mixtures are the 1M test ones", async () => {
  const t = await loadTable("regmix_pile");
  assertEquals([count(t.runs, "1M"), count(t.runs, "60M"), count(t.runs, "1B")], [768, 256, 64]);
  assertEquals(t.runs.filter((r) => r.fidelity === "1M" && r.split === "train").length, 512);
  const test1m = t.runs.filter((r) => r.fidelity === "1M" && r.split === "test").map((r) =>
    mixtureKey(r.mixture)
  );
  const m60 = t.runs.filter((r) => r.fidelity === "60M").map((r) => mixtureKey(r.mixture));
  assertEquals(m60, test1m);
  assertEquals(t.card.domains.length, 17);
  assertEquals(t.card.metrics.length, 14);
  // methods.md §21.1: the lowest Pile-CC loss at 1B is upstream run index 34, 2.8171.
  const b = t.runs.filter((r) => r.fidelity === "1B");
  const best = b.reduce((x, y) => x.metrics.pile_cc_loss! <= y.metrics.pile_cc_loss! ? x : y);
  assertEquals(best.sourceRow, "test_mixture_1B.csv#34");
  assert(Math.abs(best.metrics.pile_cc_loss! - 2.8171) < 1e-4);
});

Deno.test("admire_ift holds 256 / 128 / 76 runs with nested mixtures and per-size costs", async () => {
  const t = await loadTable("admire_ift");
  assertEquals([count(t.runs, "0.5B"), count(t.runs, "3B"), count(t.runs, "7B")], [256, 128, 76]);
  const keys = (f: string) =>
    new Set(t.runs.filter((r) => r.fidelity === f).map((r) => mixtureKey(r.mixture, 4)));
  const [s, m, l] = [keys("0.5B"), keys("3B"), keys("7B")];
  assert([...l].every((k) => m.has(k)), "7B ⊂ 3B");
  assert([...m].every((k) => s.has(k)), "3B ⊂ 0.5B");
  assertEquals(t.card.fidelities.map((f) => f.cost), [95.35, 258.87, 537.47]);
  assertEquals(t.runs.filter((r) => r.split === "heldout").length, 16);
  assertEquals(t.card.metrics.length, 20);
});

Deno.test("olmix tables hold 512 × 64 and 64 × 22 runs with 111 metrics", async () => {
  const s = await loadTable("olmix_superswarm");
  assertEquals([s.runs.length, s.card.domains.length, s.card.metrics.length], [512, 64, 111]);
  const r = await loadTable("olmix_reuse");
  assertEquals([r.runs.length, r.card.domains.length, r.card.metrics.length], [64, 22, 111]);
  const run = s.runs[0]!;
  const names = s.card.metrics.map((m) => m.name).filter((n) => n !== "mean_bpb");
  const mean = names.reduce((a, n) => a + run.metrics[n]!, 0) / names.length;
  assert(Math.abs(mean - run.metrics.mean_bpb!) < 1e-12);
});
