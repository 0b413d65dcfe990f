/**
 * Runs independent cells in a pool of module workers (one per available core by default),
 * longest expected cells first so that the tail of a run does not leave workers idle. A cell
 * that outlives its hard time limit has its worker terminated and is reported failed; the
 * other cells go on. Progress (cells done, elapsed time, ETA) is reported through a callback.
 *
 * Determinism: a cell's result depends only on its payload (every method draws from its
 * cell's seeded RNG, and workers share no state that changes results), so the same requests
 * give the same replies whatever the worker count and order; only the order in which replies
 * arrive varies (tests/harness/scheduler_test.ts checks the results lines for 1 and 3 workers).
 *
 * @module
 */

/** What the scheduler sends a worker for one cell. */
export interface CellRequest {
  /** Identity of the cell (for messages). */
  readonly key: string;
  /** Any structured-cloneable payload the worker understands. */
  readonly payload: unknown;
  /**
   * Expected cost of the cell (any unit; see {@linkcode expectedCellCost}): cells start in
   * decreasing order of cost, ties in request order. @default {1}
   */
  readonly cost?: number;
}

/** Where a run stands, reported after each cell. */
export interface SchedulerProgress {
  /** Cells finished (including failed ones). */
  readonly done: number;
  /** Cells in the run. */
  readonly total: number;
  /** Milliseconds since the run started. */
  readonly elapsedMs: number;
  /**
   * Estimated milliseconds left: elapsed × (expected cost left ÷ expected cost done), so the
   * pace of the cells done so far (with all workers busy) is carried over to the rest; 0 at
   * the end.
   */
  readonly etaMs: number;
}

/** The default worker count: the number of logical cores the runtime reports (at least 1). */
export function defaultConcurrency(): number {
  return Math.max(1, navigator.hardwareConcurrency || 1);
}

/**
 * Rough relative cost of a cell per method (CPU seconds of one cell on a 1000-run RegMix task,
 * rounded, from the cells timed while working on issue 11: `mfbo` 1.5–4 s on
 * regmix-pile/avg-1b after the BO speed-ups, `olmix` and `dml` about 1.5 s in their fast default
 * mode, `bimix` 1 s; the zero-shot and pool baselines take milliseconds). Only the order matters:
 * it decides which cells start first. Methods not listed count {@link DEFAULT_METHOD_COST}; an
 * exact-mode variant (`…@exact`, `…+exact`) counts {@link EXACT_FACTOR} times its method.
 */
export const METHOD_COST: Readonly<Record<string, number>> = {
  "mfbo": 3,
  "mfbo-pm": 3,
  "olmix": 1.5,
  "dml": 1.5,
  "bo": 1,
  "bimix": 1,
  "climb": 0.3,
  "regmix": 0.3,
};

/**
 * How much longer an exact-mode cell (`…@exact`, `…+exact`) takes than the method's default, per
 * method (`bo`, `mfbo`: every-step refits, about 30×; `dml@exact`, `olmix@exact`: every fit from
 * the full start grid, 3–5×); 30 for methods not listed.
 */
export const EXACT_FACTOR: Readonly<Record<string, number>> = { dml: 4, olmix: 4 };

/** Cost of a method missing from {@link METHOD_COST}. */
export const DEFAULT_METHOD_COST = 0.1;

/**
 * Relative cost factor per task (larger pools and budgets make the model-based methods'
 * cells longer: regmix-pile/avg-1b's 816-run multi-fidelity pool lets MF-BO make hundreds of
 * cheap queries). Tasks not listed count 1.
 */
export const TASK_COST: Readonly<Record<string, number>> = {
  "regmix-pile/avg-1b": 3,
  "regmix-pile/pile-cc-1b": 2,
  "regmix-pile/pile-cc": 2,
  "olmix/superswarm-bpb": 1.5,
};

/**
 * The static expected cost of a (method, task) cell: {@link METHOD_COST} of the method (its
 * id before any `@`) times {@link TASK_COST} of the task.
 *
 * @example
 * ```ts
 * import { expectedCellCost } from "./scheduler.ts";
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * assertEquals(expectedCellCost("mfbo", "regmix-pile/avg-1b") > expectedCellCost("uniform", "regmix-pile/avg-1b"), true);
 * ```
 * @param methodId Method id (variants such as `bo@1B` count as their method).
 * @param taskId Task id.
 * @returns The expected cost (arbitrary units).
 */
export function expectedCellCost(methodId: string, taskId: string): number {
  const base = methodId.split("@")[0]!;
  const exact = /(@|\+)exact$/.test(methodId) ? EXACT_FACTOR[base] ?? 30 : 1;
  return (METHOD_COST[base] ?? DEFAULT_METHOD_COST) * exact * (TASK_COST[taskId] ?? 1);
}

/**
 * Methods whose cells share work kept by their cell process, by track: on the optimise track a
 * method records its trajectory for a twin that differs only in its recommendations (`mfbo`
 * then `mfbo-pm`, `methods/_twin_trajectory.ts`), so their cells of one task and seed form a
 * group; on the Predict track `bo`, `mfbo` and `mfbo-pm` fit the same predictor
 * (`PredictorFits` in `methods/_bo_common.ts`), so their cells of one task form a group. Each
 * list gives the order in which a group's cells run (the recording method first).
 */
export const SHARED_WORK: Readonly<
  Record<"optimise" | "predict", Readonly<Record<string, readonly string[]>>>
> = {
  optimise: { mfbo: ["mfbo", "mfbo-pm"] },
  predict: { gp: ["bo", "mfbo", "mfbo-pm"] },
};

/**
 * The process group of a cell ({@link SHARED_WORK}), or undefined when it shares nothing: on
 * the optimise track its group's name, variant, task and seed (`mfbo@exact` shares with
 * `mfbo-pm@exact` only); on the Predict track its group's name and task, whatever the variant.
 *
 * @example
 * ```ts
 * import { cellGroup } from "./scheduler.ts";
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * assertEquals(cellGroup("optimise", "mfbo-pm", "t@1", 2), { key: "mfbo||t@1|2", order: 1 });
 * assertEquals(cellGroup("optimise", "bo", "t@1", 2), undefined);
 * ```
 * @param track Optimise or Predict track.
 * @param methodId Method id (with its variant, if any).
 * @param taskKey Task key (`id@version`).
 * @param seed Seed of the cell.
 * @returns The group key and the cell's place in it.
 */
export function cellGroup(
  track: "optimise" | "predict",
  methodId: string,
  taskKey: string,
  seed: number,
): { key: string; order: number } | undefined {
  const at = methodId.indexOf("@");
  const base = at < 0 ? methodId : methodId.slice(0, at);
  const variant = at < 0 ? "" : methodId.slice(at + 1);
  for (const [name, members] of Object.entries(SHARED_WORK[track])) {
    const order = members.indexOf(base);
    if (order < 0) continue;
    return track === "optimise"
      ? { key: `${name}|${variant}|${taskKey}|${seed}`, order }
      : { key: `${name}|${taskKey}`, order };
  }
  return undefined;
}

/** Options of {@linkcode runCells}. */
export interface SchedulerOptions {
  /** Module URL of the worker script. */
  readonly workerUrl: URL;
  /** Number of workers. @default {defaultConcurrency()} */
  readonly concurrency?: number;
  /** Hard limit per cell in ms, after which the worker is terminated. */
  readonly hardLimitMs: number;
  /** Called with each cell's reply (or a failure built by `onTimeout` / `onCrash`). */
  readonly onResult: (request: CellRequest, reply: unknown) => void | Promise<void>;
  /** Builds the reply of a cell whose worker was terminated or crashed. */
  readonly onFailure: (request: CellRequest, error: Error) => unknown;
  /** Called after each cell's `onResult` with the run's progress. */
  readonly onProgress?: (progress: SchedulerProgress) => void;
}

/**
 * Runs every request and resolves once all have replied.
 *
 * @param requests Cells to run.
 * @param options Worker script, concurrency, limits and callbacks.
 */
export async function runCells(
  requests: readonly CellRequest[],
  options: SchedulerOptions,
): Promise<void> {
  // Longest first; the sort is stable, so equal costs keep the request order.
  const queue = [...requests].sort((a, b) => (b.cost ?? 1) - (a.cost ?? 1));
  const n = Math.max(1, Math.min(options.concurrency ?? defaultConcurrency(), queue.length));
  const start = performance.now();
  const totalCost = queue.reduce((s, r) => s + (r.cost ?? 1), 0);
  const total = queue.length;
  let done = 0, doneCost = 0;
  const spawn = () => new Worker(options.workerUrl, { type: "module" });
  const lane = async () => {
    let worker = spawn();
    try {
      while (queue.length > 0) {
        const req = queue.shift()!;
        const reply = await new Promise<unknown>((resolve) => {
          const timer = setTimeout(() => {
            worker.terminate();
            worker = spawn();
            resolve(options.onFailure(
              req,
              Object.assign(
                new Error(`Cell exceeded its hard time limit of "${options.hardLimitMs}" ms`),
                {
                  name: "TimeLimitError",
                },
              ),
            ));
          }, options.hardLimitMs);
          worker.onmessage = (e: MessageEvent) => {
            clearTimeout(timer);
            resolve(e.data);
          };
          worker.onerror = (e: ErrorEvent) => {
            e.preventDefault();
            clearTimeout(timer);
            worker.terminate();
            worker = spawn();
            resolve(options.onFailure(req, new Error(`Worker crashed: ${e.message}`)));
          };
          worker.postMessage(req.payload);
        });
        await options.onResult(req, reply);
        done++;
        doneCost += req.cost ?? 1;
        if (options.onProgress) {
          const elapsedMs = performance.now() - start;
          const left = Math.max(totalCost - doneCost, 0);
          options.onProgress({
            done,
            total,
            elapsedMs,
            etaMs: done === total ? 0 : doneCost > 0 ? elapsedMs * left / doneCost : NaN,
          });
        }
      }
    } finally {
      worker.terminate();
    }
  };
  await Promise.all(Array.from({ length: n }, lane));
}
