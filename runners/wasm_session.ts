/**
 * A CPU surrogate session on this suite's fused WebAssembly SIMD forward pass
 * (`wasm_ensemble.ts`) instead of onnxruntime-web's WASM execution provider: the ONNX file is
 * read back into its ensemble (`onnxToEnsemble`) and scored bit for bit as onnxruntime-web
 * scores it. One thread scores on the calling thread and needs no permission (the module is
 * generated in memory; no file is read, no worker started), so it runs in the sandboxed cell
 * processes as is. With `threads` = T > 1, T − 1 Web Workers (`_wasm_worker.ts`) each hold an
 * instance of the kernel, and a chunk is split into T parts of consecutive rows, one scored on
 * the calling thread.
 *
 * @module
 */

import type { MlpEnsemble } from "../numerics/mlp.ts";
import { onnxToEnsemble } from "./onnx_writer.ts";
import type { SessionOutput, SurrogateSession } from "./session.ts";
import { WasmEnsemble, wasmUnsupported } from "./wasm_ensemble.ts";

/**
 * The ensemble of a model the fused kernel can score, or why it cannot.
 *
 * @param model ONNX bytes.
 * @returns The ensemble, or the reason (a model `ensembleToOnnx` did not write, a tanh
 *   ensemble, a layer too wide).
 */
export function wasmEnsembleOf(model: Uint8Array): MlpEnsemble | string {
  let ensemble: MlpEnsemble;
  try {
    ensemble = onnxToEnsemble(model);
  } catch (e) {
    return e instanceof TypeError ? e.message : String(e);
  }
  return wasmUnsupported(ensemble) ?? ensemble;
}

/** The Web Worker constructor, taken before onnxruntime-web may replace it (see ort_session.ts). */
const WebWorker: typeof Worker = globalThis.Worker;

/** Rows below which a chunk is not split across threads. */
const MIN_SPLIT = 512;

/** Shape and threads of {@linkcode openWasmSession}. */
export interface WasmSessionOptions {
  /** Mixture length m (checked against the model). */
  inputs: number;
  /** Outputs per row k (checked against the model). */
  outputs: number;
  /** Threads: the calling one and threads − 1 workers. @default {1} */
  threads?: number;
}

/**
 * Opens a session on the fused kernel.
 *
 * @param model ONNX bytes of a model written by `ensembleToOnnx`.
 * @param options Mixture length and outputs per row (checked against the model), threads.
 * @returns The open session (device `cpu`, provider `simd`).
 * @throws {TypeError} When the kernel cannot score the model, or its shape differs.
 * @throws {RangeError} When threads is not a positive integer.
 */
export async function openWasmSession(
  model: Uint8Array,
  options: WasmSessionOptions,
): Promise<SurrogateSession> {
  const shape = options;
  const threads = options.threads ?? 1;
  if (!Number.isInteger(threads) || threads < 1) {
    throw new RangeError(`Cannot open a session with "${threads}" threads: expected ≥ 1`);
  }
  const ensemble = wasmEnsembleOf(model);
  if (typeof ensemble === "string") {
    throw new TypeError(`Cannot open the WebAssembly SIMD session: ${ensemble}`);
  }
  if (ensemble.inputs !== shape.inputs || ensemble.outputs !== shape.outputs) {
    throw new TypeError(
      `Cannot open the WebAssembly SIMD session: the model maps ${ensemble.inputs} inputs to ` +
        `${ensemble.outputs} outputs, expected ${shape.inputs} to ${shape.outputs}`,
    );
  }
  const kernel = new WasmEnsemble(ensemble);
  const { inputs, outputs } = shape;
  const copyRows = copyRowsOf(inputs);
  const pool = threads > 1 ? await WorkerPool.start(model, threads - 1) : undefined;
  const local = (rows: Float32Array, count: number): Promise<SessionOutput> => {
    try {
      return Promise.resolve(kernel.predict(rows, count));
    } catch (e) {
      return Promise.reject(e);
    }
  };
  return {
    device: "cpu",
    provider: "simd",
    adapter: "",
    inputs,
    outputs,
    async run(rows: Float32Array, count: number): Promise<SessionOutput> {
      // The calling thread scores the last part while the workers score theirs.
      if (!pool || count < MIN_SPLIT) return await local(rows, count);
      const parts = evenParts(count, threads);
      if (!parts) return await local(rows, count);
      const last = parts.length - 1, [from, n] = parts[last]!;
      return joined(
        await Promise.all([
          ...parts.slice(0, last).map(([f, m], w) => pool.run(w, copyRows(rows, f, m), m)),
          local(rows.subarray(from * inputs, (from + n) * inputs), n),
        ]),
      );
    },
    ...(pool
      ? {
        async runOffThread(rows: Float32Array, count: number): Promise<SessionOutput> {
          // Every part on a worker: the calling thread only copies the rows out.
          const parts = count < MIN_SPLIT / 2 ? null : evenParts(count, threads - 1);
          if (!parts) return await pool.run(0, copyRows(rows, 0, count), count);
          return joined(
            await Promise.all(parts.map(([f, m], w) => pool.run(w, copyRows(rows, f, m), m))),
          );
        },
      }
      : {}),
    close() {
      pool?.close();
      return Promise.resolve();
    },
  };
}

/**
 * Splits `count` rows into at most `ways` parts of consecutive rows, [first row, rows], each but
 * the last of an even size (the kernel takes rows in pairs); null when a part would be a single
 * row (onnxruntime sums a one-row chunk in another order, and the kernel follows it) or when
 * there is one way.
 */
function evenParts(count: number, ways: number): [number, number][] | null {
  if (ways < 2) return null;
  const part = Math.ceil(count / ways / 2) * 2;
  const out: [number, number][] = [];
  for (let from = 0; from < count; from += part) out.push([from, Math.min(part, count - from)]);
  return out.some(([, n]) => n === 1) ? null : out;
}

/** A copy of rows [from, from + n) of a row-major float32 matrix of `inputs` columns. */
function copyRowsOf(inputs: number) {
  return (rows: Float32Array, from: number, n: number): Float32Array =>
    rows.slice(from * inputs, (from + n) * inputs);
}

/** The parts' predictions, concatenated in order. */
function joined(done: readonly SessionOutput[]): SessionOutput {
  if (done.length === 1) return done[0]!;
  let total = 0;
  for (const d of done) total += d.mean.length;
  const mean = new Float32Array(total), spread = new Float32Array(total);
  let at = 0;
  for (const d of done) {
    mean.set(d.mean, at);
    spread.set(d.spread, at);
    at += d.mean.length;
  }
  return { mean, spread };
}

interface Reply {
  readonly type: "ready" | "result" | "error";
  readonly id?: number;
  readonly mean?: Float32Array;
  readonly spread?: Float32Array;
  readonly message?: string;
}

/** Workers, each with its own kernel instance and its pending runs. */
class WorkerPool {
  readonly #workers: Worker[];
  readonly #pending = new Map<number, PromiseWithResolvers<SessionOutput>>();
  #next = 0;

  private constructor(workers: Worker[]) {
    this.#workers = workers;
  }

  static async start(model: Uint8Array, count: number): Promise<WorkerPool> {
    const workers: Worker[] = [];
    const pool = new WorkerPool(workers);
    const ready: Promise<void>[] = [];
    for (let i = 0; i < count; i++) {
      const w = new WebWorker(new URL("./_wasm_worker.ts", import.meta.url), { type: "module" });
      const up = Promise.withResolvers<void>();
      w.onmessage = (e: MessageEvent<Reply>) => {
        const r = e.data;
        if (r.type === "ready") return up.resolve();
        const p = r.id !== undefined ? pool.#pending.get(r.id) : undefined;
        if (r.type === "error") {
          const err = new Error(`WebAssembly SIMD worker: ${r.message}`);
          if (p) {
            pool.#pending.delete(r.id!);
            p.reject(err);
          } else up.reject(err);
          return;
        }
        if (p) {
          pool.#pending.delete(r.id!);
          p.resolve({ mean: r.mean!, spread: r.spread! });
        }
      };
      w.onerror = (e: ErrorEvent) => {
        e.preventDefault();
        const err = new Error(`WebAssembly SIMD worker failed: ${e.message}`);
        up.reject(err);
        for (const p of pool.#pending.values()) p.reject(err);
        pool.#pending.clear();
      };
      w.postMessage({ type: "init", model });
      workers.push(w);
      ready.push(up.promise);
    }
    try {
      await Promise.all(ready);
    } catch (e) {
      pool.close();
      throw e;
    }
    return pool;
  }

  /** Scores rows (transferred) on worker `w`. */
  run(w: number, rows: Float32Array, count: number): Promise<SessionOutput> {
    const id = this.#next++;
    const p = Promise.withResolvers<SessionOutput>();
    this.#pending.set(id, p);
    this.#workers[w]!.postMessage({ type: "run", id, rows, count }, [rows.buffer as ArrayBuffer]);
    return p.promise;
  }

  close(): void {
    for (const w of this.#workers) w.terminate();
  }
}
