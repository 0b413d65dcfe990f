import { assert, assertEquals } from "../_assert.ts";
import { failedLine, runCell } from "../../harness/cell.ts";
import type { MethodFactory } from "../../core/method.ts";
import { bestOfPool } from "../../methods/best_of_pool.ts";
import { randomSearch } from "../../methods/random_search.ts";
import { uniform } from "../../methods/uniform.ts";
import { ReplayRunner } from "../../runners/replay.ts";
import * as bad from "../testdata/bad_methods.ts";
import { tinyTask } from "../_tiny.ts";
import { loadTask } from "../../datasets/registry.ts";

async function cell(factory: MethodFactory, seed = 0, timeLimitMs = 10_000, budget = 4) {
  const task = await tinyTask({ budget, checkpoints: budget === 4 ? [1, 2, 4] : [budget] });
  return runCell({
    task,
    runner: new ReplayRunner(task),
    factory,
    seed,
    suite: "test",
    timeLimitMs,
  });
}

function strip<T extends { timings: unknown }>(line: T): Omit<T, "timings"> {
  const { timings: _, ...rest } = line;
  return rest;
}

Deno.test("runCell() with best-of-pool reaches gap closed 1 at every checkpoint", async () => {
  const line = await cell(bestOfPool);
  assertEquals(line.status, "ok");
  assertEquals(line.checkpoints.map((c) => [c.budget, c.row, c.value, c.score]), [
    [1, 5, 1.2, 1],
    [2, 5, 1.2, 1],
    [4, 5, 1.2, 1],
  ]);
  assertEquals(line.trajectory.length, 0);
});

Deno.test("runCell() scores a fixed pool member by its known value", async () => {
  // uniform (1/3 each) is nearest in L1 to row 5 (0.34, 0.33, 0.33), loss 1.2 = the best.
  const line = await cell(uniform);
  assertEquals(line.checkpoints[2]!.row, 5);
  assertEquals(line.checkpoints[2]!.score, 1);
});

Deno.test("runCell() random search spends the budget, records checkpoints before crossing them", async () => {
  const line = await cell(randomSearch, 3);
  assertEquals(line.status, "ok");
  assertEquals(line.trajectory.length, 4);
  assertEquals(line.spent, 4);
  assertEquals(line.checkpoints.map((c) => c.evaluations), [1, 2, 4]);
  const best = Math.min(...line.trajectory.map((s) => s.value));
  assertEquals(line.checkpoints[2]!.value, best);
});

Deno.test("runCell() is deterministic: same seed, identical lines apart from timings", async () => {
  const task = await loadTask("regmix-pile/pile-cc");
  const run = () =>
    runCell({
      task,
      runner: new ReplayRunner(task),
      factory: randomSearch,
      seed: 5,
      suite: "t",
      timeLimitMs: 60_000,
    });
  const [a, b] = [await run(), await run()];
  assertEquals(JSON.stringify(strip(a)), JSON.stringify(strip(b)));
  const c = await runCell({
    task,
    runner: new ReplayRunner(task),
    factory: randomSearch,
    seed: 6,
    suite: "t",
    timeLimitMs: 60_000,
  });
  assert(
    JSON.stringify(strip(a)) !== JSON.stringify(strip(c)),
    "another seed gives another trajectory",
  );
});

const FAILURES: [MethodFactory, RegExp][] = [
  [bad.throws, /^Error: boom$/],
  [bad.nan, /^InvalidMixtureError: Method "nan" returned an invalid mixture: weight 0 is "NaN"/],
  [
    bad.overAsks,
    /^BudgetExceededError: Method "over-asks" asked for runs costing "6" with "4" of the budget left/,
  ],
  [bad.offPool, /^RangeError: Recommendation is not a member of the small target pool/],
];

for (const [factory, message] of FAILURES) {
  Deno.test(`runCell() fails only its cell when a method misbehaves: ${factory.id}`, async () => {
    const line = await cell(factory);
    assertEquals(line.status, "failed");
    assert(message.test(`${line.error!.name}: ${line.error!.message}`), line.error!.message);
  });
}

Deno.test("runCell() enforces the cooperative time limit", async () => {
  const line = await cell(bad.slow, 0, 20);
  assertEquals(line.status, "failed");
  assertEquals(line.error!.name, "TimeLimitError");
});

Deno.test("failedLine() keeps the task's runner kind and validates as a failed line", () => {
  const line = failedLine(
    { task: { id: "t", version: 2 }, method: "m", seed: 3, suite: "s", runner: "surrogate" },
    { name: "TimeLimitError", message: "killed" },
    16,
  );
  assertEquals(line.runner, "surrogate");
  assertEquals(line.status, "failed");
  assertEquals(line.error, { name: "TimeLimitError", message: "killed" });
  assertEquals([line.budget, line.spent, line.trajectory.length], [16, 0, 0]);
});

Deno.test("runCell() fails a cell whose objective is not finite, with the reason", async () => {
  const task = await tinyTask();
  const replay = new ReplayRunner(task);
  // A runner whose answers are not finite, as a surrogate or an objective such as loss/0 gives.
  const broken = (value: number) => ({
    kind: "replay" as const,
    evaluate: async (ps: Parameters<ReplayRunner["evaluate"]>[0]) =>
      (await replay.evaluate(ps)).map((o) => ({ ...o, value })),
    judge: async (w: Parameters<ReplayRunner["judge"]>[0]) => ({
      ...(await replay.judge(w)),
      value,
    }),
  });
  const asks = await runCell({
    task,
    runner: broken(Infinity),
    factory: randomSearch,
    seed: 0,
    suite: "test",
    timeLimitMs: 10_000,
  });
  assertEquals([asks.status, asks.error], ["failed", {
    name: "RangeError",
    message:
      'The objective "loss" of task "tiny/loss" is "Infinity" on a run at fidelity "small", ' +
      "expected a finite number",
  }]);
  const judged = await runCell({
    task,
    runner: broken(NaN),
    factory: uniform,
    seed: 0,
    suite: "test",
    timeLimitMs: 10_000,
  });
  assertEquals([judged.status, judged.error, judged.checkpoints.length], ["failed", {
    name: "RangeError",
    message: 'The objective "loss" of task "tiny/loss" is "NaN" on the recommendation, expected ' +
      "a finite number",
  }, 0]);
});
