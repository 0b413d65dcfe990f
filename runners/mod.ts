/**
 * Runners (oracles) that answer methods' proposals: the replay runner (pool mode) and the
 * hybrid table/surrogate runner (continuous mode), with the ONNX writer, the onnxruntime-web
 * sessions (WASM on CPU, WebGPU on GPU) and the batched top-k scoring API; and the `train`
 * runner, whose answers are fresh training runs of the `minimix` environment (`train/`: corpus,
 * learner recipe, online session, merge proxy).
 *
 * @example
 * ```ts ignore
 * import { openSurrogateModels, ReplayRunner, SurrogateRunner } from "./mod.ts";
 * const runner = task.card.runner === "surrogate"
 *   ? new SurrogateRunner(task, await openSurrogateModels(task, { device: "cpu" }))
 *   : new ReplayRunner(task);
 * ```
 *
 * @module
 */

export { ReplayRunner } from "./replay.ts";
export {
  nearestDistance,
  type OpenModel,
  type OpenOptions,
  openSurrogateModels,
  type SurrogateModels,
  SurrogateRunner,
  type SurrogateSource,
  type SurrogateStats,
} from "./surrogate.ts";
export {
  gpuAdapter,
  type GpuAdapterInfo,
  openSession,
  ORT_WEB_VERSION,
  resolveDevice,
  type SessionOptions,
} from "./ort_session.ts";
export {
  type CpuEngine,
  type Device,
  type DeviceOption,
  type SessionOutput,
  type SurrogateSession,
} from "./session.ts";
export { sessionScorer, type SessionScorerOptions } from "./score.ts";
export { openWasmSession } from "./wasm_session.ts";
export { MAX_LAYER_INPUTS, WasmEnsemble, wasmUnsupported } from "./wasm_ensemble.ts";
export {
  type DecodedModel,
  type DecodedNode,
  type DecodedTensor,
  decodeOnnx,
  ensembleToOnnx,
  IR_VERSION,
  type OnnxWriteOptions,
  OPSET,
} from "./onnx_writer.ts";
export {
  type Gate,
  type HeldOutScores,
  type LoadedSurrogate,
  loadSurrogate,
  resolveCardPath,
  sha256,
  SURROGATE_SCHEMA,
  type SurrogateCard,
  type SurrogateReference,
} from "./surrogate_card.ts";
export {
  type CachedRun,
  DirRunCache,
  MemoryRunCache,
  type RunCache,
  runKey,
  runMetrics,
  TrainRunner,
  type TrainRunnerOptions,
} from "./train.ts";
export { freshRun, type RunResult, type RunSpec, Trainer } from "./train/env.ts";
export { type Corpus, CorpusPackageError, DOMAINS, loadCorpus } from "./train/corpus.ts";
export { FIDELITIES, type TrainFidelity } from "./train/fidelities.ts";
export { OnlineSession, type StepReport } from "./train/online.ts";
export { buildMergeProxy, type MergeProxy } from "./train/merge.ts";
