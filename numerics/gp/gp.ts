/**
 * The Gaussian process of ADMIRE-BayesOpt (Chen, Ouyang, Pearce, Hartvigsen, Schwarz, 2025,
 * arXiv:2508.11551), as botorch 0.10 builds it (`SingleTaskMultiFidelityGP` with a
 * linear-truncated fidelity kernel; methods.md §2 "Surrogate"):
 *
 * ```
 * k(x, x') = s²·[M₀(z, z') + (1 − f)(1 − f')(1 + f·f')^π·M₁(z, z')]     ("fidelity" kind)
 * k(x, x') = s²·M₀(z, z')                                              ("single" kind)
 * ```
 * z = mixture, f = fidelity value in [0, 1], M₀ and M₁ Matérn-5/2 kernels with one
 * length-scale per mixture dimension, a learned constant mean, homoscedastic Gaussian noise
 * σ² ≥ 1e-4, no input or outcome transforms. Priors (shape, rate): ℓ₀ ~ Gamma(3, 6),
 * ℓ₁ ~ Gamma(6, 2), π ~ Gamma(3, 3), s² ~ Gamma(2, 0.15), σ² ~ Gamma(1.1, 0.05). At f = 1 the
 * bias term vanishes, so the "single" kind is the fidelity kind restricted to f = 1 (the
 * ℓ₁, π priors then only add a constant to the objective).
 *
 * The MAP fit ({@link fitGp}) maximises (ln p(y) + Σ ln priors)/n with L-BFGS on softplus
 * parameters and analytic gradients ½·tr((ααᵀ − K⁻¹)·∂K/∂θ), retrying from prior draws when
 * the optimiser fails, as botorch's `fit_gpytorch_mll` does (≤ 5 attempts).
 *
 * The posterior lives in `gp_posterior.ts` ({@link GpPosterior}) and the fit in `gp_fit.ts`
 * ({@link fitGp}); both are re-exported here.
 *
 * Departures from botorch: L-BFGS with a strong-Wolfe line search on unconstrained parameters
 * instead of scipy's L-BFGS-B; the noise is 1e-4 + softplus(raw) instead of a raw value with a
 * box bound; at most 200 iterations (scipy allows 15000); a fit may start from a given point
 * (warm start) instead of botorch's defaults; retries draw from the priors with the caller's
 * seeded RNG and, when no attempt succeeds, the best attempt is kept.
 *
 * @module
 */

import {
  hyperFromRaw as toHyper,
  initialRaw as startRaw,
  MIN_NOISE as NOISE_FLOOR,
  rawFromHyper as toRaw,
  rawLength as rawSize,
} from "./_params.ts";
import { checkData, LOG_2PI, lossAndFactor, residual, trainKernel } from "./_loss.ts";
import { cholesky, logDeterminant, solveLower, solveUpper } from "../linalg/cholesky.ts";

export {
  type GpJoint,
  GpPosterior,
  type GpPosteriorOptions,
  type GpPrediction,
} from "./posterior.ts";
export { fitGp, type GpFit, type GpFitOptions } from "./fit.ts";
export { GpCandidates, type GpCandidatesOptions } from "./candidates.ts";
export type { GpData, GpHyper, GpKind, GpScratch } from "./types.ts";
import type { GpData, GpHyper, GpKind } from "./types.ts";
export { GpWorkspace } from "./_workspace.ts";

/** Lower bound of the noise variance σ² (botorch's MIN_INFERRED_NOISE_LEVEL). */
export const MIN_NOISE: number = NOISE_FLOOR;

/**
 * Length of the raw parameter vector: [mean, s², ℓ₀ (d), ℓ₁ (d), π, σ²] for the fidelity kind,
 * [mean, s², ℓ₀ (d), σ²] for the single kind.
 *
 * @example
 * ```ts
 * import { rawLength } from "./gp.ts";
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * assertEquals(rawLength("fidelity", 19), 42);
 * ```
 * @param kind Kernel kind.
 * @param d Mixture dimension.
 * @returns The length.
 */
export function rawLength(kind: GpKind, d: number): number {
  return rawSize(kind, d);
}

/**
 * botorch 0.10's starting point as a raw vector: mean 0, every softplus parameter at raw 0
 * (value ln 2 ≈ 0.693), noise at the prior mode 2.0.
 *
 * @example
 * ```ts
 * import { hyperFromRaw, initialRaw } from "./gp.ts";
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * const h = hyperFromRaw("single", 2, initialRaw("single", 2));
 * assertEquals([h.outputscale, h.noise].map((v) => Math.round(v * 1e4) / 1e4), [0.6931, 2]);
 * ```
 * @param kind Kernel kind.
 * @param d Mixture dimension.
 * @returns The raw vector.
 */
export function initialRaw(kind: GpKind, d: number): Float64Array {
  return startRaw(kind, d);
}

/**
 * Hyper-parameter values of a raw vector (softplus; noise = 1e-4 + softplus).
 *
 * @example
 * ```ts
 * import { hyperFromRaw } from "./gp.ts";
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * assertEquals(hyperFromRaw("single", 1, [0.5, 0, 0, 0]).mean, 0.5);
 * ```
 * @param kind Kernel kind.
 * @param d Mixture dimension.
 * @param raw Raw vector.
 * @returns The values.
 */
export function hyperFromRaw(kind: GpKind, d: number, raw: ArrayLike<number>): GpHyper {
  return toHyper(kind, d, raw);
}

/**
 * The raw vector of hyper-parameter values (inverse of {@link hyperFromRaw}; the noise must
 * exceed {@link MIN_NOISE}).
 *
 * @example
 * ```ts
 * import { hyperFromRaw, initialRaw, rawFromHyper } from "./gp.ts";
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * const raw = initialRaw("fidelity", 2);
 * const back = rawFromHyper("fidelity", hyperFromRaw("fidelity", 2, raw));
 * assertEquals(back.every((v, i) => Math.abs(v - raw[i]!) < 1e-12), true);
 * ```
 * @param kind Kernel kind.
 * @param hyper Values.
 * @returns The raw vector.
 */
export function rawFromHyper(kind: GpKind, hyper: GpHyper): Float64Array {
  return toRaw(kind, hyper);
}

/**
 * Exact log marginal likelihood ln N(y | mean·1, K + σ²I) (no priors).
 *
 * @example
 * ```ts
 * import { initialRaw, hyperFromRaw, logMarginalLikelihood } from "./gp.ts";
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * const data = { kind: "single" as const, d: 1, x: new Float64Array([0]), fidelity: new Float64Array(1), y: new Float64Array([0]) };
 * const h = hyperFromRaw("single", 1, initialRaw("single", 1));
 * const v = h.outputscale + h.noise; // one point: N(0 | 0, s² + σ²)
 * assertEquals(Math.abs(logMarginalLikelihood(data, h) + 0.5 * Math.log(2 * Math.PI * v)) < 1e-12, true);
 * ```
 * @param data Training data.
 * @param hyper Hyper-parameter values.
 * @returns ln p(y).
 */
export function logMarginalLikelihood(data: GpData, hyper: GpHyper): number {
  const n = checkData(data);
  const { k } = trainKernel(data, hyper);
  const chol = cholesky(k);
  const r = residual(data, hyper.mean);
  const alpha = solveUpper(chol, solveLower(chol, r));
  let q = 0;
  for (let i = 0; i < n; i++) q += r[i]! * alpha[i]!;
  return -0.5 * q - 0.5 * logDeterminant(chol) - 0.5 * n * LOG_2PI;
}

/**
 * The MAP loss the fit minimises, −(ln p(y) + Σ ln priors)/n (gpytorch's
 * `ExactMarginalLogLikelihood` with priors, negated), and its gradient with respect to the raw
 * vector. Returns NaN when the kernel matrix cannot be factored even with jitter.
 *
 * @example
 * ```ts
 * import { gpLoss, initialRaw } from "./gp.ts";
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * const data = { kind: "single" as const, d: 1, x: new Float64Array([0, 1]), fidelity: new Float64Array(2), y: new Float64Array([0, 1]) };
 * const grad = new Float64Array(4);
 * assertEquals(Number.isFinite(gpLoss(data, initialRaw("single", 1), grad)), true);
 * ```
 * @param data Training data.
 * @param raw Raw parameter vector (see {@link rawLength}).
 * @param grad Written with the gradient when given.
 * @returns The loss.
 */
export function gpLoss(data: GpData, raw: ArrayLike<number>, grad?: Float64Array): number {
  checkData(data);
  return lossAndFactor(data, raw, grad).loss;
}
