import { assert, assertAlmost, assertEquals } from "../_assert.ts";
import { cholesky, extendCholesky } from "../../numerics/linalg/cholesky.ts";
import { GpCandidates, GpPosterior } from "../../numerics/gp/gp.ts";
import type { GpData, GpHyper } from "../../numerics/gp/types.ts";
import { trainingKernel } from "../../numerics/gp/_kernels.ts";
import { normCdfFast, normLogCdfFast } from "../../numerics/stats/normal_table.ts";
import { normCdf, normLogCdf } from "../../numerics/stats/normal.ts";
import { Rng } from "../../numerics/rng.ts";

const D = 4;
const HYPER: GpHyper = {
  mean: 0.2,
  outputscale: 1.3,
  lengthscales: new Float64Array([0.3, 0.5, 0.7, 0.9]),
  biasLengthscales: new Float64Array([1.1, 0.8, 1.4, 1]),
  power: 1.5,
  noise: 1e-3,
};

function data(n: number, seed: number, kind: "single" | "fidelity" = "fidelity"): GpData {
  const rng = new Rng(seed);
  const x = new Float64Array(n * D).map(() => rng.next());
  const fidelity = new Float64Array(n).map((_, i) => [0.01, 0.3, 1][i % 3]!);
  const y = new Float64Array(n).map((_, i) =>
    Math.sin(3 * x[i * D]!) + fidelity[i]! * x[i * D + 1]!
  );
  return { kind, d: D, x, fidelity, y };
}

function slice(g: GpData, from: number, to: number): GpData {
  return {
    kind: g.kind,
    d: g.d,
    x: g.x.slice(from * g.d, to * g.d),
    fidelity: g.fidelity.slice(from, to),
    y: g.y.slice(from, to),
  };
}

/** The full symmetric kernel matrix (trainingKernel fills the lower triangle). */
function fullKernel(g: GpData): Float64Array {
  const n = g.y.length, k = trainingKernel(g.x, g.d, g.fidelity, HYPER).k.slice();
  for (let i = 0; i < n; i++) for (let j = 0; j < i; j++) k[j * n + i] = k[i * n + j]!;
  return k;
}

Deno.test("extendCholesky() by 1 and by 7 rows equals a full factorisation to 1e-10", () => {
  const g = data(60, 1), n = 60, k = fullKernel(g);
  const full = cholesky(k);
  for (const split of [59, 53, 1]) {
    const a = new Float64Array(split * split);
    for (let i = 0; i < split; i++) a.set(k.subarray(i * n, i * n + split), i * split);
    const r = n - split;
    const b = new Float64Array(r * split), c = new Float64Array(r * r);
    for (let i = 0; i < r; i++) {
      b.set(k.subarray((split + i) * n, (split + i) * n + split), i * split);
      c.set(k.subarray((split + i) * n + split, (split + i) * n + n), i * r);
    }
    const ext = extendCholesky(cholesky(a), b, c)!;
    assertEquals(ext.n, n);
    let worst = 0;
    for (let t = 0; t < n * n; t++) worst = Math.max(worst, Math.abs(ext.data[t]! - full.data[t]!));
    assert(worst <= 1e-10, `split ${split}: max |ΔL| = ${worst}`);
  }
});

Deno.test("extendCholesky() keeps the old jitter and refuses a non-positive new pivot", () => {
  // [[1, 1], [1, 1]] is singular: factoring needs jitter; the bordered row gets the same.
  const old = cholesky(new Float64Array([1, 1, 1, 1]));
  assert(old.jitter > 0);
  const ext = extendCholesky(old, new Float64Array([0.5, 0.5]), new Float64Array([1]))!;
  assertEquals(ext.jitter, old.jitter);
  const l = ext.data;
  const back = (i: number, j: number) =>
    l[i * 3]! * l[j * 3]! + l[i * 3 + 1]! * l[j * 3 + 1]! + l[i * 3 + 2]! * l[j * 3 + 2]!;
  assertAlmost(back(2, 2), 1 + old.jitter, 1e-12);
  assertAlmost(back(2, 0), 0.5, 1e-12);
  // A new row equal to an old one (no noise) has pivot 0 (+ jitter 0): refused.
  const plain = cholesky(new Float64Array([4]));
  assertEquals(extendCholesky(plain, new Float64Array([4]), new Float64Array([4])), undefined);
});

Deno.test("GpPosterior.extend() predicts as a posterior built from all the data (to 1e-10)", () => {
  for (const kind of ["single", "fidelity"] as const) {
    const g = data(40, 2, kind);
    let post = new GpPosterior(slice(g, 0, 25), HYPER);
    const lineage = post.lineage;
    for (let i = 25; i < 40; i += 5) {
      const s = slice(g, i, i + 5);
      post = post.extend(s.x, s.fidelity, s.y);
    }
    assert(post.extended && post.lineage === lineage);
    const fresh = new GpPosterior(g, HYPER);
    const z = data(30, 9, kind);
    const a = post.joint(z.x, z.fidelity), b = fresh.joint(z.x, z.fidelity);
    for (const key of ["mean", "variance", "meanTarget", "varianceTarget", "covariance"] as const) {
      a[key].forEach((v, i) => assertAlmost(v, b[key][i]!, 1e-10, `${kind} ${key}[${i}]`));
    }
  }
});

Deno.test("GpPosterior.extend() refactors with jitter when a bordered pivot fails, in a new lineage", () => {
  // With a negligible noise, observing an input again makes the bordered pivot ≈ 0.
  const g = data(10, 3, "single");
  const base = new GpPosterior(slice(g, 0, 3), { ...HYPER, noise: 1e-300 });
  assertEquals(base.factor.jitter, 0);
  const again = base.extend(g.x.slice(0, D), g.fidelity.slice(0, 1), g.y.slice(0, 1));
  assert(!again.extended && again.lineage !== base.lineage, "refactored");
  assert(again.factor.jitter > 0, "with jitter");
  assertEquals(again.data.y.length, 4);
});

Deno.test("GpCandidates moments equal the posterior's, rebuilt and extended (to 1e-10)", () => {
  const g = data(45, 4);
  const z = data(50, 8);
  const cands = new GpCandidates(z.x, z.fidelity, { target: true });
  let post = new GpPosterior(slice(g, 0, 20), HYPER);
  cands.update(post);
  for (let i = 20; i < 45; i += 1) {
    const s = slice(g, i, i + 1);
    post = post.extend(s.x, s.fidelity, s.y);
    cands.update(post);
  }
  assertEquals(cands.work.rebuiltRows, 20);
  assertEquals(cands.work.extendedRows, 25);
  const cols = Array.from({ length: 50 }, (_, i) => 49 - i);
  const kept = cands.joint(cols);
  const x = new Float64Array(50 * D), f = new Float64Array(50);
  cols.forEach((c, r) => {
    x.set(z.x.subarray(c * D, (c + 1) * D), r * D);
    f[r] = z.fidelity[c]!;
  });
  const direct = post.joint(x, f);
  for (const key of ["mean", "variance", "meanTarget", "varianceTarget", "covariance"] as const) {
    kept[key].forEach((v, i) => assertAlmost(v, direct[key][i]!, 1e-10, `${key}[${i}]`));
  }
  const own = cands.moments(cols);
  own.mean.forEach((v, i) => assertAlmost(v, direct.mean[i]!, 1e-10));
  // A refitted posterior (new lineage) rebuilds.
  cands.update(new GpPosterior(g, { ...HYPER, noise: 2e-3 }));
  assertEquals(cands.work.rebuiltRows, 65);
});

Deno.test("normCdfFast() and normLogCdfFast() match the exact functions (1e-13 relative in Φ)", () => {
  for (let z = -13; z <= 40; z += 0.00377) {
    const p = normCdf(z);
    assert(Math.abs(normCdfFast(z) - p) <= 1e-13 * p, `Φ(${z})`);
    const l = normLogCdf(z);
    // ln Φ to 1e-13 absolute where |ln Φ| is large, and relative to Φ's digits near 0.
    assert(
      Math.abs(normLogCdfFast(z) - l) <= 1e-13 * Math.max(1, Math.abs(l)) || z > 12,
      `lnΦ(${z})`,
    );
    if (z > 12) assert(Math.abs(normLogCdfFast(z) - l) <= 1e-39, `lnΦ(${z}) tail`);
  }
});
