import { assert, assertEquals } from "../_assert.ts";
import { advCorners, adversaries, type ModelAccess } from "../../bench/_adversaries.ts";
import { runCell } from "../../harness/cell.ts";
import { loadTask, TASKS } from "../../datasets/registry.ts";
import type { Task } from "../../core/task.ts";
import type { Mixture } from "../../core/types.ts";
import {
  openSurrogateModels,
  type SurrogateModels,
  SurrogateRunner,
} from "../../runners/surrogate.ts";
import { continuousContext } from "../../harness/context.ts";

/** The offered continuous tasks (the bench's task list). */
const continuous: Task[] = [];
for (const id of TASKS) {
  const task = await loadTask(id);
  if (task.card.runner === "surrogate") continuous.push(task);
}

function access(task: Task, models: SurrogateModels): ModelAccess {
  const side = new SurrogateRunner(task, models);
  const f = task.card.target.fidelity;
  return async (ws: readonly Mixture[]) =>
    (await side.evaluate(ws.map((mixture) => ({ mixture, fidelity: f })))).map((o) => o.value);
}

async function finalScore(
  task: Task,
  models: SurrogateModels,
  factory: Parameters<typeof runCell>[0]["factory"],
): Promise<{ score: number; inRegion: boolean | undefined }> {
  const line = await runCell({
    task,
    runner: new SurrogateRunner(task, models),
    factory,
    seed: 1,
    suite: "test",
    timeLimitMs: 600_000,
  });
  assertEquals(line.status, "ok", line.error?.message);
  const cp = line.checkpoints.at(-1)!;
  return {
    score: cp.score,
    inRegion: cp.source?.kind === "surrogate" ? cp.source.inRegion : true,
  };
}

Deno.test("at least one continuous task is offered", () => {
  assert(continuous.length > 0);
});

Deno.test("no adversary closes more than the whole gap on an offered continuous task", async () => {
  for (const task of continuous) {
    const models = await openSurrogateModels(task);
    try {
      for (const factory of adversaries(access(task, models))) {
        const { score } = await finalScore(task, models, factory);
        assert(score <= 1, `${task.card.id}: ${factory.id} scores ${score} > 1`);
      }
    } finally {
      await models.close();
    }
  }
});

Deno.test("without its trust region the model is beaten by the direct adversary (the gate can fail)", async () => {
  const task = continuous[0]!;
  const models = await openSurrogateModels(task);
  try {
    const f = task.card.target.fidelity;
    const open = models.byFidelity.get(f)!;
    const { region: _r, ...bare } = open.card;
    const unguarded: SurrogateModels = {
      ...models,
      byFidelity: new Map([[f, { ...open, card: bare }]]),
    };
    const direct = adversaries(access(task, unguarded))[3]!;
    const { score, inRegion } = await finalScore(task, unguarded, direct);
    assertEquals(inRegion, undefined);
    assert(score > 1, `${task.card.id}: unguarded direct adversary scores ${score}`);
  } finally {
    await models.close();
  }
});

Deno.test("adv-corners proposes every one-hot mixture first", async () => {
  const task = continuous[0]!;
  const m = task.table.card.domains.length;
  const method = advCorners.create(continuousContext(task, 1, false));
  const seen = new Set<number>();
  for (let i = 0; i < m; i++) {
    const [p] = await method.ask({ spent: i, remaining: task.card.budget - i });
    const w = p!.mixture;
    assertEquals(w.filter((x) => x === 1).length, 1);
    seen.add(w.indexOf(1));
    await method.tell([{
      ...p!,
      value: 0,
      metrics: {},
      cost: 1,
      source: { kind: "table", row: 0 },
    }]);
  }
  assertEquals(seen.size, m);
  const [next] = await method.ask({ spent: m, remaining: task.card.budget - m });
  const support = next!.mixture.filter((x) => x > 0).length;
  assert(support === 2 || support === 3, `then 2–3-domain corners, got ${support} domains`);
});
