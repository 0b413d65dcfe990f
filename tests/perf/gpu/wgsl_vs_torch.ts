/**
 * GPU scoring benchmark (run on a GPU machine; see tests/perf/gpu/README.md): rows/s of the fused
 * WGSL ensemble forward pass (runners/wgsl_ensemble.ts) scoring 1e6 mixtures through a 19-input
 * surrogate of the default shape (38 features, 64-64 SiLU, 5 members), with the inputs resident
 * on the GPU, with read-back, with the on-GPU top-128 selection (`wgsl_select.ts`) instead of the
 * read-back, and with upload + read-back, plus the agreement with the TypeScript forward pass.
 * Writes the ensemble (JSON) for the torch reference (`torch_mlp.py`) and the results (JSON).
 *
 * Usage: deno run -A tests/perf/gpu/wgsl_vs_torch.ts OUT_DIR [ROWS]
 *
 * @module
 */

import { type MlpEnsemble, predictEnsemble } from "../../../numerics/mlp.ts";
import { requestDevice, WgslEnsemble } from "../../../runners/wgsl_ensemble.ts";
import { WgslSelector } from "../../../runners/wgsl_select.ts";
import { benchModel, maxRelativeError, WIDTH } from "./_ensemble.ts";

const out = Deno.args[0] ?? "out/gpu";
const rows = Number(Deno.args[1] ?? 1_000_000);
const m = WIDTH;
await Deno.mkdir(out, { recursive: true });

const { ensemble, data }: { ensemble: MlpEnsemble; data: Float32Array } = benchModel(rows);
await Deno.writeTextFile(
  `${out}/ensemble.json`,
  JSON.stringify({
    inputs: ensemble.inputs,
    outputs: ensemble.outputs,
    features: ensemble.features,
    logEpsilon: ensemble.logEpsilon,
    activation: ensemble.activation,
    featureShift: Array.from(ensemble.featureShift),
    featureScale: Array.from(ensemble.featureScale),
    offset: Array.from(ensemble.offset),
    members: ensemble.members.map((ls) =>
      ls.map((l) => ({
        inputs: l.inputs,
        outputs: l.outputs,
        weight: Array.from(l.weight),
        bias: Array.from(l.bias),
      }))
    ),
  }),
);

const device = await requestDevice();
const adapter = await navigator.gpu.requestAdapter({ powerPreference: "high-performance" });
const probeRows = Math.min(4096, rows);
const probe = data.subarray(0, probeRows * m);
const ref = predictEnsemble(ensemble, probe);
const result: Record<string, unknown> = {
  adapter: adapter?.info?.description || adapter?.info?.device || "unknown",
  rows,
  shape: { inputs: m, features: 2 * m, hidden: [64, 64], members: 5 },
};
const selector = await WgslSelector.create(device);
for (const kernel of ["row", "tiled"] as const) {
  const t0c = performance.now();
  const gpu = await WgslEnsemble.create(ensemble, device, kernel);
  const compileMs = performance.now() - t0c;
  const got = await gpu.predict(probe);
  const worst = maxRelativeError(got.mean, ref.mean);
  const input = gpu.upload(data);
  await gpu.run(input, rows, false); // warm-up
  const median = async (reps: number, f: () => Promise<unknown>) => {
    const ts: number[] = [];
    for (let i = 0; i < reps; i++) {
      const t0 = performance.now();
      await f();
      ts.push(performance.now() - t0);
    }
    ts.sort((a, b) => a - b);
    return ts[Math.floor(ts.length / 2)]!;
  };
  const resident = await median(9, () => gpu.run(input, rows, false));
  const withReadBack = await median(5, () => gpu.run(input, rows, true));
  // A top-128 scan's later chunks: the forward pass plus the on-GPU selection of the rows below
  // the 128th best mean, which are all that is read back.
  const means = Array.from((await gpu.predict(data)).mean).sort((a, b) => a - b);
  const spec = { column: 0, kappa: 0, sign: 1 as const, bound: means[Math.min(127, rows - 1)]! };
  let selected = 0;
  const withSelection = await median(5, async () => {
    selected = (await selector.select(gpu, input, rows, spec)).rows.length;
  });
  const t0 = performance.now();
  const fresh = gpu.upload(data);
  await gpu.run(fresh, rows, true);
  const endToEnd = performance.now() - t0;
  input.destroy();
  fresh.destroy();
  gpu.destroy();
  result[kernel] = {
    compileMs,
    maxRelativeError: worst,
    residentMs: resident,
    residentRowsPerSec: rows / (resident / 1000),
    withReadBackMs: withReadBack,
    withSelectionMs: withSelection,
    selectedRows: selected,
    withUploadAndReadBackMs: endToEnd,
  };
}
console.log(JSON.stringify(result, null, 2));
await Deno.writeTextFile(`${out}/wgsl.json`, JSON.stringify(result, null, 2));
