import { assert, assertEquals, assertThrows } from "../_assert.ts";
import { fitEnsemble, predictEnsemble } from "../../numerics/mlp.ts";
import { dirichlet } from "../../numerics/stats/gamma.ts";
import { Rng } from "../../numerics/rng.ts";
import {
  decodeOnnx,
  ensembleToOnnx,
  IR_VERSION,
  onnxToEnsemble,
  OPSET,
} from "../../runners/onnx_writer.ts";
import { openSession } from "../../runners/ort_session.ts";

function draws(n: number, m: number, seed: number): number[][] {
  const rng = new Rng(seed);
  return Array.from({ length: n }, () => Array.from(dirichlet(rng, new Array(m).fill(0.5))));
}

const xs = draws(80, 6, 1);
const ens = fitEnsemble(xs, xs.map((w) => [4 + w[0]! - Math.log(w[1]! + 0.01)]), {
  members: 3,
  hidden: [16, 16],
  epochs: 30,
  seed: 2,
});

/** Top-level fields of a protobuf message: field number → wire type, read by hand. */
function topLevelFields(bytes: Uint8Array): Map<number, number> {
  const fields = new Map<number, number>();
  let i = 0;
  const varint = () => {
    let v = 0, shift = 0, b: number;
    do {
      b = bytes[i++]!;
      v += (b & 0x7f) * 2 ** shift;
      shift += 7;
    } while (b & 0x80);
    return v;
  };
  while (i < bytes.length) {
    const key = varint();
    const [field, wire] = [Math.floor(key / 8), key % 8];
    fields.set(field, wire);
    if (wire === 0) varint();
    else if (wire === 2) {
      const length = varint();
      i += length;
    } else if (wire === 5) i += 4;
    else if (wire === 1) i += 8;
    else throw new Error(`unexpected wire type ${wire}`);
  }
  return fields;
}

Deno.test("ensembleToOnnx() writes ModelProto fields at onnx.proto's numbers", () => {
  const bytes = ensembleToOnnx(ens, { metadata: { b: "2", a: "1" } });
  // ir_version = 1 (varint), producer_name = 2, producer_version = 3, doc_string = 6,
  // graph = 7, opset_import = 8, metadata_props = 14 (length-delimited).
  assertEquals(
    [...topLevelFields(bytes)].sort((a, b) => a[0] - b[0]),
    [[1, 0], [2, 2], [3, 2], [6, 2], [7, 2], [8, 2], [14, 2]],
  );
  assertEquals([bytes[0], bytes[1]], [0x08, IR_VERSION]);
});

Deno.test("decodeOnnx() reads back the graph, stacked weights and sorted metadata", () => {
  const model = decodeOnnx(ensembleToOnnx(ens, { metadata: { b: "2", a: "1" } }));
  assertEquals([model.irVersion, model.opset, model.producerName], [IR_VERSION, OPSET, "mixbench"]);
  assertEquals(model.inputs, ["mixture"]);
  assertEquals(model.outputs, ["mean", "spread"]);
  assertEquals(Object.keys(model.metadata), ["a", "b"]);
  const w1 = model.initializers.get("W1")!;
  assertEquals(w1.dims, [3, 16, 16]);
  for (let e = 0; e < 3; e++) {
    assertEquals(w1.data.subarray(e * 256, (e + 1) * 256), ens.members[e]![1]!.weight);
  }
  assertEquals(model.initializers.get("B2")!.dims, [3, 1, 1]);
  assertEquals(model.initializers.get("offset")!.data, ens.offset);
  const ops = model.nodes.map((n) => n.opType);
  assertEquals(ops.slice(0, 5), ["Add", "Log", "Concat", "Sub", "Mul"]);
  assertEquals(ops.filter((o) => o === "MatMul").length, 3);
  assertEquals(ops.filter((o) => o === "Sigmoid").length, 2);
  const reduce = model.nodes.find((n) => n.opType === "ReduceMean")!;
  assertEquals(reduce.attributes, { axes: [0], keepdims: 0 });
});

Deno.test("ensembleToOnnx() is byte-identical for the same ensemble and options", () => {
  const a = ensembleToOnnx(ens, { metadata: { seed: "1" } });
  const b = ensembleToOnnx(structuredClone(ens), { metadata: { seed: "1" } });
  assertEquals(a, b);
});

Deno.test("onnxruntime-web runs the written model within 1e-5 (relative) of the TypeScript forward pass", async () => {
  const rows = new Float64Array(draws(500, 6, 3).flat());
  const f32 = Float32Array.from(rows);
  const session = await openSession(ensembleToOnnx(ens), { inputs: 6, outputs: 1 });
  try {
    const out = await session.run(f32, 500);
    const ts = predictEnsemble(ens, Float64Array.from(f32));
    for (let i = 0; i < 500; i++) {
      const rel = Math.abs(out.mean[i]! - ts.mean[i]!) / Math.abs(ts.mean[i]!);
      assert(rel <= 1e-5, `row ${i}: relative error ${rel}`);
      assert(Math.abs(out.spread[i]! - ts.spread[i]!) <= 1e-5 * Math.abs(ts.mean[i]!));
    }
  } finally {
    await session.close();
  }
});

Deno.test("onnxToEnsemble() reads back the written ensemble, and refuses other models", () => {
  for (
    const e of [
      ens,
      fitEnsemble(xs, xs.map((w) => [w[2]!, 1 - w[3]!]), {
        members: 2,
        hidden: [5],
        epochs: 3,
        activation: "tanh",
        features: "linear",
      }),
    ]
  ) {
    const back = onnxToEnsemble(ensembleToOnnx(e));
    assertEquals(
      [back.inputs, back.outputs, back.features, back.activation, back.members.length],
      [e.inputs, e.outputs, e.features, e.activation, e.members.length],
    );
    if (e.features === "linear+log") assertEquals(back.logEpsilon, Math.fround(e.logEpsilon));
    back.members.forEach((layers, i) =>
      layers.forEach((l, j) => {
        const o = e.members[i]![j]!;
        assertEquals([l.inputs, l.outputs], [o.inputs, o.outputs]);
        assertEquals(Array.from(l.weight), Array.from(o.weight, Math.fround));
        assertEquals(Array.from(l.bias), Array.from(o.bias, Math.fround));
      })
    );
    const probe = new Float64Array(draws(20, 6, 3).flat());
    const a = predictEnsemble(e, probe).mean, b = predictEnsemble(back, probe).mean;
    a.forEach((v, i) => assert(Math.abs(v - b[i]!) <= 1e-5 * Math.abs(v) + 1e-6));
  }
  // A model without the writer's initializers (here: bytes of an empty ModelProto).
  assertThrows(() => onnxToEnsemble(new Uint8Array()), TypeError, /expected the initializers/);
});
