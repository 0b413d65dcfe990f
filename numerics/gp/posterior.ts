/**
 * The posterior of the ADMIRE-BayesOpt Gaussian process (`gp.ts`; Chen et al., 2025,
 * arXiv:2508.11551; methods.md §2): noise-free posterior means and variances, and the joint
 * posterior of f(z, s) and f(z, 1) that MF-MES needs (methods.md §2, step 2).
 *
 * @module
 */

import {
  biasFactor,
  fidelityClasses,
  maternCrossScaled,
  pairTable,
  scaleRows,
  trainingKernel,
} from "./_kernels.ts";
import { checkData, residual, trainKernel } from "./_loss.ts";
import {
  cholesky,
  type CholeskyFactor,
  extendCholesky,
  solveLower,
  solveLowerInPlace,
  solveUpper,
} from "../linalg/cholesky.ts";
import type { GpData, GpHyper } from "./types.ts";
import { type ColumnMajor, columnMajor } from "../linalg/_simd.ts";

/** Noise-free posterior mean and variance at a batch of points. */
export interface GpPrediction {
  /** Posterior means. */
  readonly mean: Float64Array;
  /** Posterior variances of the latent function (no noise), ≥ 0. */
  readonly variance: Float64Array;
}

/** Joint noise-free posterior of m = f(z, s) and M = f(z, 1) at a batch of points. */
export interface GpJoint {
  /** E[m]. */
  readonly mean: Float64Array;
  /** Var[m] (add {@link GpPosterior.noise} for an observation), ≥ 0. */
  readonly variance: Float64Array;
  /** E[M]. */
  readonly meanTarget: Float64Array;
  /** Var[M], ≥ 0. */
  readonly varianceTarget: Float64Array;
  /** Cov[m, M]. */
  readonly covariance: Float64Array;
}

/** Options of the {@linkcode GpPosterior} constructor. */
export interface GpPosteriorOptions {
  /**
   * Cholesky factor of K + σ²I for these data and hyper-parameters (e.g. kept from the fit's
   * last loss evaluation); computed when omitted. @default {undefined}
   */
  factor?: CholeskyFactor;
  /** L⁻¹(y − mean) for that factor, when known; computed when omitted. @default {undefined} */
  whitened?: Float64Array;
}

/** The posterior of a GP given its data and hyper-parameters. */
export class GpPosterior {
  /** Training data. */
  readonly data: GpData;
  /** Hyper-parameters. */
  readonly hyper: GpHyper;
  #chol: CholeskyFactor;
  #beta: Float64Array;
  #alphaKept: Float64Array | undefined;
  #s0: Float64Array;
  #s1: Float64Array;
  #lineage: object = {};
  #extended = false;

  /**
   * Factors the kernel matrix of the data.
   *
   * @example
   * ```ts
   * import { GpPosterior, hyperFromRaw, initialRaw } from "./gp.ts";
   * import { deepStrictEqual as assertEquals } from "node:assert/strict";
   * const data = { kind: "single" as const, d: 1, x: new Float64Array([0]), fidelity: new Float64Array(1), y: new Float64Array([1]) };
   * const post = new GpPosterior(data, hyperFromRaw("single", 1, initialRaw("single", 1)));
   * // Far away from the data the posterior mean is the prior mean, 0.
   * assertEquals(Math.abs(post.predict(new Float64Array([50]), 1).mean[0]!) < 1e-12, true);
   * ```
   * @param data Training data (n ≥ 1).
   * @param hyper Hyper-parameters.
   * @param options A factor of K + σ²I at these hyper-parameters to reuse.
   */
  constructor(data: GpData, hyper: GpHyper, options: GpPosteriorOptions = {}) {
    const n = checkData(data);
    if (n === 0) throw new RangeError("Cannot condition a GP on no data");
    this.data = data;
    this.hyper = hyper;
    this.#chol = options.factor ?? cholesky(trainKernel(data, hyper).k);
    if (this.#chol.n !== n) {
      throw new TypeError(`Cannot reuse a factor of order "${this.#chol.n}" for "${n}" points`);
    }
    this.#beta = options.whitened ?? solveLower(this.#chol, residual(data, hyper.mean));
    if (this.#beta.length !== n) {
      throw new TypeError(
        `Cannot reuse "${this.#beta.length}" whitened residuals for "${n}" points`,
      );
    }
    this.#s0 = scaleRows(data.x, hyper.lengthscales);
    this.#s1 = data.kind === "fidelity"
      ? scaleRows(data.x, hyper.biasLengthscales)
      : new Float64Array(0);
  }

  /** α = (K + σ²I)⁻¹(y − mean), computed on first use. */
  get #alpha(): Float64Array {
    return this.#alphaKept ??= solveUpper(this.#chol, this.#beta);
  }

  /** Observation noise variance σ². */
  get noise(): number {
    return this.hyper.noise;
  }

  /** The lower Cholesky factor L of K + σ²I (plus its jitter). Read only. */
  get factor(): CholeskyFactor {
    return this.#chol;
  }

  /** The whitened residual β = L⁻¹(y − mean), so that posterior means are mean + vᵀβ, v = L⁻¹k. Read only. */
  get whitenedResidual(): Float64Array {
    return this.#beta;
  }

  /**
   * A token shared by this posterior and every posterior {@link extend} derived from it by
   * bordering its factor: within one lineage the hyper-parameters, the factor's leading rows
   * and β's leading entries are the same, so quantities computed from them can be extended
   * rather than recomputed. A refit or a refactorisation starts a new lineage.
   */
  get lineage(): object {
    return this.#lineage;
  }

  /** Whether this posterior was derived by {@link extend} without refactoring. */
  get extended(): boolean {
    return this.#extended;
  }

  /**
   * The posterior given k more observations at the same hyper-parameters, in O(n²k): the
   * factor is bordered ({@linkcode extendCholesky}) rather than recomputed. When a new pivot
   * is not positive the whole kernel matrix is refactored with jitter escalation (the new
   * posterior then starts a new {@link lineage}; compare the factors' `jitter`).
   *
   * @example
   * ```ts
   * import { GpPosterior, hyperFromRaw, initialRaw } from "./gp.ts";
   * import { deepStrictEqual as assertEquals } from "node:assert/strict";
   * const h = hyperFromRaw("single", 1, initialRaw("single", 1));
   * const one = (x: number[], y: number[]) => ({ kind: "single" as const, d: 1, x: new Float64Array(x), fidelity: new Float64Array(x.length), y: new Float64Array(y) });
   * const grown = new GpPosterior(one([0], [1]), h).extend(new Float64Array([1]), new Float64Array(1), new Float64Array([2]));
   * const fresh = new GpPosterior(one([0, 1], [1, 2]), h);
   * const at = new Float64Array([0.5]);
   * assertEquals(Math.abs(grown.predict(at, 1).mean[0]! - fresh.predict(at, 1).mean[0]!) < 1e-12, true);
   * ```
   * @param x New inputs, k×d row-major.
   * @param fidelity Their fidelity values (read by the "fidelity" kind only).
   * @param y Their targets.
   * @returns The extended posterior (this one is unchanged).
   */
  extend(x: Float64Array, fidelity: Float64Array, y: Float64Array): GpPosterior {
    const d = this.data.d, k = y.length, n = this.data.y.length;
    if (x.length !== k * d || fidelity.length !== k) {
      throw new TypeError(
        `Cannot extend a GP with "${x.length}" inputs and "${fidelity.length}" fidelities for "${k}" targets`,
      );
    }
    const cat = (a: Float64Array, b: Float64Array) => {
      const out = new Float64Array(a.length + b.length);
      out.set(a);
      out.set(b, a.length);
      return out;
    };
    const data = {
      kind: this.data.kind,
      d,
      x: cat(this.data.x, x),
      fidelity: cat(this.data.fidelity, fidelity),
      y: cat(this.data.y, y),
    };
    const { own } = this.#cross(x, fidelity, false); // n×k
    const b = new Float64Array(k * n);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < k; j++) b[j * n + i] = own[i * k + j]!;
    }
    const fid = this.data.kind === "fidelity" ? fidelity : undefined;
    const c = trainingKernel(x, d, fid, this.hyper).k;
    const bordered = extendCholesky(this.#chol, b, c);
    let whitened: Float64Array | undefined;
    if (bordered) {
      // β's first n entries are unchanged; the new ones are k more forward-substitution steps.
      const size = n + k, l = bordered.data;
      whitened = new Float64Array(size);
      whitened.set(this.#beta);
      for (let i = n; i < size; i++) {
        const ri = i * size;
        let v = y[i - n]! - this.hyper.mean;
        for (let q = 0; q < i; q++) v -= l[ri + q]! * whitened[q]!;
        whitened[i] = v / l[ri + i]!;
      }
    }
    const next = new GpPosterior(
      data,
      this.hyper,
      bordered ? { factor: bordered, whitened: whitened! } : {},
    );
    if (bordered) {
      next.#lineage = this.#lineage;
      next.#extended = true;
    }
    return next;
  }

  /**
   * Cross-covariances between training rows `from`…n−1 and points z (m×d) at the points'
   * fidelities and, when asked, at fidelity 1: (n − from)×m row-major arrays.
   *
   * @param x Points, m×d row-major.
   * @param fidelity One fidelity value per point.
   * @param withTarget Also compute the covariances at fidelity 1.
   * @param from First training row. @default {0}
   * @param columns The points stored by columns (`columnMajor(x, d)` of `linalg/_simd.ts`), for
   * a caller that asks about the same points again and again. @default {made from x}
   * @returns The two arrays (`target` empty unless asked for).
   */
  crossCovariance(
    x: Float64Array,
    fidelity: Float64Array,
    withTarget: boolean,
    from = 0,
    columns?: ColumnMajor,
  ): { own: Float64Array; target: Float64Array } {
    return this.#cross(x, fidelity, withTarget, from, columns);
  }

  /**
   * Prior variances k(z, z) at the given fidelities: s²·[1 + (1 − f)²(1 + f²)^π] (s² for the
   * "single" kind).
   *
   * @param fidelity Fidelity values.
   * @returns The variances.
   */
  priorVariance(fidelity: Float64Array): Float64Array {
    return this.#priorVariances(fidelity);
  }

  /**
   * Noise-free posterior mean and variance at points z (m×d) with fidelity values (one for
   * all, or one per point; ignored by the "single" kind).
   *
   * @param x Points, m×d row-major.
   * @param fidelity Fidelity value(s) in [0, 1].
   * @returns Means and variances.
   */
  predict(x: Float64Array, fidelity: number | Float64Array): GpPrediction {
    const m = (x.length / this.data.d) | 0;
    const fs = typeof fidelity === "number" ? new Float64Array(m).fill(fidelity) : fidelity;
    const { own } = this.#cross(x, fs, false);
    return this.#moments(own, fs, m);
  }

  /**
   * Joint posterior of f(z, s) and f(z, 1) for each point z with its fidelity s (m×d, m
   * fidelities): the quantities of methods.md §2 MF-MES step 2.
   *
   * @param x Points, m×d row-major.
   * @param fidelity One fidelity value per point.
   * @returns Means, variances and covariances.
   */
  joint(x: Float64Array, fidelity: Float64Array): GpJoint {
    const m = (x.length / this.data.d) | 0;
    const { own, target } = this.#cross(x, fidelity, true);
    const s2 = this.hyper.outputscale;
    const mean = new Float64Array(m), meanT = new Float64Array(m);
    const ownV = this.#priorVariances(fidelity), tgtV = new Float64Array(m).fill(s2);
    const cov = new Float64Array(m).fill(s2); // k((z, s), (z, 1)) = s²·M₀(z, z) = s²
    const n = this.data.y.length, a = this.#alpha, c = this.hyper.mean;
    mean.fill(c);
    meanT.fill(c);
    for (let i = 0; i < n; i++) {
      const ai = a[i]!, ro = i * m;
      for (let j = 0; j < m; j++) {
        mean[j]! += own[ro + j]! * ai;
        meanT[j]! += target[ro + j]! * ai;
      }
    }
    solveLowerInPlace(this.#chol, own);
    solveLowerInPlace(this.#chol, target);
    for (let i = 0; i < n; i++) {
      const ro = i * m;
      for (let j = 0; j < m; j++) {
        const vo = own[ro + j]!, vt = target[ro + j]!;
        ownV[j]! -= vo * vo;
        tgtV[j]! -= vt * vt;
        cov[j]! -= vo * vt;
      }
    }
    for (let j = 0; j < m; j++) {
      ownV[j] = Math.max(ownV[j]!, 0);
      tgtV[j] = Math.max(tgtV[j]!, 0);
    }
    return { mean, variance: ownV, meanTarget: meanT, varianceTarget: tgtV, covariance: cov };
  }

  /** Prior variances k(x, x) = s²·[1 + (1 − f)²(1 + f²)^π]. */
  #priorVariances(fs: Float64Array): Float64Array {
    const h = this.hyper, out = new Float64Array(fs.length);
    for (let j = 0; j < fs.length; j++) {
      const b = this.data.kind === "fidelity" ? biasFactor(fs[j]!, fs[j]!, h.power) : 0;
      out[j] = h.outputscale * (1 + b);
    }
    return out;
  }

  #moments(own: Float64Array, fs: Float64Array, m: number): GpPrediction {
    const n = this.data.y.length, a = this.#alpha;
    const mean = new Float64Array(m).fill(this.hyper.mean);
    for (let i = 0; i < n; i++) {
      const ai = a[i]!, ro = i * m;
      for (let j = 0; j < m; j++) mean[j]! += own[ro + j]! * ai;
    }
    solveLowerInPlace(this.#chol, own);
    const variance = this.#priorVariances(fs);
    for (let i = 0; i < n; i++) {
      const ro = i * m;
      for (let j = 0; j < m; j++) variance[j]! -= own[ro + j]! * own[ro + j]!;
    }
    for (let j = 0; j < m; j++) variance[j] = Math.max(variance[j]!, 0);
    return { mean, variance };
  }

  /**
   * Cross-covariances train × points ((n − from)×m, training rows from `from` on): at the
   * points' fidelities, and at fidelity 1.
   */
  #cross(
    x: Float64Array,
    fs: Float64Array,
    withTarget: boolean,
    from = 0,
    columns?: ColumnMajor,
  ): { own: Float64Array; target: Float64Array } {
    const d = this.data.d, m = (x.length / d) | 0;
    const n = this.data.y.length - from;
    const h = this.hyper, s2 = h.outputscale;
    const m0 = new Float64Array(n * m);
    const xc = columns ?? columnMajor(x, d);
    maternCrossScaled(this.#s0.subarray(from * d), x, xc, h.lengthscales, m0);
    const target = withTarget ? new Float64Array(n * m) : new Float64Array(0);
    if (withTarget) { for (let t = 0; t < n * m; t++) target[t] = s2 * m0[t]!; }
    if (this.data.kind === "fidelity") {
      const all = new Float64Array(n + m);
      all.set(this.data.fidelity.subarray(from));
      all.set(fs, n);
      const { of, values } = fidelityClasses(all), u = values.length;
      const table = pairTable(values, (a, b) => biasFactor(a, b, h.power));
      // M₁ enters only multiplied by the fidelity factor: when every factor between these rows
      // and points is 0 (all at fidelity 1, say), M₁ is not computed and 0 stands for it.
      const m1 = anyFactor(table, of, n, u) ? new Float64Array(n * m) : undefined;
      if (m1) maternCrossScaled(this.#s1.subarray(from * d), x, xc, h.biasLengthscales, m1);
      for (let i = 0; i < n; i++) {
        const ci = of[i]! * u;
        for (let j = 0; j < m; j++) {
          const t = i * m + j;
          m0[t] = s2 * (m0[t]! + table[ci + of[n + j]!]! * (m1 ? m1[t]! : 0));
        }
      }
    } else {
      for (let t = 0; t < n * m; t++) m0[t] = s2 * m0[t]!;
    }
    return { own: m0, target };
  }
}

/**
 * Whether some fidelity factor between the first n entries (rows) and the rest (points) of a
 * class list is non-zero.
 */
function anyFactor(table: Float64Array, of: Int32Array, n: number, u: number): boolean {
  const rows = new Set<number>(), points = new Set<number>();
  for (let i = 0; i < of.length; i++) (i < n ? rows : points).add(of[i]!);
  for (const a of rows) for (const b of points) if (table[a * u + b] !== 0) return true;
  return false;
}
