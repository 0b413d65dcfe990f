import { assert } from "../_assert.ts";
import { fitEnsemble, predictEnsemble } from "../../numerics/mlp.ts";
import { Rng } from "../../numerics/rng.ts";
import { dirichlet } from "../../numerics/stats/gamma.ts";
import { WgslEnsemble } from "../../runners/wgsl_ensemble.ts";
import { testAdapter } from "../_gpu.ts";

const { adapter, skip } = await testAdapter();

/** An ensemble fitted on Dirichlet draws, scored on the GPU and by the TypeScript forward pass. */
interface Case {
  readonly seed: number;
  readonly m: number;
  readonly train: number;
  readonly rows: number;
  readonly hidden: number[];
  readonly members: number;
  readonly epochs: number;
}

async function agree(kernel: "row" | "tiled", c: Case): Promise<void> {
  const rng = new Rng(c.seed);
  const draw = (a: number) => Array.from(dirichlet(rng, new Array(c.m).fill(a)));
  const xs = Array.from({ length: c.train }, () => draw(0.5));
  const ys = xs.map((x) => [1 + x[0]! - 2 * x[1]! * x[2]! + 0.3 * Math.log(x[c.m - 1]! + 1e-3)]);
  const ens = fitEnsemble(xs, ys, { epochs: c.epochs, members: c.members, hidden: c.hidden });
  const probe = Array.from({ length: c.rows }, () => draw(0.3));
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
}

const skipped = adapter ? "" : ` (skipped: ${skip})`;

for (const kernel of ["row", "tiled"] as const) {
  Deno.test({
    name: `WgslEnsemble (${kernel} kernel) agrees with the TypeScript forward pass within 1e-4 ` +
      `relative${skipped}`,
    ignore: !adapter,
    fn: () =>
      agree(kernel, {
        seed: 5,
        m: 6,
        train: 80,
        rows: 257,
        hidden: [16, 16],
        members: 3,
        epochs: 20,
      }),
  });
  // The bounded check CI runs on a software adapter (`.ci/run`: MIXBENCH_GPU_TESTS=software,
  // --filter "tiny ensemble", under a timeout), so the WGSL path stays tested where there is no
  // GPU: a 2-member 8-8 ensemble, 33 rows (seconds on llvmpipe).
  Deno.test({
    name: `WgslEnsemble (${kernel} kernel) on a tiny ensemble agrees with the TypeScript pass` +
      skipped,
    ignore: !adapter,
    fn: () =>
      agree(kernel, { seed: 9, m: 3, train: 24, rows: 33, hidden: [8, 8], members: 2, epochs: 3 }),
  });
}
