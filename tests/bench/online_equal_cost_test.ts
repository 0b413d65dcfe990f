import { assert, assertEquals } from "../_assert.ts";
import { type CellPayload, handle, keepTable } from "../../bench/cells.ts";
import { loadTaskCard } from "../../datasets/registry.ts";
import { minimixTable } from "../../datasets/minimix/table.ts";
import type { ResultLine } from "../../core/results.ts";
import { loadCorpus } from "../../runners/train/corpus.ts";
import { freshRun } from "../../runners/train/env.ts";
import { OnlineSession, TRAIN_COST } from "../../runners/train/online.ts";
import { STEP_BYTES } from "../../runners/train/fidelities.ts";

// minimix/avg judged at S (the transfer judgement is not what is tested, and L is slow).
const avg = await loadTaskCard("minimix/avg");
const card = { ...avg, target: { fidelity: "S" } };
keepTable({ kind: "table", key: "minimix", table: minimixTable(avg.train!.domains) });
const SEED = avg.train!.seed * 1000 + 1; // the steered run's seed for cell seed 1
const K = 8;

async function cell(method: string): Promise<ResultLine> {
  const p: CellPayload = {
    kind: "cell",
    card,
    table: "minimix",
    method,
    methodId: method,
    seed: 1,
    suite: "t",
    timeLimitMs: 600_000,
  };
  const line = await handle(p) as ResultLine;
  assertEquals(line.status, "ok", line.error?.message);
  return line;
}

Deno.test("equal cost, hand-made: stratified's equal-cost baseline is its own run (gap 0)", async () => {
  const o = (await cell("stratified")).online!;
  // stratified pays one S run of training: the baseline is the same run, step for step.
  assertEquals(o.bytePasses, TRAIN_COST * 64 * STEP_BYTES);
  assertEquals(o.equalCost, {
    fidelity: "S",
    steps: 64,
    bytePasses: o.bytePasses,
    value: o.inRun.value,
  });
});

Deno.test("equal cost: the baseline gets the method's whole cost as training, counted in byte-passes", async () => {
  const o = (await cell("dga")).online!;
  const e = o.equalCost!;
  // DGA pays gradient passes beyond the run's training: the baseline trains longer.
  assert(o.bytePasses > TRAIN_COST * 64 * STEP_BYTES);
  assertEquals(e.fidelity, `S@${e.steps}`);
  // At most the method's cost, short of less than one step (3 × 4 KiB byte-passes).
  assert(e.bytePasses <= o.bytePasses && o.bytePasses < e.bytePasses + TRAIN_COST * STEP_BYTES);
  // Count it: a session of the same model and seed at that fidelity, trained to its end, is
  // charged exactly the baseline's byte-passes, and its final model is the baseline's.
  const corpus = loadCorpus();
  const s = new OnlineSession(corpus, {
    trainDomains: [0, 1, 2, 3, 4, 5, 6, 7],
    fidelity: e.fidelity,
    seed: SEED,
    weights: new Array(K).fill(1 / K),
  });
  s.step(1e6);
  assertEquals([s.progress.step, s.cost], [e.steps, e.bytePasses]);
  const valid = s.judgeLoss();
  assertEquals(e.value, valid.reduce((a, b) => a + b, 0) / valid.length);
  // and a uniform fresh run of S alone (one S run) is a different, shorter run
  const short = freshRun(corpus, {
    trainDomains: [0, 1, 2, 3, 4, 5, 6, 7],
    mixture: new Array(K).fill(1 / K),
    fidelity: "S",
    seed: SEED,
  });
  assert(short.steps < e.steps);
});
