/**
 * Surrogate sessions: on CPU this suite's fused WebAssembly SIMD kernel (`wasm_session.ts`, the
 * default; bit-identical to onnxruntime-web) or onnxruntime-web's WASM entry (threads set
 * explicitly; the reference engine, and the engine of models the kernel does not cover), on GPU the WebGPU entry in its own Worker (one wasm thread, wasm files from the
 * package's dist folder), behind one interface. `auto` takes the GPU only when `navigator.gpu`
 * gives a hardware adapter; software adapters (llvmpipe, lavapipe, SwiftShader) run WebGPU
 * correctly but ~20× slower than WASM, so `auto` leaves them to explicit `gpu`.
 *
 * A model is any ONNX file with input `mixture` [N, m] and float outputs `mean` and `spread`
 * [N, k] (the files `onnx_writer.ts` writes).
 *
 * @example Score two mixtures on CPU
 * ```ts
 * import { openSession } from "./ort_session.ts";
 * import { ensembleToOnnx } from "./onnx_writer.ts";
 * import { fitEnsemble } from "../numerics/mlp.ts";
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * const xs = [[1, 0], [0, 1], [0.5, 0.5]];
 * const ens = fitEnsemble(xs, xs.map((w) => [w[0]!]), { members: 2, hidden: [4], epochs: 5 });
 * const session = await openSession(ensembleToOnnx(ens), { inputs: 2, outputs: 1 });
 * const { mean } = await session.run(new Float32Array([0.2, 0.8, 0.9, 0.1]), 2);
 * assertEquals(mean.length, 2);
 * await session.close();
 * ```
 *
 * @module
 */

import * as ort from "onnxruntime-web";
import { openWgslSession } from "./wgsl_session.ts";
import { openWasmSession, wasmEnsembleOf } from "./wasm_session.ts";
import type {
  CpuEngine,
  Device,
  DeviceOption,
  SessionOutput,
  SurrogateSession,
} from "./session.ts";
export type {
  CpuEngine,
  Device,
  DeviceOption,
  Provider,
  SessionOutput,
  SurrogateSession,
} from "./session.ts";

/**
 * The Web Worker constructor, taken before any session starts: onnxruntime-web's Node entry
 * replaces `globalThis.Worker` with Node's worker_threads class when it starts its wasm (for its
 * pthreads), and that class does not deliver `onmessage` replies, which would break every other
 * Web Worker of the process (the bench's cell workers, the GPU session's worker).
 */
const WebWorker: typeof Worker = globalThis.Worker;
let ortWorker: typeof Worker | undefined;

/**
 * Runs `f` (a session creation, which may start wasm threads) with onnxruntime's Worker class in
 * place, and puts the Web Worker class back afterwards.
 */
async function withOrtWorker<T>(f: () => Promise<T>): Promise<T> {
  if (ortWorker) globalThis.Worker = ortWorker;
  try {
    return await f();
  } finally {
    if (globalThis.Worker !== WebWorker) {
      ortWorker = globalThis.Worker;
      globalThis.Worker = WebWorker;
    }
  }
}

/** onnxruntime-web version in use. */
export const ORT_WEB_VERSION: string = ort.env.versions.web ?? "1.30.0";

/** Options of {@linkcode openSession}. */
export interface SessionOptions {
  /** Mixture length m (the model's input width). */
  inputs: number;
  /** Outputs per row k. */
  outputs: number;
  /** Where to run. @default {"cpu"} */
  device?: DeviceOption;
  /**
   * What runs a GPU session: `wgsl`, this suite's fused WGSL forward pass
   * (`wgsl_session.ts`; models written by `ensembleToOnnx`), or `ort`, onnxruntime-web's WebGPU
   * execution provider in a worker. @default {"wgsl"}
   */
  gpuEngine?: "wgsl" | "ort";
  /**
   * What runs a CPU session: `simd`, this suite's fused WebAssembly SIMD kernel
   * (`wasm_session.ts`; one thread, bit-identical to onnxruntime-web), or `ort`, onnxruntime-web's
   * WASM execution provider. A model the kernel does not cover (not written by `ensembleToOnnx`,
   * tanh activation, a layer of more than 128 inputs) runs on onnxruntime-web whichever is asked;
   * the session's `provider` says which ran.
   * @default {"simd"}
   */
  cpuEngine?: CpuEngine;
  /**
   * Threads of the CPU session. onnxruntime-web fixes its count at its first session of a
   * process; a later onnxruntime-web session asking for another count is refused (the SIMD
   * kernel takes any count per session: threads − 1 workers). @default {1}
   */
  threads?: number;
}

/** A WebGPU adapter as `navigator.gpu` reports it. */
export interface GpuAdapterInfo {
  /** Adapter description (or vendor id when there is none). */
  readonly name: string;
  /** Whether it is a software rasteriser (llvmpipe, lavapipe, SwiftShader). */
  readonly software: boolean;
}

/**
 * The WebGPU adapter of this process, or null when `navigator.gpu` gives none.
 *
 * @returns The adapter's name and whether it is a software one.
 */
export async function gpuAdapter(): Promise<GpuAdapterInfo | null> {
  const gpu = (navigator as { gpu?: GPU }).gpu;
  if (!gpu) return null;
  const adapter = await gpu.requestAdapter();
  if (!adapter) return null;
  const name = adapter.info.description || adapter.info.device || adapter.info.vendor || "gpu";
  const fallback = (adapter.info as { isFallbackAdapter?: boolean }).isFallbackAdapter === true;
  return { name, software: fallback || /llvmpipe|lavapipe|swiftshader|software/i.test(name) };
}

/**
 * Resolves a device option: `auto` → `gpu` when a hardware adapter is present, else `cpu`.
 *
 * @param option The requested device.
 * @param probe Finds the adapter (tests pass their own; the default asks `navigator.gpu`).
 * @returns The device to use.
 */
export async function resolveDevice(
  option: DeviceOption,
  probe: () => Promise<GpuAdapterInfo | null> = gpuAdapter,
): Promise<Device> {
  if (option !== "auto") return option;
  const adapter = await probe();
  return adapter && !adapter.software ? "gpu" : "cpu";
}

let wasmThreads: number | undefined;

/**
 * Opens a session on the CPU (onnxruntime-web WASM) or the GPU (the fused WGSL forward pass, or
 * onnxruntime-web WebGPU in a Worker).
 *
 * @param model ONNX bytes.
 * @param options Shape, device and threads.
 * @returns The open session.
 * @throws {RangeError} When the thread count differs from the one fixed earlier in the process.
 * @throws {Error} When `gpu` is asked for and no adapter is found.
 */
export async function openSession(
  model: Uint8Array,
  options: SessionOptions,
): Promise<SurrogateSession> {
  const device = await resolveDevice(options.device ?? "cpu");
  if (device === "gpu") {
    const adapter = await gpuAdapter();
    if (!adapter) throw new Error("Failed to get GPU adapter: navigator.gpu gave none");
    return (options.gpuEngine ?? "wgsl") === "ort"
      ? await openGpu(model, options, adapter.name)
      : await openWgslSession(model, options, adapter.name);
  }
  const threads = options.threads ?? 1;
  if (!Number.isInteger(threads) || threads < 1) {
    throw new RangeError(`Cannot open a session with "${threads}" threads: expected ≥ 1`);
  }
  if ((options.cpuEngine ?? "simd") === "simd" && typeof wasmEnsembleOf(model) !== "string") {
    return await openWasmSession(model, { ...options, threads });
  }
  if (wasmThreads !== undefined && wasmThreads !== threads) {
    throw new RangeError(
      `Cannot open a WASM session with ${threads} threads: onnxruntime-web already runs ` +
        `${wasmThreads} in this process`,
    );
  }
  ort.env.wasm.numThreads = threads;
  ort.env.logLevel = "error";
  wasmThreads = threads;
  const session = await withOrtWorker(() =>
    ort.InferenceSession.create(model, {
      executionProviders: ["wasm"],
      graphOptimizationLevel: "all",
    })
  );
  const { inputs, outputs } = options;
  // onnxruntime-web runs one inference at a time per session: overlapping calls wait their turn.
  let queue: Promise<unknown> = Promise.resolve();
  const runOne = async (rows: Float32Array, count: number): Promise<SessionOutput> => {
    const out = await session.run({
      mixture: new ort.Tensor("float32", rows.subarray(0, count * inputs), [count, inputs]),
    });
    return { mean: out.mean!.data as Float32Array, spread: out.spread!.data as Float32Array };
  };
  return {
    device: "cpu",
    provider: "wasm",
    adapter: "",
    inputs,
    outputs,
    run(rows, count) {
      const result = queue.then(() => runOne(rows, count));
      queue = result.catch(() => {});
      return result;
    },
    close: () => session.release(),
  };
}

interface WorkerReply {
  readonly type: "ready" | "result" | "error";
  readonly id?: number;
  readonly mean?: Float32Array;
  readonly spread?: Float32Array;
  readonly message?: string;
}

async function openGpu(
  model: Uint8Array,
  options: SessionOptions,
  adapter: string,
): Promise<SurrogateSession> {
  const worker = new WebWorker(new URL("./_ort_gpu_worker.ts", import.meta.url), {
    type: "module",
  });
  const pending = new Map<number, PromiseWithResolvers<SessionOutput>>();
  const ready = Promise.withResolvers<void>();
  let failed: Error | undefined;
  worker.onmessage = (e: MessageEvent<WorkerReply>) => {
    const r = e.data;
    if (r.type === "ready") return ready.resolve();
    const p = r.id !== undefined ? pending.get(r.id) : undefined;
    if (r.type === "error") {
      const err = new Error(`WebGPU session: ${r.message}`);
      if (p) {
        pending.delete(r.id!);
        p.reject(err);
      } else ready.reject(err);
      return;
    }
    if (p) {
      pending.delete(r.id!);
      p.resolve({ mean: r.mean!, spread: r.spread! });
    }
  };
  worker.onerror = (e: ErrorEvent) => {
    e.preventDefault();
    failed = new Error(`WebGPU worker failed: ${e.message}`);
    ready.reject(failed);
    for (const p of pending.values()) p.reject(failed);
    pending.clear();
  };
  worker.postMessage({ type: "init", model });
  try {
    await ready.promise;
  } catch (e) {
    worker.terminate();
    throw e;
  }
  let next = 0;
  const { inputs, outputs } = options;
  return {
    device: "gpu",
    provider: "webgpu",
    adapter,
    inputs,
    outputs,
    run(rows, count) {
      if (failed) return Promise.reject(failed);
      const id = next++;
      const p = Promise.withResolvers<SessionOutput>();
      pending.set(id, p);
      const copy = rows.slice(0, count * inputs);
      worker.postMessage({ type: "run", id, rows: copy, count, inputs }, [copy.buffer]);
      return p.promise;
    },
    close() {
      worker.terminate();
      return Promise.resolve();
    },
  };
}
