import { assert, assertEquals } from "../../_assert.ts";
import { runOnlineCell } from "../../../harness/online.ts";
import { resolveTask } from "../../../core/task.ts";
import { loadTaskCard } from "../../../datasets/registry.ts";
import { minimixTable } from "../../../datasets/minimix/table.ts";
import { getOnlineMethod } from "../../../methods/online/mod.ts";
import { loadCorpus, VALID_PIECE } from "../../../runners/train/corpus.ts";
import { FORWARD_COST, openOnlineEnv, TRAIN_COST } from "../../../runners/train/online.ts";
import { BATCH_BYTES } from "../../../runners/train/env.ts";
import type { Runner } from "../../../core/runner.ts";

const corpus = loadCorpus();
const card = await loadTaskCard("minimix/avg");
const task = resolveTask(card, minimixTable(card.train!.domains));
const K = 8;
const STEPS = 64; // S: 256 KiB / 4 KiB
const RUN = TRAIN_COST * STEPS * BATCH_BYTES;
// One validation pass over the eight training domains at S (every 4th 4 KiB piece).
const VALID = corpus.domains.reduce(
  (s, d) => s + FORWARD_COST * Math.ceil(d.valid.length / VALID_PIECE / 4) * VALID_PIECE,
  0,
);
/** A judge that answers every mixture with 1 (the charges are what is tested). */
const judge: Runner = {
  kind: "train",
  evaluate: () => [],
  judge: () => ({ value: 1, row: -1 }),
};

async function cell(method: string) {
  const line = await runOnlineCell({
    task,
    factory: getOnlineMethod(method),
    seed: 0,
    suite: "t",
    timeLimitMs: 600_000,
    fidelity: "S",
    open: (weights) =>
      openOnlineEnv(corpus, {
        trainDomains: [0, 1, 2, 3, 4, 5, 6, 7],
        fidelity: "S",
        seed: 0,
        weights,
      }),
    unitCost: RUN,
    runner: judge,
  });
  assertEquals(line.status, "ok", line.error?.message);
  return line;
}

Deno.test("stratified and ODM are charged the run's training bytes only (3 per byte)", async () => {
  for (const id of ["stratified", "odm", "odm-smoothed"]) {
    const line = await cell(id);
    assertEquals(line.online!.cost, { train: RUN }, id);
    assertEquals(line.spent, 1, id);
  }
});

Deno.test("DoReMi is charged its reference run and a reference forward per proxy byte", async () => {
  const line = await cell("doremi");
  assertEquals(line.online!.cost, { train: RUN, reference: RUN / 3, "aux:train": RUN });
  assertEquals(line.online!.schedule.length, STEPS);
  const it2 = await cell("doremi-iter2");
  // Round 1: reference + proxy (+ its reference forwards); round 2: reference; then the proxy.
  assertEquals(it2.online!.cost, {
    train: RUN,
    reference: RUN / 3,
    "aux:train": 3 * RUN,
    "aux:reference": RUN / 3,
  });
});

Deno.test("Skill-It is charged k quarter-length single-domain runs and every validation pass", async () => {
  const line = await cell("skill-it");
  assertEquals(line.online!.cost, {
    train: RUN,
    "aux:train": K * RUN / 4,
    // start and end of each single-domain run
    "aux:valid": 2 * K * VALID,
    // 16 rounds of 4 steps, a validation pass after each but the last
    valid: 15 * VALID,
  });
});

Deno.test("Aioli's probes are steps of the run, and every validation pass is charged", async () => {
  const line = await cell("aioli");
  // Rounds of 12 steps: 5 whole rounds of 1 + 8 passes; the last 4 steps probe 4 groups (5 passes).
  assertEquals(line.online!.cost, { valid: (5 * 9 + 5) * VALID, train: RUN });
  const s = line.online!.schedule;
  // Probe weights (0.75 on one group) appear in the schedule.
  assert(s.some((e) => Math.max(...e.weights) === 0.75));
});

Deno.test("DoGE, DGA and TiKMiX are charged one probe sequence per domain per update", async () => {
  const probe = TRAIN_COST * K * 512;
  assertEquals((await cell("doge")).online!.cost, { gradients: STEPS * probe, train: RUN });
  assertEquals((await cell("dga")).online!.cost, { gradients: 16 * probe, train: RUN });
  assertEquals((await cell("tikmix")).online!.cost, { gradients: 8 * probe, train: RUN });
});

Deno.test("DoGE out of domain: the held-out domain's target gradient is charged too", async () => {
  const c = await loadTaskCard("minimix/target-nodedocs");
  const t = resolveTask(c, minimixTable(c.train!.domains));
  const line = await runOnlineCell({
    task: t,
    factory: getOnlineMethod("doge"),
    seed: 0,
    suite: "t",
    timeLimitMs: 600_000,
    fidelity: "S",
    open: (weights) =>
      openOnlineEnv(corpus, {
        trainDomains: [0, 1, 2, 3, 5, 6, 7],
        fidelity: "S",
        seed: 0,
        weights,
        target: 4,
      }),
    unitCost: RUN,
    runner: judge,
  });
  assertEquals(line.status, "ok", line.error?.message);
  // per step: 7 probe sequences and 2 validation pieces of 4 KiB, forward + backward
  assertEquals(line.online!.cost, {
    gradients: STEPS * TRAIN_COST * (7 * 512 + 2 * VALID_PIECE),
    train: RUN,
  });
  assert(line.online!.mixture!.length === 7);
});
