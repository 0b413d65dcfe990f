/** The tiny test table bound to a task card, for harness and runner tests. */

import { poolReference, resolveTask, type Task, TASK_SCHEMA, type TaskCard } from "../core/task.ts";
import { loadRunTable } from "../datasets/loader.ts";

/** Loads tests/testdata/tiny as a task; options override card fields. */
export async function tinyTask(over: Partial<TaskCard> = {}): Promise<Task> {
  const table = await loadRunTable(new URL("./testdata/tiny/runs.csv", import.meta.url).pathname);
  const card: TaskCard = {
    schema: TASK_SCHEMA,
    id: "tiny/loss",
    version: 1,
    title: "tiny",
    description: "tiny",
    track: "optimize",
    table: "tiny",
    objective: "loss",
    direction: "minimize",
    runner: "replay",
    query: [{ fidelity: "small", cost: 1 }],
    target: { fidelity: "small" },
    budget: 4,
    checkpoints: [1, 2, 4],
    costUnit: "small runs",
    reference: { zero: 0, best: 0, bestRow: -1 },
    ...over,
  };
  return resolveTask({ ...card, reference: poolReference(resolveTask(card, table)) }, table);
}
