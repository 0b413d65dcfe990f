import { assert, assertEquals } from "../_assert.ts";
import { runCell } from "../../harness/cell.ts";
import { loadTask } from "../../datasets/registry.ts";
import { ReplayRunner } from "../../runners/replay.ts";
import { templateLocalSearch, templateLocalSearchWith } from "../../methods/_template.ts";
import { tinyTask } from "../_tiny.ts";
import { l1Distance } from "../../core/mixture.ts";
import { Rng } from "../../numerics/rng.ts";

async function run(seed: number, factory = templateLocalSearch) {
  const task = await loadTask("regmix-pile/pile-cc");
  return runCell({
    task,
    runner: new ReplayRunner(task),
    factory,
    seed,
    suite: "test",
    timeLimitMs: 60_000,
  });
}

Deno.test("template method: runs a real task to its budget, deterministically per seed", async () => {
  const a = await run(0);
  assertEquals(a.status, "ok");
  assertEquals(a.spent, a.budget);
  assertEquals(a.checkpoints.length > 0, true);
  const b = await run(0);
  assertEquals(b.trajectory, a.trajectory);
  assertEquals(b.checkpoints, a.checkpoints);
  const c = await run(1);
  assert(JSON.stringify(c.trajectory) !== JSON.stringify(a.trajectory), "seeds differ");
  // The local search improves on its random start: the final score is at least the score of
  // the best of its first 8 (random) draws.
  const last = a.checkpoints[a.checkpoints.length - 1]!;
  const first8 = Math.min(...a.trajectory.slice(0, 8).map((s) => s.value));
  assert(last.value <= first8 + 1e-12, `final ${last.value} vs best of first draws ${first8}`);
});

Deno.test("template method: after exploring, each query is the nearest neighbour of the best", async () => {
  const task = await tinyTask({ budget: 4, checkpoints: [4] });
  const line = await runCell({
    task,
    runner: new ReplayRunner(task),
    factory: templateLocalSearchWith({ explore: 1 }),
    seed: 3,
    suite: "test",
    timeLimitMs: 10_000,
  });
  assertEquals(line.status, "ok");
  assertEquals(line.trajectory.length, 4);
  const runs = task.table.runs;
  const open = new Set(task.queryPools.get(task.card.target.fidelity)!.map((r) => r.row));
  let best = line.trajectory[0]!;
  open.delete(best.row);
  for (const step of line.trajectory.slice(1)) {
    const anchor = runs[best.row]!.mixture;
    const nearest = Math.min(...[...open].map((i) => l1Distance(runs[i]!.mixture, anchor)));
    assertEquals(l1Distance(runs[step.row]!.mixture, anchor), nearest);
    open.delete(step.row);
    if (step.value < best.value) best = step;
  }
});

Deno.test("template method: refuses continuous mode with a message naming it", async () => {
  const task = await tinyTask({ budget: 2, checkpoints: [2] });
  const factory = templateLocalSearch;
  let message = "";
  try {
    factory.create({
      task: "t@1",
      objective: { expression: "loss", direction: "minimize" },
      domains: task.table.card.domains,
      prior: task.table.card.domains.map((d) => d.prior),
      fidelities: ["1M"],
      costs: { "1M": 1 },
      targetFidelity: "1M",
      mode: "continuous",
      pool: undefined,
      targetPool: undefined,
      budget: 2,
      rng: new Rng(1),
    });
  } catch (e) {
    message = (e as Error).message;
  }
  assertEquals(message, 'Method "template-local-search" supports pool mode only');
});
