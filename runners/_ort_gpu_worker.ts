/**
 * Worker of the WebGPU session: onnxruntime-web's WebGPU entry, one wasm thread, wasm files
 * loaded from the package's dist folder. Messages: `init` (model bytes) → `ready` | `error`;
 * `run` (id, float32 rows, count) → `result` (id, mean, spread) | `error`, handled one at a time
 * in arrival order.
 *
 * @module
 */

import type * as OrtWeb from "onnxruntime-web/webgpu";

interface InitMessage {
  readonly type: "init";
  readonly model: Uint8Array;
}

interface RunMessage {
  readonly type: "run";
  readonly id: number;
  readonly rows: Float32Array;
  readonly count: number;
  readonly inputs: number;
}

const scope = globalThis as unknown as {
  onmessage: (e: MessageEvent<InitMessage | RunMessage>) => void;
  postMessage: (data: unknown, transfer?: Transferable[]) => void;
};

// onnxruntime-web resolves its own file URL against `location.origin`, which is the string
// "null" in a Deno worker started from a file (an invalid base URL); without a location it takes
// `wasmPaths` as given, as in Deno's main thread.
Object.defineProperty(globalThis, "location", { value: undefined, configurable: true });
const dist = new URL(".", import.meta.resolve("onnxruntime-web/webgpu"));
const ort: typeof OrtWeb = await import("onnxruntime-web/webgpu");
ort.env.wasm.numThreads = 1;
ort.env.wasm.wasmPaths = dist.href;
ort.env.logLevel = "error";

let session: OrtWeb.InferenceSession | undefined;

// onnxruntime-web runs one inference at a time per session: messages are handled in order, each
// after the previous one has finished.
let queue: Promise<void> = Promise.resolve();
scope.onmessage = (e) => {
  queue = queue.then(() => handle(e.data));
};

async function handle(msg: InitMessage | RunMessage): Promise<void> {
  try {
    if (msg.type === "init") {
      session = await ort.InferenceSession.create(msg.model, {
        executionProviders: ["webgpu"],
        graphOptimizationLevel: "all",
      });
      scope.postMessage({ type: "ready" });
      return;
    }
    if (!session) throw new Error("The WebGPU session is not initialised");
    const out = await session.run({
      mixture: new ort.Tensor("float32", msg.rows.subarray(0, msg.count * msg.inputs), [
        msg.count,
        msg.inputs,
      ]),
    });
    const mean = Float32Array.from(out.mean!.data as Float32Array);
    const spread = Float32Array.from(out.spread!.data as Float32Array);
    scope.postMessage({ type: "result", id: msg.id, mean, spread }, [mean.buffer, spread.buffer]);
  } catch (err) {
    scope.postMessage({
      type: "error",
      id: msg.type === "run" ? msg.id : -1,
      message: err instanceof Error ? err.message : String(err),
    });
  }
}
