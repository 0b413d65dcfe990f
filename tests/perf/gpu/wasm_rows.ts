/**
 * The CPU baseline of the GPU benchmark: rows/s of onnxruntime-web WASM (its Node entry, SIMD,
 * `numThreads` = THREADS, default every core) scoring the benchmark rows through the benchmark
 * ensemble's ONNX file, both prepared by `prepare.ts` into DIR (default `.gpu`). Runs with
 * `--no-config --node-modules-dir=manual` on a machine without network or the project's
 * node_modules; checks the ONNX output against the TypeScript forward pass first.
 *
 * Usage: deno run -A --no-config --node-modules-dir=manual tests/perf/gpu/wasm_rows.ts OUT_DIR
 * [ROWS] [THREADS] [DIR]
 *
 * @module
 */

import { predictEnsemble } from "../../../numerics/mlp.ts";
import { benchModel, maxRelativeError, WIDTH } from "./_ensemble.ts";

/** The part of onnxruntime-web this script uses. */
interface OrtModule {
  env: { wasm: { numThreads: number } };
  Tensor: new (type: "float32", data: Float32Array, dims: number[]) => unknown;
  InferenceSession: {
    create(model: Uint8Array, options: Record<string, unknown>): Promise<{
      run(feeds: Record<string, unknown>): Promise<Record<string, { data: Float32Array }>>;
    }>;
  };
}

const out = Deno.args[0] ?? "out/gpu";
const rows = Number(Deno.args[1] ?? 1_000_000);
const threads = Number(Deno.args[2] ?? navigator.hardwareConcurrency);
const dir = await Deno.realPath(Deno.args[3] ?? ".gpu");
const CHUNK = 65_536;
await Deno.mkdir(out, { recursive: true });

const ort = await import(
  new URL(`file://${dir}/ort/node_modules/onnxruntime-web/dist/ort.node.min.mjs`).href
) as OrtModule;
ort.env.wasm.numThreads = threads;
const { ensemble, data } = benchModel(rows);
const session = await ort.InferenceSession.create(await Deno.readFile(`${dir}/ensemble.onnx`), {
  executionProviders: ["wasm"],
  graphOptimizationLevel: "all",
});
const score = async (from: number, count: number) =>
  (await session.run({
    mixture: new ort.Tensor("float32", data.subarray(from * WIDTH, (from + count) * WIDTH), [
      count,
      WIDTH,
    ]),
  })).mean!.data;

const probeRows = Math.min(4096, rows);
const maxError = maxRelativeError(
  await score(0, probeRows),
  predictEnsemble(ensemble, data.subarray(0, probeRows * WIDTH)).mean,
);
if (!(maxError <= 1e-5)) throw new Error(`ONNX output differs from the forward pass: ${maxError}`);
const pass = async () => {
  const t0 = performance.now();
  for (let r = 0; r < rows; r += CHUNK) await score(r, Math.min(CHUNK, rows - r));
  return performance.now() - t0;
};
await pass(); // warm-up
const times = [await pass(), await pass(), await pass()].sort((a, b) => a - b);
const result = {
  runtime: "onnxruntime-web 1.30.0 WASM (Node entry, SIMD, threaded)",
  threads,
  cores: navigator.hardwareConcurrency,
  rows,
  chunk: CHUNK,
  maxRelativeError: maxError,
  ms: times[1]!,
  rowsPerSec: rows / (times[1]! / 1000),
};
console.log(JSON.stringify(result, null, 2));
await Deno.writeTextFile(`${out}/wasm.json`, JSON.stringify(result, null, 2));
