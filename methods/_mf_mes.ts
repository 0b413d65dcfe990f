/**
 * Multi-fidelity max-value entropy search as ADMIRE-BayesOpt uses it (Chen et al., 2025,
 * arXiv:2508.11551; botorch 0.10 `qMultiFidelityMaxValueEntropy` with one max-value sample and
 * 128 QMC samples; methods.md §2 "Exact semantics of the MF-MES value", steps 1–5). Step 6, the
 * cost weighting, is left to the caller.
 *
 * Departures: the max-value quartiles are found by Brent's method on ln F(y) rather than F(y)
 * (same roots); the 128 normal samples are scrambled Sobol' points from the method's seeded RNG
 * ({@link sobolNormals}), not torch's; a non-finite information gain (β = 0/0, which botorch
 * would propagate as NaN) counts as 0; Φ and ln Φ in the inner loops come from a table of
 * Taylor expansions (`numerics/stats/normal_table.ts`, relative error ≤ 1e-13 against the
 * series/continued-fraction values of `normal.ts`), about 8× faster; the h₀ = −ln p(y) terms,
 * whose deviations from their mean do not depend on the point, are centred once per call. For
 * speed only (the same values bit for bit): the clamped Φ of every point and sample comes from a
 * WebAssembly SIMD kernel (`numerics/stats/_normal_simd.ts`) where available, and samples whose
 * clamped Φ is 1e-8 or 1 share one z and one log per point.
 *
 * @module
 */

import { brent } from "../numerics/optim/brent.ts";
import type { GpJoint, GpPosterior } from "../numerics/gp/gp.ts";
import { normCdfFast, normLogCdfFast } from "../numerics/stats/normal_table.ts";
import { clampedCdfs } from "../numerics/stats/_normal_simd.ts";

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
  return maxValueFromMoments(mean, variance, weight, u);
}

/**
 * Step 1 from the posterior moments at fidelity 1 of the distinct inputs and their
 * multiplicities (the part of {@link sampleMaxValue} after the posterior is evaluated).
 *
 * @param mean Posterior means at fidelity 1.
 * @param variance Posterior variances at fidelity 1.
 * @param weight Multiplicity of each input (2 per observation).
 * @param u A uniform variate in (0, 1).
 * @returns The sample f*.
 */
export function maxValueFromMoments(
  mean: Float64Array,
  variance: Float64Array,
  weight: ArrayLike<number>,
  u: number,
): number {
  const n = mean.length;
  const sd = variance.map((v) => Math.sqrt(Math.max(v, CLAMP_LB)));
  let left = Infinity, right = -Infinity;
  for (let i = 0; i < n; i++) {
    left = Math.min(left, mean[i]! - 3 * sd[i]!);
    right = Math.max(right, mean[i]! + 5 * sd[i]!);
  }
  const logF = (y: number) => {
    let s = 0;
    for (let i = 0; i < n; i++) s += weight[i]! * normLogCdfFast((y - mean[i]!) / sd[i]!);
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
  return informationGainOf(post.joint(x, fidelity), post.noise, fStar, normals);
}

/**
 * Steps 2–5 from the joint posterior moments of the points (the part of
 * {@link informationGain} after the posterior is evaluated).
 *
 * @param j Joint moments of f(z, s) and f(z, 1) at the points.
 * @param noise Observation noise variance σ².
 * @param fStar The max-value sample.
 * @param normals Standard normal base samples.
 * @returns The information gain of each point.
 */
export function informationGainOf(
  j: GpJoint,
  noise: number,
  fStar: number,
  normals: Float64Array,
): Float64Array {
  const m = j.mean.length, ns = normals.length;
  const out = new Float64Array(m);
  // h0 = −ln p(y) = −lnNorm + e²/2: its deviations from their mean do not depend on the point.
  const half = normals.map((e) => 0.5 * e * e);
  let halfMean = 0;
  for (let k = 0; k < ns; k++) halfMean += half[k]!;
  halfMean /= ns;
  const dev0 = half.map((h) => h - halfMean);
  let v0 = 0;
  for (let k = 0; k < ns; k++) v0 += dev0[k]! * dev0[k]!;
  let maxAbsNormal = 0;
  for (let k = 0; k < ns; k++) maxAbsNormal = Math.max(maxAbsNormal, Math.abs(normals[k]!));
  const h1 = new Float64Array(ns);
  // Per point: the argument a − b·e of Φ for sample e, Φ's clamp at f*, and the entropy terms.
  const as = new Float64Array(m), bs = new Float64Array(m), cdfMs = new Float64Array(m);
  const logNorms = new Float64Array(m), entropies = new Float64Array(m);
  for (let c = 0; c < m; c++) {
    const vm = j.variance[c]! + noise; // observation-noise posterior of m
    const sdm = Math.sqrt(vm);
    const muM = j.meanTarget[c]!;
    const vM = Math.max(j.varianceTarget[c]!, CLAMP_LB);
    const cov = j.covariance[c]!;
    const sdNew = Math.sqrt(Math.max(vM - cov * cov / vm, CLAMP_LB));
    cdfMs[c] = clampedCdf((fStar - muM) / Math.sqrt(vM));
    logNorms[c] = -0.5 * (LOG_2PI + Math.log(vm));
    entropies[c] = 0.5 * (LOG_2PI + 1 + Math.log(vm));
    // (f* − μ_new)/σ_new with μ_new = μ_M + c/v_m·(y − μ_m), y = μ_m + √v_m·e.
    as[c] = (fStar - muM) / sdNew;
    bs[c] = cov / (sdm * sdNew);
  }
  // Every clamped Φ(a − b·e) at once in WebAssembly SIMD (the same values), when available.
  const cdfs = clampedCdfs(as, bs, normals);
  for (let c = 0; c < m; c++) {
    const a = as[c]!, b = bs[c]!, cdfM = cdfMs[c]!, logNorm = logNorms[c]!;
    const entropy0 = entropies[c]!;
    // When every argument lies in one clamped tail (Φ = 1 or Φ ≤ 1e-8 for all samples), z is
    // the same for every sample: the same values, without a Φ and a log per sample.
    const lo = a - Math.abs(b) * maxAbsNormal, hi = a + Math.abs(b) * maxAbsNormal;
    const flat = lo >= 8.5 || hi < -5.7;
    const zFlat = flat ? clampedCdf(a) / cdfM : 0, lzFlat = flat ? Math.log(zFlat) : 0;
    let s1 = 0;
    if (flat) {
      for (let k = 0; k < ns; k++) {
        const h = -zFlat * (lzFlat + logNorm - half[k]!);
        h1[k] = h;
        s1 += h;
      }
    } else if (cdfs) {
      // A clamped Φ of 1e-8 or 1 gives one z for every sample with it: one log each.
      const zLo = CLAMP_LB / cdfM, zHi = 1 / cdfM;
      const lzLo = Math.log(zLo), lzHi = Math.log(zHi);
      for (let k = 0, at = c * ns; k < ns; k++) {
        const p = cdfs[at + k]!;
        let z: number, lz: number;
        if (p === CLAMP_LB) {
          z = zLo;
          lz = lzLo;
        } else if (p === 1) {
          z = zHi;
          lz = lzHi;
        } else {
          z = p / cdfM;
          lz = Math.log(z);
        }
        const h = -z * (lz + logNorm - half[k]!);
        h1[k] = h;
        s1 += h;
      }
    } else {
      // The clamped tails give the same z for every sample in them: one log each.
      const zLo = CLAMP_LB / cdfM, zHi = 1 / cdfM;
      const lzLo = Math.log(zLo), lzHi = Math.log(zHi);
      for (let k = 0; k < ns; k++) {
        const t = a - b * normals[k]!;
        let z: number, lz: number;
        if (t < -5.7) {
          z = zLo;
          lz = lzLo;
        } else if (t >= 8.5) {
          z = zHi;
          lz = lzHi;
        } else {
          z = Math.max(normCdfFast(t), CLAMP_LB) / cdfM;
          lz = Math.log(z);
        }
        const h = -z * (lz + logNorm - half[k]!);
        h1[k] = h;
        s1 += h;
      }
    }
    const mean1 = s1 / ns, mean0 = halfMean - logNorm;
    let cv = 0, v1 = 0;
    for (let k = 0; k < ns; k++) {
      const d1 = h1[k]! - mean1;
      cv += d1 * dev0[k]!;
      v1 += d1 * d1;
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
  return Math.max(normCdfFast(z), CLAMP_LB);
}
