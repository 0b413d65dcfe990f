import { assert, assertEquals, assertThrows } from "../_assert.ts";
import { loadCorpus } from "../../runners/train/corpus.ts";
import { Trainer } from "../../runners/train/env.ts";
import { buildMergeProxy } from "../../runners/train/merge.ts";

const corpus = loadCorpus();
const TS = 3, UDHR = 7;

Deno.test("buildMergeProxy(): a one-hot mixture is the continued domain copy, and copies specialise", () => {
  const proxy = buildMergeProxy(corpus, { trainDomains: [TS, UDHR], fidelity: "S", seed: 2 });
  assertEquals(proxy.chargedRuns, 1.5);
  const onTs = proxy.evaluate([1, 0]);
  // The same copy trained directly: uniform for the first half, ts_code alone for the second.
  const tr = new Trainer(corpus, {
    trainDomains: [TS, UDHR],
    mixture: [0.5, 0.5],
    fidelity: "S",
    seed: 2,
  });
  while (tr.step < tr.steps / 2) tr.trainBatch();
  tr.setWeights([1, 0]);
  while (tr.step < tr.steps) tr.trainBatch();
  assertEquals(onTs[TS], tr.validLoss(TS));
  const onUdhr = proxy.evaluate([0, 1]);
  assert(onTs[TS]! < onUdhr[TS]! && onUdhr[UDHR]! < onTs[UDHR]!);
  // The average sits between the copies on both domains here.
  const mid = proxy.evaluate([0.5, 0.5]);
  assert(mid[TS]! > onTs[TS]! && mid[UDHR]! > onUdhr[UDHR]!);
  assertThrows(() => proxy.evaluate([1]), RangeError, /2 weights|expected 2/);
});
