/**
 * The GPU adapter GPU tests run on. A software adapter (Mesa llvmpipe/lavapipe, SwiftShader)
 * runs WGSL correctly but 100–1000× slower than a GPU, so tests skip it unless
 * `MIXBENCH_GPU_TESTS=software` asks for it (CI does, for one small bounded check; see
 * `.ci/run`). `MIXBENCH_GPU_TESTS=off` skips every GPU test.
 */

import { gpuAdapter, type GpuAdapterInfo } from "../runners/ort_session.ts";

/** The adapter to test on and, when there is none, why the GPU tests are skipped. */
export interface TestAdapter {
  readonly adapter: GpuAdapterInfo | null;
  readonly skip: string;
}

/**
 * Finds the adapter GPU tests may use.
 *
 * @returns The adapter (null when the tests are skipped) and the reason for skipping.
 */
export async function testAdapter(): Promise<TestAdapter> {
  const mode = Deno.env.get("MIXBENCH_GPU_TESTS") ?? "hardware";
  if (mode === "off") return { adapter: null, skip: "MIXBENCH_GPU_TESTS=off" };
  const adapter = await gpuAdapter();
  if (!adapter) return { adapter: null, skip: "navigator.gpu gives no adapter" };
  if (adapter.software && mode !== "software") {
    return {
      adapter: null,
      skip: `software adapter ${adapter.name}; set MIXBENCH_GPU_TESTS=software to run on it`,
    };
  }
  return { adapter, skip: "" };
}
