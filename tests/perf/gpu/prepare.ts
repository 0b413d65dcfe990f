/**
 * Prepares the carried folder of the one-command GPU benchmark (`tests/perf/gpu/run.sh`), on a
 * machine with the project installed: writes the benchmark ensemble as ONNX
 * (`.gpu/ensemble.onnx`, for the onnxruntime-web WASM baseline, since the GPU machine runs
 * without the import map) and copies the files of onnxruntime-web's Node entry and its one
 * threaded SIMD wasm build, with onnxruntime-common, into `.gpu/ort/` (15 MB instead of the
 * package's 139 MB). `prepare.sh` adds the xz-compressed Deno binary.
 *
 * Usage: deno run -A tests/perf/gpu/prepare.ts [DIR]   (default .gpu)
 *
 * @module
 */

import { fileURLToPath } from "node:url";
import { dirname, join } from "node:path";
import { ensembleToOnnx } from "../../../runners/onnx_writer.ts";
import { benchModel } from "./_ensemble.ts";

const dir = Deno.args[0] ?? ".gpu";
await Deno.mkdir(join(dir, "ort"), { recursive: true });
await Deno.writeFile(join(dir, "ensemble.onnx"), ensembleToOnnx(benchModel(0).ensemble));

// The project's node_modules (nodeModulesDir "auto"): onnxruntime-common sits beside
// onnxruntime-web in its package folder.
const root = fileURLToPath(new URL("../../../", import.meta.url));
const web = Deno.realPathSync(join(root, "node_modules", "onnxruntime-web"));
const common = Deno.realPathSync(join(dirname(web), "onnxruntime-common"));
const files: [string, string][] = [
  [join(web, "package.json"), "onnxruntime-web/package.json"],
  ...["ort.node.min.mjs", "ort-wasm-simd-threaded.mjs", "ort-wasm-simd-threaded.wasm"].map((
    f,
  ): [string, string] => [join(web, "dist", f), `onnxruntime-web/dist/${f}`]),
  [join(common, "package.json"), "onnxruntime-common/package.json"],
];
for (const [from, to] of files) {
  const target = join(dir, "ort", "node_modules", to);
  await Deno.mkdir(dirname(target), { recursive: true });
  await Deno.copyFile(from, target);
}
const esm = join(common, "dist", "esm");
for await (const e of Deno.readDir(esm)) {
  if (!e.isFile || !e.name.endsWith(".js")) continue;
  const target = join(dir, "ort", "node_modules", "onnxruntime-common", "dist", "esm", e.name);
  await Deno.mkdir(dirname(target), { recursive: true });
  await Deno.copyFile(join(esm, e.name), target);
}
// A package.json beside node_modules lets Deno resolve the bare "onnxruntime-common" import of
// the Node entry with --node-modules-dir=manual and no config.
await Deno.writeTextFile(
  join(dir, "ort", "package.json"),
  JSON.stringify({
    private: true,
    type: "module",
    dependencies: { "onnxruntime-web": "1.30.0", "onnxruntime-common": "1.30.0" },
  }) + "\n",
);
console.log(`wrote ${dir}/ensemble.onnx and ${dir}/ort/`);
