import { assert, assertEquals } from "../_assert.ts";
import { runCell } from "../../harness/cell.ts";
import { resolveTask } from "../../core/task.ts";
import { loadTable, loadTaskCard } from "../../datasets/registry.ts";
import { METHODS } from "../../methods/mod.ts";
import { ReplayRunner } from "../../runners/replay.ts";

const ids = METHODS.map((m) => m.id);

Deno.test("every registered method has a unique id", () => {
  assertEquals(new Set(ids).size, ids.length);
});

// Budgets in target-fidelity units: 34 1M runs on RegMix; 6 7B-equivalents on ADMIRE (about
// 34 0.5B runs for the multi-fidelity methods, which buy mostly the cheapest runs).
for (const [taskId, budget] of [["regmix-pile/pile-cc", 34], ["admire-ift/avg-7b", 6]] as const) {
  Deno.test(`every registered method finishes a ${budget}-unit cell on ${taskId}, deterministically`, async () => {
    const card = await loadTaskCard(taskId);
    const task = resolveTask(
      { ...card, budget, checkpoints: [budget / 2, budget] },
      await loadTable(card.table),
    );
    for (const factory of METHODS) {
      const run = () =>
        runCell({
          task,
          runner: new ReplayRunner(task),
          factory,
          seed: 1,
          suite: "t",
          timeLimitMs: 120_000,
        });
      const a = await run();
      assertEquals(a.status, "ok", `${factory.id}: ${a.error?.message}`);
      assertEquals(a.checkpoints.length, 2, factory.id);
      assert(a.spent <= budget + 1e-9, factory.id);
      const b = await run();
      assertEquals(
        JSON.stringify(b.checkpoints),
        JSON.stringify(a.checkpoints),
        `${factory.id} determinism`,
      );
    }
  });
}
