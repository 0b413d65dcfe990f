import { assert, assertEquals } from "../_assert.ts";
import { dirichlet } from "../../numerics/stats/gamma.ts";
import { fitEnsemble } from "../../numerics/mlp.ts";
import { Rng } from "../../numerics/rng.ts";
import { type BatchScorer, dirichletSampler, scoreTopK } from "../../numerics/topk.ts";
import { ensembleToOnnx } from "../../runners/onnx_writer.ts";
import { openSession } from "../../runners/ort_session.ts";
import { testAdapter } from "../_gpu.ts";
import { sessionScorer } from "../../runners/score.ts";
import { requestDevice, WgslEnsemble } from "../../runners/wgsl_ensemble.ts";
import { WgslSelector } from "../../runners/wgsl_select.ts";

const { adapter } = await testAdapter();
const m = 5;
const rng = new Rng(21);
const xs = Array.from({ length: 60 }, () => Array.from(dirichlet(rng, new Array(m).fill(0.5))));
const ens = fitEnsemble(xs, xs.map((w) => [1 + w[0]! - w[1]! * w[2]!, w[3]!]), {
  members: 3,
  hidden: [16, 16],
  epochs: 20,
});
const model = ensembleToOnnx(ens);

Deno.test({
  name: "scoreTopK() selecting on the GPU (WGSL) equals the scan over read-back scores",
  ignore: adapter === null,
  async fn() {
    const session = await openSession(model, { inputs: m, outputs: 2, device: "gpu" });
    try {
      assert(session.runBelow, "WGSL sessions select on the GPU");
      const cases = [
        { direction: "minimize" as const, output: 0, spread: 0 },
        { direction: "maximize" as const, output: 1, spread: -1.5 },
      ];
      for (const c of cases) {
        let sent = 0, calls = 0;
        const withSelect = sessionScorer(session, { output: c.output, spread: c.spread });
        const counting: BatchScorer = {
          ...withSelect,
          async scoreBelow(rows, count, sign, bound) {
            const r = await withSelect.scoreBelow!(rows, count, sign, bound);
            sent += r.rows.length;
            calls++;
            return r;
          },
        };
        const full: BatchScorer = { inputs: m, score: withSelect.score };
        const options = { total: 6000, chunk: 1000, k: 8, direction: c.direction };
        const a = await scoreTopK(
          counting,
          dirichletSampler(new Array(m).fill(1), new Rng(3)),
          options,
        );
        const b = await scoreTopK(
          full,
          dirichletSampler(new Array(m).fill(1), new Rng(3)),
          options,
        );
        assertEquals(a, b);
        assertEquals(calls, 5); // every chunk after the first, which fills the heap
        assert(sent < 1000, `${sent} rows came back from 5000 selected on the GPU`);
      }
    } finally {
      await session.close();
    }
  },
});

Deno.test({
  name: "WgslSelector reads the whole output back when more rows pass than it holds",
  ignore: adapter === null,
  async fn() {
    const device = await requestDevice();
    const gpu = await WgslEnsemble.create(ens, device);
    const selector = await WgslSelector.create(device);
    try {
      const n = 300;
      const rows = new Float32Array(n * m);
      const x = new Float64Array(m);
      for (let r = 0; r < n; r++) rows.set(dirichlet(rng, new Array(m).fill(1), x), r * m);
      const ref = await gpu.predict(rows);
      const input = gpu.upload(rows);
      const spec = { column: 0, kappa: 0, sign: 1 as const, bound: 1e9 };
      const few = await selector.select(gpu, input, n, spec, 10);
      const many = await selector.select(gpu, input, n, spec, 1000);
      input.destroy();
      assertEquals([few.overflow, many.overflow], [true, false]);
      for (const s of [few, many]) {
        assertEquals(Array.from(s.rows), Array.from({ length: n }, (_, i) => i));
        assertEquals(Array.from(s.mean), Array.from(ref.mean.filter((_, i) => i % 2 === 0)));
        assertEquals(Array.from(s.spread), Array.from(ref.spread.filter((_, i) => i % 2 === 0)));
      }
    } finally {
      selector.destroy();
      gpu.destroy();
      device.destroy();
    }
  },
});
