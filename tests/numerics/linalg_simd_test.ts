import { assert } from "../_assert.ts";
import { cholesky, inverse, solveLowerInPlace } from "../../numerics/linalg/cholesky.ts";
import { simdAvailable } from "../../numerics/linalg/_simd.ts";
import { Rng } from "../../numerics/rng.ts";
import {
  maternCross,
  maternCrossScaled,
  scaleRows,
  trainingKernel,
} from "../../numerics/gp/_kernels.ts";
import { columnMajor } from "../../numerics/linalg/_simd.ts";

function same(a: ArrayLike<number>, b: ArrayLike<number>): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return false;
  return true;
}

/**
 * A symmetric positive-definite n×n matrix BBᵀ + ridge·I with entries of mixed magnitudes; with
 * `blocks` > 1 it is block-diagonal (exact zeros off the blocks, so signed zeros show).
 */
function spd(n: number, rng: Rng, blocks = 1, ridge = 0.1): Float64Array {
  const b = Float64Array.from({ length: n * n }, () => (rng.next() - 0.5) * 10 ** (2 * rng.next()));
  const a = new Float64Array(n * n);
  const block = (i: number) => Math.floor((i * blocks) / n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      if (block(i) !== block(j)) continue;
      let s = 0;
      for (let k = 0; k < n; k++) s += b[i * n + k]! * b[j * n + k]!;
      a[i * n + j] = a[j * n + i] = s + (i === j ? ridge : 0);
    }
  }
  return a;
}

// Orders around the kernels' blocks (pairs of lanes, four- and eight-row blocks) and the
// size below which the loops run.
const ORDERS = [1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 18, 19, 23, 24, 25, 31, 33, 64, 101];

Deno.test("inverse(): the WebAssembly SIMD kernels give the loops' L⁻¹ and A⁻¹ bit for bit", () => {
  assert(simdAvailable(), "WebAssembly SIMD is available in Deno");
  const rng = new Rng(11);
  for (const n of ORDERS) {
    for (const blocks of [1, 3]) {
      const f = cholesky(spd(n, rng, blocks));
      for (const lowerOnly of [true, false]) {
        const [o1, s1, o2, s2] = [0, 1, 2, 3].map(() => new Float64Array(n * n).fill(7));
        inverse(f, { lowerOnly, out: o1!, scratch: s1!, engine: "js" });
        inverse(f, { lowerOnly, out: o2!, scratch: s2! });
        assert(
          same(o1!, o2!),
          `A⁻¹ differs at n = ${n}, ${blocks} block(s), lowerOnly ${lowerOnly}`,
        );
        assert(same(s1!, s2!), `L⁻¹ differs at n = ${n}, ${blocks} block(s)`);
      }
    }
  }
});

Deno.test("cholesky(): the WebAssembly SIMD kernel gives the loops' factor bit for bit, jitter escalation included", () => {
  const rng = new Rng(12);
  for (const n of ORDERS) {
    for (const blocks of [1, 3]) {
      const a = spd(n, rng, blocks);
      const want = cholesky(a, { engine: "js" }),
        got = cholesky(a, { out: new Float64Array(n * n).fill(5) });
      assert(
        same(want.data, got.data) && want.jitter === got.jitter,
        `factor differs at n = ${n}, ${blocks} block(s)`,
      );
    }
  }
  // Rank-deficient matrices (B with fewer columns than rows): the plain factor fails and the
  // jitter grows; both engines must stop at the same jitter with the same factor.
  for (const n of [20, 40]) {
    const b = Float64Array.from({ length: n * 3 }, () => rng.normal());
    const a = new Float64Array(n * n);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) {
        a[i * n + j] = b[i * 3]! * b[j * 3]! + b[i * 3 + 1]! * b[j * 3 + 1]! +
          b[i * 3 + 2]! * b[j * 3 + 2]!;
      }
    }
    const want = cholesky(a, { engine: "js" }), got = cholesky(a);
    assert(want.jitter > 0, "the rank-deficient matrix needs jitter");
    assert(
      same(want.data, got.data) && want.jitter === got.jitter,
      `jittered factor differs at n = ${n}`,
    );
  }
});

Deno.test("maternCross(): distances from the WebAssembly SIMD kernel give the plain loop's values bit for bit", () => {
  const rng = new Rng(13);
  const plain = (a: Float64Array, b: Float64Array, d: number) => {
    const na = a.length / d, nb = b.length / d, out = new Float64Array(na * nb);
    for (let i = 0; i < na; i++) {
      for (let j = 0; j < nb; j++) {
        let r2 = 0;
        for (let k = 0; k < d; k++) {
          const t = a[i * d + k]! - b[j * d + k]!;
          r2 += t * t;
        }
        const s = Math.sqrt(5) * Math.sqrt(r2);
        out[i * nb + j] = (1 + s + s * s / 3) * Math.exp(-s);
      }
    }
    return out;
  };
  for (
    const [na, nb, d] of [[1, 1, 1], [3, 7, 2], [40, 9, 17], [64, 130, 64], [17, 1000, 8], [
      5,
      16,
      19,
    ]]
  ) {
    const a = Float64Array.from({ length: na! * d! }, () => rng.next() * 3);
    const b = Float64Array.from({ length: nb! * d! }, () => rng.next() * 3);
    b.set(a.subarray(0, Math.min(a.length, b.length) - (Math.min(a.length, b.length) % d!))); // zero distances
    const out = new Float64Array(na! * nb!).fill(9);
    maternCross(a, b, d!, out);
    assert(same(out, plain(a, b, d!)), `maternCross differs at ${na}×${nb}×${d}`);
    // The same with the division by the length-scales inside (b unscaled, stored by columns).
    const ls = Float64Array.from({ length: d! }, () => 0.1 + rng.next() * 2);
    const scaled = new Float64Array(na! * nb!).fill(9);
    maternCrossScaled(a, b, columnMajor(b, d!), ls, scaled);
    assert(
      same(scaled, plain(a, scaleRows(b, ls), d!)),
      `maternCrossScaled differs at ${na}×${nb}×${d}`,
    );
  }
});

Deno.test("solveLowerInPlace(): the WebAssembly SIMD kernel gives the loops' L⁻¹B bit for bit, from any row", () => {
  const rng = new Rng(14);
  for (const n of [16, 17, 23, 40, 101]) {
    const f = cholesky(spd(n, rng));
    for (const m of [1, 2, 7, 64, 301]) {
      const b = Float64Array.from({ length: n * m }, () => rng.normal() * 10 ** (3 * rng.next()));
      for (const from of [0, 1, n - 3, n]) {
        const want = b.slice(), got = b.slice();
        solveLowerInPlace(f, want, { from, engine: "js" });
        solveLowerInPlace(f, got, { from });
        assert(same(want, got), `L⁻¹B differs at n = ${n}, m = ${m}, from ${from}`);
      }
      const full = b.slice();
      solveLowerInPlace(f, full, { engine: "js" });
      // Solving the last rows of a B whose first rows are solved: the full solve's rows.
      const part = full.slice();
      part.set(b.subarray(5 * m), 5 * m);
      solveLowerInPlace(f, part, { from: 5 });
      assert(same(part, full), `rows from 5 differ at n = ${n}, m = ${m}`);
    }
  }
});

Deno.test("trainingKernel(): weighted distances from the WebAssembly SIMD kernel give the loops' M₀ and M₁ bit for bit", () => {
  const rng = new Rng(15);
  const matern = (r: number) => {
    const a = Math.sqrt(5) * Math.sqrt(r);
    return (1 + a + a * a / 3) * Math.exp(-a);
  };
  for (const [n, d] of [[16, 64], [23, 17], [64, 8], [131, 19]] as const) {
    const x = Float64Array.from({ length: n * d }, () => rng.next());
    x.set(x.subarray(0, d), d); // two equal rows: a zero distance
    const ls = Float64Array.from({ length: d }, () => 0.05 + rng.next());
    const bls = Float64Array.from({ length: d }, () => 0.05 + rng.next());
    const h = {
      mean: 0,
      outputscale: 1.3,
      lengthscales: ls,
      biasLengthscales: bls,
      power: 1.1,
      noise: 0.01,
    };
    const fidelity = Float64Array.from({ length: n }, (_, i) => [0.1, 0.5, 1][i % 3]!);
    const single = trainingKernel(x, d, undefined, h);
    const multi = trainingKernel(x, d, fidelity, h);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < i; j++) {
        let r0 = 0, r1 = 0, s0 = 0;
        for (let q = 0; q < d; q++) {
          const dx = x[i * d + q]! - x[j * d + q]!;
          const dd = dx * dx;
          s0 += dx * dx * (1 / (ls[q]! * ls[q]!));
          r0 += dd * (1 / (ls[q]! * ls[q]!));
          r1 += dd * (1 / (bls[q]! * bls[q]!));
        }
        const t = i * n + j;
        assert(Object.is(single.m0[t], matern(s0)), `single M₀ differs at ${n}×${d} (${i}, ${j})`);
        assert(Object.is(multi.m0[t], matern(r0)), `fidelity M₀ differs at ${n}×${d} (${i}, ${j})`);
        // M₁ only where the fidelity factor is non-zero (0 written where it is 0).
        const m1 = multi.bias[t] === 0 ? 0 : matern(r1);
        assert(Object.is(multi.m1[t], m1), `fidelity M₁ differs at ${n}×${d} (${i}, ${j})`);
      }
    }
  }
});
