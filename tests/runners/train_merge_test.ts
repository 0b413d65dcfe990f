import { assert, assertEquals, assertThrows } from "../_assert.ts";
import { loadCorpus } from "../../runners/train/corpus.ts";
import { buildMergeProxy } from "../../runners/train/merge.ts";
import { freshRun, Trainer } from "../../runners/train/env.ts";
import { MemoryRunCache, TrainRunner } from "../../runners/train.ts";
import { minimixTable } from "../../datasets/minimix/table.ts";
import { loadTask, TASKS } from "../../datasets/registry.ts";
import { resolveTask, TASK_SCHEMA, type TaskCard } from "../../core/task.ts";
import { parseTaskCard } from "../../datasets/task_card.ts";
import { runCell } from "../../harness/cell.ts";
import { loadMethod } from "../../methods/mod.ts";

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

function mergeCard(over: Partial<TaskCard> = {}): TaskCard {
  return {
    schema: TASK_SCHEMA,
    id: "minimix/test-merge",
    version: 1,
    title: "t",
    description: "t",
    track: "optimize",
    table: "minimix",
    objective: "avg",
    direction: "minimize",
    runner: "train",
    train: {
      env: "minimix",
      domains: ["moby", "ts_code", "udhr"],
      seed: 0,
      proxy: { kind: "merge", build: 2 },
    },
    query: [{ fidelity: "S", cost: 0.25 }],
    target: { fidelity: "S" },
    budget: 1,
    checkpoints: [0.5, 1],
    costUnit: "S runs",
    reference: { zero: 4, best: 3, bestRow: -1 },
    ...over,
  };
}

Deno.test("TrainRunner merge mode: answers by the merge proxy, charges the query cost, builds once, judges by a fresh run", async () => {
  const c = mergeCard();
  const task = resolveTask(c, minimixTable(c.train!.domains));
  const cache = new MemoryRunCache();
  const runner = new TrainRunner(task, { cache, corpus });
  const m = [0.2, 0.3, 0.5];
  const [a, b] = await runner.evaluate([
    { mixture: m, fidelity: "S" },
    { mixture: [0.6, 0.2, 0.2], fidelity: "S" },
  ]);
  assertEquals(runner.proxiesBuilt, 1);
  assertEquals(runner.stats, { trained: 2, cached: 0 });
  assertEquals([a!.cost, b!.cost], [0.25, 0.25]);
  assertEquals(a!.source.kind, "train");
  // The answer is the proxy's, computed outside the runner (deterministic, bit for bit).
  const proxy = buildMergeProxy(corpus, { trainDomains: [0, 3, 7], fidelity: "S", seed: 0 });
  const losses = proxy.evaluate(m);
  assertEquals(corpus.domains.map((d) => a!.metrics[`loss_${d.name}`]!), losses);
  assertEquals(a!.value, losses.reduce((x, y) => x + y, 0) / 8);
  assertEquals((a!.source as { epochs: readonly number[] }).epochs, proxy.epochs);
  // Not a fresh run: a fresh S run on the same mixture answers differently.
  const fresh = freshRun(corpus, { trainDomains: [0, 3, 7], mixture: m, fidelity: "S", seed: 0 });
  assert(fresh.valid.some((x, i) => x !== losses[i]));
  // A second runner in the same process reuses the built proxy; the cache answers repeats.
  const again = new TrainRunner(task, { cache, corpus });
  const [a2, c2] = await again.evaluate([
    { mixture: m, fidelity: "S" },
    { mixture: [0.1, 0.1, 0.8], fidelity: "S" },
  ]);
  assertEquals(again.proxiesBuilt, 0);
  assertEquals(again.stats, { trained: 1, cached: 1 });
  assertEquals(a2!.value, a!.value);
  assert(c2!.value !== a!.value);
  // The proxy key differs from a fresh run's, so the judge trains a fresh run at the target.
  assertEquals((await runner.judge(m)).value, fresh.valid.reduce((x, y) => x + y, 0) / 8);
});

Deno.test("TrainRunner merge mode refuses a card whose build charge or query fidelities are wrong", () => {
  const wrong = mergeCard({
    train: {
      env: "minimix",
      domains: ["moby", "udhr"],
      seed: 0,
      proxy: { kind: "merge", build: 2 },
    },
  });
  assertThrows(
    () => new TrainRunner(resolveTask(wrong, minimixTable(["moby", "udhr"])), { corpus }),
    TypeError,
    /build is 2, but .* cost 1.5 S runs/,
  );
  const two = mergeCard({ query: [{ fidelity: "S", cost: 0.25 }, { fidelity: "M", cost: 1 }] });
  assertThrows(
    () => new TrainRunner(resolveTask(two, minimixTable(two.train!.domains)), { corpus }),
    TypeError,
    /exactly one query fidelity/,
  );
  assertThrows(
    () => parseTaskCard(JSON.parse(JSON.stringify(two)), "x.json"),
    TypeError,
    /field "query" must name exactly one fidelity/,
  );
  const bad = JSON.parse(JSON.stringify(mergeCard()));
  bad.train.proxy.build = 0;
  assertThrows(() => parseTaskCard(bad, "x.json"), TypeError, /train\.proxy\.build/);
});

Deno.test("runCell() runs random-search on a merge-proxy task within its budget", async () => {
  const c = mergeCard();
  const task = resolveTask(c, minimixTable(c.train!.domains));
  const line = await runCell({
    task,
    runner: new TrainRunner(task, { corpus }),
    factory: await loadMethod("random-search"),
    seed: 0,
    suite: "test",
    timeLimitMs: 600_000,
  });
  assertEquals(line.status, "ok", JSON.stringify(line.error));
  assertEquals(line.trajectory.length, 4);
  assertEquals(line.spent, 1);
  assertEquals(line.trajectory.map((s) => s.cost), [0.25, 0.25, 0.25, 0.25]);
  assertEquals(line.checkpoints.map((x) => x.budget), [0.5, 1]);
});

Deno.test("minimix/avg-merge: a registered merge-proxy card whose judge and references are minimix/avg's", async () => {
  assert(TASKS.includes("minimix/avg-merge"));
  const merge = await loadTask("minimix/avg-merge");
  const avg = await loadTask("minimix/avg");
  const runner = new TrainRunner(merge, { corpus });
  assertEquals(runner.kind, "train");
  assertEquals(merge.card.train!.proxy, { kind: "merge", build: 4.5 });
  // Equal total cost: the build plus the query budget is minimix/avg's budget.
  assertEquals(merge.card.train!.proxy!.build + merge.card.budget, avg.card.budget);
  assertEquals(merge.card.reference, avg.card.reference);
  assertEquals([merge.card.objective, merge.card.target], [avg.card.objective, avg.card.target]);
});
