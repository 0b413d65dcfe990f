/**
 * A CPU surrogate session on this suite's fused WebAssembly SIMD forward pass
 * (`wasm_ensemble.ts`) instead of onnxruntime-web's WASM execution provider: the ONNX file is
 * read back into its ensemble (`onnxToEnsemble`) and scored on the calling thread, bit for bit
 * as onnxruntime-web scores it. It needs no permission (the module is generated in memory, no
 * file is read and no worker started), so it runs in the sandboxed cell processes as is.
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

/**
 * Opens a session on the fused kernel.
 *
 * @param model ONNX bytes of a model written by `ensembleToOnnx`.
 * @param shape Mixture length and outputs per row (checked against the model).
 * @returns The open session (device `cpu`, provider `simd`).
 * @throws {TypeError} When the kernel cannot score the model, or its shape differs from `shape`.
 */
export function openWasmSession(
  model: Uint8Array,
  shape: { inputs: number; outputs: number },
): SurrogateSession {
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
  return {
    device: "cpu",
    provider: "simd",
    adapter: "",
    inputs,
    outputs,
    run(rows: Float32Array, count: number): Promise<SessionOutput> {
      try {
        return Promise.resolve(kernel.predict(rows, count));
      } catch (e) {
        return Promise.reject(e);
      }
    },
    close: () => Promise.resolve(),
  };
}
