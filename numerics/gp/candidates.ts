/**
 * Posterior moments of a fixed candidate set kept across BO steps ({@linkcode GpCandidates}):
 * the whitened cross-covariances V = L⁻¹K(X, C) between the training inputs and the candidates
 * (at the candidates' own fidelities and, when asked, at fidelity 1), with the per-candidate
 * sums the moments are made of. While the posterior grows by {@link GpPosterior.extend} (same
 * hyper-parameters, bordered factor) only the new rows of V are computed, in O(n·m) per new
 * observation instead of O(n²·m); after a refit V is rebuilt (the same row-by-row code, so the
 * two paths agree to rounding).
 *
 * @module
 */

import type { GpJoint, GpPosterior, GpPrediction } from "./posterior.ts";
import { type ColumnMajor, columnMajor } from "../linalg/_simd.ts";
import { solveLowerInPlace } from "../linalg/cholesky.ts";

/** Options of the {@linkcode GpCandidates} constructor. */
export interface GpCandidatesOptions {
  /** Also keep the covariances at fidelity 1 (for {@link GpCandidates.joint}). @default {false} */
  readonly target?: boolean;
}

/** Posterior moments of a fixed candidate set, extended as the posterior grows. */
export class GpCandidates {
  /** Candidate inputs, m×d row-major. */
  readonly x: Float64Array;
  /** Fidelity value of each candidate (its "own" fidelity). */
  readonly fidelity: Float64Array;
  /** Number of candidates m. */
  readonly size: number;
  #target: boolean;
  #lineage: object | undefined;
  #post: GpPosterior | undefined;
  #rows = 0;
  #capacity = 0;
  #vOwn: Float64Array = new Float64Array(0);
  #vTgt: Float64Array = new Float64Array(0);
  #mean: Float64Array;
  #ss: Float64Array;
  #meanT: Float64Array;
  #ssT: Float64Array;
  #cov: Float64Array;
  #priorOwn: Float64Array = new Float64Array(0);
  #columns: ColumnMajor | undefined;
  /** Rows of V computed from scratch (rebuilds) and by extension, for diagnostics. */
  readonly work: { rebuiltRows: number; extendedRows: number } = {
    rebuiltRows: 0,
    extendedRows: 0,
  };

  /**
   * Keeps the moments of a candidate set.
   *
   * @example
   * ```ts
   * import { GpCandidates, GpPosterior, hyperFromRaw, initialRaw } from "./gp.ts";
   * import { deepStrictEqual as assertEquals } from "node:assert/strict";
   * const h = hyperFromRaw("single", 1, initialRaw("single", 1));
   * const data = { kind: "single" as const, d: 1, x: new Float64Array([0]), fidelity: new Float64Array(1), y: new Float64Array([1]) };
   * const post = new GpPosterior(data, h);
   * const cands = new GpCandidates(new Float64Array([0.5, 2]), new Float64Array([1, 1]));
   * cands.update(post);
   * const direct = post.predict(new Float64Array([0.5, 2]), 1);
   * const kept = cands.moments([0, 1]);
   * assertEquals(Math.abs(kept.mean[1]! - direct.mean[1]!) < 1e-12, true);
   * ```
   * @param x Candidate inputs, m×d row-major.
   * @param fidelity One fidelity value per candidate.
   * @param options Whether to keep the fidelity-1 covariances too.
   */
  constructor(x: Float64Array, fidelity: Float64Array, options: GpCandidatesOptions = {}) {
    this.x = x;
    this.fidelity = fidelity;
    this.size = fidelity.length;
    this.#target = options.target ?? false;
    const m = this.size;
    this.#mean = new Float64Array(m);
    this.#ss = new Float64Array(m);
    this.#meanT = new Float64Array(this.#target ? m : 0);
    this.#ssT = new Float64Array(this.#target ? m : 0);
    this.#cov = new Float64Array(this.#target ? m : 0);
  }

  /**
   * Brings the moments up to date with a posterior: extends them when the posterior belongs
   * to the lineage seen last and has grown, rebuilds them otherwise.
   *
   * @param post The current posterior (same dimension as the candidates).
   */
  update(post: GpPosterior): void {
    const n = post.data.y.length, m = this.size;
    if (this.#post === post) return;
    let from = this.#rows;
    if (post.lineage !== this.#lineage || n < from) {
      from = 0;
      this.#mean.fill(0);
      this.#ss.fill(0);
      this.#meanT.fill(0);
      this.#ssT.fill(0);
      this.#cov.fill(0);
      this.#priorOwn = post.priorVariance(this.fidelity);
    }
    if (n * m > this.#capacity) {
      const cap = Math.max(n * m, Math.ceil(this.#capacity * 1.5));
      const grow = (a: Float64Array) => {
        const out = new Float64Array(cap);
        out.set(a.subarray(0, from * m));
        return out;
      };
      this.#vOwn = grow(this.#vOwn);
      if (this.#target) this.#vTgt = grow(this.#vTgt);
      this.#capacity = cap;
    }
    if (from < n) {
      const { own, target } = post.crossCovariance(
        this.x,
        this.fidelity,
        this.#target,
        from,
        this.#columns ??= columnMajor(this.x, post.data.d),
      );
      this.#vOwn.set(own, from * m);
      if (this.#target) this.#vTgt.set(target, from * m);
      // V's new rows: forward substitution against the rows above (all rows after a refit).
      const beta = post.whitenedResidual;
      solveLowerInPlace(post.factor, this.#vOwn.subarray(0, n * m), { from });
      if (this.#target) solveLowerInPlace(post.factor, this.#vTgt.subarray(0, n * m), { from });
      for (let i = from; i < n; i++) {
        accumulate(this.#vOwn, i, m, beta[i]!, this.#mean, this.#ss);
        if (this.#target) {
          accumulate(this.#vTgt, i, m, beta[i]!, this.#meanT, this.#ssT);
          const ro = i * m, cov = this.#cov, vo = this.#vOwn, vt = this.#vTgt;
          for (let j = 0; j < m; j++) cov[j]! += vo[ro + j]! * vt[ro + j]!;
        }
      }
      if (from === 0) this.work.rebuiltRows += n;
      else this.work.extendedRows += n - from;
    }
    this.#rows = n;
    this.#lineage = post.lineage;
    this.#post = post;
  }

  /**
   * Noise-free posterior means and variances of some candidates at their own fidelities.
   *
   * @param columns Candidate indices.
   * @returns Means and variances, in the order of `columns`.
   */
  moments(columns: ArrayLike<number>): GpPrediction {
    const post = this.#current();
    const c = post.hyper.mean, k = columns.length;
    const mean = new Float64Array(k), variance = new Float64Array(k);
    for (let r = 0; r < k; r++) {
      const j = columns[r]!;
      mean[r] = c + this.#mean[j]!;
      variance[r] = Math.max(this.#priorOwn[j]! - this.#ss[j]!, 0);
    }
    return { mean, variance };
  }

  /**
   * Noise-free posterior means and variances of some candidates at fidelity 1 (needs the
   * `target` option).
   *
   * @param columns Candidate indices.
   * @returns Means and variances, in the order of `columns`.
   */
  targetMoments(columns: ArrayLike<number>): GpPrediction {
    const j = this.joint(columns);
    return { mean: j.meanTarget, variance: j.varianceTarget };
  }

  /**
   * Joint posterior of f(z, s) and f(z, 1) for some candidates z at their own fidelities s, as
   * {@link GpPosterior.joint} (needs the `target` option).
   *
   * @param columns Candidate indices.
   * @returns Means, variances and covariances, in the order of `columns`.
   */
  joint(columns: ArrayLike<number>): GpJoint {
    if (!this.#target) {
      throw new TypeError("Cannot give joint moments: the candidates keep no fidelity-1 terms");
    }
    const post = this.#current();
    const c = post.hyper.mean, s2 = post.hyper.outputscale, k = columns.length;
    const mean = new Float64Array(k), variance = new Float64Array(k);
    const meanTarget = new Float64Array(k), varianceTarget = new Float64Array(k);
    const covariance = new Float64Array(k);
    for (let r = 0; r < k; r++) {
      const j = columns[r]!;
      mean[r] = c + this.#mean[j]!;
      variance[r] = Math.max(this.#priorOwn[j]! - this.#ss[j]!, 0);
      meanTarget[r] = c + this.#meanT[j]!;
      varianceTarget[r] = Math.max(s2 - this.#ssT[j]!, 0);
      covariance[r] = s2 - this.#cov[j]!;
    }
    return { mean, variance, meanTarget, varianceTarget, covariance };
  }

  #current(): GpPosterior {
    if (!this.#post) throw new TypeError("Cannot give moments before update() saw a posterior");
    return this.#post;
  }
}

/** mean += β_i·row i, ss += (row i)². */
function accumulate(
  v: Float64Array,
  i: number,
  m: number,
  beta: number,
  mean: Float64Array,
  ss: Float64Array,
): void {
  const ro = i * m;
  for (let j = 0; j < m; j++) {
    const x = v[ro + j]!;
    mean[j]! += x * beta;
    ss[j]! += x * x;
  }
}
