/**
 * The ADMIRE-BayesOpt GP's MAP loss and its gradient, with the factor of K + σ²I it computes
 * (internal to `gp.ts`, `gp_posterior.ts` and `gp_fit.ts`; methods.md §2 "Surrogate").
 *
 * @module
 */

import { pairTable, trainingKernel } from "./_kernels.ts";
import type { TrainingKernel } from "./types.ts";
import { hyperFromRaw as toHyper, logPrior, sigmoid } from "./_params.ts";
import {
  cholesky,
  type CholeskyFactor,
  inverse,
  logDeterminant,
  solveLower,
  solveUpper,
} from "../linalg/cholesky.ts";
import type { GpData, GpHyper } from "./types.ts";
import type { GpWorkspace } from "./_workspace.ts";

/** ln 2π. */
export const LOG_2PI: number = Math.log(2 * Math.PI);

/** The training kernel of the data, written into the workspace when one is given. */
export function trainKernel(data: GpData, h: GpHyper, ws?: GpWorkspace): TrainingKernel {
  const f = data.kind === "fidelity" ? data.fidelity : undefined;
  return trainingKernel(data.x, data.d, f, h, ws?.buffers(data.y.length));
}

/** y − mean. */
export function residual(data: GpData, mean: number): Float64Array {
  const r = new Float64Array(data.y.length);
  for (let i = 0; i < r.length; i++) r[i] = data.y[i]! - mean;
  return r;
}

/** Checks the shapes of the data and returns n. */
export function checkData(data: GpData): number {
  const n = data.y.length;
  if (data.x.length !== n * data.d) {
    throw new TypeError(
      `Cannot use GP inputs of "${data.x.length}" values: expected n·d = ${n * data.d}`,
    );
  }
  if (data.kind === "fidelity" && data.fidelity.length !== n) {
    throw new TypeError(`Cannot use "${data.fidelity.length}" fidelities for "${n}" targets`);
  }
  return n;
}

/**
 * The MAP loss −(ln p(y) + Σ ln priors)/n, its gradient with respect to the raw vector (when
 * `grad` is given) and the factor of K + σ²I it computed (absent when factoring failed, with
 * a NaN loss). Evaluations write into the workspace when one is given.
 */
export function lossAndFactor(
  data: GpData,
  raw: ArrayLike<number>,
  grad?: Float64Array,
  ws?: GpWorkspace,
): { loss: number; chol?: CholeskyFactor } {
  const n = data.y.length, d = data.d;
  const h = toHyper(data.kind, d, raw);
  const scratch = ws?.buffers(n);
  const tk = trainKernel(data, h, ws);
  let chol: CholeskyFactor;
  try {
    chol = cholesky(tk.k, scratch ? { out: scratch.l } : {});
  } catch {
    return { loss: NaN };
  }
  const r = residual(data, h.mean);
  const alpha = solveUpper(chol, solveLower(chol, r));
  let q = 0;
  for (let i = 0; i < n; i++) q += r[i]! * alpha[i]!;
  const lml = -0.5 * q - 0.5 * logDeterminant(chol) - 0.5 * n * LOG_2PI;
  if (!grad) return { loss: -(lml + logPrior(data.kind, raw)) / n, chol };

  // W = ααᵀ − K⁻¹; ∂lml/∂θ = ½·Σ_ij W_ij ∂K_ij/∂θ, summed over i > j (twice) plus i = j.
  const kinv = inverse(chol, {
    lowerOnly: true,
    ...(scratch ? { out: scratch.inv, scratch: scratch.li } : {}),
  });
  grad.fill(0);
  let gMean = 0;
  for (let i = 0; i < n; i++) gMean += alpha[i]!;
  grad[0] = gMean;
  const s2 = h.outputscale;
  const fid = data.kind === "fidelity";
  const acc0 = new Float64Array(d), acc1 = new Float64Array(d);
  const x = data.x;
  let gScale = 0, gPow = 0, trace = 0;
  const { of, values } = tk.classes, u = values.length;
  const clamp = (v: number) => Math.min(Math.max(v, 0), 1);
  const logs = pairTable(values, (a, b) => Math.log1p(clamp(a) * clamp(b)));
  for (let i = 0; i < n; i++) {
    const ai = alpha[i]!, ri = i * n, xi = i * d, ci = fid ? of[i]! * u : 0;
    const wii = ai * ai - kinv[ri + i]!;
    trace += wii;
    if (fid) {
      const b = tk.bias[ri + i]!;
      gScale += 0.5 * wii * (1 + b);
      gPow += 0.5 * wii * b * logs[ci + of[i]!]!;
    } else {
      gScale += 0.5 * wii;
    }
    for (let j = 0; j < i; j++) {
      const t = ri + j;
      const w = ai * alpha[j]! - kinv[t]!;
      const g0 = w * tk.e0[t]!;
      const xj = j * d;
      if (fid) {
        const b = tk.bias[t]!, m1 = tk.m1[t]!;
        gScale += w * (tk.m0[t]! + b * m1);
        gPow += w * b * logs[ci + of[j]!]! * m1;
        const g1 = w * b * tk.e1[t]!;
        for (let k = 0; k < d; k++) {
          const dx = x[xi + k]! - x[xj + k]!;
          const dd = dx * dx;
          acc0[k]! += g0 * dd;
          acc1[k]! += g1 * dd;
        }
      } else {
        gScale += w * tk.m0[t]!;
        for (let k = 0; k < d; k++) {
          const dx = x[xi + k]! - x[xj + k]!;
          acc0[k]! += g0 * dx * dx;
        }
      }
    }
  }
  grad[1] = gScale * sigmoid(raw[1]!);
  for (let k = 0; k < d; k++) {
    const l = h.lengthscales[k]!;
    grad[2 + k] = s2 * acc0[k]! / (l * l * l) * sigmoid(raw[2 + k]!);
  }
  if (fid) {
    for (let k = 0; k < d; k++) {
      const l = h.biasLengthscales[k]!;
      grad[2 + d + k] = s2 * acc1[k]! / (l * l * l) * sigmoid(raw[2 + d + k]!);
    }
    grad[2 + 2 * d] = s2 * gPow * sigmoid(raw[2 + 2 * d]!);
  }
  const last = raw.length - 1;
  grad[last] = 0.5 * trace * sigmoid(raw[last]!);
  const lp = logPrior(data.kind, raw, grad);
  for (let i = 0; i < grad.length; i++) grad[i] = -grad[i]! / n;
  return { loss: -(lml + lp) / n, chol };
}
