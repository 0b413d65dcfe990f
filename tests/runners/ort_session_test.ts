import { assert, assertEquals, assertRejects } from "../_assert.ts";
import { dirichlet } from "../../numerics/stats/gamma.ts";
import { fitEnsemble, predictEnsemble } from "../../numerics/mlp.ts";
import { Rng } from "../../numerics/rng.ts";
import { ensembleToOnnx } from "../../runners/onnx_writer.ts";
import { openSession, resolveDevice } from "../../runners/ort_session.ts";
import { testAdapter } from "../_gpu.ts";

// The surrogates' architecture (log features, two SiLU layers of 64, 5 members), kept small in
// training so the test stays fast.
const m = 17;
const rng = new Rng(11);
const xs = Array.from({ length: 120 }, () => Array.from(dirichlet(rng, new Array(m).fill(0.4))));
const ens = fitEnsemble(xs, xs.map((w) => [5 + w[0]! - Math.log(w[1]! + 0.01) / 4]), {
  members: 5,
  hidden: [64, 64],
  epochs: 10,
  seed: 3,
});
const model = ensembleToOnnx(ens);
const rows = 256;
const input = new Float32Array(rows * m);
const x = new Float64Array(m);
for (let r = 0; r < rows; r++) input.set(dirichlet(rng, new Array(m).fill(0.5), x), r * m);

const { adapter, skip } = await testAdapter();

for (const engine of ["wgsl", "ort"] as const) {
  const what = engine === "wgsl" ? "the fused WGSL pass" : "onnxruntime WebGPU";
  Deno.test({
    name: adapter
      ? `CPU (WASM) and GPU (${what} on ${adapter.name}) sessions agree within 1e-4 relative`
      : `CPU and GPU (${what}) sessions agree (skipped: ${skip})`,
    ignore: adapter === null,
    async fn() {
      const cpu = await openSession(model, {
        inputs: m,
        outputs: 1,
        device: "cpu",
        cpuEngine: "ort",
      });
      const gpu = await openSession(model, {
        inputs: m,
        outputs: 1,
        device: "gpu",
        gpuEngine: engine,
      });
      try {
        assertEquals([cpu.provider, gpu.provider], ["wasm", engine === "wgsl" ? "wgsl" : "webgpu"]);
        assertEquals(gpu.adapter, adapter!.name);
        // Two chunks at once, the second shorter than its buffer: each resolves with its rows.
        const half = rows / 2;
        const [a, b, c] = await Promise.all([
          cpu.run(input, rows),
          gpu.run(input, half),
          gpu.run(input.subarray(half * m), half - 3),
        ]);
        assertEquals([b.mean.length, c.mean.length], [half, half - 3]);
        const g = {
          mean: Float32Array.from([...b.mean, ...c.mean]),
          spread: Float32Array.from([...b.spread, ...c.spread]),
        };
        const ts = predictEnsemble(ens, Float64Array.from(input)).mean;
        let worst = 0;
        for (let i = 0; i < rows - 3; i++) {
          worst = Math.max(worst, Math.abs(a.mean[i]! - g.mean[i]!) / Math.abs(a.mean[i]!));
          assert(Math.abs(a.spread[i]! - g.spread[i]!) <= 1e-4 * Math.abs(a.mean[i]!));
          assert(Math.abs(g.mean[i]! - ts[i]!) <= 1e-4 * Math.abs(ts[i]!));
        }
        assert(worst <= 1e-4, `largest relative CPU/GPU difference ${worst}`);
      } finally {
        await gpu.close();
        await cpu.close();
      }
    },
  });
}

Deno.test({
  name: "a WGSL session refuses a model of another shape",
  ignore: adapter === null,
  async fn() {
    await assertRejects(
      () => openSession(model, { inputs: m + 1, outputs: 1, device: "gpu" }),
      TypeError,
      /maps 17 inputs to 1 outputs, expected 18 to 1/,
    );
  },
});

Deno.test("resolveDevice() keeps cpu and gpu, and takes auto to a hardware GPU only", async () => {
  assertEquals(await resolveDevice("cpu"), "cpu");
  assertEquals(await resolveDevice("gpu"), "gpu");
  const hardware = () => Promise.resolve({ name: "NVIDIA H200", software: false });
  const software = () =>
    Promise.resolve({ name: "llvmpipe (LLVM 19.1.7, 256 bits)", software: true });
  const none = () => Promise.resolve(null);
  assertEquals(await resolveDevice("auto", hardware), "gpu");
  assertEquals(await resolveDevice("auto", software), "cpu");
  assertEquals(await resolveDevice("auto", none), "cpu");
  assertEquals(await resolveDevice("gpu", none), "gpu");
});

Deno.test("openSession() refuses a second WASM thread count in one process", async () => {
  const s = await openSession(model, { inputs: m, outputs: 1, threads: 1, cpuEngine: "ort" });
  await s.close();
  await assertRejects(
    () => openSession(model, { inputs: m, outputs: 1, threads: 3, cpuEngine: "ort" }),
    RangeError,
    /already runs 1/,
  );
});

Deno.test("overlapping run() calls on a CPU session each resolve with their own rows", async () => {
  const s = await openSession(model, { inputs: m, outputs: 1, cpuEngine: "ort" });
  try {
    const whole = await s.run(input, rows);
    const parts = await Promise.all(
      [0, 1, 2, 3].map((q) => s.run(input.subarray(q * 64 * m), 64)),
    );
    assertEquals(parts.flatMap((p) => Array.from(p.mean)), Array.from(whole.mean));
  } finally {
    await s.close();
  }
});
