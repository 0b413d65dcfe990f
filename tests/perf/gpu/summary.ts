/**
 * Combines the GPU benchmark's results (wgsl.json, torch.json, wasm.json in OUT_DIR) into
 * summary.json: rows/s of each WGSL kernel with the inputs resident on the GPU (and with the
 * on-GPU top-k selection after the forward pass), the resident rate as a ratio to
 * torch fp32 (eager and compiled) on the same GPU and to onnxruntime-web WASM on every core of
 * the same machine, against the targets (≥ 20% of torch, ≥ 10× WASM). A missing input
 * leaves its ratios null and says so.
 *
 * Usage: deno run -A --no-config tests/perf/gpu/summary.ts OUT_DIR
 *
 * @module
 */

const out = Deno.args[0] ?? "out/gpu";

async function read(name: string): Promise<Record<string, unknown> | null> {
  try {
    return JSON.parse(await Deno.readTextFile(`${out}/${name}`));
  } catch {
    return null;
  }
}

const wgsl = await read("wgsl.json"),
  torch = await read("torch.json"),
  wasm = await read("wasm.json");
const num = (v: unknown) => (typeof v === "number" && Number.isFinite(v) ? v : null);
const rows = num(wgsl?.rows);
const torchRate = num(torch?.torchEagerRowsPerSec);
const compiledMs = num(torch?.torchCompiledMs);
const compiledRate = compiledMs !== null && num(torch?.rows) !== null
  ? (torch!.rows as number) / (compiledMs / 1000)
  : null;
const wasmRate = num(wasm?.rowsPerSec);
const ratio = (a: number | null, b: number | null) =>
  a !== null && b !== null ? Number((a / b).toFixed(4)) : null;
const kernels: Record<string, unknown> = {};
for (const k of ["row", "tiled"]) {
  const r = wgsl?.[k] as Record<string, unknown> | undefined;
  const rate = num(r?.residentRowsPerSec);
  const selectMs = num(r?.withSelectionMs);
  kernels[k] = {
    residentRowsPerSec: rate,
    withSelectionRowsPerSec: selectMs !== null && rows !== null ? rows / (selectMs / 1000) : null,
    maxRelativeError: num(r?.maxRelativeError),
    overTorchEager: ratio(rate, torchRate),
    overTorchCompiled: ratio(rate, compiledRate),
    overWasm: ratio(rate, wasmRate),
  };
}
const best = kernels.tiled as { overTorchEager: number | null; overWasm: number | null };
const summary = {
  adapter: wgsl?.adapter ?? null,
  torchDevice: torch?.device ?? null,
  rows,
  wasmThreads: wasm?.threads ?? null,
  torchEagerRowsPerSec: torchRate,
  torchCompiledRowsPerSec: compiledRate,
  wasmRowsPerSec: wasmRate,
  kernels,
  targets: {
    "tiled ≥ 20% of torch fp32 eager": best.overTorchEager === null
      ? null
      : best.overTorchEager >= 0.2,
    "tiled ≥ 10× WASM on every core": best.overWasm === null ? null : best.overWasm >= 10,
  },
  missing: [
    ...(wgsl ? [] : ["wgsl.json"]),
    ...(torch ? [] : ["torch.json"]),
    ...(wasm ? [] : ["wasm.json"]),
  ],
};
console.log(JSON.stringify(summary, null, 2));
await Deno.writeTextFile(`${out}/summary.json`, JSON.stringify(summary, null, 2));
