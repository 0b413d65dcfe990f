/**
 * Hyper-parameters of the ADMIRE-BayesOpt Gaussian process (internal to `gp.ts`): the raw
 * (unconstrained) vector the optimiser sees, its mapping to values, the Gamma priors of botorch
 * 0.10's `SingleTaskMultiFidelityGP`, and draws from those priors for restarts (methods.md §2).
 *
 * Raw layout: [mean, outputscale, ℓ₀ (d), ℓ₁ (d, fidelity kind), π (fidelity kind), noise].
 * Values are softplus(raw) as in gpytorch's `Positive` constraint (raw 0 ⇒ ln 2 ≈ 0.693); the
 * noise is 1e-4 + softplus(raw), started at the prior mode 2.0 (botorch keeps the raw noise
 * untransformed with an L-BFGS-B bound at 1e-4: same objective, different path).
 *
 * @module
 */

import { gamma } from "../stats/gamma.ts";
import type { GpHyper, GpKind } from "./types.ts";
import type { Rng } from "../rng.ts";

/** A Gamma(shape, rate) prior. */
export interface GammaPrior {
  /** Shape a. */
  readonly shape: number;
  /** Rate b. */
  readonly rate: number;
}

/** botorch 0.10 priors (gp_regression_fidelity.py, linear_truncated_fidelity.py, likelihoods). */
export const PRIORS = {
  lengthscale: { shape: 3, rate: 6 },
  biasLengthscale: { shape: 6, rate: 2 },
  power: { shape: 3, rate: 3 },
  outputscale: { shape: 2, rate: 0.15 },
  noise: { shape: 1.1, rate: 0.05 },
} as const satisfies Record<string, GammaPrior>;

/** Lower bound of the noise variance (botorch's MIN_INFERRED_NOISE_LEVEL). */
export const MIN_NOISE = 1e-4;

/** Initial noise: the mode of the noise prior, (1.1 − 1)/0.05. */
export const INITIAL_NOISE = 2;

/** softplus(x) = ln(1 + eˣ), linear above 20 as torch's. */
export function softplus(x: number): number {
  return x > 20 ? x : Math.log1p(Math.exp(x));
}

/** The inverse of softplus for y > 0. */
export function softplusInverse(y: number): number {
  return y > 20 ? y : y + Math.log(-Math.expm1(-y));
}

/** d softplus / dx = the logistic function. */
export function sigmoid(x: number): number {
  return 1 / (1 + Math.exp(-x));
}

/** Length of the raw vector. */
export function rawLength(kind: GpKind, d: number): number {
  return kind === "fidelity" ? 2 * d + 4 : d + 3;
}

/** botorch's starting point: mean 0, raw 0 for positive parameters, noise at 2.0. */
export function initialRaw(kind: GpKind, d: number): Float64Array {
  const raw = new Float64Array(rawLength(kind, d));
  raw[raw.length - 1] = softplusInverse(INITIAL_NOISE - MIN_NOISE);
  return raw;
}

/** Maps a raw vector to hyper-parameter values. */
export function hyperFromRaw(kind: GpKind, d: number, raw: ArrayLike<number>): GpHyper {
  const ls = new Float64Array(d);
  for (let k = 0; k < d; k++) ls[k] = softplus(raw[2 + k]!);
  const bias = new Float64Array(kind === "fidelity" ? d : 0);
  for (let k = 0; k < bias.length; k++) bias[k] = softplus(raw[2 + d + k]!);
  return {
    mean: raw[0]!,
    outputscale: softplus(raw[1]!),
    lengthscales: ls,
    biasLengthscales: bias,
    power: kind === "fidelity" ? softplus(raw[2 + 2 * d]!) : 0,
    noise: MIN_NOISE + softplus(raw[raw.length - 1]!),
  };
}

/** Maps hyper-parameter values back to a raw vector. */
export function rawFromHyper(kind: GpKind, hyper: GpHyper): Float64Array {
  const d = hyper.lengthscales.length;
  const raw = new Float64Array(rawLength(kind, d));
  raw[0] = hyper.mean;
  raw[1] = softplusInverse(hyper.outputscale);
  for (let k = 0; k < d; k++) raw[2 + k] = softplusInverse(hyper.lengthscales[k]!);
  if (kind === "fidelity") {
    for (let k = 0; k < d; k++) raw[2 + d + k] = softplusInverse(hyper.biasLengthscales[k]!);
    raw[2 + 2 * d] = softplusInverse(hyper.power);
  }
  raw[raw.length - 1] = softplusInverse(Math.max(hyper.noise - MIN_NOISE, 1e-300));
  return raw;
}

/** ln of the Gamma(shape, rate) density at x > 0. */
export function gammaLogPdf(x: number, prior: GammaPrior): number {
  const { shape: a, rate: b } = prior;
  return normaliser(prior) + (a - 1) * Math.log(x) - b * x;
}

/** a·ln b − ln Γ(a) of each prior seen, computed once (the same value every time). */
const normalisers = new Map<GammaPrior, number>();

function normaliser(prior: GammaPrior): number {
  let c = normalisers.get(prior);
  if (c === undefined) {
    const { shape: a, rate: b } = prior;
    c = a * Math.log(b) - lnGammaFunction(a);
    if (normalisers.size < 64) normalisers.set(prior, c);
  }
  return c;
}

/** d/dx of {@link gammaLogPdf}. */
export function gammaLogPdfSlope(x: number, prior: GammaPrior): number {
  return (prior.shape - 1) / x - prior.rate;
}

/**
 * Σ ln prior over every prior'd hyper-parameter (the constant mean has none), and its slope
 * with respect to each raw entry added into `grad` (through softplus).
 */
export function logPrior(kind: GpKind, raw: ArrayLike<number>, grad?: Float64Array): number {
  const d = kind === "fidelity" ? (raw.length - 4) / 2 : raw.length - 3;
  let s = 0;
  const term = (i: number, prior: GammaPrior, offset = 0) => {
    const v = offset + softplus(raw[i]!);
    s += gammaLogPdf(v, prior);
    if (grad) grad[i]! += gammaLogPdfSlope(v, prior) * sigmoid(raw[i]!);
  };
  term(1, PRIORS.outputscale);
  for (let k = 0; k < d; k++) term(2 + k, PRIORS.lengthscale);
  if (kind === "fidelity") {
    for (let k = 0; k < d; k++) term(2 + d + k, PRIORS.biasLengthscale);
    term(2 + 2 * d, PRIORS.power);
  }
  term(raw.length - 1, PRIORS.noise, MIN_NOISE);
  return s;
}

/**
 * A raw vector drawn from the priors (gpytorch's `sample_all_priors`, used by botorch's
 * `fit_gpytorch_mll` before each retry); the mean, which has no prior, is kept.
 */
export function samplePriorRaw(kind: GpKind, d: number, mean: number, rng: Rng): Float64Array {
  const raw = new Float64Array(rawLength(kind, d));
  const draw = (p: GammaPrior) => Math.max(gamma(rng, p.shape) / p.rate, 1e-6);
  raw[0] = mean;
  raw[1] = softplusInverse(draw(PRIORS.outputscale));
  for (let k = 0; k < d; k++) raw[2 + k] = softplusInverse(draw(PRIORS.lengthscale));
  if (kind === "fidelity") {
    for (let k = 0; k < d; k++) raw[2 + d + k] = softplusInverse(draw(PRIORS.biasLengthscale));
    raw[2 + 2 * d] = softplusInverse(draw(PRIORS.power));
  }
  raw[raw.length - 1] = softplusInverse(Math.max(draw(PRIORS.noise) - MIN_NOISE, 1e-6));
  return raw;
}

/** ln Γ(x) for x > 0: Stirling's series after shifting x above 15 (error < 1e-13). */
export function lnGammaFunction(x: number): number {
  let shift = 0;
  while (x < 15) {
    shift += Math.log(x);
    x += 1;
  }
  const inv = 1 / x, inv2 = inv * inv;
  const series = inv * (1 / 12 - inv2 * (1 / 360 - inv2 * (1 / 1260 - inv2 / 1680)));
  return (x - 0.5) * Math.log(x) - x + 0.5 * Math.log(2 * Math.PI) + series - shift;
}
