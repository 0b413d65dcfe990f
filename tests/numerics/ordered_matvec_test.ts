import { assert, assertThrows } from "../_assert.ts";
import { orderedMatVec } from "../../numerics/linalg/ordered_matvec.ts";
import { Rng } from "../../numerics/rng.ts";

/** The plain loops whose sums the module must reproduce bit for bit. */
function plain(rows: number[][], t: Float64Array, offset: number, b: number, w: Float64Array) {
  const n = rows.length, m = rows[0]!.length;
  const z = new Float64Array(n), g = new Float64Array(m);
  for (let i = 0; i < n; i++) {
    let s = b;
    for (let j = 0; j < m; j++) s += t[offset + j]! * rows[i]![j]!;
    z[i] = s;
  }
  for (let i = 0; i < n; i++) for (let j = 0; j < m; j++) g[j]! += w[i]! * rows[i]![j]!;
  return { z, g };
}

function same(a: ArrayLike<number>, b: ArrayLike<number>): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return false;
  return true;
}

Deno.test("orderedMatVec() sums X·t and Xᵀ·w in index order, bit-identical to the plain loops (both engines)", () => {
  const rng = new Rng(21);
  // Row and column counts below, at and between the kernels' blocks of 8; values of mixed signs
  // and magnitudes so that a different summation order would show.
  const shapes: [number, number][] = [[1, 1], [3, 2], [8, 8], [9, 17], [16, 64], [37, 5], [
    130,
    13,
  ]];
  for (const [n, m] of shapes) {
    const rows = Array.from(
      { length: n },
      () => Array.from({ length: m }, () => (rng.next() - 0.4) * 10 ** (4 * rng.next() - 2)),
    );
    const t = Float64Array.from({ length: m + 3 }, () => rng.normal() * 7);
    const w = Float64Array.from({ length: n }, () => rng.normal() * 1e-3);
    const want = plain(rows, t, 3, -0.7, w);
    for (const engine of ["auto", "js"] as const) {
      const mv = orderedMatVec(rows, { engine });
      for (let rep = 0; rep < 2; rep++) { // a second call must not see the first's state
        const z = new Float64Array(n), g = new Float64Array(m + 1).fill(NaN);
        mv.times(t, 3, -0.7, z);
        mv.transposeTimes(w, g, 1);
        assert(same(z, want.z), `${engine} X·t, n=${n} m=${m}`);
        assert(same(g.subarray(1), want.g), `${engine} Xᵀ·w, n=${n} m=${m}`);
        assert(Number.isNaN(g[0]!), "entries before the offset are left alone");
      }
    }
  }
});

Deno.test("orderedMatVec() uses WebAssembly SIMD here and rejects ragged or empty rows", () => {
  assert(orderedMatVec([[1, 2]]).constructor.name === "WasmMatVec", "SIMD engine expected");
  assertThrows(() => orderedMatVec([[1, 2], [3]]), RangeError, "row 1 has 1 entries, expected 2");
  assertThrows(() => orderedMatVec([]), RangeError, "without columns");
});

Deno.test("orderedMatVec() objects used in turn stay correct (they share one WebAssembly memory)", () => {
  const rng = new Rng(5);
  const make = (n: number, m: number) => {
    const rows = Array.from({ length: n }, () => Array.from({ length: m }, () => rng.normal()));
    const t = Float64Array.from({ length: m }, () => rng.normal());
    const w = Float64Array.from({ length: n }, () => rng.normal());
    return { rows, t, w, want: plain(rows, t, 0, 0.25, w), mv: orderedMatVec(rows) };
  };
  // A small matrix, a larger one (the memory grows, its data covers the small one's padding),
  // then the small one again, interleaved.
  const small = make(9, 3), large = make(300, 21);
  for (const p of [small, large, small, large, small]) {
    const z = new Float64Array(p.rows.length), g = new Float64Array(p.t.length);
    p.mv.times(p.t, 0, 0.25, z);
    p.mv.transposeTimes(p.w, g, 0);
    assert(same(z, p.want.z) && same(g, p.want.g), `n=${p.rows.length}`);
  }
});
