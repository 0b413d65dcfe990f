import { assert, assertEquals, assertThrows } from "../_assert.ts";
import { loadCorpus } from "../../runners/train/corpus.ts";
import {
  equalCostFidelity,
  equalCostSteps,
  OnlineSession,
  TRAIN_COST,
  WEIGHTS_PER_BYTE,
} from "../../runners/train/online.ts";
import { BATCH_BYTES, freshRun } from "../../runners/train/env.ts";
import { lengthenedFidelity, STEP_BYTES, trainFidelity } from "../../runners/train/fidelities.ts";

const corpus = loadCorpus();
const TS = 3, NODEDOCS = 4, UDHR = 7;

function session(): OnlineSession {
  return new OnlineSession(corpus, {
    trainDomains: [TS, UDHR],
    fidelity: "S",
    seed: 1,
    weights: [0.5, 0.5],
  });
}

Deno.test("OnlineSession.step() reports exact counts and free training losses; training is charged", () => {
  const s = session();
  const r = s.step(3);
  assertEquals(r.counts, [[4, 4], [4, 4], [4, 4]]);
  assert(r.trainLoss.flat().every((x) => x > 0 && x <= 8.5));
  assertEquals(s.cost, 3 * BATCH_BYTES * TRAIN_COST);
  s.setWeights([1, 0]);
  const r2 = s.step(1);
  assertEquals(r2.counts, [[8, 0]]);
  assert(Number.isNaN(r2.trainLoss[0]![1]!));
});

Deno.test("OnlineSession.validLoss() is charged one byte-pass per validation byte read", () => {
  const s = session();
  s.step(2);
  const before = s.cost;
  const [ts] = s.validLoss([TS]);
  assert(ts! > 0 && ts! < 8);
  // S reads every 4th of 24 pieces of 4 KiB.
  assertEquals(s.cost - before, 6 * 4096);
});

Deno.test("OnlineSession.gradients(): symmetric Gram, and the target's own domain aligns best with it", () => {
  const s = session();
  s.step(8);
  const before = s.cost;
  const { gram, target } = s.gradients({ probeSeqs: 2, target: { domain: TS, pieces: 2 } });
  assertEquals(gram[0]![1], gram[1]![0]);
  assert(gram[0]![0]! > 0 && gram[1]![1]! > 0);
  assert(gram[0]![1]! ** 2 <= gram[0]![0]! * gram[1]![1]!, "Cauchy-Schwarz");
  assert(target![0]! > target![1]!, `ts_code·target ${target![0]} vs udhr·target ${target![1]}`);
  assertEquals(s.cost - before, TRAIN_COST * (2 * 2 * 512 + 2 * 4096));
  // No update was made: validation is unchanged by the probe.
  const a = s.validLoss([NODEDOCS]);
  s.gradients({ probeSeqs: 1 });
  assertEquals(s.validLoss([NODEDOCS]), a);
});

Deno.test("OnlineSession.checkpoint() / restore() replay the same continuation bit for bit", () => {
  const s = session();
  s.step(2);
  const c0 = s.cost;
  const cp = s.checkpoint();
  const size = (1 << 14) * 5;
  assertEquals(s.cost - c0, size / WEIGHTS_PER_BYTE);
  const first = s.step(3);
  const v1 = s.validLoss([TS]);
  s.restore(cp);
  assertEquals(s.progress.step, 2);
  assertEquals(s.step(3), first);
  assertEquals(s.validLoss([TS]), v1);
});

Deno.test("equal-cost baseline: the most whole steps a cost pays for, as a lengthened fidelity", () => {
  const step = TRAIN_COST * BATCH_BYTES;
  assertEquals(STEP_BYTES, BATCH_BYTES);
  assertEquals(equalCostSteps(64 * step), 64);
  assertEquals(equalCostSteps(80 * step - 1), 79);
  assertEquals(equalCostSteps(80 * step + step - 1), 80);
  assertEquals(equalCostFidelity("S", 64 * step), "S");
  assertEquals(equalCostFidelity("S", 80.5 * step), "S@80");
  const f = trainFidelity("S@80");
  assertEquals([f.tableBits, f.evalStride, f.peakLr], [14, 4, 0.05]);
  assertEquals([f.tokens, f.cost], [80 * BATCH_BYTES, 1.25]);
  assertThrows(() => trainFidelity("S@0"), RangeError, "S@N");
  assertThrows(() => trainFidelity("X@5"), RangeError, 'Unknown minimix fidelity "X@5"');
  assertThrows(() => lengthenedFidelity("S", 2.5), RangeError, "positive whole number");
});

Deno.test("equal-cost baseline: a run at the lengthened fidelity trains (and is charged) exactly its steps", () => {
  const s = new OnlineSession(corpus, {
    trainDomains: [TS, UDHR],
    fidelity: "S@80",
    seed: 1,
    weights: [0.5, 0.5],
  });
  assertEquals(s.progress, { step: 0, steps: 80 });
  // the recipe's schedule spread over the run: warm-up over round(5% × 80) = 4 steps
  s.step(4);
  assertEquals(s.learningRate, 0.05);
  s.step(1000);
  assertEquals(s.progress.step, 80);
  // counted by the session's own charge: 3 byte-passes per trained byte, 80 batches of 4 KiB
  assertEquals(s.costs, { train: TRAIN_COST * 80 * BATCH_BYTES });
  // the same run as the train runner's fresh run at that fidelity (what the bench caches)
  const r = freshRun(corpus, {
    trainDomains: [TS, UDHR],
    mixture: [0.5, 0.5],
    fidelity: "S@80",
    seed: 1,
  });
  assertEquals(r.steps, 80);
  assertEquals(s.judgeLoss(), [...r.valid]);
});
