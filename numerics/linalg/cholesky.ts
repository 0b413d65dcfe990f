/**
 * Dense Cholesky factorisation of symmetric positive-definite matrices (row-major
 * `Float64Array`s) with gpytorch's jitter escalation, and the solves built on the factor:
 * triangular solves with one or many right-hand sides, the log-determinant and the inverse.
 * Used by the Gaussian process of ADMIRE-BayesOpt (methods.md §2 (f)).
 *
 * Loops run along rows, so every inner loop reads contiguous memory.
 *
 * @module
 */

import { simdFactor, simdInverse, simdSolveLower } from "./_simd.ts";

/**
 * Smallest order for which the WebAssembly kernels run (below it, copying in and out costs more
 * than the loops save).
 */
const SIMD_MIN_ORDER = 16;

/** Smallest (rows solved)·n·m for which {@linkcode solveLowerInPlace} runs in WebAssembly. */
const SIMD_MIN_SOLVE = 65536;

/** A lower-triangular factor L with A + jitter·I = L·Lᵀ. */
export interface CholeskyFactor {
  /** Order n of the matrix. */
  readonly n: number;
  /** L, row-major n×n; the strict upper triangle is 0. */
  readonly data: Float64Array;
  /** Jitter added to the diagonal (0 when the plain matrix factored). */
  readonly jitter: number;
}

/** Options of {@linkcode cholesky}. */
export interface CholeskyOptions {
  /** First jitter tried after a failure; each further try multiplies it by 10. @default {1e-8} */
  jitter?: number;
  /** Jittered tries after the plain one (gpytorch's `psd_safe_cholesky` uses 3). @default {3} */
  maxTries?: number;
  /** Array of at least n² entries to hold L (its first n² entries are used). @default {a new array} */
  out?: Float64Array;
  /**
   * `"js"` forces the JavaScript loops; by default the WebAssembly SIMD kernel runs where
   * available (`_simd.ts`: the same sums in the same order, a bit-identical factor).
   * @default {"auto"}
   */
  engine?: "auto" | "js";
}

/**
 * Factors A = L·Lᵀ. When a pivot is not positive, retries with jitter·I added to A, the jitter
 * growing tenfold per try (gpytorch 1.11 `psd_safe_cholesky`: 1e-8, 1e-7, 1e-6 in double).
 *
 * @example
 * ```ts
 * import { cholesky } from "./cholesky.ts";
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * const f = cholesky(new Float64Array([4, 2, 2, 5]));
 * assertEquals([...f.data], [2, 0, 1, 2]);
 * ```
 * @param a Row-major n×n symmetric matrix (only the lower triangle is read).
 * @param options Jitter schedule.
 * @returns The factor.
 * @throws {RangeError} When A is not square, or still not positive definite after the last try.
 */
export function cholesky(a: Float64Array, options: CholeskyOptions = {}): CholeskyFactor {
  const n = Math.round(Math.sqrt(a.length));
  if (n * n !== a.length) {
    throw new RangeError(`Cannot factor a matrix of "${a.length}" entries: expected n×n`);
  }
  const first = options.jitter ?? 1e-8;
  const tries = options.maxTries ?? 3;
  const l = options.out ? options.out.subarray(0, n * n) : new Float64Array(n * n);
  if (l.length !== n * n) {
    throw new RangeError(`Cannot write a ${n}×${n} factor into "${l.length}" entries`);
  }
  const simd = options.engine !== "js" && n >= SIMD_MIN_ORDER;
  let jitter = 0;
  for (let t = 0; t <= tries; t++) {
    const ok = (simd ? simdFactor(a, n, jitter, l) : undefined) ?? factorInto(a, n, jitter, l);
    if (ok) return { n, data: l, jitter };
    jitter = t === 0 ? first : jitter * 10;
  }
  throw new RangeError(
    `Cannot factor a ${n}×${n} matrix: not positive definite even with jitter "${jitter / 10}"`,
  );
}

// Inner loops are unrolled over four rows at a time: four independent accumulators and a
// quarter of the loads of the shared row (≈1.7× faster than the plain loops in V8).
function factorInto(a: Float64Array, n: number, jitter: number, l: Float64Array): boolean {
  for (let i = 0; i < n; i++) {
    const ri = i * n;
    let j = 0;
    for (; j + 3 < i; j += 4) {
      const r0 = j * n, r1 = r0 + n, r2 = r1 + n, r3 = r2 + n;
      let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
      for (let k = 0; k < j; k++) {
        const v = l[ri + k]!;
        s0 += v * l[r0 + k]!;
        s1 += v * l[r1 + k]!;
        s2 += v * l[r2 + k]!;
        s3 += v * l[r3 + k]!;
      }
      // The block's own triangle: each entry feeds the next ones.
      const v0 = (a[ri + j]! - s0) / l[r0 + j]!;
      l[ri + j] = v0;
      s1 += v0 * l[r1 + j]!;
      s2 += v0 * l[r2 + j]!;
      s3 += v0 * l[r3 + j]!;
      const v1 = (a[ri + j + 1]! - s1) / l[r1 + j + 1]!;
      l[ri + j + 1] = v1;
      s2 += v1 * l[r2 + j + 1]!;
      s3 += v1 * l[r3 + j + 1]!;
      const v2 = (a[ri + j + 2]! - s2) / l[r2 + j + 2]!;
      l[ri + j + 2] = v2;
      s3 += v2 * l[r3 + j + 2]!;
      l[ri + j + 3] = (a[ri + j + 3]! - s3) / l[r3 + j + 3]!;
    }
    for (; j < i; j++) {
      const rj = j * n;
      let s = a[ri + j]!;
      for (let k = 0; k < j; k++) s -= l[ri + k]! * l[rj + k]!;
      l[ri + j] = s / l[rj + j]!;
    }
    let s = a[ri + i]! + jitter;
    for (let k = 0; k < i; k++) s -= l[ri + k]! * l[ri + k]!;
    if (!(s > 0)) return false;
    l[ri + i] = Math.sqrt(s);
    for (let q = i + 1; q < n; q++) l[ri + q] = 0;
  }
  return true;
}

/**
 * Solves L·x = b (forward substitution).
 *
 * @example
 * ```ts
 * import { cholesky, solveLower } from "./cholesky.ts";
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * assertEquals([...solveLower(cholesky(new Float64Array([4, 2, 2, 5])), [2, 3])], [1, 1]);
 * ```
 * @param factor The factor L.
 * @param b Right-hand side of length n.
 * @returns x (a new array).
 */
export function solveLower(factor: CholeskyFactor, b: ArrayLike<number>): Float64Array {
  const { n, data: l } = factor;
  const x = Float64Array.from(b);
  for (let i = 0; i < n; i++) {
    const ri = i * n;
    let s = x[i]!;
    for (let k = 0; k < i; k++) s -= l[ri + k]! * x[k]!;
    x[i] = s / l[ri + i]!;
  }
  return x;
}

/**
 * Solves Lᵀ·x = b (back substitution).
 *
 * @example
 * ```ts
 * import { cholesky, solveUpper } from "./cholesky.ts";
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * assertEquals([...solveUpper(cholesky(new Float64Array([4, 2, 2, 5])), [3, 2])], [1, 1]);
 * ```
 * @param factor The factor L.
 * @param b Right-hand side of length n.
 * @returns x (a new array).
 */
export function solveUpper(factor: CholeskyFactor, b: ArrayLike<number>): Float64Array {
  const { n, data: l } = factor;
  const x = Float64Array.from(b);
  for (let i = n - 1; i >= 0; i--) {
    x[i] = x[i]! / l[i * n + i]!;
    const xi = x[i]!, ri = i * n;
    for (let k = 0; k < i; k++) x[k]! -= l[ri + k]! * xi;
  }
  return x;
}

/**
 * Solves L·X = B in place for B with n rows and m columns (row-major), i.e. B ← L⁻¹B.
 *
 * @example
 * ```ts
 * import { cholesky, solveLowerInPlace } from "./cholesky.ts";
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * const b = new Float64Array([2, 4, 3, 6]);
 * solveLowerInPlace(cholesky(new Float64Array([4, 2, 2, 5])), b);
 * assertEquals([...b], [1, 2, 1, 2]);
 * ```
 * @param factor The factor L.
 * @param b Row-major n×m matrix, overwritten with L⁻¹B.
 * @param options First row to solve (the rows above taken as solved already) and engine.
 */
export function solveLowerInPlace(
  factor: CholeskyFactor,
  b: Float64Array,
  options: SolveOptions = {},
): void {
  const { n, data: l } = factor;
  const m = (b.length / n) | 0;
  if (m * n !== b.length) {
    throw new RangeError(`Cannot solve with "${b.length}" entries: expected a multiple of "${n}"`);
  }
  const from = options.from ?? 0;
  if (!(from >= 0 && from <= n)) throw new RangeError(`Cannot solve from row "${from}" of ${n}`);
  if (
    options.engine !== "js" && n >= SIMD_MIN_ORDER && (n - from) * n * m >= SIMD_MIN_SOLVE &&
    simdSolveLower(l, n, b, m, from)
  ) return;
  for (let i = from; i < n; i++) {
    const ri = i * n, bi = i * m;
    let k = 0;
    for (; k + 3 < i; k += 4) {
      const a0 = l[ri + k]!, a1 = l[ri + k + 1]!, a2 = l[ri + k + 2]!, a3 = l[ri + k + 3]!;
      const b0 = k * m, b1 = b0 + m, b2 = b1 + m, b3 = b2 + m;
      for (let j = 0; j < m; j++) {
        b[bi + j]! -= a0 * b[b0 + j]! + a1 * b[b1 + j]! + a2 * b[b2 + j]! + a3 * b[b3 + j]!;
      }
    }
    for (; k < i; k++) {
      const a = l[ri + k]!, bk = k * m;
      for (let j = 0; j < m; j++) b[bi + j]! -= a * b[bk + j]!;
    }
    const inv = 1 / l[ri + i]!;
    for (let j = 0; j < m; j++) b[bi + j]! *= inv;
  }
}

/**
 * ln det(A) = 2·Σ ln Lᵢᵢ (of the jittered matrix when jitter was needed).
 *
 * @example
 * ```ts
 * import { cholesky, logDeterminant } from "./cholesky.ts";
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * assertEquals(Math.abs(logDeterminant(cholesky(new Float64Array([4, 2, 2, 5]))) - Math.log(16)) < 1e-15, true);
 * ```
 * @param factor The factor L.
 * @returns ln det(L·Lᵀ).
 */
export function logDeterminant(factor: CholeskyFactor): number {
  const { n, data: l } = factor;
  let s = 0;
  for (let i = 0; i < n; i++) s += Math.log(l[i * n + i]!);
  return 2 * s;
}

/** Options of {@linkcode solveLowerInPlace}. */
export interface SolveOptions {
  /**
   * First row to solve: rows 0…from−1 of B hold rows of L⁻¹B already (after new rows were
   * appended to a solved B), so only the rows from `from` on are computed. @default {0}
   */
  from?: number;
  /**
   * `"js"` forces the JavaScript loops; by default a WebAssembly SIMD kernel runs where
   * available and the work is large enough (`_simd.ts`: the same sums in the same order).
   * @default {"auto"}
   */
  engine?: "auto" | "js";
}

/** Options of {@linkcode inverse}. */
export interface InverseOptions {
  /** Array of at least n² entries to hold A⁻¹. @default {a new array} */
  out?: Float64Array;
  /** Scratch array of at least n² entries (for L⁻¹). @default {a new array} */
  scratch?: Float64Array;
  /** Fill only the lower triangle (j ≤ i) of A⁻¹; the rest is left as is. @default {false} */
  lowerOnly?: boolean;
  /**
   * `"js"` forces the JavaScript loops; by default the WebAssembly SIMD kernels run where
   * available (`_simd.ts`: the same sums in the same order, bit-identical results).
   * @default {"auto"}
   */
  engine?: "auto" | "js";
}

/**
 * A⁻¹ = L⁻ᵀL⁻¹ as a symmetric row-major matrix (≈ n³/3 multiply-adds). Reusing `out` and
 * `scratch` across calls avoids fresh allocations, whose first touch is costly.
 *
 * @example
 * ```ts
 * import { cholesky, inverse } from "./cholesky.ts";
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * const inv = inverse(cholesky(new Float64Array([4, 2, 2, 5])));
 * assertEquals([...inv].map((v) => Math.round(v * 16e6) / 1e6), [5, -2, -2, 4]);
 * ```
 * @param factor The factor L.
 * @param options Output and scratch arrays; lower triangle only.
 * @returns A⁻¹ (a view of `out` when given).
 */
export function inverse(factor: CholeskyFactor, options: InverseOptions = {}): Float64Array {
  const { n, data: l } = factor;
  const nn = n * n;
  const out = options.out ? options.out.subarray(0, nn) : new Float64Array(nn);
  const li = options.scratch ? options.scratch.subarray(0, nn) : new Float64Array(nn);
  if (out.length !== nn || li.length !== nn) {
    throw new RangeError(`Cannot invert a ${n}×${n} matrix into arrays shorter than n²`);
  }
  if (options.engine !== "js" && n >= SIMD_MIN_ORDER && simdInverse(l, n, li, out)) {
    return options.lowerOnly ? out : mirrorLower(out, n);
  }
  li.fill(0);
  // Rows of L⁻¹ (lower triangular): row i = (eᵢ − Σ_{k<i} L_ik·row k)/L_ii.
  for (let i = 0; i < n; i++) {
    const ri = i * n;
    let k = 0;
    for (; k + 3 < i; k += 4) {
      const a0 = l[ri + k]!, a1 = l[ri + k + 1]!, a2 = l[ri + k + 2]!, a3 = l[ri + k + 3]!;
      const r0 = k * n, r1 = r0 + n, r2 = r1 + n, r3 = r2 + n;
      for (let j = 0; j <= k; j++) {
        li[ri + j]! -= a0 * li[r0 + j]! + a1 * li[r1 + j]! + a2 * li[r2 + j]! + a3 * li[r3 + j]!;
      }
      li[ri + k + 1]! -= a1 * li[r1 + k + 1]! + a2 * li[r2 + k + 1]! + a3 * li[r3 + k + 1]!;
      li[ri + k + 2]! -= a2 * li[r2 + k + 2]! + a3 * li[r3 + k + 2]!;
      li[ri + k + 3]! -= a3 * li[r3 + k + 3]!;
    }
    for (; k < i; k++) {
      const a = l[ri + k]!, rk = k * n;
      for (let j = 0; j <= k; j++) li[ri + j]! -= a * li[rk + j]!;
    }
    li[ri + i]! += 1;
    const inv = 1 / l[ri + i]!;
    for (let j = 0; j <= i; j++) li[ri + j]! *= inv;
  }
  // (A⁻¹)_ab = Σ_{i ≥ max(a,b)} (L⁻¹)_ia (L⁻¹)_ib, accumulated four rows of L⁻¹ at a time
  // (entries of L⁻¹ above the diagonal are 0, so a block may run to its last row's diagonal).
  out.fill(0);
  let i = 0;
  for (; i + 3 < n; i += 4) {
    const r0 = i * n, r1 = r0 + n, r2 = r1 + n, r3 = r2 + n;
    for (let a = 0; a <= i + 3; a++) {
      const v0 = li[r0 + a]!, v1 = li[r1 + a]!, v2 = li[r2 + a]!, v3 = li[r3 + a]!;
      const ra = a * n;
      for (let b = 0; b <= a; b++) {
        out[ra + b]! += v0 * li[r0 + b]! + v1 * li[r1 + b]! + v2 * li[r2 + b]! + v3 * li[r3 + b]!;
      }
    }
  }
  for (; i < n; i++) {
    const ri = i * n;
    for (let a = 0; a <= i; a++) {
      const v = li[ri + a]!;
      const ra = a * n;
      for (let b = 0; b <= a; b++) out[ra + b]! += v * li[ri + b]!;
    }
  }
  return options.lowerOnly ? out : mirrorLower(out, n);
}

/** Copies the strict lower triangle of a row-major n×n matrix onto the upper one. */
function mirrorLower(out: Float64Array, n: number): Float64Array {
  for (let a = 0; a < n; a++) {
    for (let b = 0; b < a; b++) out[b * n + a] = out[a * n + b]!;
  }
  return out;
}

/**
 * Extends a factor of A (n×n) to a factor of the bordered matrix [[A, Bᵀ], [B, C]] ((n+k)×(n+k))
 * in O(n²k): the old rows are copied, each new row is a forward substitution against the rows
 * above it, and the same jitter as the old factor's is added to the new diagonal, so the result
 * is the factor a full {@linkcode cholesky} of the bordered matrix would return whenever that
 * factorisation needs no more jitter than the old one did (the leading block is the same).
 *
 * @example
 * ```ts
 * import { cholesky, extendCholesky } from "./cholesky.ts";
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * const f = extendCholesky(cholesky(new Float64Array([4])), new Float64Array([2]), new Float64Array([5]))!;
 * assertEquals([...f.data], [2, 0, 1, 2]);
 * ```
 * @param factor Factor of A (A + jitter·I = L·Lᵀ).
 * @param b The new rows' off-diagonal block B, k×n row-major.
 * @param c The new diagonal block C, k×k row-major (only its lower triangle is read).
 * @returns The factor of the bordered matrix (plus the same jitter on the whole diagonal), or
 * undefined when a new pivot is not positive: the caller then refactors the whole matrix, whose
 * jitter escalation starts again from 0.
 * @throws {RangeError} When the blocks' sizes do not match.
 */
export function extendCholesky(
  factor: CholeskyFactor,
  b: Float64Array,
  c: Float64Array,
): CholeskyFactor | undefined {
  const n = factor.n, old = factor.data;
  const k = Math.round(Math.sqrt(c.length));
  if (k * k !== c.length || b.length !== k * n) {
    throw new RangeError(
      `Cannot border a ${n}×${n} factor with blocks of "${b.length}" and "${c.length}" entries`,
    );
  }
  const size = n + k, l = new Float64Array(size * size);
  for (let i = 0; i < n; i++) l.set(old.subarray(i * n, i * n + i + 1), i * size);
  for (let r = 0; r < k; r++) {
    const i = n + r, ri = i * size;
    for (let j = 0; j < i; j++) {
      const rj = j * size;
      let s = j < n ? b[r * n + j]! : c[r * k + j - n]!;
      for (let q = 0; q < j; q++) s -= l[ri + q]! * l[rj + q]!;
      l[ri + j] = s / l[rj + j]!;
    }
    let s = c[r * k + r]! + factor.jitter;
    for (let q = 0; q < i; q++) s -= l[ri + q]! * l[ri + q]!;
    if (!(s > 0)) return undefined;
    l[ri + i] = Math.sqrt(s);
  }
  return { n: size, data: l, jitter: factor.jitter };
}
