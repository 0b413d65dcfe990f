/**
 * WebAssembly SIMD kernels of the Gaussian process's dense arithmetic (internal): for
 * `cholesky.ts` the factorisation A = L·Lᵀ and the inverse A⁻¹ = L⁻ᵀL⁻¹, and for
 * `gp/_kernels.ts` the squared distances between two sets of rows, taking every sum of the
 * JavaScript loops there in the same order.
 *
 * Each f64x2 lane holds one entry of the result and performs, in the same order, the very
 * operations the JavaScript loop performs for that entry (multiplies rounded before they are
 * added, no fused multiply-add; the same grouping of the four-row unrolled sums), so the results
 * are bit-identical to the loops; `tests/numerics/cholesky_simd_test.ts` checks that. Lanes run
 * along rows (contiguous memory) where the loops update whole rows (the inverse); the
 * factorisation's dot products run along rows of L, so its lanes take two rows of a transposed
 * copy Lᵀ kept beside L (two adjacent entries of a row of Lᵀ are the same column of two rows
 * of L).
 *
 * One module instance is shared by every call; its memory grows to the largest matrix seen.
 * Where WebAssembly SIMD is unavailable the callers keep their JavaScript loops.
 *
 * @module
 */

import { growTo, name, onceInstance, section, uleb, WASM_HEADER } from "../_wasm_binary.ts";
import {
  bump,
  F64,
  f64Add,
  f64c,
  f64Div,
  f64Gt,
  f64Load,
  f64Mul,
  f64Sqrt,
  f64Store,
  f64Sub,
  f64x2Add,
  f64x2ExtractLane,
  f64x2Mul,
  f64x2Splat,
  f64x2Sub,
  get,
  I32,
  i32Add,
  i32And,
  i32c,
  i32Eqz,
  i32LtU,
  i32Mul,
  i32Shl,
  i32Sub,
  ifThen,
  set,
  V128,
  v128Const,
  v128Load,
  v128Load64Splat,
  v128Store,
  whileLoop,
} from "../_wasm_ops.ts";

type Body = number[];

// ---- Addresses and local declarations (the instructions are in ../_wasm_ops.ts) ---------------

/** The address `base + index·8` (index an i32 local). */
const at = (base: number, index: number): Body => [
  ...get(base),
  ...get(index),
  ...i32c(3),
  ...i32Shl,
  ...i32Add,
];

/** Local declarations: counts of i32, f64 and v128 locals after the parameters. */
function locals(i32: number, f64: number, v128: number): Body {
  const groups = [[i32, I32], [f64, F64], [v128, V128]].filter(([c]) => c! > 0);
  return [...uleb(groups.length), ...groups.flatMap(([c, t]) => [...uleb(c!), t!])];
}

// ---- inverse, step 1 (the rows of L⁻¹) and forward substitution ---------------------------------

/**
 * `lowerInverse(l, li, n, m, from)` (`inverse` true; m = n, from = 0): li (zeroed) ← L⁻¹, row by
 * row as `inverse` in `cholesky.ts`: row i −= (((a0·row k + a1·row k+1) + a2·row k+2) +
 * a3·row k+3) over blocks of four rows (entries 0…k, then the block's own triangle), single rows
 * after the last block, + 1 on the diagonal, × 1/L_ii.
 *
 * `solveLower(l, b, n, m, from)` (`inverse` false): rows from…n−1 of b (n×m) ← the forward
 * substitution of `solveLowerInPlace` (rows before `from` already solved): row i −= the same
 * four-row sums over whole rows, single rows, then × 1/L_ii.
 */
function lowerSolveBody(inverse: boolean): Body {
  // params 0 l, 1 li, 2 n, 3 m, 4 from; i32 5 rb, 6 mb, 7 i, 8 k, 9 ri, 10 rl, 11 r0, 12 r1,
  // 13 r2, 14 r3, 15 jb, 16 pairEnd, 17 cnt; f64 18 a0, 19 a1, 20 a2, 21 a3, 22 t; v128 23 v0,
  // 24 v1, 25 v2, 26 v3, 27 acc
  const [l, li, n, m, from, rb, mb, i, k, ri, rl, r0, r1, r2, r3, jb, pairEnd, cnt] = [
    0,
    1,
    2,
    3,
    4,
    5,
    6,
    7,
    8,
    9,
    10,
    11,
    12,
    13,
    14,
    15,
    16,
    17,
  ];
  const a = [18, 19, 20, 21], t = 22, v = [23, 24, 25, 26], acc = 27;
  const rows = [r0, r1, r2, r3];
  // Entries 0…cnt−1 of row i −= the four-row sum: f64x2 pairs, then a scalar last entry.
  const fourRowPairs = [
    ...whileLoop([...get(jb), ...get(pairEnd), ...i32LtU], [
      ...get(v[0]!),
      ...get(r0),
      ...get(jb),
      ...i32Add,
      ...v128Load(),
      ...f64x2Mul,
      ...[1, 2, 3].flatMap((q) => [
        ...get(v[q]!),
        ...get(rows[q]!),
        ...get(jb),
        ...i32Add,
        ...v128Load(),
        ...f64x2Mul,
        ...f64x2Add,
      ]),
      ...set(acc),
      ...get(ri),
      ...get(jb),
      ...i32Add,
      ...get(ri),
      ...get(jb),
      ...i32Add,
      ...v128Load(),
      ...get(acc),
      ...f64x2Sub,
      ...v128Store(),
      ...bump(jb, 16),
    ]),
  ];
  /** Scalar: li[i][col] −= Σ_{q ≥ from} a_q·row_q[col], col = byte offset in local `off`. */
  const scalarTail = (off: Body, first: number): Body => [
    ...get(a[first]!),
    ...get(rows[first]!),
    ...off,
    ...i32Add,
    ...f64Load(),
    ...f64Mul,
    ...[1, 2, 3].filter((q) => q > first).flatMap((q) => [
      ...get(a[q]!),
      ...get(rows[q]!),
      ...off,
      ...i32Add,
      ...f64Load(),
      ...f64Mul,
      ...f64Add,
    ]),
    ...set(t),
    ...get(ri),
    ...off,
    ...i32Add,
    ...get(ri),
    ...off,
    ...i32Add,
    ...f64Load(),
    ...get(t),
    ...f64Sub,
    ...f64Store(),
  ];
  // pairEnd = (cnt & ~1)·8, with cnt the number of entries.
  const pairs = (count: Body): Body => [
    ...count,
    ...set(cnt),
    ...get(cnt),
    ...i32c(-2),
    ...i32And,
    ...i32c(3),
    ...i32Shl,
    ...set(pairEnd),
    ...i32c(0),
    ...set(jb),
  ];
  const odd = (body: Body) => ifThen([...get(cnt), ...i32c(1), ...i32And], body);
  const kb = [...get(k), ...i32c(3), ...i32Shl]; // k·8
  // Entries per update: 0…k of row i (the inverse), or the whole row (a solve).
  const rowCount = inverse ? [...get(k), ...i32c(1), ...i32Add] : get(m);
  const block = [
    ...[0, 1, 2, 3].flatMap((q) => [
      ...get(rl),
      ...kb,
      ...i32Add,
      ...f64Load(8 * q),
      ...set(a[q]!),
      ...get(a[q]!),
      ...f64x2Splat,
      ...set(v[q]!),
    ]),
    ...get(li),
    ...get(k),
    ...get(mb),
    ...i32Mul,
    ...i32Add,
    ...set(r0),
    ...get(r0),
    ...get(mb),
    ...i32Add,
    ...set(r1),
    ...get(r1),
    ...get(mb),
    ...i32Add,
    ...set(r2),
    ...get(r2),
    ...get(mb),
    ...i32Add,
    ...set(r3),
    ...pairs(rowCount),
    ...fourRowPairs,
    ...odd(scalarTail(get(jb), 0)),
    // The inverse's block triangle: columns k+1, k+2, k+3.
    ...(inverse
      ? [
        ...scalarTail([...kb, ...i32c(8), ...i32Add], 1),
        ...scalarTail([...kb, ...i32c(16), ...i32Add], 2),
        ...scalarTail([...kb, ...i32c(24), ...i32Add], 3),
      ]
      : []),
    ...bump(k, 4),
  ];
  // A single row k: entries of row i −= a·row k.
  const single = [
    ...get(rl),
    ...kb,
    ...i32Add,
    ...f64Load(),
    ...set(a[0]!),
    ...get(a[0]!),
    ...f64x2Splat,
    ...set(v[0]!),
    ...get(li),
    ...get(k),
    ...get(mb),
    ...i32Mul,
    ...i32Add,
    ...set(r0),
    ...pairs(rowCount),
    ...whileLoop([...get(jb), ...get(pairEnd), ...i32LtU], [
      ...get(ri),
      ...get(jb),
      ...i32Add,
      ...get(ri),
      ...get(jb),
      ...i32Add,
      ...v128Load(),
      ...get(v[0]!),
      ...get(r0),
      ...get(jb),
      ...i32Add,
      ...v128Load(),
      ...f64x2Mul,
      ...f64x2Sub,
      ...v128Store(),
      ...bump(jb, 16),
    ]),
    ...odd([
      ...get(ri),
      ...get(jb),
      ...i32Add,
      ...get(ri),
      ...get(jb),
      ...i32Add,
      ...f64Load(),
      ...get(a[0]!),
      ...get(r0),
      ...get(jb),
      ...i32Add,
      ...f64Load(),
      ...f64Mul,
      ...f64Sub,
      ...f64Store(),
    ]),
    ...bump(k, 1),
  ];
  const ib = [...get(i), ...i32c(3), ...i32Shl];
  const scale = [
    // The inverse: li[i][i] += 1. Then the entries (0…i, or the whole row) ×= 1/L_ii.
    ...(inverse
      ? [
        ...get(ri),
        ...ib,
        ...i32Add,
        ...get(ri),
        ...ib,
        ...i32Add,
        ...f64Load(),
        ...f64c(1),
        ...f64Add,
        ...f64Store(),
      ]
      : []),
    ...f64c(1),
    ...get(rl),
    ...ib,
    ...i32Add,
    ...f64Load(),
    ...f64Div,
    ...set(t),
    ...get(t),
    ...f64x2Splat,
    ...set(v[0]!),
    ...pairs(inverse ? [...get(i), ...i32c(1), ...i32Add] : get(m)),
    ...whileLoop([...get(jb), ...get(pairEnd), ...i32LtU], [
      ...get(ri),
      ...get(jb),
      ...i32Add,
      ...get(ri),
      ...get(jb),
      ...i32Add,
      ...v128Load(),
      ...get(v[0]!),
      ...f64x2Mul,
      ...v128Store(),
      ...bump(jb, 16),
    ]),
    ...odd([
      ...get(ri),
      ...get(jb),
      ...i32Add,
      ...get(ri),
      ...get(jb),
      ...i32Add,
      ...f64Load(),
      ...get(t),
      ...f64Mul,
      ...f64Store(),
    ]),
  ];
  const row = [
    ...get(li),
    ...get(i),
    ...get(mb),
    ...i32Mul,
    ...i32Add,
    ...set(ri),
    ...get(l),
    ...get(i),
    ...get(rb),
    ...i32Mul,
    ...i32Add,
    ...set(rl),
    ...i32c(0),
    ...set(k),
    ...whileLoop([...get(k), ...i32c(3), ...i32Add, ...get(i), ...i32LtU], block),
    ...whileLoop([...get(k), ...get(i), ...i32LtU], single),
    ...scale,
    ...bump(i, 1),
  ];
  return [
    ...locals(13, 5, 5),
    ...get(n),
    ...i32c(3),
    ...i32Shl,
    ...set(rb),
    ...get(m),
    ...i32c(3),
    ...i32Shl,
    ...set(mb),
    ...get(from),
    ...set(i),
    ...whileLoop([...get(i), ...get(n), ...i32LtU], row),
    0x0b,
  ];
}

// ---- inverse, step 2: A⁻¹ = L⁻ᵀL⁻¹ ---------------------------------------------------------------

/**
 * `syrkLower(li, out, n)`: out (zeroed) ← the lower triangle of L⁻ᵀL⁻¹ as `inverse` sums it:
 * out[a][b] += (((v0·x0 + v1·x1) + v2·x2) + v3·x3) over blocks of four rows of L⁻¹ in order,
 * then out[a][b] += v·x over the rows after the last block.
 */
function syrkBody(): Body {
  // params 0 li, 1 out, 2 n; i32 3 rb, 4 i, 5 a, 6 ra, 7 r0, 8 r1, 9 r2, 10 r3, 11 jb,
  // 12 pairEnd, 13 cnt, 14 aEnd; f64 15-18 s0-s3, 19 t; v128 20-23 v0-v3, 24 acc
  const [li, out, n, rb, i, a, ra, r0, r1, r2, r3, jb, pairEnd, cnt, aEnd] = [
    0,
    1,
    2,
    3,
    4,
    5,
    6,
    7,
    8,
    9,
    10,
    11,
    12,
    13,
    14,
  ];
  const s = [15, 16, 17, 18], t = 19, v = [20, 21, 22, 23], acc = 24;
  const rows = [r0, r1, r2, r3];
  const ab = [...get(a), ...i32c(3), ...i32Shl];
  const pairs = [
    ...get(a),
    ...i32c(1),
    ...i32Add,
    ...set(cnt),
    ...get(cnt),
    ...i32c(-2),
    ...i32And,
    ...i32c(3),
    ...i32Shl,
    ...set(pairEnd),
    ...i32c(0),
    ...set(jb),
    ...get(out),
    ...get(a),
    ...get(rb),
    ...i32Mul,
    ...i32Add,
    ...set(ra),
  ];
  const odd = (body: Body) => ifThen([...get(cnt), ...i32c(1), ...i32And], body);
  /** out[a][jb..] += the sum over `m` rows (vector or scalar). */
  const update = (m: number, vector: boolean): Body => {
    const load = vector ? v128Load() : f64Load();
    const mul = vector ? f64x2Mul : f64Mul, add = vector ? f64x2Add : f64Add;
    const coef = vector ? v : s;
    return [
      ...get(coef[0]!),
      ...get(rows[0]!),
      ...get(jb),
      ...i32Add,
      ...load,
      ...mul,
      ...Array.from({ length: m - 1 }, (_, q) => q + 1).flatMap((q) => [
        ...get(coef[q]!),
        ...get(rows[q]!),
        ...get(jb),
        ...i32Add,
        ...load,
        ...mul,
        ...add,
      ]),
      ...set(vector ? acc : t),
      ...get(ra),
      ...get(jb),
      ...i32Add,
      ...get(ra),
      ...get(jb),
      ...i32Add,
      ...load,
      ...get(vector ? acc : t),
      ...add,
      ...(vector ? v128Store() : f64Store()),
    ];
  };
  const columnOf = (m: number): Body => [
    ...Array.from({ length: m }, (_, q) => q).flatMap((q) => [
      ...get(rows[q]!),
      ...ab,
      ...i32Add,
      ...f64Load(),
      ...set(s[q]!),
      ...get(s[q]!),
      ...f64x2Splat,
      ...set(v[q]!),
    ]),
    ...pairs,
    ...whileLoop([...get(jb), ...get(pairEnd), ...i32LtU], [...update(m, true), ...bump(jb, 16)]),
    ...odd(update(m, false)),
    ...bump(a, 1),
  ];
  const rowsFrom = (m: number): Body => [
    ...get(li),
    ...get(i),
    ...get(rb),
    ...i32Mul,
    ...i32Add,
    ...set(r0),
    ...(m > 1
      ? [
        ...get(r0),
        ...get(rb),
        ...i32Add,
        ...set(r1),
        ...get(r1),
        ...get(rb),
        ...i32Add,
        ...set(r2),
        ...get(r2),
        ...get(rb),
        ...i32Add,
        ...set(r3),
      ]
      : []),
    // a runs over 0 … i + m − 1.
    ...get(i),
    ...i32c(m),
    ...i32Add,
    ...set(aEnd),
    ...i32c(0),
    ...set(a),
    ...whileLoop([...get(a), ...get(aEnd), ...i32LtU], columnOf(m)),
    ...bump(i, m),
  ];
  return [
    ...locals(12, 5, 5),
    ...get(n),
    ...i32c(3),
    ...i32Shl,
    ...set(rb),
    ...i32c(0),
    ...set(i),
    ...whileLoop([...get(i), ...i32c(3), ...i32Add, ...get(n), ...i32LtU], rowsFrom(4)),
    ...whileLoop([...get(i), ...get(n), ...i32LtU], rowsFrom(1)),
    0x0b,
  ];
}

// ---- the factorisation --------------------------------------------------------------------------

/**
 * `factor(a, l, u, n, jitter) → ok`: L (zeroed) ← the factor of A + jitter·I as `factorInto`
 * in `cholesky.ts` computes it, and U (zeroed) ← Lᵀ; 0 when a pivot is not positive.
 *
 * Row i: blocks of four columns j…j+3 while j + 3 < i, each with four sums s_q = Σ_{k<j}
 * L_ik·L_{j+q,k} in k order from +0, then the block's triangle (v_q = (A_i,j+q − s_q)/L_{j+q,j+q},
 * adding v_q·L_{j+r,j+q} to the later sums); then single columns j with
 * (A_ij − L_i0·L_j0 − L_i1·L_j1 − …)/L_jj; then the pivot. Two blocks run together (eight
 * lanes in four f64x2 sums over the columns of U, so that the dependency chains overlap); the
 * second block's sums take their four terms k = j…j+3 after the first block's triangle.
 */
function factorBody(): Body {
  // params 0 a, 1 l, 2 u, 3 n (i32), 4 jitter (f64); i32 5 rb, 6 i, 7 j, 8 k, 9 ra, 10 rl,
  // 11 p, 12 q, 13 jEnd; f64 14-21 s0-s7, 22 t; v128 23-26 acc0-acc3, 27 x. Returns i32.
  const [a, l, u, n, jitter, rb, i, j, k, ra, rl, p, q] = [
    0,
    1,
    2,
    3,
    4,
    5,
    6,
    7,
    8,
    9,
    10,
    11,
    12,
  ];
  const sums = [14, 15, 16, 17, 18, 19, 20, 21], t = 22, acc = [23, 24, 25, 26], x = 27;
  const jb = [...get(j), ...i32c(3), ...i32Shl];
  /** Address of L[j + r][j + c] (or of U's) in local `q`. */
  const entry = (base: number, r: number): Body => [
    ...get(base),
    ...get(j),
    ...i32c(r),
    ...i32Add,
    ...get(rb),
    ...i32Mul,
    ...i32Add,
    ...jb,
    ...i32Add,
    ...set(q),
  ];
  /** Σ_{k<j} into `lanes` f64x2 sums over U's row k, columns j…j + 2·lanes − 1. */
  const dot = (lanes: number): Body => [
    ...acc.slice(0, lanes).flatMap((r) => [...v128Const(new Uint8Array(16)), ...set(r)]),
    ...get(u),
    ...jb,
    ...i32Add,
    ...set(p),
    ...i32c(0),
    ...set(k),
    ...whileLoop([...get(k), ...get(j), ...i32LtU], [
      ...at(rl, k),
      ...v128Load64Splat(),
      ...set(x),
      ...acc.slice(0, lanes).flatMap((r, c) => [
        ...get(r),
        ...get(x),
        ...get(p),
        ...v128Load(16 * c),
        ...f64x2Mul,
        ...f64x2Add,
        ...set(r),
      ]),
      ...bump(p, get(rb)),
      ...bump(k, 1),
    ]),
  ];
  const unpack = (from: number, lanes: number): Body =>
    acc.slice(from / 2, from / 2 + lanes).flatMap((r, c) => [
      ...get(r),
      ...f64x2ExtractLane(0),
      ...set(sums[from + 2 * c]!),
      ...get(r),
      ...f64x2ExtractLane(1),
      ...set(sums[from + 2 * c + 1]!),
    ]);
  /** The triangle of the block of columns j + off … j + off + 3 with sums s_off…s_off+3. */
  const triangle = (off: number): Body =>
    [0, 1, 2, 3].flatMap((c) => [
      // t = (A[i][j+off+c] − s) / L[j+off+c][j+off+c]
      ...get(ra),
      ...jb,
      ...i32Add,
      ...f64Load(8 * (off + c)),
      ...get(sums[off + c]!),
      ...f64Sub,
      ...entry(l, off + c),
      ...get(q),
      ...f64Load(8 * (off + c)),
      ...f64Div,
      ...set(t),
      ...get(rl),
      ...jb,
      ...i32Add,
      ...get(t),
      ...f64Store(8 * (off + c)),
      // U[j+off+c][i] = t
      ...entry(u, off + c),
      ...get(q),
      ...jb,
      ...i32Sub,
      ...get(i),
      ...i32c(3),
      ...i32Shl,
      ...i32Add,
      ...get(t),
      ...f64Store(),
      ...[1, 2, 3].filter((r) => r > c).flatMap((r) => [
        ...get(sums[off + r]!),
        ...get(t),
        ...entry(l, off + r),
        ...get(q),
        ...f64Load(8 * (off + c)),
        ...f64Mul,
        ...f64Add,
        ...set(sums[off + r]!),
      ]),
    ]);
  // The second block's sums: terms k = j…j+3, after the first block's triangle.
  const carry = [0, 1, 2, 3].flatMap((c) => [
    ...get(rl),
    ...jb,
    ...i32Add,
    ...f64Load(8 * c),
    ...f64x2Splat,
    ...set(x),
    ...entry(u, c),
    ...[2, 3].flatMap((r) => [
      ...get(acc[r]!),
      ...get(x),
      ...get(q),
      ...v128Load(32 + 16 * (r - 2)),
      ...f64x2Mul,
      ...f64x2Add,
      ...set(acc[r]!),
    ]),
  ]);
  const twoBlocks = [
    ...dot(4),
    ...unpack(0, 2),
    ...triangle(0),
    ...carry,
    ...unpack(4, 2),
    ...triangle(4),
    ...bump(j, 8),
  ];
  const oneBlock = [...dot(2), ...unpack(0, 2), ...triangle(0), ...bump(j, 4)];
  /** t = start − Σ_{k < end} L[i][k]·L[row][k] in k order (row address in local p). */
  const subtractDot = (start: Body, end: number): Body => [
    ...start,
    ...set(t),
    ...i32c(0),
    ...set(k),
    ...whileLoop([...get(k), ...get(end), ...i32LtU], [
      ...get(t),
      ...at(rl, k),
      ...f64Load(),
      ...at(p, k),
      ...f64Load(),
      ...f64Mul,
      ...f64Sub,
      ...set(t),
      ...bump(k, 1),
    ]),
  ];
  const single = [
    ...get(l),
    ...get(j),
    ...get(rb),
    ...i32Mul,
    ...i32Add,
    ...set(p),
    ...subtractDot([...at(ra, j), ...f64Load()], j),
    ...at(rl, j),
    ...get(t),
    ...at(p, j),
    ...f64Load(),
    ...f64Div,
    ...set(t),
    ...get(t),
    ...f64Store(),
    // U[j][i] = the value
    ...get(u),
    ...get(j),
    ...get(rb),
    ...i32Mul,
    ...i32Add,
    ...get(i),
    ...i32c(3),
    ...i32Shl,
    ...i32Add,
    ...get(t),
    ...f64Store(),
    ...bump(j, 1),
  ];
  const pivot = [
    ...get(rl),
    ...set(p),
    ...subtractDot([...at(ra, i), ...f64Load(), ...get(jitter), ...f64Add], i),
    ...ifThen([...get(t), ...f64c(0), ...f64Gt, ...i32Eqz], [...i32c(0), 0x0f]), // return 0
    ...get(t),
    ...f64Sqrt,
    ...set(t),
    ...at(rl, i),
    ...get(t),
    ...f64Store(),
    ...get(u),
    ...get(i),
    ...get(rb),
    ...i32Mul,
    ...i32Add,
    ...get(i),
    ...i32c(3),
    ...i32Shl,
    ...i32Add,
    ...get(t),
    ...f64Store(),
  ];
  const row = [
    ...get(a),
    ...get(i),
    ...get(rb),
    ...i32Mul,
    ...i32Add,
    ...set(ra),
    ...get(l),
    ...get(i),
    ...get(rb),
    ...i32Mul,
    ...i32Add,
    ...set(rl),
    ...i32c(0),
    ...set(j),
    ...whileLoop([...get(j), ...i32c(7), ...i32Add, ...get(i), ...i32LtU], twoBlocks),
    ...ifThen([...get(j), ...i32c(3), ...i32Add, ...get(i), ...i32LtU], oneBlock),
    ...whileLoop([...get(j), ...get(i), ...i32LtU], single),
    ...pivot,
    ...bump(i, 1),
  ];
  return [
    ...locals(9, 9, 5),
    ...get(n),
    ...i32c(3),
    ...i32Shl,
    ...set(rb),
    ...i32c(0),
    ...set(i),
    ...whileLoop([...get(i), ...get(n), ...i32LtU], row),
    ...i32c(1),
    0x0b,
  ];
}

// ---- squared distances ------------------------------------------------------------------------------

/**
 * `sqdist(a, bt, out, na, nbp, d)`: out[i][j] = Σ_k (a_ik − b_jk)² summed over k in order from
 * +0, for the rows of a (na×d) and the columns of bt (d×nbp, b transposed, nbp a multiple of 8);
 * eight columns (four f64x2 sums) at a time.
 */
function sqdistBody(): Body {
  // params 0 a, 1 bt, 2 out, 3 na, 4 nbp, 5 d; i32 6 i, 7 j, 8 k, 9 p, 10 q, 11 o, 12 stride;
  // v128 13-16 acc, 17 x, 18 t
  const [a, bt, out, na, nbp, d, i, j, k, p, q, o, stride] = [
    0,
    1,
    2,
    3,
    4,
    5,
    6,
    7,
    8,
    9,
    10,
    11,
    12,
  ];
  const acc = [13, 14, 15, 16], x = 17, t = 18;
  const inner = [
    ...get(q),
    ...v128Load64Splat(),
    ...set(x),
    ...acc.flatMap((r, c) => [
      ...get(x),
      ...get(p),
      ...v128Load(16 * c),
      ...f64x2Sub,
      ...set(t),
      ...get(r),
      ...get(t),
      ...get(t),
      ...f64x2Mul,
      ...f64x2Add,
      ...set(r),
    ]),
    ...bump(p, get(stride)),
    ...bump(q, 8),
    ...bump(k, 1),
  ];
  const column = [
    ...acc.flatMap((r) => [...v128Const(new Uint8Array(16)), ...set(r)]),
    ...get(bt),
    ...get(j),
    ...i32c(3),
    ...i32Shl,
    ...i32Add,
    ...set(p),
    // q = a + i·d·8
    ...get(a),
    ...get(i),
    ...get(d),
    ...i32Mul,
    ...i32c(3),
    ...i32Shl,
    ...i32Add,
    ...set(q),
    ...i32c(0),
    ...set(k),
    ...whileLoop([...get(k), ...get(d), ...i32LtU], inner),
    ...acc.flatMap((r, c) => [...get(o), ...get(r), ...v128Store(16 * c)]),
    ...bump(o, 64),
    ...bump(j, 8),
  ];
  const row = [
    ...i32c(0),
    ...set(j),
    ...whileLoop([...get(j), ...get(nbp), ...i32LtU], column),
    ...bump(i, 1),
  ];
  return [
    ...locals(7, 0, 6),
    ...get(nbp),
    ...i32c(3),
    ...i32Shl,
    ...set(stride),
    ...get(out),
    ...set(o),
    ...i32c(0),
    ...set(i),
    ...whileLoop([...get(i), ...get(na), ...i32LtU], row),
    0x0b,
  ];
}

/**
 * `wsqdist(a, bt, out, n, nbp, d, w)`: out[i][j] = Σ_k ((a_ik − a_jk)²)·w_k summed over k in
 * order from +0, for j < i (and up to i rounded up to a multiple of 8; the rest of out is not
 * written), with bt = a by columns (d×nbp); eight columns at a time.
 */
function wsqdistBody(): Body {
  // params 0 a, 1 bt, 2 out, 3 n, 4 nbp, 5 d, 6 w; i32 7 i, 8 j, 9 k, 10 p, 11 q, 12 o,
  // 13 stride, 14 wp, 15 jEnd; v128 16-19 acc, 20 x, 21 t, 22 wv
  const [a, bt, out, n, nbp, d, w, i, j, k, p, q, o, stride, wp, jEnd] = [
    0,
    1,
    2,
    3,
    4,
    5,
    6,
    7,
    8,
    9,
    10,
    11,
    12,
    13,
    14,
    15,
  ];
  const acc = [16, 17, 18, 19], x = 20, t = 21, wv = 22;
  const inner = [
    ...get(q),
    ...v128Load64Splat(),
    ...set(x),
    ...get(wp),
    ...v128Load64Splat(),
    ...set(wv),
    ...acc.flatMap((r, c) => [
      ...get(x),
      ...get(p),
      ...v128Load(16 * c),
      ...f64x2Sub,
      ...set(t),
      ...get(r),
      ...get(t),
      ...get(t),
      ...f64x2Mul,
      ...get(wv),
      ...f64x2Mul,
      ...f64x2Add,
      ...set(r),
    ]),
    ...bump(p, get(stride)),
    ...bump(q, 8),
    ...bump(wp, 8),
    ...bump(k, 1),
  ];
  const column = [
    ...acc.flatMap((r) => [...v128Const(new Uint8Array(16)), ...set(r)]),
    ...get(bt),
    ...get(j),
    ...i32c(3),
    ...i32Shl,
    ...i32Add,
    ...set(p),
    ...get(a),
    ...get(i),
    ...get(d),
    ...i32Mul,
    ...i32c(3),
    ...i32Shl,
    ...i32Add,
    ...set(q),
    ...get(w),
    ...set(wp),
    ...i32c(0),
    ...set(k),
    ...whileLoop([...get(k), ...get(d), ...i32LtU], inner),
    // o = out + (i·nbp + j)·8
    ...get(out),
    ...get(i),
    ...get(nbp),
    ...i32Mul,
    ...get(j),
    ...i32Add,
    ...i32c(3),
    ...i32Shl,
    ...i32Add,
    ...set(o),
    ...acc.flatMap((r, c) => [...get(o), ...get(r), ...v128Store(16 * c)]),
    ...bump(j, 8),
  ];
  const row = [
    // jEnd = (i + 7) & ~7
    ...get(i),
    ...i32c(7),
    ...i32Add,
    ...i32c(-8),
    ...i32And,
    ...set(jEnd),
    ...i32c(0),
    ...set(j),
    ...whileLoop([...get(j), ...get(jEnd), ...i32LtU], column),
    ...bump(i, 1),
  ];
  return [
    ...locals(9, 0, 7),
    ...get(nbp),
    ...i32c(3),
    ...i32Shl,
    ...set(stride),
    ...i32c(0),
    ...set(i),
    ...whileLoop([...get(i), ...get(n), ...i32LtU], row),
    0x0b,
  ];
}

// ---- the module -----------------------------------------------------------------------------------

function moduleBytes(): Uint8Array<ArrayBuffer> {
  // Type 0: (i32, i32, i32) → (); type 1: (i32, i32, i32, i32, f64) → i32; type 2: six i32 → ();
  // type 3: five i32 → (); type 4: seven i32 → ().
  const kernels: [string, number, Body][] = [
    ["lowerInverse", 3, lowerSolveBody(true)],
    ["solveLower", 3, lowerSolveBody(false)],
    ["syrkLower", 0, syrkBody()],
    ["factor", 1, factorBody()],
    ["sqdist", 2, sqdistBody()],
    ["wsqdist", 4, wsqdistBody()],
  ];
  const types = [
    5,
    0x60,
    3,
    I32,
    I32,
    I32,
    0,
    0x60,
    5,
    I32,
    I32,
    I32,
    I32,
    F64,
    1,
    I32,
    0x60,
    6,
    I32,
    I32,
    I32,
    I32,
    I32,
    I32,
    0,
    0x60,
    5,
    I32,
    I32,
    I32,
    I32,
    I32,
    0,
    0x60,
    7,
    I32,
    I32,
    I32,
    I32,
    I32,
    I32,
    I32,
    0,
  ];
  return new Uint8Array([
    ...WASM_HEADER,
    ...section(1, types),
    ...section(3, [kernels.length, ...kernels.map(([, type]) => type)]),
    ...section(5, [1, 0, 1]),
    ...section(7, [
      kernels.length + 1,
      ...name("memory"),
      2,
      0,
      ...kernels.flatMap(([label], f) => [...name(label), 0, f]),
    ]),
    ...section(10, [kernels.length, ...kernels.flatMap(([, , b]) => [...uleb(b.length), ...b])]),
  ]);
}

type Kernel3 = (a: number, b: number, c: number) => void;
type Factor = (a: number, l: number, u: number, n: number, jitter: number) => number;
type Kernel5 = (a: number, b: number, c: number, d: number, e: number) => void;
type Kernel7 = (
  a: number,
  b: number,
  c: number,
  d: number,
  e: number,
  f: number,
  g: number,
) => void;
type Kernel6 = (a: number, b: number, c: number, d: number, e: number, f: number) => void;

interface Instance {
  readonly memory: WebAssembly.Memory;
  f64: Float64Array;
  readonly lowerInverse: Kernel5;
  readonly solveLower: Kernel5;
  readonly syrkLower: Kernel3;
  readonly factor: Factor;
  readonly sqdist: Kernel6;
  readonly wsqdist: Kernel7;
}

const kernels = onceInstance(moduleBytes, (exports): Instance => {
  const memory = exports.memory as WebAssembly.Memory;
  return {
    memory,
    f64: new Float64Array(memory.buffer),
    lowerInverse: exports.lowerInverse as Kernel5,
    solveLower: exports.solveLower as Kernel5,
    syrkLower: exports.syrkLower as Kernel3,
    factor: exports.factor as Factor,
    sqdist: exports.sqdist as Kernel6,
    wsqdist: exports.wsqdist as Kernel7,
  };
});

/** The instance with memory for `doubles` f64 values, or undefined without WebAssembly SIMD. */
function withMemory(doubles: number): Instance | undefined {
  const k = kernels();
  if (!k) return undefined;
  if (growTo(k.memory, doubles * 8)) k.f64 = new Float64Array(k.memory.buffer);
  return k;
}

/** Whether the WebAssembly SIMD kernels can run here. */
export function simdAvailable(): boolean {
  return kernels() !== undefined;
}

/**
 * L⁻¹ into `li` and the lower triangle of A⁻¹ = L⁻ᵀL⁻¹ into `out` (both n×n row-major; the
 * strict upper triangles are written 0), bit-identical to the JavaScript loops of `inverse`.
 *
 * @returns false (nothing written) when WebAssembly SIMD is unavailable.
 */
export function simdInverse(
  l: Float64Array,
  n: number,
  li: Float64Array,
  out: Float64Array,
): boolean {
  const nn = n * n;
  const k = withMemory(3 * nn);
  if (!k) return false;
  const f64 = k.f64;
  f64.set(l.subarray(0, nn), 0);
  f64.fill(0, nn, 3 * nn);
  k.lowerInverse(0, 8 * nn, n, n, 0);
  k.syrkLower(8 * nn, 16 * nn, n);
  li.set(f64.subarray(nn, 2 * nn));
  out.set(f64.subarray(2 * nn, 3 * nn));
  return true;
}

/**
 * The factor of A + jitter·I into `l` (n×n row-major, strict upper triangle 0), bit-identical
 * to `factorInto` in `cholesky.ts`; only A's lower triangle is read.
 *
 * @returns true when every pivot was positive, false when one was not, undefined (nothing
 * written) when WebAssembly SIMD is unavailable.
 */
export function simdFactor(
  a: Float64Array,
  n: number,
  jitter: number,
  l: Float64Array,
): boolean | undefined {
  const nn = n * n;
  const k = withMemory(3 * nn);
  if (!k) return undefined;
  const f64 = k.f64;
  f64.set(a.subarray(0, nn), 0);
  f64.fill(0, nn, 3 * nn);
  const ok = k.factor(0, 8 * nn, 16 * nn, n, jitter) === 1;
  if (ok) l.set(f64.subarray(nn, 2 * nn));
  return ok;
}

/** Squared distances in the kernels' memory: entry (i, j) at `data[offset + i·stride + j]`. */
export interface SquaredDistances {
  /** A view of the module's memory (valid until the next call of a kernel of this module). */
  readonly data: Float64Array;
  readonly offset: number;
  readonly stride: number;
}

/** Rows of a matrix stored by columns, each column padded with zeros to `stride` entries. */
export interface ColumnMajor {
  /** d×stride values: entry k of row j at `data[k·stride + j]`. */
  readonly data: Float64Array;
  /** Number of rows. */
  readonly rows: number;
  /** Padded length of each column (a multiple of 8). */
  readonly stride: number;
}

/**
 * The rows of b (nb×d, row-major) stored by columns, as {@link simdSquaredDistances} reads them.
 *
 * @param b Rows, row-major.
 * @param d Row length.
 * @returns The column-major copy.
 */
export function columnMajor(b: Float64Array, d: number): ColumnMajor {
  const nb = (b.length / d) | 0, stride = Math.ceil(nb / 8) * 8;
  const data = new Float64Array(d * stride);
  for (let q = 0; q < d; q++) copyColumn(b, d, q, data, q * stride, nb);
  return { data, rows: nb, stride };
}

/**
 * Column q of b (rows of d) into `data[at…at + rows)`. Inner loops of a nest here are functions
 * of their own: V8's on-stack-replaced code for an inner loop was left (deoptimised) at each exit.
 */
function copyColumn(
  b: Float64Array,
  d: number,
  q: number,
  data: Float64Array,
  at: number,
  rows: number,
): void {
  for (let j = 0; j < rows; j++) data[at + j] = b[j * d + q]!;
}

/** `f64[at…at + rows)` divided by l, entry by entry (see {@linkcode copyColumn}). */
function divideColumn(f64: Float64Array, at: number, rows: number, l: number): void {
  for (let j = 0; j < rows; j++) f64[at + j] = f64[at + j]! / l;
}

/**
 * Σ_k (a_ik − b_jk)² for every row i of a (na×d) and row j of b, each summed over k in order
 * from +0 (bit-identical to the loop `r = 0; for k: { t = a_ik − b_jk; r += t·t }`). With
 * `scale`, b_jk stands for the given entry divided by scale_k (the same division as a row-major
 * loop's `b_jk / scale_k`).
 *
 * @param a Rows, na×d row-major.
 * @param b Rows stored by columns ({@link columnMajor}).
 * @param d Row length.
 * @param scale Divisors of b's columns. @default {none}
 * @returns The distances in the module's memory, or undefined without WebAssembly SIMD.
 */
export function simdSquaredDistances(
  a: Float64Array,
  b: ColumnMajor,
  d: number,
  scale?: Float64Array,
): SquaredDistances | undefined {
  const na = (a.length / d) | 0, nbp = b.stride;
  const sizeA = na * d, sizeB = d * nbp;
  const k = withMemory(sizeA + sizeB + na * nbp);
  if (!k) return undefined;
  const f64 = k.f64;
  f64.set(a.subarray(0, sizeA), 0);
  f64.set(b.data.subarray(0, sizeB), sizeA);
  if (scale) {
    for (let q = 0; q < d; q++) divideColumn(f64, sizeA + q * nbp, b.rows, scale[q]!);
  }
  k.sqdist(0, 8 * sizeA, 8 * (sizeA + sizeB), na, nbp, d);
  return { data: f64, offset: sizeA + sizeB, stride: nbp };
}

/**
 * Rows from…n−1 of b (n×m, row-major) ← the forward substitution of `solveLowerInPlace` in
 * `cholesky.ts` (rows before `from` taken as already solved), bit-identical to its loops.
 *
 * @returns false (nothing written) when WebAssembly SIMD is unavailable.
 */
export function simdSolveLower(
  l: Float64Array,
  n: number,
  b: Float64Array,
  m: number,
  from = 0,
): boolean {
  const nn = n * n, nm = n * m;
  const k = withMemory(nn + nm);
  if (!k) return false;
  const f64 = k.f64;
  f64.set(l.subarray(0, nn), 0);
  f64.set(b.subarray(0, nm), nn);
  k.solveLower(0, 8 * nn, n, m, from);
  b.set(f64.subarray(nn + from * m, nn + nm), from * m);
  return true;
}

/**
 * Σ_k ((x_ik − x_jk)²)·w_k for the rows j < i of x (n×d), each summed over k in order from +0
 * (bit-identical to the loop `r = 0; for k: { t = x_ik − x_jk; r += t·t·w_k }`), into
 * `out[i·n + j]` (the rest of out is not written).
 *
 * @returns false (nothing written) when WebAssembly SIMD is unavailable.
 */
export function simdWeightedDistances(
  x: Float64Array,
  columns: ColumnMajor,
  d: number,
  w: Float64Array,
  out: Float64Array,
): boolean {
  const n = columns.rows, nbp = columns.stride;
  const sizeA = n * d, sizeB = d * nbp, sizeW = Math.ceil(d / 2) * 2;
  const k = withMemory(sizeA + sizeB + sizeW + n * nbp);
  if (!k) return false;
  const f64 = k.f64, at = sizeA + sizeB + sizeW;
  f64.set(x.subarray(0, sizeA), 0);
  f64.set(columns.data.subarray(0, sizeB), sizeA);
  f64.set(w.subarray(0, d), sizeA + sizeB);
  k.wsqdist(0, 8 * sizeA, 8 * at, n, nbp, d, 8 * (sizeA + sizeB));
  for (let i = 0; i < n; i++) {
    const from = at + i * nbp;
    out.set(f64.subarray(from, from + i), i * n);
  }
  return true;
}
