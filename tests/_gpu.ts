/**
 * The GPU adapter GPU tests run on. A software adapter (Mesa llvmpipe/lavapipe, SwiftShader)
 * runs WGSL correctly but 100–1000× slower than a GPU, so tests skip it unless
 * `MIXBENCH_GPU_TESTS=software` asks for it (CI does, for one small bounded check; see
 * `.ci/run`). `MIXBENCH_GPU_TESTS=off` skips every GPU test.
 *
 * The adapter is probed in a child process: `deno test --parallel` runs test modules as isolates
 * of one process, and WebGPU instances created by several of them on a software Vulkan driver
 * have corrupted the heap at process exit (glibc "corrupted size vs. prev_size", seen in CI after
 * every test had passed). The test process touches WebGPU only when a test will run on it.
 */

import type { GpuAdapterInfo } from "../runners/ort_session.ts";

/** The adapter to test on and, when there is none, why the GPU tests are skipped. */
export interface TestAdapter {
  readonly adapter: GpuAdapterInfo | null;
  readonly skip: string;
}

let probed: Promise<GpuAdapterInfo | null> | undefined;

/**
 * Asks a child `deno` process which WebGPU adapter this machine has.
 *
 * @returns The adapter, or null when there is none (or the probe fails).
 */
export function probeAdapter(): Promise<GpuAdapterInfo | null> {
  probed ??= (async () => {
    const module = new URL("../runners/ort_session.ts", import.meta.url).href;
    const code = `import { gpuAdapter } from "${module}";\n` +
      "console.log(JSON.stringify(await gpuAdapter()));";
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["eval", code],
      stdout: "piped",
      stderr: "null",
    }).output();
    if (!out.success) return null;
    const lines = new TextDecoder().decode(out.stdout).trim().split("\n");
    return JSON.parse(lines.at(-1) ?? "null") as GpuAdapterInfo | null;
  })();
  return probed;
}

/**
 * Finds the adapter GPU tests may use.
 *
 * @returns The adapter (null when the tests are skipped) and the reason for skipping.
 */
export async function testAdapter(): Promise<TestAdapter> {
  const mode = Deno.env.get("MIXBENCH_GPU_TESTS") ?? "hardware";
  if (mode === "off") return { adapter: null, skip: "MIXBENCH_GPU_TESTS=off" };
  const adapter = await probeAdapter();
  if (!adapter) return { adapter: null, skip: "navigator.gpu gives no adapter" };
  if (adapter.software && mode !== "software") {
    return {
      adapter: null,
      skip: `software adapter ${adapter.name}; set MIXBENCH_GPU_TESTS=software to run on it`,
    };
  }
  return { adapter, skip: "" };
}
