/**
 * The surrogate session interface that every engine implements (onnxruntime-web WASM or WebGPU
 * in `ort_session.ts`, the fused WebAssembly SIMD kernel in `wasm_session.ts`, the fused WGSL
 * pass in `wgsl_session.ts`), in a module of its own so the engines depend on it and not on each
 * other.
 *
 * @module
 */

import type { Selection, SelectSpec } from "./wgsl_select.ts";

/** Where a session runs. */
export type Device = "cpu" | "gpu";

/** What scores a session (see {@linkcode SurrogateSession.provider}). */
export type Provider = "wasm" | "webgpu" | "wgsl" | "simd";

/**
 * What scores a CPU session: `simd`, this suite's fused WebAssembly SIMD kernel
 * (`wasm_ensemble.ts`, bit-identical to onnxruntime-web), or `ort`, onnxruntime-web's WASM
 * execution provider (the reference engine).
 */
export type CpuEngine = "simd" | "ort";

/** A device choice: `auto` = a hardware GPU when there is one, else the CPU. */
export type DeviceOption = Device | "auto";

/** Predictions for a chunk of rows, `[count][outputs]` row-major. */
export interface SessionOutput {
  /** Ensemble mean. */
  readonly mean: Float32Array;
  /** Ensemble spread. */
  readonly spread: Float32Array;
}

/** An open surrogate session. */
export interface SurrogateSession {
  /** Where it runs. */
  readonly device: Device;
  /**
   * What scores: onnxruntime's `wasm` or `webgpu` execution provider, `simd` (the fused
   * WebAssembly SIMD forward pass) or `wgsl` (the fused WGSL forward pass of the same model).
   */
  readonly provider: Provider;
  /** GPU adapter name (GPU sessions), or "" on CPU. */
  readonly adapter: string;
  /** Mixture length. */
  readonly inputs: number;
  /** Outputs per row. */
  readonly outputs: number;
  /**
   * Scores `count` rows of `rows` (row-major, float32). Calls may overlap; each resolves with
   * its own rows' predictions.
   */
  run(rows: Float32Array, count: number): Promise<SessionOutput>;
  /**
   * Scores `count` rows and returns only those whose signed score sign·(mean + κ·spread) of one
   * column may be below `spec.bound` (a superset of the rows that are), in row order — the
   * candidates of a top-k scan, selected on the device. Present on WGSL sessions.
   */
  runBelow?(rows: Float32Array, count: number, spec: SelectSpec): Promise<Selection>;
  /**
   * Scores `count` rows as {@linkcode run} does (the same predictions, bit for bit) on worker
   * threads only, returning at once, so that the calling thread is free for other work while
   * they score — a top-k scan's next draws. Present on multi-threaded SIMD sessions.
   */
  runOffThread?(rows: Float32Array, count: number): Promise<SessionOutput>;
  /** Releases the session (and ends the GPU worker). */
  close(): Promise<void>;
}
