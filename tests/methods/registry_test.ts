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

for (const taskId of ["regmix-pile/pile-cc", "admire-ift/avg-7b"]) {
  Deno.test(`every registered method finishes a 34-unit cell on ${taskId}, deterministically`, async () => {
    const card = await loadTaskCard(taskId);
    const task = resolveTask(
      { ...card, budget: 34, checkpoints: [17, 34] },
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
      assert(a.spent <= 34 + 1e-9, factory.id);
      const b = await run();
      assertEquals(
        JSON.stringify(b.checkpoints),
        JSON.stringify(a.checkpoints),
        `${factory.id} determinism`,
      );
    }
  });
}
