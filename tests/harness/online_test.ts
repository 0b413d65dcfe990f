import { assert, assertEquals } from "../_assert.ts";
import { type JudgedEnv, runOnlineCell, timeAverage } from "../../harness/online.ts";
import type { OnlineEnv, OnlineMethodFactory } from "../../core/online.ts";
import type { Runner } from "../../core/runner.ts";
import { resolveTask } from "../../core/task.ts";
import { loadTaskCard } from "../../datasets/registry.ts";
import { minimixTable } from "../../datasets/minimix/table.ts";

const card = await loadTaskCard("minimix/avg");
const task = resolveTask(card, minimixTable(card.train!.domains));
const K = 8;

/** A toy run of 10 steps: each step costs 10, validation 1, an auxiliary run keeps its own. */
function toyEnv(): JudgedEnv {
  let step = 0;
  const costs: Record<string, number> = {};
  const charge = (k: string, x: number) => (costs[k] = (costs[k] ?? 0) + x);
  const env: JudgedEnv = {
    domains: K,
    steps: 10,
    hasTarget: false,
    learningRate: 0.1,
    get step() {
      return step;
    },
    get cost() {
      return Object.values(costs).reduce((s, x) => s + x, 0);
    },
    get costs() {
      return { ...costs };
    },
    setWeights() {},
    train(n) {
      const m = Math.min(n, 10 - step);
      step += m;
      charge("train", 10 * m);
      return { counts: [], trainLoss: [] };
    },
    validLoss() {
      charge("valid", 1);
      return new Array(K).fill(1);
    },
    gradients: () => ({ gram: [] }),
    open: () => toyEnv(),
    metrics: () => ({ avg: 3, worst: 4 }),
  };
  return env;
}

const judged: number[][] = [];
const runner: Runner = {
  kind: "train",
  evaluate: () => [],
  judge: (m) => {
    judged.push([...m]);
    return { value: 2.7, row: -1 };
  },
};

const one = (i: number) => Array.from({ length: K }, (_, j) => (j === i ? 1 : 0));

function method(f: (env: OnlineEnv) => void, mixture?: number[]): OnlineMethodFactory {
  return {
    id: "toy",
    version: "1",
    description: "toy",
    start: () => ({ round: f, finish: () => (mixture ? { mixture } : {}) }),
  };
}

const input = (factory: OnlineMethodFactory, unitCost = 100) => ({
  task,
  factory,
  seed: 0,
  suite: "t",
  timeLimitMs: 60_000,
  fidelity: "S",
  open: () => toyEnv(),
  unitCost,
  runner,
});

Deno.test("online cell: schedule, time average, per-signal cost with aux runs, both judgements", async () => {
  judged.length = 0;
  const f = method((env) => {
    env.setWeights(one(env.step < 4 ? 0 : 1));
    env.validLoss();
    if (env.step === 0) env.open(one(2)).train(10);
    env.train(2);
  });
  const line = await runOnlineCell(input(f));
  assertEquals(line.status, "ok", line.error?.message);
  const o = line.online!;
  assertEquals(o.schedule, [{ step: 0, weights: one(0) }, { step: 4, weights: one(1) }]);
  assertEquals(o.averaged, [0.4, 0.6, 0, 0, 0, 0, 0, 0]);
  assertEquals(o.cost, { train: 100, valid: 5, "aux:train": 100 });
  assertEquals(o.bytePasses, 205);
  assertEquals(line.spent, 2.05);
  assertEquals(o.inRun, { value: 3, metrics: { avg: 3, worst: 4 } });
  // Weights-transfer of the averaged schedule at both checkpoints (8 and 32 ≥ 2.05 spent).
  assertEquals(o.transfer, { source: "averaged", fidelity: "L", value: 2.7 });
  assertEquals(judged, [o.averaged, o.averaged]);
  assertEquals(line.checkpoints.map((c) => c.evaluations), [1, 1]);
  assertEquals(line.trajectory, [{ fidelity: "S", row: -1, value: 3, cost: 2.05, spent: 2.05 }]);
});

Deno.test("online cell: a checkpoint below the cost spent gets the initial weights", async () => {
  judged.length = 0;
  const f = method((env) => void env.train(10), one(3));
  const line = await runOnlineCell(input(f, 10)); // 100 / 10 = 10 units > checkpoint 8
  assertEquals(line.status, "ok");
  assertEquals(line.checkpoints[0]!.evaluations, 0);
  assertEquals(line.checkpoints[0]!.spent, 0);
  assertEquals(line.checkpoints[0]!.mixture, new Array(K).fill(0.125));
  assertEquals(line.checkpoints[1]!.mixture, one(3));
  assertEquals(line.online!.transfer!.source, "mixture");
});

Deno.test("online cell: a round that trains nothing, or a bad mixture, fails the cell with a reason", async () => {
  const idle = await runOnlineCell(input(method(() => {})));
  assertEquals(idle.status, "failed");
  assert(idle.error!.message.includes("a round trained no step"), idle.error!.message);
  const bad = await runOnlineCell(input(method((env) => void env.train(10), [1, 1])));
  assertEquals(bad.status, "failed");
  assert(/toy/.test(bad.error!.message), bad.error!.message);
});

Deno.test("online cell: spending more than the task's budget fails the cell", async () => {
  const line = await runOnlineCell(input(method((env) => void env.train(10)), 1)); // 100 units
  assertEquals(line.status, "failed");
  assertEquals(line.error!.name, "BudgetExceededError");
});

Deno.test("timeAverage weighs each entry by the steps it was in force", () => {
  assertEquals(
    timeAverage([{ step: 0, weights: [0.5, 0.5] }, { step: 6, weights: [1, 0] }], 8),
    [0.625, 0.375],
  );
});

Deno.test("online cell: the equal-cost baseline is asked for the method's total byte-passes and judged by the objective", async () => {
  const asked: number[] = [];
  const f = method((env) => {
    env.validLoss();
    env.train(5);
  });
  const line = await runOnlineCell({
    ...input(f),
    equalCost: (bytePasses) => {
      asked.push(bytePasses);
      return Promise.resolve({
        fidelity: "S@2",
        steps: 2,
        bytePasses: 100,
        metrics: { avg: 2.5, worst: 9 },
      });
    },
  });
  assertEquals(line.status, "ok", line.error?.message);
  // 10 steps (100) and two validation passes (2): the baseline is asked for all of it
  assertEquals(asked, [102]);
  // minimix/avg's objective reads `avg`
  assertEquals(line.online!.equalCost, { fidelity: "S@2", steps: 2, bytePasses: 100, value: 2.5 });
  // without one, the line has none
  assertEquals((await runOnlineCell(input(f))).online!.equalCost, undefined);
});
