import { assert, assertEquals, assertRejects, assertThrows } from "../_assert.ts";
import { dirichlet } from "../../numerics/stats/gamma.ts";
import { fitEnsemble, type MlpEnsemble, predictEnsemble } from "../../numerics/mlp.ts";
import { Rng } from "../../numerics/rng.ts";
import { ensembleToOnnx, onnxToEnsemble } from "../../runners/onnx_writer.ts";
import { openSession } from "../../runners/ort_session.ts";
import { openWasmSession } from "../../runners/wasm_session.ts";
import type { SurrogateSession } from "../../runners/session.ts";
import { sessionScorer } from "../../runners/score.ts";
import { dirichletSampler, scoreTopK } from "../../numerics/topk.ts";
import { WasmEnsemble, wasmUnsupported } from "../../runners/wasm_ensemble.ts";

/** Random mixtures: Dirichlet draws at several concentrations, plus the vertices and the centre. */
function mixtures(m: number, rows: number, seed: number): Float32Array {
  const rng = new Rng(seed);
  const out = new Float32Array(rows * m);
  const x = new Float64Array(m);
  for (let r = 0; r < rows; r++) {
    if (r < m) out[r * m + r] = 1;
    else if (r === m) out.fill(1 / m, r * m, (r + 1) * m);
    else out.set(dirichlet(rng, new Array(m).fill([0.05, 0.3, 1, 5][r % 4]!), x), r * m);
  }
  return out;
}

/** Scores the rows with onnxruntime-web and with the fused kernel; asserts equal bits. */
async function sameBits(model: Uint8Array, rows: Float32Array, count: number): Promise<void> {
  const e = onnxToEnsemble(model);
  const ort = await openSession(model, { inputs: e.inputs, outputs: e.outputs, cpuEngine: "ort" });
  const simd = await openSession(model, { inputs: e.inputs, outputs: e.outputs });
  try {
    assertEquals([ort.provider, simd.provider], ["wasm", "simd"]);
    const a = await ort.run(rows, count), b = await simd.run(rows, count);
    assertEquals(b.mean.length, count * e.outputs);
    let differ = 0;
    for (let i = 0; i < count * e.outputs; i++) {
      if (!Object.is(a.mean[i], b.mean[i]) || !Object.is(a.spread[i], b.spread[i])) differ++;
    }
    assertEquals(differ, 0, `${differ} of ${count * e.outputs} predictions differ`);
    // A chunk of one row: onnxruntime sums it in its GEMV kernel's order, and so must the kernel.
    for (let r = 0; r < 24; r++) {
      const row = rows.subarray(r * e.inputs, (r + 1) * e.inputs);
      const [x, y] = [await ort.run(row, 1), await simd.run(row, 1)];
      assertEquals([...y.mean, ...y.spread], [...x.mean, ...x.spread], `row ${r} alone`);
    }
  } finally {
    await ort.close();
    await simd.close();
  }
}

for (const name of ["regmix_pile-1M-pile_cc_loss", "olmix_superswarm-30M-mean_bpb"]) {
  Deno.test(`the fused WebAssembly kernel scores ${name} bit-identically to onnxruntime-web`, async () => {
    const model = await Deno.readFile(
      new URL(`../../runners/surrogates/${name}.onnx`, import.meta.url),
    );
    const m = onnxToEnsemble(model).inputs;
    // An odd count: the kernel takes rows in pairs.
    await sameBits(model, mixtures(m, 1001, 3), 1001);
  });
}

Deno.test("the fused kernel matches onnxruntime-web on linear features, 2 outputs and odd widths", async () => {
  const m = 5, rng = new Rng(8);
  const xs = Array.from({ length: 60 }, () => Array.from(dirichlet(rng, new Array(m).fill(0.7))));
  const ys = xs.map((w) => [w[0]! - w[1]! * w[2]!, Math.log(w[4]! + 0.01)]);
  // Hidden widths 20 (a 16-column block and a 4-column one) and 6 (padded to 8).
  const ens = fitEnsemble(xs, ys, {
    members: 3,
    hidden: [20, 6],
    features: "linear",
    epochs: 15,
    seed: 2,
  });
  await sameBits(ensembleToOnnx(ens), mixtures(m, 77, 4), 77);
  const log = fitEnsemble(xs, ys, { members: 2, hidden: [36], epochs: 10, seed: 5 });
  await sameBits(ensembleToOnnx(log), mixtures(m, 50, 6), 49);
});

Deno.test("the fused kernel matches onnxruntime-web when sums are zeros of either sign", async () => {
  // An output column of −0 weights after a layer of positive activations sums only −0 products:
  // +0 from MLAS's +0 start, −0 from the first product. With a nonzero bias the kernel starts at
  // the first product (the bias absorbs the zero's sign); with a ±0 bias it must start at +0, or
  // the mean (offset −0) would come out −0 where onnxruntime-web gives +0.
  const m = 4, rng = new Rng(21);
  const xs = Array.from({ length: 40 }, () => Array.from(dirichlet(rng, new Array(m).fill(0.6))));
  const base = fitEnsemble(xs, xs.map((w) => [w[0]! - w[2]!]), {
    members: 2,
    hidden: [8, 8],
    epochs: 8,
    seed: 4,
  });
  const zeroSums = (bias: number): MlpEnsemble => {
    const e = onnxToEnsemble(ensembleToOnnx(base));
    for (const [h, out] of e.members.map((ls) => [ls[1]!, ls[2]!] as const)) {
      h.bias.fill(50);
      out.weight.fill(-0);
      out.bias.fill(bias);
    }
    e.offset.fill(-0);
    return e;
  };
  for (const bias of [0.25, -0, 0]) {
    await sameBits(ensembleToOnnx(zeroSums(bias)), mixtures(m, 63, 2), 63);
  }
});

Deno.test("WasmEnsemble agrees with the float64 TypeScript forward pass within 1e-5 relative", () => {
  const m = 4, rng = new Rng(12);
  const xs = Array.from({ length: 40 }, () => Array.from(dirichlet(rng, new Array(m).fill(0.5))));
  const ens = fitEnsemble(xs, xs.map((w) => [2 + w[0]! - w[3]!]), {
    members: 4,
    hidden: [16, 16],
    epochs: 10,
    seed: 1,
  });
  const rows = mixtures(m, 31, 9);
  const got = new WasmEnsemble(onnxToEnsemble(ensembleToOnnx(ens))).predict(rows, 31);
  const ref = predictEnsemble(ens, Float64Array.from(rows));
  for (let i = 0; i < 31; i++) {
    assert(Math.abs(got.mean[i]! - ref.mean[i]!) <= 1e-5 * Math.abs(ref.mean[i]!), `row ${i}`);
    assert(Math.abs(got.spread[i]! - ref.spread[i]!) <= 1e-5 * Math.abs(ref.mean[i]!));
  }
});

Deno.test("the fused kernel refuses tanh ensembles, and openSession() gives them to onnxruntime-web", async () => {
  const xs = [[1, 0], [0, 1], [0.5, 0.5]];
  const tanh: MlpEnsemble = fitEnsemble(xs, xs.map((w) => [w[0]!]), {
    members: 2,
    hidden: [4],
    epochs: 3,
    activation: "tanh",
  });
  assertEquals(wasmUnsupported(tanh), 'its activation is "tanh", not "silu"');
  assertThrows(() => new WasmEnsemble(tanh), TypeError, /activation is "tanh"/);
  const session = await openSession(ensembleToOnnx(tanh), { inputs: 2, outputs: 1 });
  assertEquals(session.provider, "wasm");
  await session.close();
});

Deno.test("openWasmSession() refuses a model of another shape", async () => {
  const xs = [[1, 0], [0, 1], [0.5, 0.5]];
  const ens = fitEnsemble(xs, xs.map((w) => [w[0]!]), { members: 2, hidden: [4], epochs: 3 });
  await assertRejects(
    () => openWasmSession(ensembleToOnnx(ens), { inputs: 3, outputs: 1 }),
    TypeError,
    /maps 2 inputs to 1 outputs, expected 3 to 1/,
  );
});

Deno.test("a two-thread SIMD session scores as the one-thread one, rows split across a worker", async () => {
  const model = await Deno.readFile(
    new URL("../../runners/surrogates/regmix_pile-1M-pile_cc_loss.onnx", import.meta.url),
  );
  const m = 17, rows = mixtures(m, 2001, 5);
  const one = await openWasmSession(model, { inputs: m, outputs: 1 });
  const two = await openWasmSession(model, { inputs: m, outputs: 1, threads: 2 });
  try {
    const [a, b, c] = await Promise.all([
      one.run(rows, 2001),
      two.run(rows, 2001),
      two.run(rows.subarray(m), 1999),
    ]);
    assertEquals(Array.from(b.mean), Array.from(a.mean));
    assertEquals(Array.from(b.spread), Array.from(a.spread));
    assertEquals(Array.from(c.mean), Array.from(a.mean.subarray(1, 2000)));
    assertEquals(one.runOffThread, undefined);
    for (const n of [2001, 2000, 300, 3, 1]) {
      const [off, ref] = [await two.runOffThread!(rows, n), await one.run(rows, n)];
      assertEquals(Array.from(off.mean), Array.from(ref.mean), `${n} rows`);
      assertEquals(Array.from(off.spread), Array.from(ref.spread), `${n} rows`);
    }
  } finally {
    await one.close();
    await two.close();
  }
});

Deno.test("a top-k scan over a three-thread SIMD session (off the calling thread) picks what the one-thread one does", async () => {
  const model = await Deno.readFile(
    new URL("../../runners/surrogates/regmix_pile-1M-pile_cc_loss.onnx", import.meta.url),
  );
  const one = await openWasmSession(model, { inputs: 17, outputs: 1 });
  const three = await openWasmSession(model, { inputs: 17, outputs: 1, threads: 3 });
  try {
    const scan = (s: SurrogateSession) =>
      scoreTopK(sessionScorer(s), dirichletSampler(new Array(17).fill(0.5), new Rng(4)), {
        total: 5001,
        chunk: 1024,
        k: 7,
      });
    const [a, b] = [await scan(one), await scan(three)];
    assertEquals(b.values, a.values);
    assertEquals(b.mixtures, a.mixtures);
    assertEquals(b.scored, 5001);
  } finally {
    await one.close();
    await three.close();
  }
});
