/**
 * Runs independent cells in a small pool of module workers. A cell that outlives its hard time
 * limit has its worker terminated and is reported failed; the other cells go on.
 *
 * @module
 */

/** What the scheduler sends a worker for one cell. */
export interface CellRequest {
  /** Identity of the cell (for messages). */
  readonly key: string;
  /** Any structured-cloneable payload the worker understands. */
  readonly payload: unknown;
}

/** Options of {@linkcode runCells}. */
export interface SchedulerOptions {
  /** Module URL of the worker script. */
  readonly workerUrl: URL;
  /** Number of workers. @default {2} */
  readonly concurrency?: number;
  /** Hard limit per cell in ms, after which the worker is terminated. */
  readonly hardLimitMs: number;
  /** Called with each cell's reply (or a failure built by `onTimeout` / `onCrash`). */
  readonly onResult: (request: CellRequest, reply: unknown) => void | Promise<void>;
  /** Builds the reply of a cell whose worker was terminated or crashed. */
  readonly onFailure: (request: CellRequest, error: Error) => unknown;
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
  const queue = [...requests];
  const n = Math.max(1, Math.min(options.concurrency ?? 2, queue.length));
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
      }
    } finally {
      worker.terminate();
    }
  };
  await Promise.all(Array.from({ length: n }, lane));
}
