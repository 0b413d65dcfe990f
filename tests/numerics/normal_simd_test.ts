import { assert } from "../_assert.ts";
import { simdAvailable } from "../../numerics/linalg/_simd.ts";
import { clampedCdfs } from "../../numerics/stats/_normal_simd.ts";
import { normCdfFast } from "../../numerics/stats/normal_table.ts";
import { Rng } from "../../numerics/rng.ts";

/** The JavaScript path of `methods/_mf_mes.ts`. */
function clamped(z: number): number {
  if (z < -5.7) return 1e-8;
  if (z >= 8.5) return 1;
  return Math.max(normCdfFast(z), 1e-8);
}

Deno.test("clampedCdfs(): the WebAssembly SIMD kernel gives the JavaScript path's values bit for bit", () => {
  const rng = new Rng(3);
  // Points: random a and b, then edges: the clamp thresholds, 0 and −0, nodes and half-way
  // points between nodes (Math.round's ties), NaN and infinities.
  const a: number[] = [], b: number[] = [];
  for (let c = 0; c < 301; c++) {
    a.push(20 * rng.next() - 8);
    b.push(4 * rng.next() - 2);
  }
  const edges = [-5.7, 8.5, 0, -0, -12, 12, NaN, Infinity, -Infinity, -5.69, 8.49, 1e-300];
  for (let q = 0; q < 2 * 64 * 9; q++) edges.push(-9 + q / 128);
  for (const t of edges) {
    a.push(t);
    b.push(0);
  }
  const e = Float64Array.from({ length: 127 }, () => rng.normal());
  const out = clampedCdfs(Float64Array.from(a), Float64Array.from(b), e);
  assert((out !== undefined) === simdAvailable(), "the kernel runs wherever WebAssembly SIMD does");
  if (!out) return; // no WebAssembly SIMD here: the callers keep their loops
  let checked = 0;
  for (let c = 0; c < a.length; c++) {
    for (let k = 0; k < e.length; k++) {
      const want = clamped(a[c]! - b[c]! * e[k]!), got = out[c * e.length + k]!;
      assert(
        Object.is(got, want),
        `point ${c} (a ${a[c]}, b ${b[c]}), sample ${k}: ${got} ≠ ${want}`,
      );
      checked++;
    }
  }
  assert(checked === a.length * 127);
});
