import { assert, assertAlmost, assertEquals, assertThrows } from "../_assert.ts";
import { cholesky, inverse, solveLower, solveUpper } from "../../numerics/linalg/cholesky.ts";
import {
  fitGp,
  gpLoss,
  GpPosterior,
  initialRaw,
  logMarginalLikelihood,
  rawFromHyper,
  rawLength,
} from "../../numerics/gp/gp.ts";
import type { GpData, GpHyper } from "../../numerics/gp/types.ts";
import { Rng } from "../../numerics/rng.ts";

// A 3-point example with the linear-truncated fidelity kernel. Reference numbers: numpy 2.4 /
// scipy 1.17, building K = s²·[M₀ + (1 − f)(1 − f')(1 + ff')^π·M₁] + σ²I by hand and taking
// scipy.stats.multivariate_normal.logpdf, scipy.stats.gamma.logpdf for the priors, and the
// textbook posterior μ = m + K*ᵀK⁻¹(y − m), C = K** − K*ᵀK⁻¹K* with np.linalg.inv.
const HYPER: GpHyper = {
  mean: 0.1,
  outputscale: 1.3,
  lengthscales: new Float64Array([0.7, 1.2]),
  biasLengthscales: new Float64Array([0.4, 2.0]),
  power: 1.5,
  noise: 0.05,
};
const X = new Float64Array([0.2, 0.8, 0.5, 0.5, 0.9, 0.1]);
const Y = new Float64Array([0.3, -0.1, 0.4]);
const data = (fidelity: number[], kind: GpData["kind"] = "fidelity"): GpData => ({
  kind,
  d: 2,
  x: X,
  fidelity: Float64Array.from(fidelity),
  y: Y,
});

Deno.test("logMarginalLikelihood() matches numpy on a 3-point fidelity-kernel example", () => {
  assertAlmost(logMarginalLikelihood(data([0.5, 1, 0.25]), HYPER), -3.229479832644233, 1e-12);
});

Deno.test("logMarginalLikelihood() with f = 1 everywhere leaves only M₀ (the single kind)", () => {
  const ref = -2.7237710874413987; // numpy with K = s²·M₀ + σ²I
  assertAlmost(logMarginalLikelihood(data([1, 1, 1]), HYPER), ref, 1e-12);
  assertAlmost(logMarginalLikelihood(data([0, 0, 0], "single"), HYPER), ref, 1e-12);
});

Deno.test("logMarginalLikelihood() with f = f' = 0 uses M₀ + M₁", () => {
  // numpy with K = s²·(M₀ + M₁) + σ²I.
  assertAlmost(logMarginalLikelihood(data([0, 0, 0]), HYPER), -3.7096403233006585, 1e-12);
});

Deno.test("gpLoss() is −(log likelihood + Σ log Gamma priors)/n as scipy computes it", () => {
  const raw = rawFromHyper("fidelity", HYPER);
  assertAlmost(gpLoss(data([0.5, 1, 0.25]), raw), 7.0492071062498844, 1e-12);
});

Deno.test("GpPosterior.joint() matches numpy's joint posterior of f(z, s) and f(z, 1)", () => {
  const post = new GpPosterior(data([0.5, 1, 0.25]), HYPER);
  const j = post.joint(new Float64Array([0.3, 0.6]), new Float64Array([0.6]));
  assertAlmost(j.mean[0]!, 0.18396328662702752, 1e-12, "mean at s");
  assertAlmost(j.meanTarget[0]!, -0.007684001007959906, 1e-12, "mean at 1");
  assertAlmost(j.variance[0]!, 0.09882380793575862, 1e-12, "variance at s");
  assertAlmost(j.varianceTarget[0]!, 0.12026358532788883, 1e-12, "variance at 1");
  assertAlmost(j.covariance[0]!, 0.02402433481540922, 1e-12, "covariance");
  const p = post.predict(new Float64Array([0.3, 0.6, 0.3, 0.6]), new Float64Array([0.6, 1]));
  assertAlmost(p.mean[0]!, j.mean[0]!, 1e-14);
  assertAlmost(p.variance[1]!, j.varianceTarget[0]!, 1e-14);
});

function randomData(kind: GpData["kind"], n: number, d: number, seed: number): GpData {
  const rng = new Rng(seed);
  const x = new Float64Array(n * d).map(() => rng.next());
  const fidelity = new Float64Array(n).map(() => [0.1774, 0.4817, 1][rng.int(3)]!);
  const y = new Float64Array(n).map((_, i) =>
    Math.sin(3 * x[i * d]!) + fidelity[i]! * x[i * d + 1]! + 0.01 * rng.normal()
  );
  return { kind, d, x, fidelity, y };
}

for (const kind of ["single", "fidelity"] as const) {
  Deno.test(`gpLoss() gradient (${kind} kind) matches central finite differences`, () => {
    const d = 3, D = randomData(kind, 12, d, 5);
    const rng = new Rng(9);
    const raw = initialRaw(kind, d).map((v) => v + 0.5 * rng.normal());
    const grad = new Float64Array(rawLength(kind, d));
    gpLoss(D, raw, grad);
    for (let i = 0; i < raw.length; i++) {
      const h = 1e-5;
      const up = raw.slice(), down = raw.slice();
      up[i]! += h;
      down[i]! -= h;
      const fd = (gpLoss(D, up) - gpLoss(D, down)) / (2 * h);
      assertAlmost(grad[i]!, fd, 1e-7 * Math.max(1, Math.abs(fd)), `∂/∂raw[${i}]`);
    }
  });
}

Deno.test("fitGp() lowers the MAP loss from botorch's start and the posterior fits the data", () => {
  const D = randomData("fidelity", 40, 3, 11);
  const start = gpLoss(D, initialRaw("fidelity", 3));
  const fit = fitGp(D, { rng: new Rng(1) });
  assert(fit.converged, "converged");
  assert(fit.loss < start - 0.1, `loss ${fit.loss} vs start ${start}`);
  assertAlmost(fit.loss, gpLoss(D, fit.raw), 1e-12);
  const mean = fit.posterior.predict(D.x, D.fidelity).mean;
  let sse = 0, sst = 0, my = 0;
  for (const v of D.y) my += v / D.y.length;
  D.y.forEach((v, i) => {
    sse += (v - mean[i]!) ** 2;
    sst += (v - my) ** 2;
  });
  assert(sse < 0.05 * sst, `R² = ${1 - sse / sst}`);
});

Deno.test("fitGp() from a warm start reaches the same optimum as from botorch's start", () => {
  const D = randomData("single", 30, 2, 3);
  const cold = fitGp(D);
  const warm = fitGp(D, { init: cold.raw, firstStep: 0.03 });
  assertAlmost(warm.loss, cold.loss, 1e-8);
  assert(warm.evaluations < cold.evaluations, `${warm.evaluations} vs ${cold.evaluations}`);
});

Deno.test("fitGp() refuses a raw start of the wrong length", () => {
  assertThrows(
    () => fitGp(randomData("single", 5, 2, 1), { init: [0, 0] }),
    TypeError,
    /expected 5/,
  );
});

Deno.test("cholesky() solves, inverts and adds jitter only when needed", () => {
  const a = new Float64Array([4, 2, 0.4, 2, 5, 1, 0.4, 1, 3]);
  const f = cholesky(a);
  assertEquals(f.jitter, 0);
  const x = solveUpper(f, solveLower(f, [1, 2, 3]));
  for (let i = 0; i < 3; i++) {
    const row = a[i * 3]! * x[0]! + a[i * 3 + 1]! * x[1]! + a[i * 3 + 2]! * x[2]!;
    assertAlmost(row, i + 1, 1e-14);
  }
  const inv = inverse(f);
  for (let i = 0; i < 3; i++) {
    for (let j = 0; j < 3; j++) {
      let s = 0;
      for (let k = 0; k < 3; k++) s += a[i * 3 + k]! * inv[k * 3 + j]!;
      assertAlmost(s, i === j ? 1 : 0, 1e-14);
    }
  }
  // A rank-one PSD matrix needs jitter (gpytorch: 1e-8, then ×10).
  assert(cholesky(new Float64Array([1, 1, 1, 1])).jitter > 0);
  assertThrows(() => cholesky(new Float64Array([-1, 0, 0, -1])), RangeError, /not positive/);
});

Deno.test("inverse() of a 50×50 kernel matrix is exact to 1e-10 (four-row unrolled loops)", () => {
  const D = randomData("fidelity", 50, 3, 2);
  const h = {
    ...HYPER,
    lengthscales: new Float64Array([0.5, 0.5, 0.5]),
    biasLengthscales: new Float64Array([1, 1, 1]),
  };
  const post = new GpPosterior(D, h);
  // Posterior mean at the training inputs with tiny noise reproduces y closely.
  const mean = post.predict(D.x, D.fidelity).mean;
  D.y.forEach((v, i) => assertAlmost(mean[i]!, v, 0.2));
  const n = 50, k = new Float64Array(n * n);
  const rng = new Rng(4);
  const b = new Float64Array(n * n).map(() => rng.normal());
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let q = 0; q < n; q++) s += b[i * n + q]! * b[j * n + q]!;
      k[i * n + j] = s + (i === j ? 1 : 0);
    }
  }
  const inv = inverse(cholesky(k));
  for (let i = 0; i < n; i += 7) {
    for (let j = 0; j < n; j += 3) {
      let s = 0;
      for (let q = 0; q < n; q++) s += k[i * n + q]! * inv[q * n + j]!;
      assertAlmost(s, i === j ? 1 : 0, 1e-10);
    }
  }
});
