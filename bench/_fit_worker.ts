/**
 * Worker of `deno task surrogates`: fits one MLP ensemble per message (a pure function of its
 * inputs, so the pool's scheduling never changes a result).
 *
 * @module
 */

import { fitEnsemble, type MlpEnsemble, type MlpOptions } from "../numerics/mlp.ts";

/** One fit: row-major mixtures and targets. */
export interface FitJob {
  readonly mixtures: Float64Array;
  readonly m: number;
  readonly targets: Float64Array;
  readonly options: MlpOptions;
}

/** Fits the job's ensemble. */
export function runFit(job: FitJob): MlpEnsemble {
  const n = job.targets.length;
  const xs = Array.from(
    { length: n },
    (_, r) => job.mixtures.subarray(r * job.m, r * job.m + job.m),
  );
  const ys = Array.from(job.targets, (y) => [y]);
  return fitEnsemble(xs.map((x) => Array.from(x)), ys, job.options);
}

if (typeof (globalThis as { WorkerGlobalScope?: unknown }).WorkerGlobalScope !== "undefined") {
  const scope = globalThis as unknown as {
    onmessage: (e: MessageEvent<FitJob>) => void;
    postMessage: (data: unknown) => void;
  };
  scope.onmessage = (e) => scope.postMessage(runFit(e.data));
}
