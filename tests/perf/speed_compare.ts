/**
 * Side-by-side speed against the reference implementations, on the same data and one thread
 * (our code is single-threaded; the references are limited to one thread too):
 *
 * - GP: MAP fit of the ADMIRE-BayesOpt GP (`numerics/gp/gp.ts`, single kind: ARD Matérn-5/2,
 *   botorch priors, cold start) to the first 256 RegMix 1M training runs (17 dimensions,
 *   standardised Pile-CC loss), then the posterior mean and variance at 1000 Dirichlet(1)
 *   mixtures; against scikit-learn's `GaussianProcessRegressor` (ARD Matérn-5/2 × constant +
 *   white noise, one optimiser run) and BoTorch's `SingleTaskMultiFidelityGP` +
 *   `fit_gpytorch_mll`;
 * - GBDT: RegMix's LightGBM-like regressor (`numerics/gbdt/gbdt.ts`) on the 512 RegMix 1M
 *   training runs × 17 domains, 1000 rounds without early stopping, then scoring 1e6
 *   Dirichlet(1) mixtures; against LightGBM and XGBoost (`hist`) with the same tree budget.
 *
 * The reference side runs `tests/perf/speed_compare.py` with `python3`; a library that is not
 * installed is skipped with a message. Times are CPU seconds of each process (user + system;
 * `process.cpuUsage()` here, `time.process_time()` there), so that the load of a shared
 * machine does not inflate either side. Ratio = ours ÷ reference (≤ 1: we are no slower).
 * The fits are not the same optimisation problem for the GP (MAP with priors and retries here,
 * maximum likelihood there), so the GP ratio compares the whole fit, as a user would.
 *
 * Usage: deno run -A tests/perf/speed_compare.ts [--rows 1000000] [--gp-rows 256]
 *
 * @module
 */

import process from "node:process";
import { fitGp } from "../../numerics/gp/gp.ts";
import { fitGbdt } from "../../numerics/gbdt/gbdt.ts";
import { Rng } from "../../numerics/rng.ts";
import { loadTable } from "../../datasets/registry.ts";

const flag = (name: string, fallback: number) => {
  const i = Deno.args.indexOf(`--${name}`);
  return i >= 0 ? Number(Deno.args[i + 1]) : fallback;
};
const ROWS = flag("rows", 1_000_000), GP_ROWS = flag("gp-rows", 256), D = 17, CHUNK = 65_536;

const table = await loadTable("regmix_pile");
const train = table.runs.filter((r) => r.fidelity === "1M" && r.split === "train");
const gx = train.map((r) => [...r.mixture]);
const gy = train.map((r) => r.metrics.pile_cc_loss!);

function dirichlet(rng: Rng, into: Float64Array): void {
  for (let i = 0; i < into.length; i += D) {
    let s = 0;
    for (let f = 0; f < D; f++) s += into[i + f] = -Math.log(1 - rng.next());
    for (let f = 0; f < D; f++) into[i + f]! /= s;
  }
}

// GP data: the first GP_ROWS runs, standardised targets; 1000 query mixtures.
const gpX = gx.slice(0, GP_ROWS);
const mu = gy.slice(0, GP_ROWS).reduce((a, b) => a + b, 0) / GP_ROWS;
const sd = Math.sqrt(gy.slice(0, GP_ROWS).reduce((a, b) => a + (b - mu) ** 2, 0) / GP_ROWS);
const gpY = gy.slice(0, GP_ROWS).map((v) => (v - mu) / sd);
const z = new Float64Array(1000 * D);
dirichlet(new Rng(5), z);

type Timing = { name: string; fitS: number; predictS: number; note?: string };
/** CPU milliseconds (user + system) of this process so far. */
const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
const ours: Record<"gp" | "gbdt", Timing> = {} as Record<"gp" | "gbdt", Timing>;
{
  const t0 = cpuMs();
  const fit = fitGp({
    kind: "single",
    d: D,
    x: Float64Array.from(gpX.flat()),
    fidelity: new Float64Array(GP_ROWS).fill(1),
    y: Float64Array.from(gpY),
  });
  const t1 = cpuMs();
  fit.posterior.predict(z, 1);
  ours.gp = {
    name: "mixbench fitGp + predict",
    fitS: (t1 - t0) / 1000,
    predictS: (cpuMs() - t1) / 1000,
    note: `${fit.evaluations} loss evaluations, ${fit.attempts} attempt(s)`,
  };
}
{
  const t0 = cpuMs();
  const model = fitGbdt(gx, gy, { earlyStoppingRounds: 0 });
  const t1 = cpuMs();
  const rng = new Rng(2024), rows = new Float64Array(CHUNK * D), out = new Float64Array(CHUNK);
  let scoring = 0;
  for (let start = 0; start < ROWS; start += CHUNK) {
    const n = Math.min(CHUNK, ROWS - start);
    dirichlet(rng, rows.subarray(0, n * D)); // drawing is not timed, as on the Python side
    const t = cpuMs();
    model.predictInto(rows.subarray(0, n * D), D, out.subarray(0, n));
    scoring += cpuMs() - t;
  }
  ours.gbdt = {
    name: "mixbench fitGbdt + predictInto",
    fitS: (t1 - t0) / 1000,
    predictS: scoring / 1000,
    note: `${model.toJSON().nodeOffsets.length - 1} trees`,
  };
}

const job = {
  threads: 1,
  gp: {
    x: gpX,
    y: gpY,
    z: Array.from({ length: 1000 }, (_, i) => [...z.subarray(i * D, (i + 1) * D)]),
  },
  gbdt: { x: gx, y: gy, rows: ROWS, seed: 2024 },
};
const refs: (Timing | { name: string; skipped: string })[] = [];
try {
  const child = new Deno.Command("python3", {
    args: [new URL("./speed_compare.py", import.meta.url).pathname],
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const w = child.stdin.getWriter();
  await w.write(new TextEncoder().encode(JSON.stringify(job)));
  await w.close();
  const r = await child.output();
  for (const l of new TextDecoder().decode(r.stdout).split("\n")) if (l) refs.push(JSON.parse(l));
  if (!r.success) console.error(new TextDecoder().decode(r.stderr).slice(-2000));
} catch (e) {
  console.log(`Skipping every reference: cannot run python3 (${(e as Error).message})`);
}

const f = (s: number) => (s < 1 ? `${(s * 1000).toFixed(0)} ms` : `${s.toFixed(2)} s`);
console.log("| what | implementation | fit | predict | total | ratio ours ÷ ref (total) | note |");
console.log("| --- | --- | --- | --- | --- | --- | --- |");
for (
  const [what, key, refNames] of [
    [`GP ${GP_ROWS}×${D} fit + 1000 posteriors`, "gp", ["scikit-learn", "BoTorch"]],
    [`GBDT 512×${D}, 1000 rounds + ${ROWS} scores`, "gbdt", ["LightGBM", "XGBoost"]],
  ] as const
) {
  const o = ours[key];
  console.log(
    `| ${what} | ${o.name} | ${f(o.fitS)} | ${f(o.predictS)} | ${f(o.fitS + o.predictS)} | | ${
      o.note ?? ""
    } |`,
  );
  for (const r of refs.filter((r) => refNames.some((n) => r.name.startsWith(n)))) {
    if ("skipped" in r) {
      console.log(`| ${what} | ${r.name} | skipped: not installed (${r.skipped}) | | | | |`);
      continue;
    }
    const ratio = (o.fitS + o.predictS) / (r.fitS + r.predictS);
    console.log(
      `| ${what} | ${r.name} | ${f(r.fitS)} | ${f(r.predictS)} | ${f(r.fitS + r.predictS)} | ${
        ratio.toFixed(2)
      } (fit ${(o.fitS / r.fitS).toFixed(2)}, predict ${(o.predictS / r.predictS).toFixed(2)}) | ${
        r.note ?? ""
      } |`,
    );
  }
}
