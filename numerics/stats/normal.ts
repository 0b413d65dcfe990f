/**
 * The standard normal distribution with accurate tails, and the analytic log expected
 * improvement used by ADMIRE-BayesOpt's single-fidelity BO (Chen, Ouyang, Pearce, Hartvigsen,
 * Schwarz, 2025, arXiv:2508.11551; methods.md §2).
 *
 * Everything is built from two expansions of the normal tail, so no fitted coefficients are
 * involved:
 * - |z| < 2.5: Φ(z) = ½ + φ(z)·Σₙ z^(2n+1)/(1·3·…·(2n+1)) (a series of positive terms);
 * - t = |z| ≥ 2.5: Mills' ratio R(t) = (1 − Φ(t))/φ(t) = 1/(t + 1/G(t)) with the continued
 *   fraction G(t) = t + 2/(t + 3/(t + 4/(t + …))) (Laplace's fraction, evaluated by Lentz's
 *   method; about 70 terms at t = 2.5, fewer further out).
 *
 * Mills' ratio is the normal-scaled complementary error function, erfcx(x) = √(2/π)·R(√2·x), so
 * log Φ(z) for very negative z is −z²/2 − ½ln(2π) − ln(t + 1/G(t)) without underflow. The
 * same fraction gives the log-EI function of Ament, Daulton, Eriksson, Balandat and Bakshy
 * (2023, "Unexpected improvements to expected improvement", arXiv:2310.20708) without
 * cancellation: h(z) = φ(z) + zΦ(z) = φ(t)/(t·G(t) + 1) for z = −t ≤ −2.5.
 *
 * @module
 */

import { brent } from "../optim/brent.ts";

const LOG_SQRT_2PI = 0.9189385332046728;
const INV_SQRT_2PI = 0.3989422804014327;
/** Where the series hands over to the continued fraction. */
const SWITCH = 2.5;

/**
 * Standard normal density φ(z).
 *
 * @example
 * ```ts
 * import { normPdf } from "./normal.ts";
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * assertEquals(Math.abs(normPdf(0) - 0.3989422804014327) < 1e-16, true);
 * ```
 * @param z The point.
 * @returns φ(z).
 */
export function normPdf(z: number): number {
  return INV_SQRT_2PI * Math.exp(-0.5 * z * z);
}

/**
 * Standard normal cumulative distribution Φ(z), with relative accuracy ~1e-14 in both tails
 * (Φ(−37) ≈ 5.7e-300 is returned, not 0).
 *
 * @example
 * ```ts
 * import { normCdf } from "./normal.ts";
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * assertEquals(normCdf(0), 0.5);
 * assertEquals(Math.abs(normCdf(-10) / 7.619853024160527e-24 - 1) < 1e-13, true);
 * ```
 * @param z The point.
 * @returns Φ(z).
 */
export function normCdf(z: number): number {
  if (Number.isNaN(z)) return NaN;
  if (z <= -SWITCH) return normPdf(z) / (-z + 1 / laplaceFraction(-z));
  if (z < SWITCH) return 0.5 + normPdf(z) * oddSeries(z);
  if (z === Infinity) return 1;
  return 1 - normPdf(z) / (z + 1 / laplaceFraction(z));
}

/**
 * Natural log of the standard normal CDF, ln Φ(z), accurate for very negative z
 * (ln Φ(−1e5) ≈ −5e9) and for z near and above 0 (ln Φ(10) ≈ −7.6e-24).
 *
 * @example
 * ```ts
 * import { normLogCdf } from "./normal.ts";
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * assertEquals(Math.abs(normLogCdf(-40) / -804.6084420137538 - 1) < 1e-14, true);
 * ```
 * @param z The point.
 * @returns ln Φ(z).
 */
export function normLogCdf(z: number): number {
  if (Number.isNaN(z)) return NaN;
  if (z <= -SWITCH) {
    if (z === -Infinity) return -Infinity;
    const t = -z;
    return -0.5 * t * t - LOG_SQRT_2PI - Math.log(t + 1 / laplaceFraction(t));
  }
  if (z < SWITCH) return Math.log(0.5 + normPdf(z) * oddSeries(z));
  if (z === Infinity) return 0;
  return Math.log1p(-normPdf(z) / (z + 1 / laplaceFraction(z)));
}

/**
 * Mills' ratio R(t) = (1 − Φ(t))/φ(t) for t ≥ 0 (≈ 1/t for large t); erfcx(x) = √(2/π)·R(√2x).
 *
 * @example
 * ```ts
 * import { millsRatio } from "./normal.ts";
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * assertEquals(Math.abs(millsRatio(0) - Math.sqrt(Math.PI / 2)) < 1e-15, true);
 * ```
 * @param t The point, ≥ 0.
 * @returns R(t).
 * @throws {RangeError} For negative or NaN t.
 */
export function millsRatio(t: number): number {
  if (!(t >= 0)) throw new RangeError(`Cannot compute Mills' ratio at "${t}": expected t ≥ 0`);
  if (t >= SWITCH) return t === Infinity ? 0 : 1 / (t + 1 / laplaceFraction(t));
  return 0.5 / normPdf(t) - oddSeries(t);
}

/**
 * Standard normal quantile Φ⁻¹(p), by Brent's method on ln Φ (so tiny p keep their accuracy).
 *
 * @example
 * ```ts
 * import { normQuantile } from "./normal.ts";
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * assertEquals(Math.abs(normQuantile(0.975) - 1.959963984540054) < 1e-12, true);
 * ```
 * @param p Probability in (0, 1); 0 and 1 give ∓Infinity.
 * @returns The z with Φ(z) = p.
 * @throws {RangeError} For p outside [0, 1].
 */
export function normQuantile(p: number): number {
  if (!(p >= 0 && p <= 1)) {
    throw new RangeError(`Cannot compute the normal quantile of "${p}": expected 0 ≤ p ≤ 1`);
  }
  if (p === 0) return -Infinity;
  if (p === 1) return Infinity;
  if (p === 0.5) return 0;
  if (p > 0.5) return -normQuantile(1 - p);
  const target = Math.log(p);
  return brent((z) => normLogCdf(z) - target, [-40, 0], { xTolerance: 1e-15 });
}

/**
 * ln h(u) with h(u) = φ(u) + u·Φ(u), the standardised expected improvement: EI = σ·h(u),
 * u = (μ − best)/σ (Ament et al., 2023, arXiv:2310.20708, "log_h"). Stable for very negative
 * u: h(u) = φ(u)/(|u|·G(|u|) + 1) there, so ln h(−1e6) ≈ −5e11 − 2·ln(1e6) − ½ln(2π).
 *
 * @example
 * ```ts
 * import { logH } from "./normal.ts";
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * assertEquals(Math.abs(logH(0) - Math.log(0.3989422804014327)) < 1e-15, true);
 * ```
 * @param u Standardised improvement.
 * @returns ln h(u).
 */
export function logH(u: number): number {
  if (Number.isNaN(u)) return NaN;
  if (u > -SWITCH) {
    if (u === Infinity) return Infinity;
    return Math.log(normPdf(u) + u * normCdf(u));
  }
  if (u === -Infinity) return -Infinity;
  const t = -u;
  // ln(t·G + 1) = ln t + ln(G + 1/t), which does not overflow for huge t.
  return -0.5 * t * t - LOG_SQRT_2PI - Math.log(t) - Math.log(laplaceFraction(t) + 1 / t);
}

/**
 * Analytic log expected improvement ln E[max(f − best, 0)] for f ~ N(μ, σ²), stable far below
 * `best` (the analytic counterpart of botorch's qLogExpectedImprovement that methods.md §2
 * allows for ADMIRE's SF-BO: same argmax up to botorch's Monte-Carlo noise and smoothing).
 *
 * @example
 * ```ts
 * import { logEI } from "./normal.ts";
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * // EI of N(0, 1) over best 0 is φ(0).
 * assertEquals(Math.abs(logEI(0, 1, 0) - Math.log(0.3989422804014327)) < 1e-15, true);
 * assertEquals(Number.isFinite(logEI(0, 1, 50)), true);
 * ```
 * @param mu Posterior mean μ.
 * @param sigma Posterior standard deviation σ ≥ 0 (noise-free).
 * @param best Incumbent value (best observed).
 * @returns ln EI; for σ = 0, ln max(μ − best, 0).
 */
export function logEI(mu: number, sigma: number, best: number): number {
  if (!(sigma > 0)) return mu > best ? Math.log(mu - best) : -Infinity;
  return Math.log(sigma) + logH((mu - best) / sigma);
}

/** Σₙ z^(2n+1)/(1·3·…·(2n+1)), so that Φ(z) = ½ + φ(z)·(this); for |z| < 2.5. */
function oddSeries(z: number): number {
  const z2 = z * z;
  let term = z, sum = z;
  for (let k = 3; k < 200; k += 2) {
    term *= z2 / k;
    sum += term;
    if (Math.abs(term) <= 1e-17 * Math.abs(sum)) break;
  }
  return sum;
}

/**
 * G(t) = t + 2/(t + 3/(t + 4/(t + …))) for t ≥ 2.5 by the modified Lentz method, so that
 * R(t) = 1/(t + 1/G(t)) and 1 − t·R(t) = 1/(t·G(t) + 1).
 */
function laplaceFraction(t: number): number {
  const tiny = 1e-300;
  let f = t, c = t, d = 0;
  for (let k = 2; k < 1000; k++) {
    d = t + k * d;
    if (d === 0) d = tiny;
    c = t + k / c;
    if (c === 0) c = tiny;
    d = 1 / d;
    const delta = c * d;
    f *= delta;
    if (Math.abs(delta - 1) <= 2e-16) break;
  }
  return f;
}
