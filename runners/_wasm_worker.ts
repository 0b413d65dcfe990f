/**
 * Worker of a multi-threaded WebAssembly SIMD session (`wasm_session.ts`): its own instance of
 * the fused kernel. Messages: `init` (model bytes) → `ready` | `error`; `run` (id, float32 rows,
 * count) → `result` (id, mean, spread) | `error`.
 *
 * @module
 */

import { onnxToEnsemble } from "./onnx_writer.ts";
import { WasmEnsemble } from "./wasm_ensemble.ts";

type Message =
  | { readonly type: "init"; readonly model: Uint8Array }
  | {
    readonly type: "run";
    readonly id: number;
    readonly rows: Float32Array;
    readonly count: number;
  };

const scope = globalThis as unknown as {
  onmessage: (e: MessageEvent<Message>) => void;
  postMessage: (data: unknown, transfer?: Transferable[]) => void;
};

let kernel: WasmEnsemble | undefined;

scope.onmessage = (e) => {
  const msg = e.data;
  try {
    if (msg.type === "init") {
      kernel = new WasmEnsemble(onnxToEnsemble(msg.model));
      scope.postMessage({ type: "ready" });
      return;
    }
    const { mean, spread } = kernel!.predict(msg.rows, msg.count);
    scope.postMessage({ type: "result", id: msg.id, mean, spread }, [mean.buffer, spread.buffer]);
  } catch (err) {
    scope.postMessage({
      type: "error",
      ...(msg.type === "run" ? { id: msg.id } : {}),
      message: err instanceof Error ? err.message : String(err),
    });
  }
};
