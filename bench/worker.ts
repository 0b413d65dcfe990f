/**
 * Worker entry of the bench: runs one cell per message and posts its results line back.
 * Tables and tasks are loaded once per worker.
 *
 * @module
 */

import { failedLine, runCell } from "../harness/cell.ts";
import { PREDICT_SCHEMA, type PredictLine } from "../core/predict.ts";
import { runPredict } from "../harness/predict.ts";
import { resolveTask, type Task, type TaskCard } from "../core/task.ts";
import { loadPredictTaskCard, loadTable, loadTask } from "../datasets/registry.ts";
import { loadMethod } from "../methods/mod.ts";
import { ReplayRunner } from "../runners/replay.ts";
import type { Runner } from "../core/runner.ts";
import type { DeviceOption } from "../runners/session.ts";
import type { SurrogateModels } from "../runners/surrogate.ts";
import type { RunCache } from "../runners/train.ts";
import { fileURLToPath } from "node:url";

/** How a worker finds a cell's task. */
export type TaskSpec =
  | { readonly kind: "builtin"; readonly id: string }
  | {
    readonly kind: "custom";
    readonly card: TaskCard;
    readonly table: string;
    readonly cardPath?: string;
  };

/** One Predict-track cell: fit a method's predictor and score it on held-out sets. */
export interface PredictPayload {
  readonly kind: "predict";
  readonly task: string;
  readonly version: number;
  readonly method: string;
  readonly methodId: string;
  readonly seed: number;
  readonly suite: string;
}

/** One cell to run. */
export interface CellPayload {
  readonly kind?: "cell";
  readonly task: TaskSpec;
  readonly taskVersion: number;
  readonly budget: number;
  /** The task's runner kind (written in the failed line of a cell that could not run). */
  readonly runner: Runner["kind"];
  /** Method spec: a registered id or `module.ts#export`. */
  readonly method: string;
  /** The method factory's id, written in results lines. */
  readonly methodId: string;
  readonly seed: number;
  readonly suite: string;
  readonly timeLimitMs: number;
  /** Where surrogate models run (surrogate tasks only). @default {"cpu"} */
  readonly device?: DeviceOption;
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

const surrogates = new Map<Task, Promise<SurrogateModels>>();

/** A surrogate runner for one cell over the task's models, opened once per worker. */
async function surrogateRunner(task: Task, device: DeviceOption): Promise<Runner> {
  // Imported on first use, so that replay-only workers never load onnxruntime.
  const { openSurrogateModels, SurrogateRunner } = await import("../runners/surrogate.ts");
  let models = surrogates.get(task);
  if (!models) {
    models = openSurrogateModels(task, { device, threads: 1 });
    surrogates.set(task, models);
    models.catch(() => surrogates.delete(task));
  }
  return new SurrogateRunner(task, await models);
}

/** Finished fresh runs, shared by every cell of this worker (content-addressed). */
let trainCache: RunCache | undefined;

/**
 * A `train` runner for one cell (fresh training runs). Finished runs are content-addressed, so
 * every worker shares one folder of them: out/cache/minimix/ (the one `deno task minimix` fills),
 * or the folder MIXBENCH_TRAIN_CACHE names.
 */
async function trainRunner(task: Task): Promise<Runner> {
  const { DirRunCache, TrainRunner } = await import("../runners/train.ts");
  trainCache ??= new DirRunCache(
    Deno.env.get("MIXBENCH_TRAIN_CACHE") ??
      fileURLToPath(new URL("../out/cache/minimix/", import.meta.url)),
  );
  return new TrainRunner(task, { cache: trainCache });
}

/** Runs one cell; never throws. */
export async function handle(p: CellPayload) {
  const id = p.task.kind === "builtin" ? p.task.id : p.task.card.id;
  try {
    const task = await taskFor(p.task);
    return await runCell({
      task,
      runner: task.card.runner === "surrogate"
        ? await surrogateRunner(task, p.device ?? "cpu")
        : task.card.runner === "train"
        ? await trainRunner(task)
        : new ReplayRunner(task),
      factory: await loadMethod(p.method),
      seed: p.seed,
      suite: p.suite,
      timeLimitMs: p.timeLimitMs,
    });
  } catch (e) {
    const err = e instanceof Error ? e : new Error(String(e));
    return failedLine(
      {
        task: { id, version: p.taskVersion },
        method: p.methodId,
        seed: p.seed,
        suite: p.suite,
        runner: p.runner,
      },
      err,
      p.budget,
    );
  }
}

/** Runs one Predict-track cell; never throws. */
export async function handlePredict(p: PredictPayload): Promise<PredictLine> {
  try {
    const card = await loadPredictTaskCard(p.task);
    return runPredict(card, await loadTable(card.table), await loadMethod(p.method), p.seed, {
      suite: p.suite,
    });
  } catch (e) {
    return failedPredictLine(p, e instanceof Error ? e : new Error(String(e)));
  }
}

/** A failed predict line for a cell that could not run at all. */
export function failedPredictLine(
  p: PredictPayload & { readonly methodId?: string; readonly version?: number },
  error: { name: string; message: string },
): PredictLine {
  return {
    schema: PREDICT_SCHEMA,
    suite: p.suite,
    task: { id: p.task, version: p.version ?? 0 },
    method: p.methodId ?? p.method,
    seed: p.seed,
    status: "failed",
    error: { name: error.name, message: error.message },
    train: 0,
    sets: [],
    timings: { fitMs: 0, predictMs: 0 },
  };
}

if (typeof (globalThis as { WorkerGlobalScope?: unknown }).WorkerGlobalScope !== "undefined") {
  const scope = globalThis as unknown as {
    onmessage: (e: MessageEvent<CellPayload | PredictPayload>) => void;
    postMessage: (data: unknown) => void;
  };
  scope.onmessage = async (e: MessageEvent<CellPayload | PredictPayload>) =>
    scope.postMessage(
      e.data.kind === "predict" ? await handlePredict(e.data) : await handle(e.data),
    );
}
