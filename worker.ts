/**
 * Worker entry of the bench: runs one cell per message and posts its results line back.
 * Tables and tasks are loaded once per worker.
 *
 * @module
 */

import { failedLine, runCell } from "./core/harness.ts";
import { resolveTask, type Task, type TaskCard } from "./core/task.ts";
import { loadTable, loadTask } from "./datasets/registry.ts";
import { loadMethod } from "./methods/mod.ts";
import { ReplayRunner } from "./runners/replay.ts";

/** How a worker finds a cell's task. */
export type TaskSpec =
  | { readonly kind: "builtin"; readonly id: string }
  | {
    readonly kind: "custom";
    readonly card: TaskCard;
    readonly table: string;
    readonly cardPath?: string;
  };

/** One cell to run. */
export interface CellPayload {
  readonly task: TaskSpec;
  readonly taskVersion: number;
  readonly budget: number;
  /** Method spec: a registered id or `module.ts#export`. */
  readonly method: string;
  /** The method factory's id, written in results lines. */
  readonly methodId: string;
  readonly seed: number;
  readonly suite: string;
  readonly timeLimitMs: number;
}

const tasks = new Map<string, Promise<Task>>();

function taskFor(spec: TaskSpec): Promise<Task> {
  const key = spec.kind === "builtin" ? spec.id : `${spec.table}|${spec.card.id}`;
  let t = tasks.get(key);
  if (!t) {
    t = spec.kind === "builtin"
      ? loadTask(spec.id)
      : loadTable(spec.table, spec.cardPath).then((table) => resolveTask(spec.card, table));
    tasks.set(key, t);
  }
  return t;
}

/** Runs one cell; never throws. */
export async function handle(p: CellPayload) {
  const id = p.task.kind === "builtin" ? p.task.id : p.task.card.id;
  try {
    const task = await taskFor(p.task);
    return await runCell({
      task,
      runner: new ReplayRunner(task),
      factory: await loadMethod(p.method),
      seed: p.seed,
      suite: p.suite,
      timeLimitMs: p.timeLimitMs,
    });
  } catch (e) {
    const err = e instanceof Error ? e : new Error(String(e));
    return failedLine(
      { task: { id, version: p.taskVersion }, method: p.methodId, seed: p.seed, suite: p.suite },
      err,
      p.budget,
    );
  }
}

if (typeof (globalThis as { WorkerGlobalScope?: unknown }).WorkerGlobalScope !== "undefined") {
  const scope = globalThis as unknown as {
    onmessage: (e: MessageEvent<CellPayload>) => void;
    postMessage: (data: unknown) => void;
  };
  scope.onmessage = async (e) => scope.postMessage(await handle(e.data));
}
