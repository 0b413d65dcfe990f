/**
 * Writes a fitted MLP ensemble ({@link MlpEnsemble}) as an ONNX model (opset 17, IR version 8)
 * with protobufjs and this suite's own schema subset (`_onnx_proto.ts`), and decodes such files
 * back for checks. The graph stacks the members' weights, so one batched MatMul per layer runs
 * every member:
 *
 * ```
 * mixture [N, m] ─(log features: Add ε, Log, Concat)─► features [N, F] ─► (f − shift)·scale
 *   ─► MatMul W₀ [E, F, H] ─► Add b₀ [E, 1, H] ─► SiLU (x·Sigmoid x) ─► … ─► members [E, N, K]
 * mean   = ReduceMean(members, axis 0) + offset          [N, K]
 * spread = √ReduceMean((members − mean over axis 0)², axis 0)  [N, K]
 * ```
 *
 * Same ensemble and options → byte-identical bytes (fields in schema order, float32 little-endian
 * raw data, metadata sorted by key).
 *
 * @example Write and decode a one-member ensemble
 * ```ts
 * import { decodeOnnx, ensembleToOnnx } from "./onnx_writer.ts";
 * import { fitEnsemble } from "../numerics/mlp.ts";
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * const xs = [[1, 0], [0, 1], [0.5, 0.5]];
 * const ens = fitEnsemble(xs, xs.map((w) => [w[0]!]), { members: 1, hidden: [4], epochs: 5 });
 * const model = decodeOnnx(ensembleToOnnx(ens));
 * assertEquals(model.outputs, ["mean", "spread"]);
 * assertEquals(model.initializers.get("W0")!.dims, [1, 4, 4]);
 * ```
 *
 * @module
 */

import type { DenseLayer, MlpEnsemble } from "../numerics/mlp.ts";
import { featureCount } from "../numerics/mlp.ts";
import { AttributeType, DataType, ModelProto } from "./_onnx_proto.ts";

/** ONNX opset of the written models. */
export const OPSET = 17;
/** ONNX IR version of the written models. */
export const IR_VERSION = 8;

/** Options of {@linkcode ensembleToOnnx}. */
export interface OnnxWriteOptions {
  /** Graph name. @default {"mlp_ensemble"} */
  name?: string;
  /** Model doc string. @default {""} */
  docString?: string;
  /** Producer version written in the model. @default {"1"} */
  producerVersion?: string;
  /** Metadata key/value pairs (written sorted by key). @default {{}} */
  metadata?: Readonly<Record<string, string>>;
}

/** A decoded initializer. */
export interface DecodedTensor {
  /** Shape. */
  readonly dims: readonly number[];
  /** Element type (1 = float). */
  readonly dataType: number;
  /** Values (float tensors only). */
  readonly data: Float32Array;
}

/** A decoded node. */
export interface DecodedNode {
  readonly opType: string;
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  /** Attribute values by name (ints as numbers). */
  readonly attributes: Readonly<Record<string, number | readonly number[]>>;
}

/** A decoded model, as far as this writer's subset goes. */
export interface DecodedModel {
  readonly irVersion: number;
  readonly opset: number;
  readonly producerName: string;
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  readonly nodes: readonly DecodedNode[];
  readonly initializers: ReadonlyMap<string, DecodedTensor>;
  readonly metadata: Readonly<Record<string, string>>;
}

interface Node {
  input: string[];
  output: string[];
  name: string;
  opType: string;
  attribute?: Record<string, unknown>[];
}

/**
 * Encodes an ensemble as ONNX bytes: input `mixture` [N, m] float, outputs `mean` and `spread`
 * [N, K] float.
 *
 * @param ensemble A fitted ensemble.
 * @param options Names and metadata.
 * @returns The serialised ModelProto.
 */
export function ensembleToOnnx(ensemble: MlpEnsemble, options: OnnxWriteOptions = {}): Uint8Array {
  const e = ensemble.members.length, m = ensemble.inputs, k = ensemble.outputs;
  const nodes: Node[] = [];
  const inits: Record<string, unknown>[] = [];
  const node = (opType: string, input: string[], output: string, attribute?: Node["attribute"]) =>
    nodes.push({
      input,
      output: [output],
      name: `${opType.toLowerCase()}_${nodes.length}`,
      opType,
      ...(attribute ? { attribute } : {}),
    });
  const tensor = (name: string, dims: number[], values: ArrayLike<number>) =>
    inits.push({ dims, dataType: DataType.FLOAT, name, rawData: float32Bytes(values) });
  const ints = (name: string, v: number[]) => ({ name, ints: v, type: AttributeType.INTS });
  const int = (name: string, v: number) => ({ name, i: v, type: AttributeType.INT });
  let h = "mixture";
  if (ensemble.features === "linear+log") {
    tensor("log_epsilon", [1], [ensemble.logEpsilon]);
    node("Add", ["mixture", "log_epsilon"], "shifted");
    node("Log", ["shifted"], "log_mixture");
    node("Concat", ["mixture", "log_mixture"], "features", [int("axis", 1)]);
    h = "features";
  }
  if (featureCount(ensemble.features, m) !== ensemble.members[0]![0]!.inputs) {
    throw new TypeError("Cannot write an ensemble whose first layer does not match its features");
  }
  tensor("feature_shift", [ensemble.featureShift.length], ensemble.featureShift);
  tensor("feature_scale", [ensemble.featureScale.length], ensemble.featureScale);
  node("Sub", [h, "feature_shift"], "centred");
  node("Mul", ["centred", "feature_scale"], "standardised");
  h = "standardised";
  const depth = ensemble.members[0]!.length;
  for (let l = 0; l < depth; l++) {
    const first = ensemble.members[0]![l]!;
    const ni = first.inputs, no = first.outputs;
    const w = new Float32Array(e * ni * no), b = new Float32Array(e * no);
    ensemble.members.forEach((layers, i) => {
      const L = layers[l]!;
      if (L.inputs !== ni || L.outputs !== no) {
        throw new TypeError(`Cannot write an ensemble whose members differ at layer ${l}`);
      }
      w.set(L.weight, i * ni * no);
      b.set(L.bias, i * no);
    });
    tensor(`W${l}`, [e, ni, no], w);
    tensor(`B${l}`, [e, 1, no], b);
    node("MatMul", [h, `W${l}`], `matmul${l}`);
    const z = l === depth - 1 ? "members" : `z${l}`;
    node("Add", [`matmul${l}`, `B${l}`], z);
    if (l < depth - 1) {
      if (ensemble.activation === "silu") {
        node("Sigmoid", [z], `sigmoid${l}`);
        node("Mul", [z, `sigmoid${l}`], `h${l}`);
      } else node("Tanh", [z], `h${l}`);
      h = `h${l}`;
    }
  }
  tensor("offset", [k], ensemble.offset);
  node("ReduceMean", ["members"], "member_mean", [ints("axes", [0]), int("keepdims", 0)]);
  node("Add", ["member_mean", "offset"], "mean");
  node("ReduceMean", ["members"], "member_center", [ints("axes", [0]), int("keepdims", 1)]);
  node("Sub", ["members", "member_center"], "deviation");
  node("Mul", ["deviation", "deviation"], "squared");
  node("ReduceMean", ["squared"], "variance", [ints("axes", [0]), int("keepdims", 0)]);
  node("Sqrt", ["variance"], "spread");
  const value = (name: string, dims: (number | string)[]) => ({
    name,
    type: {
      tensorType: {
        elemType: DataType.FLOAT,
        shape: {
          dim: dims.map((d) => typeof d === "number" ? { dimValue: d } : { dimParam: d }),
        },
      },
    },
  });
  const metadata = options.metadata ?? {};
  const model = {
    irVersion: IR_VERSION,
    producerName: "mixbench",
    producerVersion: options.producerVersion ?? "1",
    docString: options.docString ?? "",
    graph: {
      node: nodes,
      name: options.name ?? "mlp_ensemble",
      initializer: inits,
      input: [value("mixture", ["N", m])],
      output: [value("mean", ["N", k]), value("spread", ["N", k])],
    },
    opsetImport: [{ domain: "", version: OPSET }],
    metadataProps: Object.keys(metadata).sort().map((key) => ({ key, value: metadata[key]! })),
  };
  const problem = ModelProto.verify(model);
  if (problem) throw new TypeError(`Cannot encode the ONNX model: ${problem}`);
  return ModelProto.encode(ModelProto.fromObject(model)).finish();
}

/**
 * Decodes an ONNX file written by {@linkcode ensembleToOnnx} (fields outside this writer's
 * subset are skipped).
 *
 * @param bytes The serialised ModelProto.
 * @returns The decoded model.
 */
export function decodeOnnx(bytes: Uint8Array): DecodedModel {
  const o = ModelProto.toObject(ModelProto.decode(bytes), {
    longs: Number,
    bytes: Uint8Array,
    defaults: false,
    arrays: true,
  }) as {
    irVersion?: number;
    producerName?: string;
    opsetImport: { domain?: string; version?: number }[];
    metadataProps: { key: string; value: string }[];
    graph?: {
      node: { opType: string; input: string[]; output: string[]; attribute: Attr[] }[];
      initializer: { name: string; dims: number[]; dataType: number; rawData?: Uint8Array }[];
      input: { name: string }[];
      output: { name: string }[];
    };
  };
  const graph = o.graph ?? { node: [], initializer: [], input: [], output: [] };
  const initializers = new Map<string, DecodedTensor>();
  for (const t of graph.initializer) {
    const raw = t.rawData ?? new Uint8Array();
    const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
    const data = new Float32Array(raw.byteLength / 4);
    for (let i = 0; i < data.length; i++) data[i] = view.getFloat32(4 * i, true);
    initializers.set(t.name, { dims: t.dims, dataType: t.dataType, data });
  }
  return {
    irVersion: o.irVersion ?? 0,
    opset: o.opsetImport.find((s) => !s.domain)?.version ?? 0,
    producerName: o.producerName ?? "",
    inputs: graph.input.map((v) => v.name),
    outputs: graph.output.map((v) => v.name),
    nodes: graph.node.map((n) => ({
      opType: n.opType,
      inputs: n.input,
      outputs: n.output,
      attributes: Object.fromEntries(
        n.attribute.map((a) => [a.name, a.type === AttributeType.INTS ? a.ints : a.i ?? a.f ?? 0]),
      ),
    })),
    initializers,
    metadata: Object.fromEntries(o.metadataProps.map((p) => [p.key, p.value])),
  };
}

/**
 * Rebuilds the ensemble of a model written by {@linkcode ensembleToOnnx} (the inverse, with the
 * weights as the float32 values stored), for the TypeScript and WGSL forward passes.
 *
 * @example Round trip
 * ```ts
 * import { ensembleToOnnx, onnxToEnsemble } from "./onnx_writer.ts";
 * import { fitEnsemble } from "../numerics/mlp.ts";
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * const xs = [[1, 0], [0, 1], [0.5, 0.5]];
 * const ens = fitEnsemble(xs, xs.map((w) => [w[0]!]), { members: 2, hidden: [4], epochs: 5 });
 * const back = onnxToEnsemble(ensembleToOnnx(ens));
 * assertEquals([back.members.length, back.inputs, back.features], [2, 2, "linear+log"]);
 * ```
 * @param bytes The serialised ModelProto.
 * @returns The ensemble.
 * @throws {TypeError} When the model is not one this writer wrote (no stacked W0, B0).
 */
export function onnxToEnsemble(bytes: Uint8Array): MlpEnsemble {
  const model = decodeOnnx(bytes);
  const init = model.initializers;
  const shift = init.get("feature_shift"), scale = init.get("feature_scale");
  const offset = init.get("offset");
  if (!init.has("W0") || !init.has("B0") || !shift || !scale || !offset) {
    throw new TypeError(
      "Cannot read an ensemble from this ONNX model: expected the initializers W0, B0, " +
        "feature_shift, feature_scale and offset that ensembleToOnnx writes",
    );
  }
  const members: DenseLayer[][] = [];
  for (let l = 0; init.has(`W${l}`); l++) {
    const w = init.get(`W${l}`)!, b = init.get(`B${l}`)!;
    const [e, ni, no] = w.dims as [number, number, number];
    for (let i = 0; i < e; i++) {
      (members[i] ??= []).push({
        inputs: ni,
        outputs: no,
        weight: w.data.slice(i * ni * no, (i + 1) * ni * no),
        bias: b.data.slice(i * no, (i + 1) * no),
      });
    }
  }
  const log = init.get("log_epsilon");
  const f = shift.data.length;
  return {
    inputs: log ? f / 2 : f,
    outputs: offset.data.length,
    features: log ? "linear+log" : "linear",
    logEpsilon: log ? log.data[0]! : 1e-3,
    activation: model.nodes.some((n) => n.opType === "Sigmoid") ? "silu" : "tanh",
    members,
    featureShift: shift.data,
    featureScale: scale.data,
    offset: offset.data,
  };
}

interface Attr {
  name: string;
  type: number;
  i?: number;
  f?: number;
  ints: number[];
}

function float32Bytes(values: ArrayLike<number>): Uint8Array {
  const out = new Uint8Array(values.length * 4);
  const view = new DataView(out.buffer);
  for (let i = 0; i < values.length; i++) view.setFloat32(4 * i, values[i]!, true);
  return out;
}
