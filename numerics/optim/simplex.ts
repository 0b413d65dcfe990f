/**
 * Geometry of the probability simplex for mixture optimisers: Euclidean projection onto the
 * simplex and onto the simplex with per-domain caps (data-availability or repetition limits,
 * Olmix §15), and the exponentiated-gradient (mirror-descent) step.
 *
 * @module
 */

/**
 * Euclidean projection of `v` onto {x : Σx = 1, x ≥ 0}: x = max(v − τ, 0) with τ found by
 * sorting (Duchi, Shalev-Shwartz, Singer and Chandra, ICML 2008, Figure 1).
 *
 * @example
 * ```ts
 * import { projectSimplex } from "./simplex.ts";
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * assertEquals([...projectSimplex([0.5, 1.5, -1])], [0, 1, 0]);
 * assertEquals([...projectSimplex([1, 0.5, 0])], [0.75, 0.25, 0]);
 * ```
 * @param v Point to project (finite entries, at least one).
 * @returns The nearest point of the simplex.
 */
export function projectSimplex(v: ArrayLike<number>): Float64Array {
  const n = checkVector(v, "project onto the simplex");
  const sorted = Float64Array.from(v).sort().reverse();
  let cumulative = 0, tau = 0;
  for (let k = 0; k < n; k++) {
    cumulative += sorted[k]!;
    const t = (cumulative - 1) / (k + 1);
    if (sorted[k]! - t > 0) tau = t;
  }
  const x = new Float64Array(n);
  for (let i = 0; i < n; i++) x[i] = Math.max(v[i]! - tau, 0);
  return x;
}

/**
 * Euclidean projection of `v` onto {x : Σx = 1, 0 ≤ x ≤ u}: x_i = clip(v_i − τ, 0, u_i), with
 * τ found exactly by walking the sorted breakpoints of the piecewise-linear Σ clip(v − τ, 0, u).
 * Caps above 1 act as 1; `Infinity` means no cap.
 *
 * @example
 * ```ts
 * import { projectCappedSimplex } from "./simplex.ts";
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * // Without caps the answer would be [1, 0, 0]; the cap of 0.5 moves the rest to the others.
 * assertEquals([...projectCappedSimplex([2, 0.5, 0.25], [0.5, 1, 1])], [0.5, 0.375, 0.125]);
 * ```
 * @param v Point to project (finite entries).
 * @param upper Caps u_i ≥ 0, same length as `v`, with Σ min(u_i, 1) ≥ 1.
 * @returns The nearest point of the capped simplex.
 * @throws {RangeError} When the caps sum to less than 1 (the set is empty) or one is negative.
 */
export function projectCappedSimplex(v: ArrayLike<number>, upper: ArrayLike<number>): Float64Array {
  const n = checkVector(v, "project onto the capped simplex");
  if (upper.length !== n) {
    throw new TypeError(
      `Cannot project onto the capped simplex: "${upper.length}" caps for "${n}" components`,
    );
  }
  const u = new Float64Array(n);
  let capSum = 0;
  for (let i = 0; i < n; i++) {
    const c = upper[i]!;
    if (!(c >= 0)) {
      throw new RangeError(`Cannot project onto the capped simplex: cap ${i} is "${c}"`);
    }
    u[i] = Math.min(c, 1);
    capSum += u[i]!;
  }
  if (capSum < 1 - 1e-12) {
    throw new RangeError(
      `Cannot project onto the capped simplex: the caps sum to "${capSum}", below 1`,
    );
  }
  // Breakpoints: coordinate i is free (slope −1 in τ) for v_i − u_i < τ < v_i. Encode each as
  // its position and whether it opens (+1) or closes (−1) coordinate i.
  const points = new Float64Array(2 * n);
  const order = new Uint32Array(2 * n);
  for (let i = 0; i < n; i++) {
    points[2 * i] = v[i]! - u[i]!;
    points[2 * i + 1] = v[i]!;
    order[2 * i] = 2 * i;
    order[2 * i + 1] = 2 * i + 1;
  }
  order.sort((a, b) => points[a]! - points[b]! || (a & 1) - (b & 1));
  // At the first breakpoint every coordinate sits at its cap: Σ = Σu ≥ 1.
  let tau = points[order[0]!]!, sum = capSum, free = 0;
  for (let k = 0; k < 2 * n && sum > 1; k++) {
    const next = points[order[k]!]!;
    const after = sum - free * (next - tau);
    if (after <= 1) {
      tau += (sum - 1) / free;
      sum = 1;
      break;
    }
    sum = after;
    tau = next;
    free += (order[k]! & 1) === 0 ? 1 : -1;
  }
  const x = new Float64Array(n);
  for (let i = 0; i < n; i++) x[i] = Math.min(Math.max(v[i]! - tau, 0), u[i]!);
  return x;
}

/**
 * One exponentiated-gradient (entropic mirror-descent) step on the simplex:
 * w⁺_i ∝ w_i·exp(−η·g_i), computed in log space (max-shifted) so that large η·g neither
 * overflows nor underflows the normaliser. Zero weights stay zero.
 *
 * @example
 * ```ts
 * import { exponentiatedGradientStep } from "./simplex.ts";
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * const w = exponentiatedGradientStep([0.5, 0.5], [0, Math.LN2], 1);
 * assertEquals([...w].map((x) => Math.round(x * 1e12) / 1e12), [0.666666666667, 0.333333333333]);
 * ```
 * @param w Current weights (≥ 0, at least one positive; need not sum to 1).
 * @param grad Gradient at `w`, same length.
 * @param eta Step size η ≥ 0.
 * @returns The new weights, summing to 1.
 */
export function exponentiatedGradientStep(
  w: ArrayLike<number>,
  grad: ArrayLike<number>,
  eta: number,
): Float64Array {
  const n = w.length;
  if (grad.length !== n) {
    throw new TypeError(
      `Cannot take an exponentiated-gradient step: "${grad.length}" gradient entries for "${n}" weights`,
    );
  }
  if (!(eta >= 0 && eta < Infinity)) {
    throw new RangeError(`Cannot take an exponentiated-gradient step with eta "${eta}"`);
  }
  const out = new Float64Array(n);
  let max = -Infinity;
  for (let i = 0; i < n; i++) {
    const wi = w[i]!, gi = grad[i]!;
    if (!(wi >= 0 && wi < Infinity) || !Number.isFinite(gi)) {
      throw new RangeError(
        `Cannot take an exponentiated-gradient step: weight ${i} is "${wi}", gradient "${gi}"`,
      );
    }
    const l = wi > 0 ? Math.log(wi) - eta * gi : -Infinity;
    out[i] = l;
    if (l > max) max = l;
  }
  if (max === -Infinity) {
    throw new RangeError("Cannot take an exponentiated-gradient step: every weight is 0");
  }
  return softmaxInPlace(out, max);
}

/**
 * Turns log-weights into weights on the simplex in place: wᵢ = exp(lᵢ − max) / Σ exp(lⱼ − max),
 * with `max` the largest finite log-weight (−∞ entries become 0).
 *
 * @example
 * ```ts
 * import { softmaxInPlace } from "./simplex.ts";
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * assertEquals([...softmaxInPlace(new Float64Array([0, -Infinity, 0]), 0)], [0.5, 0, 0.5]);
 * ```
 * @param logs Log-weights, overwritten.
 * @param max Their largest value (finite).
 * @returns `logs`, now the weights.
 */
export function softmaxInPlace(logs: Float64Array, max: number): Float64Array {
  let sum = 0;
  for (let i = 0; i < logs.length; i++) {
    const e = Math.exp(logs[i]! - max);
    logs[i] = e;
    sum += e;
  }
  for (let i = 0; i < logs.length; i++) logs[i]! /= sum;
  return logs;
}

function checkVector(v: ArrayLike<number>, what: string): number {
  const n = v.length;
  if (n === 0) throw new TypeError(`Cannot ${what}: the vector is empty`);
  for (let i = 0; i < n; i++) {
    if (!Number.isFinite(v[i]!)) {
      throw new RangeError(`Cannot ${what}: component ${i} is "${v[i]}"`);
    }
  }
  return n;
}
