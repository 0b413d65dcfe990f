/**
 * Kernel arithmetic of the ADMIRE-BayesOpt Gaussian process (internal to `gp.ts`): Matérn-5/2
 * with one length-scale per input dimension, and the linear-truncated fidelity factor of
 * botorch 0.10's `LinearTruncatedFidelityKernel` (methods.md §2).
 *
 * With r the length-scaled distance, M(r) = (1 + √5r + 5r²/3)·e^(−√5r) and
 * ∂M/∂ℓ_k = E(r)·Δ_k²/ℓ_k³ with E(r) = (5/3)(1 + √5r)·e^(−√5r) (no division by r, so it is
 * finite at r = 0).
 *
 * @module
 */

import {
  type ColumnMajor,
  columnMajor,
  simdSquaredDistances,
  simdWeightedDistances,
  type SquaredDistances,
} from "../linalg/_simd.ts";
import type { FidelityClasses, GpHyper, KernelBuffers, TrainingKernel } from "./types.ts";

const SQRT5 = Math.sqrt(5);

/** Smallest na·nb·d for which {@link maternCross} takes its distances from WebAssembly. */
const SIMD_MIN_WORK = 4096;

/**
 * Divides every row of x (n×d, row-major) by the length-scales.
 *
 * @param x Inputs.
 * @param lengthscales One per dimension.
 * @returns The scaled copy.
 */
export function scaleRows(x: Float64Array, lengthscales: Float64Array): Float64Array {
  const d = lengthscales.length;
  const out = new Float64Array(x.length);
  for (let i = 0; i < x.length; i += d) {
    for (let k = 0; k < d; k++) out[i + k] = x[i + k]! / lengthscales[k]!;
  }
  return out;
}

/**
 * Groups fidelity values (a handful of distinct values, so per-pair functions of the two
 * fidelities are tabulated once per pair of classes).
 *
 * @param f Fidelity values.
 * @returns Classes and distinct values.
 */
export function fidelityClasses(f: ArrayLike<number>): FidelityClasses {
  const index = new Map<number, number>();
  const of = new Int32Array(f.length);
  for (let i = 0; i < f.length; i++) {
    let c = index.get(f[i]!);
    if (c === undefined) index.set(f[i]!, c = index.size);
    of[i] = c;
  }
  return { of, values: [...index.keys()] };
}

/**
 * fn over every pair of distinct values, as a u×u table.
 *
 * @param values Distinct values.
 * @param fn Function of two fidelities.
 * @returns The table.
 */
export function pairTable(
  values: readonly number[],
  fn: (f: number, g: number) => number,
): Float64Array {
  const u = values.length, out = new Float64Array(u * u);
  for (let a = 0; a < u; a++) {
    for (let b = 0; b < u; b++) out[a * u + b] = fn(values[a]!, values[b]!);
  }
  return out;
}

/**
 * K + σ²I of the training inputs, with the pieces the gradient needs, in one pass over the
 * pairs (squared differences shared by M₀ and M₁); lower triangles only.
 *
 * @param x Inputs, n×d.
 * @param d Dimension.
 * @param fidelity Fidelity of each input for the fidelity kind; undefined for s²·M₀.
 * @param h Hyper-parameters.
 * @param into Arrays of at least n² entries to write into (fresh arrays when omitted); reusing
 * them matters: the first touch of fresh memory costs more than filling it.
 * @returns The matrices (views of `into` when given).
 */
export function trainingKernel(
  x: Float64Array,
  d: number,
  fidelity: Float64Array | undefined,
  h: GpHyper,
  into?: KernelBuffers,
): TrainingKernel {
  const n = (x.length / d) | 0, nn = n * n;
  const fid = fidelity !== undefined;
  const w0 = h.lengthscales.map((l) => 1 / (l * l));
  const w1 = fid ? h.biasLengthscales.map((l) => 1 / (l * l)) : w0;
  const classes = fidelityClasses(fid ? fidelity : []);
  const u = classes.values.length, of = classes.of;
  const table = pairTable(classes.values, (f, g) => biasFactor(f, g, h.power));
  const take = (b: Float64Array | undefined, size: number) =>
    b ? b.subarray(0, size) : new Float64Array(size);
  const k = take(into?.k, nn), m0 = take(into?.m0, nn), e0 = take(into?.e0, nn);
  const m1 = take(into?.m1, fid ? nn : 0), e1 = take(into?.e1, fid ? nn : 0);
  const bias = take(into?.bias, fid ? nn : 0);
  const s2 = h.outputscale;
  // M₁ enters K and the gradient only multiplied by the fidelity factor: where that is 0 (a
  // point at fidelity 1) it is not computed, and M₁ = E₁ = 0 is written instead (0·M₁ = 0·0).
  const needM1 = fid && table.some((v) => v !== 0);
  // The weighted squared distances in WebAssembly SIMD (the same sums in the same order), written
  // into m0 and m1 first and read back below, when there are enough of them.
  let pre = false;
  if (n >= 16 && n * n * d >= 2 * SIMD_MIN_WORK) {
    const columns = columnMajor(x, d);
    pre = simdWeightedDistances(x, columns, d, w0, m0) &&
      (!needM1 || simdWeightedDistances(x, columns, d, w1, m1));
  }
  for (let i = 0; i < n; i++) {
    const ri = i * n, xi = i * d, ci = fid ? of[i]! * u : 0;
    for (let j = 0; j < i; j++) {
      const xj = j * d, t = ri + j;
      let r0 = 0, r1 = 0;
      const bf = fid ? table[ci + of[j]!]! : 0;
      if (pre) {
        r0 = m0[t]!;
        if (bf !== 0) r1 = m1[t]!;
      } else if (bf !== 0) {
        for (let q = 0; q < d; q++) {
          const dx = x[xi + q]! - x[xj + q]!;
          const dd = dx * dx;
          r0 += dd * w0[q]!;
          r1 += dd * w1[q]!;
        }
      } else {
        for (let q = 0; q < d; q++) {
          const dx = x[xi + q]! - x[xj + q]!;
          r0 += dx * dx * w0[q]!;
        }
      }
      const a = SQRT5 * Math.sqrt(r0), ea = Math.exp(-a);
      const ma = (1 + a + a * a / 3) * ea;
      m0[t] = ma;
      e0[t] = (5 / 3) * (1 + a) * ea;
      if (fid) {
        let mb = 0, e = 0;
        if (bf !== 0) {
          const b = SQRT5 * Math.sqrt(r1), eb = Math.exp(-b);
          mb = (1 + b + b * b / 3) * eb;
          e = (5 / 3) * (1 + b) * eb;
        }
        m1[t] = mb;
        e1[t] = e;
        bias[t] = bf;
        k[t] = s2 * (ma + bf * mb);
      } else {
        k[t] = s2 * ma;
      }
    }
    const t = ri + i;
    m0[t] = 1;
    e0[t] = 5 / 3;
    if (fid) {
      m1[t] = 1;
      e1[t] = 5 / 3;
      bias[t] = table[ci + of[i]!]!;
      k[t] = s2 * (1 + bias[t]!) + h.noise;
    } else {
      k[t] = s2 + h.noise;
    }
  }
  return { k, m0, e0, m1, e1, bias, classes };
}

/**
 * Matérn-5/2 values between the rows of a (na×d) and of b (nb×d), written na×nb.
 *
 * @param a Scaled inputs.
 * @param b Scaled inputs.
 * @param d Dimension.
 * @param out Output, na×nb.
 */
export function maternCross(a: Float64Array, b: Float64Array, d: number, out: Float64Array): void {
  const na = (a.length / d) | 0, nb = (b.length / d) | 0;
  const r = na * nb * d >= SIMD_MIN_WORK
    ? simdSquaredDistances(a, columnMajor(b, d), d)
    : undefined;
  if (r) maternFromDistances(r, na, nb, out);
  else maternLoops(a, b, d, out);
}

/**
 * {@link maternCross} between scaled rows a and the rows of x divided by the length-scales
 * (`scaleRows(x, lengthscales)`), the same values: with WebAssembly SIMD the division is made
 * in the kernel's memory from x stored by columns (kept by the caller across calls).
 *
 * @param a Scaled inputs, na×d.
 * @param x Unscaled inputs, nb×d.
 * @param xColumns `columnMajor(x, d)`.
 * @param lengthscales One per dimension.
 * @param out Output, na×nb.
 */
export function maternCrossScaled(
  a: Float64Array,
  x: Float64Array,
  xColumns: ColumnMajor,
  lengthscales: Float64Array,
  out: Float64Array,
): void {
  const d = lengthscales.length, na = (a.length / d) | 0, nb = (x.length / d) | 0;
  const r = na * nb * d >= SIMD_MIN_WORK
    ? simdSquaredDistances(a, xColumns, d, lengthscales)
    : undefined;
  if (r) maternFromDistances(r, na, nb, out);
  else maternLoops(a, scaleRows(x, lengthscales), d, out);
}

function maternFromDistances(r: SquaredDistances, na: number, nb: number, out: Float64Array) {
  const { data, offset, stride } = r;
  for (let i = 0; i < na; i++) maternRow(data, offset + i * stride, out, i * nb, nb);
}

/**
 * One row of {@linkcode maternFromDistances}: a function of its own, so that V8 optimises it as
 * a whole (as the inner loop of the nest, its on-stack-replaced code was left at every exit).
 */
function maternRow(data: Float64Array, ri: number, out: Float64Array, ro: number, nb: number) {
  for (let j = 0; j < nb; j++) {
    const s = SQRT5 * Math.sqrt(data[ri + j]!);
    out[ro + j] = (1 + s + s * s / 3) * Math.exp(-s);
  }
}

function maternLoops(a: Float64Array, b: Float64Array, d: number, out: Float64Array): void {
  const na = (a.length / d) | 0, nb = (b.length / d) | 0;
  for (let i = 0; i < na; i++) {
    const ri = i * d, ro = i * nb;
    for (let j = 0; j < nb; j++) {
      const rj = j * d;
      let r2 = 0;
      for (let k = 0; k < d; k++) {
        const t = a[ri + k]! - b[rj + k]!;
        r2 += t * t;
      }
      const s = SQRT5 * Math.sqrt(r2);
      out[ro + j] = (1 + s + s * s / 3) * Math.exp(-s);
    }
  }
}

/**
 * The fidelity factor (1 − f)(1 − g)(1 + f·g)^π of botorch's linear-truncated kernel, with f
 * and g clamped to [0, 1] as botorch does.
 *
 * @param f Fidelity of one point.
 * @param g Fidelity of the other point.
 * @param power The power π.
 * @returns The factor (0 when either fidelity is 1).
 */
export function biasFactor(f: number, g: number, power: number): number {
  const a = Math.min(Math.max(f, 0), 1), b = Math.min(Math.max(g, 0), 1);
  return (1 - a) * (1 - b) * Math.pow(1 + a * b, power);
}
