/**
 * Multi-fidelity max-value entropy search as ADMIRE-BayesOpt uses it (Chen et al., 2025,
 * arXiv:2508.11551; botorch 0.10 `qMultiFidelityMaxValueEntropy` with one max-value sample and
 * 128 QMC samples; methods.md §2 "Exact semantics of the MF-MES value", steps 1–5). Step 6, the
 * cost weighting, is left to the caller.
 *
 * Departures: the max-value quartiles are found by Brent's method on ln F(y) rather than F(y)
 * (same roots); the 128 normal samples are scrambled Sobol' points from the method's seeded RNG
 * ({@link sobolNormals}), not torch's; a non-finite information gain (β = 0/0, which botorch
 * would propagate as NaN) counts as 0.
 *
 * @module
 */

import { brent } from "../numerics/optim/brent.ts";
import type { GpPosterior } from "../numerics/gp/gp.ts";
import { normCdf, normLogCdf } from "../numerics/stats/normal.ts";

/** botorch's CLAMP_LB for variances and CDFs. */
const CLAMP_LB = 1e-8;
const LOG_2PI = Math.log(2 * Math.PI);

/**
 * Step 1: one Gumbel sample of the maximum of f(·, 1). The candidate set is the training inputs
 * twice (botorch appends the model's training inputs to the observed X it is given), projected
 * to fidelity 1; F(y) = Πᵢ Φ((y − μᵢ)/σᵢ) over it, σᵢ² clamped ≥ 1e-8; its quartiles
 * q₂₅ < q₅₀ < q₇₅ on [min(μ − 3σ), max(μ + 5σ)] give b = (q₂₅ − q₇₅)/(ln ln(4/3) − ln ln 4),
 * a = q₅₀ + b·ln ln 2, and f* = a − b·ln(−ln u).
 *
 * @param post The fitted posterior.
 * @param u A uniform variate in (0, 1).
 * @returns The sample f*.
 */
export function sampleMaxValue(post: GpPosterior, u: number): number {
  // Inputs observed at several fidelities project to the same point: score each once, with
  // its multiplicity (2 per observation).
  const d = post.data.d, xs = post.data.x;
  const seen = new Map<string, number>();
  const weight: number[] = [];
  const unique: number[] = [];
  for (let i = 0, rows = (xs.length / d) | 0; i < rows; i++) {
    const row = xs.subarray(i * d, (i + 1) * d);
    const key = row.join(",");
    const at = seen.get(key);
    if (at === undefined) {
      seen.set(key, weight.length);
      weight.push(2);
      for (const v of row) unique.push(v);
    } else {
      weight[at]! += 2;
    }
  }
  const { mean, variance } = post.predict(Float64Array.from(unique), 1);
  const n = mean.length;
  const sd = variance.map((v) => Math.sqrt(Math.max(v, CLAMP_LB)));
  let left = Infinity, right = -Infinity;
  for (let i = 0; i < n; i++) {
    left = Math.min(left, mean[i]! - 3 * sd[i]!);
    right = Math.max(right, mean[i]! + 5 * sd[i]!);
  }
  const logF = (y: number) => {
    let s = 0;
    for (let i = 0; i < n; i++) s += weight[i]! * normLogCdf((y - mean[i]!) / sd[i]!);
    return s;
  };
  const tol = 1e-12 + 1e-12 * (right - left);
  const quartile = (p: number) => {
    const target = Math.log(p);
    return brent((y) => logF(y) - target, [left, right], { xTolerance: tol });
  };
  const q25 = quartile(0.25), q50 = quartile(0.5), q75 = quartile(0.75);
  const b = (q25 - q75) / (Math.log(Math.log(4 / 3)) - Math.log(Math.log(4)));
  const a = q50 + b * Math.log(Math.log(2));
  return a - b * Math.log(-Math.log(u));
}

/**
 * Steps 2–5: the information gain about f* from observing each point at its fidelity, by the
 * regression-adjusted entropy estimate (covariance with the 1/N mean, variances with the
 * unbiased 1/(N − 1) estimator, botorch's quirk kept).
 *
 * @param post The fitted posterior.
 * @param x Points, m×d row-major.
 * @param fidelity Fidelity value of each point.
 * @param fStar The max-value sample.
 * @param normals Standard normal base samples (128 in the reference).
 * @returns The information gain of each point.
 */
export function informationGain(
  post: GpPosterior,
  x: Float64Array,
  fidelity: Float64Array,
  fStar: number,
  normals: Float64Array,
): Float64Array {
  const j = post.joint(x, fidelity);
  const m = fidelity.length, ns = normals.length;
  const out = new Float64Array(m);
  const h1 = new Float64Array(ns), h0 = new Float64Array(ns);
  for (let c = 0; c < m; c++) {
    const vm = j.variance[c]! + post.noise; // observation-noise posterior of m
    const sdm = Math.sqrt(vm);
    const muM = j.meanTarget[c]!;
    const vM = Math.max(j.varianceTarget[c]!, CLAMP_LB);
    const cov = j.covariance[c]!;
    const sdNew = Math.sqrt(Math.max(vM - cov * cov / vm, CLAMP_LB));
    const cdfM = clampedCdf((fStar - muM) / Math.sqrt(vM));
    const logNorm = -0.5 * (LOG_2PI + Math.log(vm));
    const entropy0 = 0.5 * (LOG_2PI + 1 + Math.log(vm));
    let s1 = 0, s0 = 0;
    for (let k = 0; k < ns; k++) {
      const e = normals[k]!;
      const muNew = muM + cov * e / sdm; // μ_M + c/v_m·(y − μ_m) with y = μ_m + √v_m·e
      const z = clampedCdf((fStar - muNew) / sdNew) / cdfM;
      const logp = logNorm - 0.5 * e * e;
      h1[k] = -z * Math.log(z) - z * logp;
      h0[k] = -logp;
      s1 += h1[k]!;
      s0 += h0[k]!;
    }
    const mean1 = s1 / ns, mean0 = s0 / ns;
    let cv = 0, v1 = 0, v0 = 0;
    for (let k = 0; k < ns; k++) {
      const a = h1[k]! - mean1, b = h0[k]! - mean0;
      cv += a * b;
      v1 += a * a;
      v0 += b * b;
    }
    const beta = (cv / ns) / Math.sqrt((v0 / (ns - 1)) * (v1 / (ns - 1)));
    const ig = entropy0 - (mean1 - beta * (mean0 - entropy0));
    out[c] = Number.isFinite(ig) ? ig : 0;
  }
  return out;
}

/**
 * max(Φ(z), 1e-8), skipping the tail fraction where the answer is known: Φ(z) < 1e-8 for
 * z < −5.7 and Φ(z) rounds to 1 for z ≥ 8.5 (1 − Φ(8.5) ≈ 9e-18 < ε/2).
 */
function clampedCdf(z: number): number {
  if (z < -5.7) return CLAMP_LB;
  if (z >= 8.5) return 1;
  return Math.max(normCdf(z), CLAMP_LB);
}
