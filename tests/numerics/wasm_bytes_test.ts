/**
 * The bytes of every WebAssembly module the project emits, pinned by sha256: a refactoring of the
 * emitters (the shared instruction encodings of `numerics/_wasm_ops.ts`) must leave them
 * unchanged. The hashes were taken before the emitters were moved onto the shared helpers; each
 * module is also checked to validate. The modules are caught where they are compiled
 * (`WebAssembly.validate` and `new WebAssembly.Module`), so no emitter exports its bytes.
 */

import { assertEquals } from "../_assert.ts";

const seen: Uint8Array<ArrayBuffer>[] = [];
const copy = (b: BufferSource): Uint8Array<ArrayBuffer> =>
  b instanceof ArrayBuffer
    ? new Uint8Array(b.slice(0))
    : new Uint8Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer);
const validate = WebAssembly.validate;
WebAssembly.validate = (bytes: BufferSource) => {
  seen.push(copy(bytes));
  return validate(bytes);
};
WebAssembly.Module = new Proxy(WebAssembly.Module, {
  construct(target, args: [BufferSource]) {
    seen.push(copy(args[0]));
    return Reflect.construct(target, args);
  },
});

/** sha256 of each distinct module compiled while `fn` runs, in order of first appearance. */
async function hashesOf(fn: () => Promise<unknown>): Promise<string[]> {
  seen.length = 0;
  await fn();
  const out: string[] = [];
  for (const bytes of seen) {
    assertEquals(validate(bytes), true);
    const h = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
    const hex = Array.from(h, (x) => x.toString(16).padStart(2, "0")).join("");
    if (!out.includes(hex)) out.push(hex);
  }
  return out;
}

const surrogates = new URL("../../runners/surrogates/", import.meta.url);

const EMITTERS: Record<string, () => Promise<unknown>> = {
  "numerics/linalg/_simd.ts": async () =>
    (await import("../../numerics/linalg/_simd.ts")).simdAvailable(),
  "numerics/linalg/ordered_matvec.ts": async () =>
    (await import("../../numerics/linalg/ordered_matvec.ts")).orderedMatVec([[1, 2], [3, 4]]),
  "numerics/stats/_normal_simd.ts": async () =>
    (await import("../../numerics/stats/_normal_simd.ts")).clampedCdfs(
      Float64Array.of(0.5),
      Float64Array.of(1),
      Float64Array.of(0.25),
    ),
  "numerics/gbdt/_wasm_kernels.ts": async () =>
    (await import("../../numerics/gbdt/_wasm_kernels.ts")).wasmModule(),
  "runners/wasm_ensemble.ts": async () => {
    const { WasmEnsemble, wasmUnsupported } = await import("../../runners/wasm_ensemble.ts");
    const { onnxToEnsemble } = await import("../../runners/onnx_writer.ts");
    const names = [...Deno.readDirSync(surrogates)].map((e) => e.name)
      .filter((n) => n.endsWith(".onnx")).sort();
    for (const n of names) {
      const e = onnxToEnsemble(await Deno.readFile(new URL(n, surrogates)));
      if (wasmUnsupported(e) === undefined) new WasmEnsemble(e);
    }
  },
};

const PINNED: Record<string, string[]> = {
  "numerics/linalg/_simd.ts": ["11f8dbfdec96e6a30d02dc01d0f72c889b7669427c3b6fd173cbfb0896cc9049"],
  "numerics/linalg/ordered_matvec.ts": [
    "82eb0d9146db1fbb13e542b81e86938c00e4c26b67bf2a206a79e5733d7c2f25",
  ],
  "numerics/stats/_normal_simd.ts": [
    "99c31e7ede8444b44c4e0247481cbcd9667902c8511a583f4f615f05d9b33c95",
  ],
  "numerics/gbdt/_wasm_kernels.ts": [
    "8bf862d48c88a911cd8709ff1c7496612092d29ca7583047ab515c2cb9e9cf4a",
  ],
  // The SIMD probe, then one kernel per surrogate in runners/surrogates/ (sorted by name) that
  // the kernel covers. Re-pinned when the kernel's code changed on purpose (issue 11: pointers
  // per load, sums from the first product, four rows per output layer), its predictions
  // unchanged bit for bit.
  "runners/wasm_ensemble.ts": [
    "ed97339a3c2cdcd30fe7903ecad11562b7b9bfcfde24e0e584346f54c9247148",
    "df59b1c85df62673c2ccfbcdf9bc1356d02f826f96cd3d6be3f2ab66b6b135f6",
    "bbfad58a019f14bc245496c240d1abf13a8384f5557aa8eeec1d19d1cb8e5bff",
    "46ab5c1674c379407580a83e1a27cb88a229478a85c306b2b552e38f9ca7bd6b",
    "371da2b236935c7130d58fb79279a9460c07b1c9e1be7e60a155b2d771cb2a49",
  ],
};

for (const [file, run] of Object.entries(EMITTERS)) {
  Deno.test(`the WebAssembly modules of ${file} keep their bytes`, async () => {
    const hashes = await hashesOf(run);
    assertEquals(hashes, PINNED[file]);
  });
}
