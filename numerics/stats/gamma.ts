/**
 * Seeded Gamma and Dirichlet variates: Marsaglia and Tsang (2000, ACM TOMS 26:363) for shape
 * ≥ 1, and for shape α < 1 the boost Gamma(α) = Gamma(α + 1)·U^(1/α) (same paper, §6) taken in
 * log space, so that RegMix's tempered, weakly concentrated priors (α ≈ 1e-3 and below) give
 * valid simplex points even when every Gamma variate underflows to 0.
 *
 * @module
 */

import type { Rng } from "../rng.ts";

/**
 * Draws log X for X ~ Gamma(shape, 1). For shape < 1 the result can be far below the log of
 * the smallest double (about −745), where `Math.exp` of it is 0.
 *
 * @example
 * ```ts
 * import { logGamma } from "./gamma.ts";
 * import { Rng } from "../rng.ts";
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * const l = logGamma(new Rng(1), 1e-3);
 * assertEquals(Number.isFinite(l) && l <= Math.log(10), true);
 * ```
 * @param rng Source of uniform and normal variates.
 * @param shape Shape α > 0 (rate 1).
 * @returns log of a Gamma(α, 1) variate (finite, possibly very negative).
 */
export function logGamma(rng: Rng, shape: number): number {
  if (!(shape > 0 && shape < Infinity)) {
    throw new RangeError(`Cannot draw a Gamma variate with shape "${shape}": expected > 0`);
  }
  if (shape >= 1) return logMarsagliaTsang(rng, shape);
  const boosted = logMarsagliaTsang(rng, shape + 1);
  const u = 1 - rng.next(); // (0, 1]
  return boosted + Math.log(u) / shape;
}

/**
 * Draws X ~ Gamma(shape, 1) (mean and variance = shape). For small shapes the variate is
 * often exactly 0 (underflow); use {@link logGamma} when its size matters.
 *
 * @example
 * ```ts
 * import { gamma } from "./gamma.ts";
 * import { Rng } from "../rng.ts";
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * assertEquals(gamma(new Rng(3), 2.5) > 0, true);
 * assertEquals(gamma(new Rng(3), 2.5), gamma(new Rng(3), 2.5));
 * ```
 * @param rng Source of uniform and normal variates.
 * @param shape Shape α > 0 (rate 1).
 * @returns A Gamma(α, 1) variate, ≥ 0.
 */
export function gamma(rng: Rng, shape: number): number {
  return Math.exp(logGamma(rng, shape));
}

/**
 * Draws x ~ Dirichlet(α) as normalised Gamma variates, normalised in log space (log-sum-exp)
 * so that the result sums to 1 even when every Gamma variate underflows. When even the logs
 * are −∞ (α below about 1e-308) the draw falls back to the α → 0 limit: vertex j with
 * probability α_j/Σα.
 *
 * @example
 * ```ts
 * import { dirichlet } from "./gamma.ts";
 * import { Rng } from "../rng.ts";
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * const x = dirichlet(new Rng(42), [1e-3, 1e-3, 1e-3]);
 * assertEquals(Math.abs(x.reduce((s, v) => s + v, 0) - 1) < 1e-12, true);
 * ```
 * @param rng Source of uniform and normal variates.
 * @param alpha Concentrations, each > 0 and finite.
 * @param out Array to fill (length `alpha.length`); a new one when omitted.
 * @returns `out`, a point of the probability simplex.
 */
export function dirichlet(
  rng: Rng,
  alpha: ArrayLike<number>,
  out: Float64Array = new Float64Array(alpha.length),
): Float64Array {
  const n = checkAlpha(alpha);
  if (out.length !== n) {
    throw new TypeError(
      `Cannot write a Dirichlet draw of "${n}" components into an array of length "${out.length}"`,
    );
  }
  dirichletRow(rng, alpha, out, 0);
  return out;
}

/**
 * Draws `count` rows x ~ Dirichlet(α) into `rows[0 … count·m)`, row-major: the same values,
 * bit for bit, as `count` calls of {@linkcode dirichlet}, and the stream continues after them —
 * without a call, a validation or a temporary array per row (the batched sampler of the
 * candidate scans, `numerics/topk.ts`).
 *
 * @example
 * ```ts
 * import { dirichlet, dirichletRows } from "./gamma.ts";
 * import { Rng } from "../rng.ts";
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * const rows = dirichletRows(new Rng(5), [0.5, 2, 1], new Float64Array(6), 2);
 * const one = new Rng(5);
 * assertEquals(Array.from(rows), [...dirichlet(one, [0.5, 2, 1]), ...dirichlet(one, [0.5, 2, 1])]);
 * ```
 * @param rng Source of uniform and normal variates.
 * @param alpha Concentrations, each > 0 and finite.
 * @param rows Destination, at least `count · alpha.length` long.
 * @param count Rows to draw.
 * @returns `rows`.
 */
export function dirichletRows(
  rng: Rng,
  alpha: ArrayLike<number>,
  rows: Float64Array,
  count: number,
): Float64Array {
  const m = checkAlpha(alpha);
  if (!(Number.isInteger(count) && count >= 0 && count * m <= rows.length)) {
    throw new RangeError(
      `Cannot write "${count}" Dirichlet draws of "${m}" components into an array of length ` +
        `"${rows.length}"`,
    );
  }
  for (let r = 0, o = 0; r < count; r++, o += m) dirichletRow(rng, alpha, rows, o);
  return rows;
}

/** The number of components, after checking that each α is > 0 and finite. */
function checkAlpha(alpha: ArrayLike<number>): number {
  const n = alpha.length;
  if (n === 0) throw new TypeError("Cannot draw from a Dirichlet with no components");
  for (let i = 0; i < n; i++) {
    const a = alpha[i]!;
    if (!(a > 0 && a < Infinity)) {
      throw new RangeError(`Cannot draw a Gamma variate with shape "${a}": expected > 0`);
    }
  }
  return n;
}

/** Uniforms drawn ahead for one row (see {@linkcode dirichletRow}); grown as needed. */
let ahead: Float64Array = new Float64Array(64);

/**
 * One Dirichlet draw into `out[o … o + m)`: {@linkcode logGamma} of each component (the same
 * operations: Marsaglia–Tsang with `Rng.normal()`'s Box–Muller draw and the boost, inlined),
 * then the log-space normalisation of `softmaxInPlace` (`numerics/optim/simplex.ts`), written
 * out so that no subarray is made. A component takes at least 3 uniforms (4 with the boost),
 * so the row's first Σ_j (3 + [α_j < 1]) uniforms are drawn at once with `Rng.fill` (the same
 * values in the same order) and read in turn; draws past them (a rejection, a zero uniform) are
 * appended one at a time, and the vertex limit's draw comes after them. `Math.exp` of an argument below
 * −746 is exactly 0 (it underflows below about −745.13), so it is not called there.
 */
function dirichletRow(rng: Rng, alpha: ArrayLike<number>, out: Float64Array, o: number): void {
  const m = alpha.length;
  let k = 0;
  for (let j = 0; j < m; j++) k += alpha[j]! < 1 ? 4 : 3;
  if (ahead.length < k) ahead = new Float64Array(2 * k);
  let buf: Float64Array = ahead;
  rng.fill(buf, 0, k);
  // Before each read: `if (p === k) buf = drawOneMore(rng, k++)`, the rare draw past the row's
  // first k uniforms (kept in the buffer, so that every read is a float load).
  let p = 0, max = -Infinity;
  for (let j = 0; j < m; j++) {
    const a = alpha[j]!;
    const d = (a < 1 ? a + 1 : a) - 1 / 3;
    const c = 1 / Math.sqrt(9 * d);
    let l: number;
    while (true) {
      let x: number, v: number;
      do {
        let u = 0;
        while (u === 0) {
          if (p === k) buf = drawOneMore(rng, k++);
          u = buf[p++]!;
        }
        const lu = Math.log(u);
        if (p === k) buf = drawOneMore(rng, k++);
        x = Math.sqrt(-2 * lu) * Math.cos(2 * Math.PI * buf[p++]!);
        v = 1 + c * x;
      } while (v <= 0);
      v = v * v * v;
      if (p === k) buf = drawOneMore(rng, k++);
      const u = buf[p++]!;
      const x2 = x * x;
      if (u < 1 - 0.0331 * x2 * x2 || Math.log(u) < 0.5 * x2 + d * (1 - v + Math.log(v))) {
        l = Math.log(d * v);
        break;
      }
    }
    if (a < 1) {
      if (p === k) buf = drawOneMore(rng, k++);
      l = l + Math.log(1 - buf[p++]!) / a;
    }
    out[o + j] = l;
    if (l > max) max = l;
  }
  if (max === -Infinity) {
    vertex(rng, alpha, out, o);
    return;
  }
  let sum = 0;
  for (let j = o; j < o + m; j++) {
    const z = out[j]! - max;
    const e = z < -746 ? 0 : Math.exp(z);
    out[j] = e;
    sum += e;
  }
  for (let j = o; j < o + m; j++) out[j]! /= sum;
}

/** Draws the next uniform into `ahead[at]` (growing it when full); returns `ahead`. */
function drawOneMore(rng: Rng, at: number): Float64Array {
  if (ahead.length <= at) {
    const grown = new Float64Array(2 * at + 2);
    grown.set(ahead);
    ahead = grown;
  }
  rng.fill(ahead, at, at + 1);
  return ahead;
}

/** log of a Gamma(shape ≥ 1) variate by Marsaglia–Tsang's squeeze-and-reject method. */
function logMarsagliaTsang(rng: Rng, shape: number): number {
  const d = shape - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  while (true) {
    let x: number, v: number;
    do {
      x = rng.normal();
      v = 1 + c * x;
    } while (v <= 0);
    v = v * v * v;
    const u = rng.next();
    const x2 = x * x;
    if (u < 1 - 0.0331 * x2 * x2) return Math.log(d * v);
    if (Math.log(u) < 0.5 * x2 + d * (1 - v + Math.log(v))) return Math.log(d * v);
  }
}

/** The α → 0 limit into `out[o … o + m)`: vertex j with probability α_j/Σα. */
function vertex(rng: Rng, alpha: ArrayLike<number>, out: Float64Array, o: number): void {
  // Σα and the cut-off are scaled by the largest α to stay away from subnormal arithmetic.
  let top = 0;
  for (let i = 0; i < alpha.length; i++) top = Math.max(top, alpha[i]!);
  let total = 0;
  for (let i = 0; i < alpha.length; i++) total += alpha[i]! / top;
  let cut = rng.next() * total, pick = alpha.length - 1;
  for (let i = 0; i < alpha.length; i++) {
    cut -= alpha[i]! / top;
    if (cut < 0) {
      pick = i;
      break;
    }
  }
  out.fill(0, o, o + alpha.length);
  out[o + pick] = 1;
}
