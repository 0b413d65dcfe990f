import { assert } from "../_assert.ts";
import { fitEnsemble, predictEnsemble } from "../../numerics/mlp.ts";
import { Rng } from "../../numerics/rng.ts";
import { dirichlet } from "../../numerics/stats/gamma.ts";
import { WgslEnsemble } from "../../runners/wgsl_ensemble.ts";
import { testAdapter } from "../_gpu.ts";

const { adapter, skip } = await testAdapter();

for (const kernel of ["row", "tiled"] as const) {
  Deno.test({
    name: `WgslEnsemble (${kernel} kernel) agrees with the TypeScript forward pass within 1e-4 ` +
      `relative${adapter ? "" : ` (skipped: ${skip})`}`,
    ignore: !adapter,
    async fn() {
      const rng = new Rng(5);
      const m = 6;
      const xs = Array.from(
        { length: 80 },
        () => Array.from(dirichlet(rng, new Array(m).fill(0.5))),
      );
      const ys = xs.map((x) => [1 + x[0]! - 2 * x[1]! * x[2]! + 0.3 * Math.log(x[3]! + 1e-3)]);
      const ens = fitEnsemble(xs, ys, { epochs: 20, members: 3, hidden: [16, 16] });
      const probe = Array.from(
        { length: 257 },
        () => Array.from(dirichlet(rng, new Array(m).fill(0.3))),
      );
      const flat = Float64Array.from(probe.flat());
      const ref = predictEnsemble(ens, flat);
      const gpu = await WgslEnsemble.create(ens, undefined, kernel);
      const got = await gpu.predict(Float32Array.from(flat));
      gpu.destroy();
      gpu.device.destroy();
      // Relative error, with the denominator floored at 1% of the largest |output| (f32 near 0).
      const scale = Math.max(...Array.from(ref.mean, Math.abs));
      for (let i = 0; i < probe.length; i++) {
        const rel = Math.abs(got.mean[i]! - ref.mean[i]!) /
          Math.max(0.01 * scale, Math.abs(ref.mean[i]!));
        assert(rel < 1e-4, `row ${i}: mean ${got.mean[i]} vs ${ref.mean[i]}`);
        assert(Math.abs(got.spread[i]! - ref.spread[i]!) < 1e-4 * scale, `row ${i} spread`);
      }
    },
  });
}

// The bounded check CI runs on a software adapter (`.ci/run`: MIXBENCH_GPU_TESTS=software,
// --filter "tiny ensemble", under a timeout), so the WGSL path stays tested where there is no
// GPU: both kernels on a 2-member 8-8 ensemble, 33 rows (seconds on llvmpipe).
for (const kernel of ["row", "tiled"] as const) {
  Deno.test({
    name: `WgslEnsemble (${kernel} kernel) on a tiny ensemble agrees with the TypeScript pass` +
      `${adapter ? "" : ` (skipped: ${skip})`}`,
    ignore: !adapter,
    async fn() {
      const rng = new Rng(9);
      const m = 3;
      const xs = Array.from({ length: 24 }, () => Array.from(dirichlet(rng, [0.5, 0.5, 0.5])));
      const ys = xs.map((x) => [1 + x[0]! - x[1]! * x[2]!]);
      const ens = fitEnsemble(xs, ys, { epochs: 3, members: 2, hidden: [8, 8] });
      const probe = Array.from({ length: 33 }, () => Array.from(dirichlet(rng, [1, 1, 1])));
      const flat = Float64Array.from(probe.flat());
      const ref = predictEnsemble(ens, flat);
      const gpu = await WgslEnsemble.create(ens, undefined, kernel);
      const got = await gpu.predict(Float32Array.from(flat));
      gpu.destroy();
      gpu.device.destroy();
      const scale = Math.max(...Array.from(ref.mean, Math.abs));
      for (let i = 0; i < probe.length; i++) {
        const rel = Math.abs(got.mean[i]! - ref.mean[i]!) /
          Math.max(0.01 * scale, Math.abs(ref.mean[i]!));
        assert(rel < 1e-4, `row ${i}: mean ${got.mean[i]} vs ${ref.mean[i]} (m = ${m})`);
        assert(Math.abs(got.spread[i]! - ref.spread[i]!) < 1e-4 * scale, `row ${i} spread`);
      }
    },
  });
}
