/**
 * MAP fit of the ADMIRE-BayesOpt Gaussian process (`gp.ts`; Chen et al., 2025,
 * arXiv:2508.11551; methods.md §2: botorch 0.10 `fit_gpytorch_mll`, L-BFGS with ≤ 5 attempts),
 * with reusable scratch memory for the many loss evaluations of a fit.
 *
 * @module
 */

import { checkData, lossAndFactor } from "./_loss.ts";
import {
  hyperFromRaw as toHyper,
  initialRaw as startRaw,
  rawLength as rawSize,
  samplePriorRaw,
} from "./_params.ts";
import { GpWorkspace } from "./_workspace.ts";
import type { CholeskyFactor } from "../linalg/cholesky.ts";
import type { GpData } from "./types.ts";
import { GpPosterior } from "./posterior.ts";
import { lbfgs } from "../optim/lbfgs.ts";
import { Rng } from "../rng.ts";

/** Options of {@linkcode fitGp}. */
export interface GpFitOptions {
  /** Raw starting point (a warm start); botorch's defaults when omitted. @default {initialRaw(kind, d)} */
  init?: ArrayLike<number>;
  /**
   * Length of the optimiser's first trial step from `init`, in raw units. L-BFGS is invariant
   * to a uniform rescaling of its variables except for its first step (1/‖g‖ in the rescaled
   * space), so the fit runs on raw = init + firstStep·u: a short first step suits a warm start.
   * Retries from prior draws always use 1. @default {1}
   */
  firstStep?: number;
  /** Stop when the ∞-norm of the raw gradient is ≤ this (scipy's L-BFGS-B pgtol). @default {1e-5} */
  gradientTolerance?: number;
  /** Stop when the relative decrease per iteration is ≤ this (scipy's factr·ε). @default {2.220446049250313e-9} */
  functionTolerance?: number;
  /** Source of the prior draws used by retries. @default {new Rng(0)} */
  rng?: Rng;
  /** Scratch memory reused across evaluations (and across fits when passed). @default {new GpWorkspace()} */
  workspace?: GpWorkspace;
  /** Most attempts (the first from `init`, the rest from prior draws). @default {5} */
  maxAttempts?: number;
  /** Most L-BFGS iterations per attempt. @default {200} */
  maxIterations?: number;
}

/** Result of {@linkcode fitGp}. */
export interface GpFit {
  /** The fitted posterior. */
  readonly posterior: GpPosterior;
  /** Raw parameters found. */
  readonly raw: Float64Array;
  /** Loss at `raw` (see {@link gpLoss}). */
  readonly loss: number;
  /** Attempts made. */
  readonly attempts: number;
  /** Loss evaluations, all attempts together. */
  readonly evaluations: number;
  /** Whether the accepted attempt met the optimiser's tolerances. */
  readonly converged: boolean;
}

/**
 * MAP fit of the hyper-parameters (methods.md §2: `fit_gpytorch_mll` with L-BFGS, ≤ 5
 * attempts). An attempt fails when L-BFGS does not report convergence (by default gradient
 * ∞-norm ≤ 1e-5 or relative decrease ≤ 2.2e-9, scipy's L-BFGS-B defaults) or the loss is not
 * finite; the next attempt starts from a draw of the priors. The first successful attempt is
 * kept, or the best one when all fail. The posterior reuses the factor of the last loss
 * evaluation when it was taken at the accepted point.
 *
 * @example
 * ```ts
 * import { fitGp } from "./gp.ts";
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * const x = new Float64Array([0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1]);
 * const y = x.map((v) => 2 * Math.sin(3 * v));
 * const fit = fitGp({ kind: "single", d: 1, x, fidelity: new Float64Array(11), y });
 * const mu = fit.posterior.predict(new Float64Array([0.45]), 1).mean[0]!;
 * assertEquals(Math.abs(mu - 2 * Math.sin(1.35)) < 1e-3, true);
 * ```
 * @param data Training data.
 * @param options Start, tolerances, retries and iteration cap.
 * @returns The fitted posterior and fit diagnostics.
 * @throws {RangeError} When no attempt reaches a finite loss.
 */
export function fitGp(data: GpData, options: GpFitOptions = {}): GpFit {
  checkData(data);
  const rng = options.rng ?? new Rng(0);
  const maxAttempts = options.maxAttempts ?? 5;
  const gtol = options.gradientTolerance ?? 1e-5;
  const start = options.init ? Float64Array.from(options.init) : startRaw(data.kind, data.d);
  const p = rawSize(data.kind, data.d);
  if (start.length !== p) {
    throw new TypeError(`Cannot start a GP fit from "${start.length}" raw values: expected ${p}`);
  }
  const ws = options.workspace ?? new GpWorkspace();
  let last: { raw: Float64Array; chol?: CholeskyFactor } = { raw: new Float64Array(0) };
  let best: { raw: Float64Array; loss: number; converged: boolean } | undefined;
  let evaluations = 0, attempts = 0;
  for (let a = 0; a < maxAttempts; a++) {
    attempts++;
    const x0 = a === 0 ? start : samplePriorRaw(data.kind, data.d, start[0]!, rng);
    const c = a === 0 ? options.firstStep ?? 1 : 1;
    const raw = new Float64Array(p);
    const toRaw = (u: ArrayLike<number>) => {
      for (let i = 0; i < p; i++) raw[i] = x0[i]! + c * u[i]!;
      return raw;
    };
    const r = lbfgs(
      (u, g) => {
        const out = lossAndFactor(data, toRaw(u), g, ws);
        last = { raw: raw.slice(), ...(out.chol ? { chol: out.chol } : {}) };
        for (let i = 0; i < p; i++) g[i] = c * g[i]!;
        return out.loss;
      },
      new Float64Array(p),
      {
        maxIterations: options.maxIterations ?? 200,
        gradientTolerance: gtol * c,
        functionTolerance: options.functionTolerance ?? 2.220446049250313e-9,
      },
    );
    evaluations += r.evaluations;
    const ok = r.converged && Number.isFinite(r.value);
    if (Number.isFinite(r.value) && (!best || r.value < best.loss || ok)) {
      best = { raw: toRaw(r.x).slice(), loss: r.value, converged: ok };
    }
    if (ok) break;
  }
  if (!best) {
    throw new RangeError(`Cannot fit the GP: no attempt of ${attempts} reached a finite loss`);
  }
  const hyper = toHyper(data.kind, data.d, best.raw);
  const reuse = last.chol && last.raw.every((v, i) => v === best!.raw[i]);
  return {
    posterior: new GpPosterior(data, hyper, reuse ? { factor: copyFactor(last.chol!) } : {}),
    raw: best.raw,
    loss: best.loss,
    attempts,
    evaluations,
    converged: best.converged,
  };
}

function copyFactor(f: CholeskyFactor): CholeskyFactor {
  return { n: f.n, data: f.data.slice(), jitter: f.jitter };
}
