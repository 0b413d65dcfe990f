/**
 * Minimum-norm linear least squares through a Householder QR followed by a one-sided Jacobi SVD
 * of the triangular factor (Hestenes, 1958; Demmel, "Applied Numerical Linear Algebra", 1997,
 * §5.4.3 and Algorithm 5.5), with numpy's rank rule. Rank-
 * deficient designs are the norm here: mixture weights that sum to 1 plus an intercept column
 * (RegMix's linear regressor) have a null direction.
 *
 * @module
 */

/** A dense matrix stored row by row: entry (i, j) is `data[i·cols + j]`. */
export interface DenseMatrix {
  /** Entries, row-major, length rows·cols. */
  data: ArrayLike<number>;
  /** [rows, cols]. */
  shape: readonly [rows: number, cols: number];
}

/** Options of {@link lstsq}. */
export interface LstsqOptions {
  /**
   * Singular values ≤ rcond·σ_max count as zero (numpy.linalg.lstsq's `rcond`).
   * @default max(rows, cols)·ε, ε = 2⁻⁵²
   */
  rcond?: number;
}

/** Outcome of {@link lstsq}. */
export interface LstsqResult {
  /** The minimum-norm minimiser of ‖Ax − b‖₂. */
  x: Float64Array;
  /** Number of singular values above the cut-off. */
  rank: number;
  /**
   * ‖Ax − b‖₂², always computed (numpy returns it only for full column rank and rows > cols).
   */
  residual: number;
  /** Singular values of A in decreasing order (min(rows, cols) of them). */
  singularValues: Float64Array;
}

/**
 * Solves min ‖Ax − b‖₂ and, among the minimisers, returns the one of least norm: x = A⁺b with
 * the pseudo-inverse truncated at rcond·σ_max, as numpy.linalg.lstsq(A, b, rcond=None) does.
 * The SVD is a one-sided Jacobi iteration on the R factor of A (or of Aᵀ when A is wide).
 *
 * @example
 * ```ts
 * import { lstsq } from "./lstsq.ts";
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * // Two identical columns: the minimum-norm solution splits the weight evenly.
 * const r = lstsq([[1, 1], [2, 2], [3, 3]], [2, 4, 6]);
 * assertEquals(r.rank, 1);
 * assertEquals([...r.x].map((v) => Math.round(v * 1e12) / 1e12), [1, 1]);
 * ```
 * @param a The design: an array of rows, or a row-major {@link DenseMatrix}.
 * @param b Right-hand side, one entry per row.
 * @param options Rank cut-off.
 * @returns The solution, the numerical rank, the residual sum of squares and the singular values.
 */
export function lstsq(
  a: readonly ArrayLike<number>[] | DenseMatrix,
  b: ArrayLike<number>,
  options: LstsqOptions = {},
): LstsqResult {
  const { data, m, n } = toRowMajor(a);
  if (b.length !== m) {
    throw new TypeError(`Cannot solve least squares: b has "${b.length}" entries for "${m}" rows`);
  }
  for (let i = 0; i < m; i++) {
    if (!Number.isFinite(b[i]!)) {
      throw new RangeError(`Cannot solve least squares: b[${i}] is "${b[i]}"`);
    }
  }
  const rcond = options.rcond ?? Math.max(m, n) * Number.EPSILON;
  const x = new Float64Array(n);
  const k = Math.min(m, n);
  if (k === 0) return { x, rank: 0, residual: sumSquares(b), singularValues: new Float64Array(0) };

  // B is the tall one of A and Aᵀ (p × q, p ≥ q), held as columns. A Householder QR, B = QR,
  // shrinks the Jacobi iteration to the q × q factor R, whose SVD R = UΣVᵀ gives B's.
  const tall = m >= n;
  const p = tall ? m : n, q = tall ? n : m;
  const cols = Array.from({ length: q }, (_, j) => {
    const c = new Float64Array(p);
    for (let i = 0; i < p; i++) c[i] = tall ? data[i * n + j]! : data[j * n + i]!;
    return c;
  });
  const reflectors = householder(cols);
  const r = cols.map((c) => c.slice(0, q));
  const v = Array.from({ length: q }, (_, j) => {
    const c = new Float64Array(q);
    c[j] = 1;
    return c;
  });
  jacobi(r, v);

  // R·V = W with orthogonal columns w_j = σ_j·u_j.
  // Tall (A = QR): x = Σ v_j (w_jᵀ Qᵀb)/σ_j².  Wide (Aᵀ = QR): x = Q·Σ w_j (v_jᵀb)/σ_j².
  const sigma = r.map((c) => Math.sqrt(dot(c, c)));
  const order = sigma.map((_, j) => j).sort((i, j) => sigma[j]! - sigma[i]!);
  const cutoff = rcond * sigma[order[0]!]!;
  const rhs = Float64Array.from(b);
  if (tall) applyReflectors(reflectors, rhs, false);
  const z = tall ? x : new Float64Array(p);
  let rank = 0;
  for (const j of order) {
    const s = sigma[j]!;
    if (!(s > cutoff) || s === 0) break;
    rank++;
    const w = r[j]!, vj = v[j]!;
    let t = 0;
    for (let i = 0; i < q; i++) t += (tall ? w[i]! : vj[i]!) * rhs[i]!;
    axpy(t / (s * s), tall ? vj : w, z);
  }
  if (!tall) {
    applyReflectors(reflectors, z, true);
    x.set(z);
  }

  let residual = 0;
  for (let i = 0; i < m; i++) {
    let r = -b[i]!;
    for (let j = 0; j < n; j++) r += data[i * n + j]! * x[j]!;
    residual += r * r;
  }
  return { x, rank, residual, singularValues: Float64Array.from(order, (j) => sigma[j]!) };
}

/**
 * Householder QR of the p × q matrix held as columns (p ≥ q), in place: on return the first q
 * entries of column j hold column j of R (zeros below the diagonal). Returns the reflectors
 * I − 2vvᵀ/vᵀv, v_k supported on rows k…p−1 (`null` where the column was already zero).
 */
function householder(cols: Float64Array[]): (Float64Array | null)[] {
  const q = cols.length;
  const out: (Float64Array | null)[] = [];
  for (let k = 0; k < q; k++) {
    const ck = cols[k]!;
    const p = ck.length;
    let norm = 0;
    for (let i = k; i < p; i++) norm += ck[i]! * ck[i]!;
    norm = Math.sqrt(norm);
    if (norm === 0) {
      out.push(null);
      continue;
    }
    const v = ck.slice(k);
    const alpha = v[0]! >= 0 ? -norm : norm;
    v[0]! -= alpha;
    const vv = dot(v, v);
    for (let j = k; j < q; j++) reflect(v, vv, cols[j]!, k);
    for (let i = k + 1; i < p; i++) ck[i] = 0;
    ck[k] = alpha;
    out.push(vv > 0 ? v : null);
  }
  return out;
}

/** y ← (I − 2vvᵀ/vᵀv)·y on rows offset…, v indexed from offset. */
function reflect(v: Float64Array, vv: number, y: Float64Array, offset: number): void {
  let t = 0;
  for (let i = 0; i < v.length; i++) t += v[i]! * y[offset + i]!;
  t *= 2 / vv;
  for (let i = 0; i < v.length; i++) y[offset + i]! -= t * v[i]!;
}

/** y ← Qᵀy (forward order) or y ← Qy (`reverse`), Q = H₀H₁…H_{q−1}. */
function applyReflectors(reflectors: (Float64Array | null)[], y: Float64Array, reverse: boolean) {
  const q = reflectors.length;
  for (let s = 0; s < q; s++) {
    const k = reverse ? q - 1 - s : s;
    const v = reflectors[k];
    if (v) reflect(v, dot(v, v), y, k);
  }
}

/**
 * Orthogonalises the columns of B in place by plane rotations, accumulating them in V, until
 * every pair is orthogonal to working precision. Pairs involving a column whose norm is below
 * ε·‖B‖_F are left alone: such a column is under any rank cut-off.
 */
function jacobi(cols: Float64Array[], v: Float64Array[]): void {
  const q = cols.length;
  let frob = 0;
  for (const c of cols) frob += dot(c, c);
  const tiny = frob * Number.EPSILON * Number.EPSILON;
  for (let sweep = 0; sweep < 60; sweep++) {
    let rotated = false;
    for (let j = 0; j < q - 1; j++) {
      for (let k = j + 1; k < q; k++) {
        const cj = cols[j]!, ck = cols[k]!;
        const alpha = dot(cj, cj), beta = dot(ck, ck), gamma = dot(cj, ck);
        if (alpha <= tiny || beta <= tiny) continue;
        if (Math.abs(gamma) <= Number.EPSILON * Math.sqrt(alpha * beta)) continue;
        rotated = true;
        const zeta = (beta - alpha) / (2 * gamma);
        const t = (zeta >= 0 ? 1 : -1) / (Math.abs(zeta) + Math.sqrt(1 + zeta * zeta));
        const c = 1 / Math.sqrt(1 + t * t), s = c * t;
        rotate(cj, ck, c, s);
        rotate(v[j]!, v[k]!, c, s);
      }
    }
    if (!rotated) return;
  }
}

function rotate(x: Float64Array, y: Float64Array, c: number, s: number): void {
  for (let i = 0; i < x.length; i++) {
    const a = x[i]!, b = y[i]!;
    x[i] = c * a - s * b;
    y[i] = s * a + c * b;
  }
}

function toRowMajor(
  a: readonly ArrayLike<number>[] | DenseMatrix,
): { data: Float64Array; m: number; n: number } {
  let data: Float64Array, m: number, n: number;
  if (isDense(a)) {
    [m, n] = a.shape;
    if (!(Number.isInteger(m) && Number.isInteger(n) && m >= 0 && n >= 0)) {
      throw new TypeError(`Cannot solve least squares: shape "${a.shape.join("×")}" is invalid`);
    }
    if (a.data.length !== m * n) {
      throw new TypeError(
        `Cannot solve least squares: "${a.data.length}" entries for shape "${m}×${n}"`,
      );
    }
    data = Float64Array.from(a.data);
  } else {
    m = a.length;
    n = m > 0 ? a[0]!.length : 0;
    data = new Float64Array(m * n);
    for (let i = 0; i < m; i++) {
      const row = a[i]!;
      if (row.length !== n) {
        throw new TypeError(
          `Cannot solve least squares: row ${i} has "${row.length}" entries, expected "${n}"`,
        );
      }
      for (let j = 0; j < n; j++) data[i * n + j] = row[j]!;
    }
  }
  for (let i = 0; i < data.length; i++) {
    if (!Number.isFinite(data[i]!)) {
      throw new RangeError(
        `Cannot solve least squares: entry (${Math.floor(i / n)}, ${i % n}) is "${data[i]}"`,
      );
    }
  }
  return { data, m, n };
}

function isDense(a: readonly ArrayLike<number>[] | DenseMatrix): a is DenseMatrix {
  return !Array.isArray(a);
}

function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}

function axpy(t: number, x: Float64Array, y: Float64Array): void {
  for (let i = 0; i < x.length; i++) y[i]! += t * x[i]!;
}

function sumSquares(b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < b.length; i++) s += b[i]! * b[i]!;
  return s;
}
