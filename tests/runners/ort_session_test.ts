import { assert, assertEquals, assertRejects } from "../_assert.ts";
import { dirichlet } from "../../core/gamma.ts";
import { fitEnsemble, predictEnsemble } from "../../core/mlp.ts";
import { Rng } from "../../core/rng.ts";
import { ensembleToOnnx } from "../../runners/onnx_writer.ts";
import { gpuAdapter, openSession, resolveDevice } from "../../runners/ort_session.ts";

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

const adapter = await gpuAdapter();

Deno.test({
  name: adapter
    ? `CPU (WASM) and GPU (WebGPU on ${adapter.name}) sessions agree within 1e-4 relative`
    : "CPU and GPU sessions agree (skipped: navigator.gpu gives no WebGPU adapter at all)",
  ignore: adapter === null,
  async fn() {
    const cpu = await openSession(model, { inputs: m, outputs: 1, device: "cpu" });
    const gpu = await openSession(model, { inputs: m, outputs: 1, device: "gpu" });
    try {
      assertEquals([cpu.provider, gpu.provider], ["wasm", "webgpu"]);
      const [a, b] = await Promise.all([cpu.run(input, rows), gpu.run(input, rows)]);
      const ts = predictEnsemble(ens, Float64Array.from(input)).mean;
      let worst = 0;
      for (let i = 0; i < rows; i++) {
        worst = Math.max(worst, Math.abs(a.mean[i]! - b.mean[i]!) / Math.abs(a.mean[i]!));
        assert(Math.abs(a.spread[i]! - b.spread[i]!) <= 1e-4 * Math.abs(a.mean[i]!));
        assert(Math.abs(b.mean[i]! - ts[i]!) <= 1e-4 * Math.abs(ts[i]!));
      }
      assert(worst <= 1e-4, `largest relative CPU/GPU difference ${worst}`);
    } finally {
      await gpu.close();
      await cpu.close();
    }
  },
});

Deno.test("resolveDevice() keeps cpu and gpu, and takes auto to a hardware GPU only", async () => {
  assertEquals(await resolveDevice("cpu"), "cpu");
  assertEquals(await resolveDevice("gpu"), "gpu");
  assertEquals(await resolveDevice("auto"), adapter && !adapter.software ? "gpu" : "cpu");
});

Deno.test("openSession() refuses a second WASM thread count in one process", async () => {
  const s = await openSession(model, { inputs: m, outputs: 1, threads: 1 });
  await s.close();
  await assertRejects(
    () => openSession(model, { inputs: m, outputs: 1, threads: 3 }),
    RangeError,
    /already runs 1/,
  );
});
