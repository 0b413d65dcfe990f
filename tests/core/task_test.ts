import { assertAlmost, assertEquals, assertThrows } from "../_assert.ts";
import { gapClosed, poolReference, resolveTask } from "../../core/task.ts";
import { CEILING_TASKS, loadTask, REPRODUCTION_TASKS, TASKS } from "../../datasets/registry.ts";
import { tinyTask } from "../_tiny.ts";
import { exactly } from "../_exact.ts";
import { parseRunTable } from "../../datasets/loader.ts";

Deno.test("poolReference() is the target pool's mean and best, by hand on the tiny table", async () => {
  const t = await tinyTask();
  const ref = poolReference(t);
  assertAlmost(ref.zero, (3 + 2 + 2.5 + 1.5 + 1.8 + 1.2) / 6, 1e-15);
  assertEquals([ref.best, ref.bestRow], [1.2, 5]);
  const acc = await tinyTask({
    objective: "acc",
    direction: "maximize",
    target: { fidelity: "large" },
  });
  assertEquals([acc.card.reference.best, acc.card.reference.bestRow], [0.7, 9]);
});

Deno.test("gapClosed() is 0 at the pool mean, 1 at the best, for both directions", async () => {
  const t = await tinyTask();
  assertAlmost(gapClosed(t.card.reference.zero, t.card.reference), 0, 1e-15);
  assertEquals(gapClosed(1.2, t.card.reference), 1);
  const acc = await tinyTask({ objective: "acc", direction: "maximize" });
  assertEquals(gapClosed(0.6, acc.card.reference), 1);
  assertAlmost(gapClosed(0.35, acc.card.reference), 0, 1e-12);
  assertAlmost(gapClosed(0.1, acc.card.reference), -1, 1e-12);
});

Deno.test("every built-in task card's frozen references equal a recomputation from its table", async () => {
  for (const id of [...TASKS, ...REPRODUCTION_TASKS, ...CEILING_TASKS]) {
    const t = await loadTask(id);
    if (t.card.runner !== "replay") continue; // checked in tests/runners/surrogates_test.ts
    assertEquals(poolReference(t), t.card.reference, id);
  }
});

Deno.test("built-in tasks hold the pools the issue specifies", async () => {
  const cc = await loadTask("regmix-pile/pile-cc");
  assertEquals([cc.queryPools.get("1M")!.length, cc.targetPool.length], [768, 768]);
  const tr = await loadTask("regmix-pile/pile-cc-1b");
  assertEquals([tr.queryPools.get("1M")!.length, tr.targetPool.length], [768, 64]);
  const avg = await loadTask("regmix-pile/avg-1b");
  assertEquals(["1M", "60M", "1B"].map((f) => avg.queryPools.get(f)!.length), [512, 256, 48]);
  // methods.md §2: best mean loss of the 48-run 1B pool is upstream run #45, 2.1113.
  assertEquals(avg.card.reference.bestRow, 1024 + 45);
  assertAlmost(avg.card.reference.best, 2.1113, 5e-5);
  const ad = await loadTask("admire-ift/avg-7b");
  assertEquals(["0.5B", "3B", "7B"].map((f) => ad.queryPools.get(f)!.length), [256, 128, 60]);
  assertEquals(ad.targetPool.length, 60);
  // methods.md §2: best of the first 60 7B runs is row #31 of the 7B block, 0.5938.
  assertAlmost(ad.card.reference.best, 0.5938, 5e-5);
  assertEquals(ad.card.reference.bestRow, 256 + 128 + 31);
  const ol = await loadTask("olmix/superswarm-bpb");
  assertEquals([ol.queryPools.get("30M")!.length, ol.table.card.domains.length], [512, 64]);
});

Deno.test("resolveTask() rejects unknown fidelities and bad checkpoints", async () => {
  const t = await tinyTask();
  assertThrows(
    () => resolveTask({ ...t.card, target: { fidelity: "huge" } }, t.table),
    TypeError,
    /fidelity "huge" is not in table/,
  );
  assertThrows(
    () => resolveTask({ ...t.card, checkpoints: [2, 1, 4] }, t.table),
    TypeError,
    /ascending/,
  );
  assertThrows(
    () => resolveTask({ ...t.card, checkpoints: [1, 2] }, t.table),
    TypeError,
    /last checkpoint must equal the budget/,
  );
  assertThrows(
    () => resolveTask({ ...t.card, objective: "nope" }, t.table),
    TypeError,
    exactly('Objective "nope": metric "nope" does not exist; closest names: loss, acc'),
  );
});

Deno.test("resolveTask() refuses a pool run whose objective is empty or not finite", async () => {
  const t = await tinyTask();
  const csv = await Deno.readTextFile(new URL("../testdata/tiny/runs.csv", import.meta.url));
  const holed = parseRunTable(
    csv.replace("small,,3,0.5,0.5,0,1.5,", "small,,3,0.5,0.5,0,,"),
    t.table.card,
    {
      file: "tiny.csv",
    },
  );
  assertThrows(
    () => resolveTask(t.card, holed),
    TypeError,
    exactly(
      'tiny.csv:5:7: cell "metric_loss" is empty, but the objective "loss" of task "tiny/loss" reads it',
    ),
  );
  // The same hole is fine for an objective that does not read it.
  resolveTask({ ...t.card, objective: "acc", direction: "maximize" }, holed);
  const cases = [["loss/0", "Infinity"], ["loss^1000", "Infinity"], ["log(loss - 3)", "-Infinity"]];
  for (const [objective, value] of cases) {
    assertThrows(
      () => resolveTask({ ...t.card, objective: objective! }, t.table),
      RangeError,
      exactly(
        `${t.table.file}:2: the objective "${objective}" of task "tiny/loss" is "${value}" on ` +
          "this run, expected a finite number",
      ),
    );
  }
});

Deno.test("resolveTask() refuses a target pool of fewer than 2 runs", async () => {
  const t = await tinyTask();
  const one = parseRunTable(
    "fidelity,ratio_a,ratio_b,ratio_c,metric_loss,metric_acc,cost\nsmall,1,0,0,1,0.5,1\n",
    t.table.card,
    { file: "one.csv" },
  );
  assertThrows(
    () => resolveTask(t.card, one),
    RangeError,
    exactly(
      'one.csv:2: the only run at fidelity "small" (the target of task "tiny/loss"), expected at ' +
        "least 2 runs to compare mixtures",
    ),
  );
});

Deno.test("poolReference() refuses an objective that is the same on every target run", async () => {
  const t = await tinyTask();
  assertThrows(
    () => poolReference(resolveTask({ ...t.card, objective: "0 * loss + 2" }, t.table)),
    RangeError,
    exactly(
      'Task "tiny/loss": the objective "0 * loss + 2" is "2" on every run of the target pool, so ' +
        "no mixture can close a gap",
    ),
  );
});
