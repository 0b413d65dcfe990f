/**
 * A GPU surrogate session on this suite's fused WGSL forward pass (`wgsl_ensemble.ts`) instead
 * of onnxruntime-web's WebGPU execution provider: the ONNX file is read back into its ensemble
 * (`onnxToEnsemble`) and scored by one compute dispatch per chunk (the register-tiled kernel
 * where the shapes allow it). On an H100 this runs the 19-input surrogate at 27% of torch fp32,
 * where onnxruntime-web's WebGPU provider reaches ~1–3% (README, "GPU scoring"). Runs on the
 * calling thread: unlike onnxruntime-web's WebGPU entry it starts no wasm threads. `runBelow`
 * selects the candidates of a top-k scan on the GPU (`wgsl_select.ts`).
 *
 * @module
 */

import { onnxToEnsemble } from "./onnx_writer.ts";
import type { SessionOutput, SurrogateSession } from "./session.ts";
import { requestDevice, WgslEnsemble } from "./wgsl_ensemble.ts";
import { type Selection, type SelectSpec, WgslSelector } from "./wgsl_select.ts";

/**
 * Opens a WGSL session on a model written by `ensembleToOnnx`.
 *
 * @param model ONNX bytes.
 * @param shape Mixture length and outputs per row (checked against the model).
 * @param adapter Name of the GPU adapter, for the session's record.
 * @returns The open session.
 * @throws {TypeError} When the model is not an ensemble `ensembleToOnnx` wrote, or its shape
 *   differs from `shape`.
 * @throws {Error} When no GPU adapter is available.
 */
export async function openWgslSession(
  model: Uint8Array,
  shape: { inputs: number; outputs: number },
  adapter: string,
): Promise<SurrogateSession> {
  const ensemble = onnxToEnsemble(model);
  if (ensemble.inputs !== shape.inputs || ensemble.outputs !== shape.outputs) {
    throw new TypeError(
      `Cannot open the WGSL session: the model maps ${ensemble.inputs} inputs to ` +
        `${ensemble.outputs} outputs, expected ${shape.inputs} to ${shape.outputs}`,
    );
  }
  const device = await requestDevice();
  const gpu = await WgslEnsemble.create(ensemble, device);
  const selector = await WgslSelector.create(device);
  const { inputs, outputs } = shape;
  return {
    device: "gpu",
    provider: "wgsl",
    adapter,
    inputs,
    outputs,
    run(rows: Float32Array, count: number): Promise<SessionOutput> {
      return gpu.predict(rows.subarray(0, count * inputs));
    },
    async runBelow(rows: Float32Array, count: number, spec: SelectSpec): Promise<Selection> {
      const input = gpu.upload(rows.subarray(0, count * inputs));
      try {
        return await selector.select(gpu, input, count, spec);
      } finally {
        input.destroy();
      }
    },
    close() {
      selector.destroy();
      gpu.destroy();
      device.destroy();
      return Promise.resolve();
    },
  };
}
