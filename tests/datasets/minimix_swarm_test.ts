import { assert, assertEquals } from "../_assert.ts";
import { mixtureKey } from "../../core/mixture.ts";
import { loadTable } from "../../datasets/registry.ts";
import { loadCorpus } from "../../runners/train/corpus.ts";
import { freshRun } from "../../runners/train/env.ts";
import { runMetrics } from "../../runners/train.ts";

Deno.test("minimix_swarm holds 512 S, 128 M and 32 L runs; M and L mixtures are the first S ones", async () => {
  const t = await loadTable("minimix_swarm");
  const at = (f: string) => t.runs.filter((r) => r.fidelity === f);
  assertEquals([at("S").length, at("M").length, at("L").length], [512, 128, 32]);
  const s = at("S").map((r) => mixtureKey(r.mixture));
  assertEquals(at("M").map((r) => mixtureKey(r.mixture)), s.slice(0, 128));
  assertEquals(at("L").map((r) => mixtureKey(r.mixture)), s.slice(0, 32));
});

Deno.test("minimix_swarm rows are reproduced by fresh runs to the last written digit", async () => {
  const t = await loadTable("minimix_swarm");
  const corpus = loadCorpus();
  const names = corpus.domains.map((d) => d.name);
  for (const row of [t.runs[0]!, t.runs[300]!]) {
    // The table's mixture as written (the loader renormalises; rows already sum to 1).
    const r = freshRun(corpus, {
      trainDomains: names.map((_, i) => i),
      mixture: row.mixture,
      fidelity: row.fidelity,
      seed: row.seed,
    });
    const m = runMetrics(r);
    for (const k of Object.keys(m)) {
      assert(
        Math.abs(m[k]! - row.metrics[k]!) <= 5e-7,
        `row ${row.row} ${k}: ${m[k]} vs ${row.metrics[k]}`,
      );
    }
  }
});
