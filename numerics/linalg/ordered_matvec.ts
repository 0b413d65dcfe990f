/**
 * Products of a fixed matrix X (n × m, row-major) with vectors, `z = b + X·t` and `g = Xᵀ·w`,
 * summed in index order: `z_i = (((b + t_0·x_i0) + t_1·x_i1) + …)` and
 * `g_j = (((0 + w_0·x_0j) + w_1·x_1j) + …)`, each product rounded before it is added (no fused
 * multiply-add). The results are therefore bit-identical to the plain loops
 * `z = b; for j: z += t[j]·x[i][j]` and `g[j] = 0; for i: g[j] += w[i]·x[i][j]`, which callers
 * that must reproduce a reference's arithmetic rely on (methods/_exp_law.ts).
 *
 * The loops run in a small WebAssembly SIMD module: two lanes of f64 hold two rows (for X·t) or
 * two columns (for Xᵀ·w), four vectors at a time so that the dependency chains overlap. Where
 * WebAssembly SIMD is unavailable the same sums are taken by JavaScript loops.
 *
 * @module
 */

import { growTo, name, onceModule, section, uleb, WASM_HEADER } from "../_wasm_binary.ts";
import {
  bump,
  F64,
  f64x2Add,
  f64x2Mul,
  f64x2Splat,
  forLoop,
  get,
  I32,
  set,
  V128,
  v128Const,
  v128Load,
  v128Load64Splat,
  v128Store,
} from "../_wasm_ops.ts";

/** `z = b + X·t` and `g = Xᵀ·w` for one matrix, summed in index order. */
export interface OrderedMatVec {
  /** Rows of X. */
  readonly n: number;
  /** Columns of X. */
  readonly m: number;
  /**
   * Writes `z_i = b + Σ_j t[offset + j]·x_ij` (summed over j in order) into `z[0..n)`.
   *
   * @param t Vector holding the m coefficients from `offset`.
   * @param offset Index of the first coefficient in `t`.
   * @param b Starting value of every sum.
   * @param z Output, length ≥ n.
   */
  times(t: Float64Array, offset: number, b: number, z: Float64Array): void;
  /**
   * Writes `g[offset + j] = Σ_i w_i·x_ij` (summed over i in order, from +0) for j < m.
   *
   * @param w Weights, length ≥ n.
   * @param g Output.
   * @param offset Index in `g` of the first column's sum.
   */
  transposeTimes(w: Float64Array, g: Float64Array, offset: number): void;
}

/**
 * Prepares X for repeated products.
 *
 * @example
 * ```ts
 * import { orderedMatVec } from "./ordered_matvec.ts";
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * const mv = orderedMatVec([[1, 2], [3, 4], [5, 6]]);
 * const z = new Float64Array(3), g = new Float64Array(3);
 * mv.times(Float64Array.of(10, 1, -1), 1, 0.5, z);
 * assertEquals(Array.from(z), [-0.5, -0.5, -0.5]);
 * mv.transposeTimes(Float64Array.of(1, 0, 2), g, 1);
 * assertEquals(Array.from(g), [0, 11, 14]);
 * ```
 * @param rows The rows of X (all of the same length m ≥ 1).
 * @param options `engine: "js"` forces the JavaScript loops (for tests and measurements).
 * @returns The product object.
 */
export function orderedMatVec(
  rows: readonly (ArrayLike<number>)[],
  options: { engine?: "auto" | "js" } = {},
): OrderedMatVec {
  const n = rows.length, m = rows[0]?.length ?? 0;
  if (m < 1) throw new RangeError("Cannot build a matrix–vector product without columns");
  for (const [i, r] of rows.entries()) {
    if (r.length !== m) {
      throw new RangeError(
        `Cannot build a matrix–vector product: row ${i} has ${r.length} entries, expected ${m}`,
      );
    }
  }
  const module = options.engine === "js" ? undefined : simdModule();
  return module ? new WasmMatVec(rows, n, m, module) : new JsMatVec(rows, n, m);
}

class JsMatVec implements OrderedMatVec {
  readonly #x: Float64Array;
  constructor(rows: readonly (ArrayLike<number>)[], readonly n: number, readonly m: number) {
    this.#x = new Float64Array(n * m);
    rows.forEach((r, i) => this.#x.set(r, i * m));
  }
  times(t: Float64Array, offset: number, b: number, z: Float64Array): void {
    const x = this.#x, m = this.m;
    for (let i = 0, row = 0; i < this.n; i++, row += m) {
      let s = b;
      for (let j = 0; j < m; j++) s += t[offset + j]! * x[row + j]!;
      z[i] = s;
    }
  }
  transposeTimes(w: Float64Array, g: Float64Array, offset: number): void {
    const x = this.#x, m = this.m;
    for (let j = 0; j < m; j++) g[offset + j] = 0;
    for (let i = 0, row = 0; i < this.n; i++, row += m) {
      const wi = w[i]!;
      for (let j = 0; j < m; j++) g[offset + j]! += wi * x[row + j]!;
    }
  }
}

type Kernel = (a: number, b: number, c: number, d: number, e: number, f: number) => void;

/** The one WebAssembly instance, shared by every product object; its memory holds one X. */
interface Shared {
  readonly memory: WebAssembly.Memory;
  f64: Float64Array;
  readonly times: Kernel;
  readonly transpose: Kernel;
  /** The object whose X is in memory. */
  owner: WasmMatVec | undefined;
}

let shared: Shared | undefined;

function sharedInstance(module: WebAssembly.Module): Shared {
  if (!shared) {
    const instance = new WebAssembly.Instance(module);
    const memory = instance.exports.memory as WebAssembly.Memory;
    shared = {
      memory,
      f64: new Float64Array(memory.buffer),
      times: instance.exports.times as Kernel,
      transpose: instance.exports.transposeTimes as Kernel,
      owner: undefined,
    };
  }
  return shared;
}

/**
 * Products in the shared instance. An object writes its X into the instance's memory when it
 * is built and again whenever another object has used the instance since (so interleaved use
 * stays correct; the usual build-then-use sequence writes X once and creates no instance).
 */
class WasmMatVec implements OrderedMatVec {
  readonly #s: Shared;
  readonly #x: Float64Array;
  readonly #at: { xb: number; xr: number; t: number; z: number; w: number; g: number };
  readonly #end: number;
  readonly #groups: number;
  readonly #mp: number;

  constructor(
    rows: readonly (ArrayLike<number>)[],
    readonly n: number,
    readonly m: number,
    module: WebAssembly.Module,
  ) {
    // X·t: rows in groups of 8 (zero rows pad the last group), the 8 rows' entries of column j
    // side by side. Xᵀ·w: row-major with the columns padded to a multiple of 8.
    const groups = Math.ceil(n / 8), mp = Math.ceil(m / 8) * 8;
    let end = 0;
    const take = (doubles: number) => {
      const p = end;
      end += Math.ceil(doubles / 2) * 16;
      return p;
    };
    this.#at = {
      xb: take(groups * 8 * m),
      xr: take(n * mp),
      t: take(m),
      z: take(groups * 8),
      w: take(n),
      g: take(mp),
    };
    this.#end = end;
    this.#groups = groups;
    this.#mp = mp;
    this.#x = new Float64Array(n * m);
    rows.forEach((r, i) => this.#x.set(r, i * m));
    this.#s = sharedInstance(module);
    this.#claim();
  }

  /** Writes X (and zero padding) into the shared memory, growing it when needed. */
  #claim(): void {
    const s = this.#s, at = this.#at, x = this.#x, n = this.n, m = this.m, mp = this.#mp;
    if (growTo(s.memory, this.#end)) s.f64 = new Float64Array(s.memory.buffer);
    const f64 = s.f64;
    f64.fill(0, at.xb / 8, at.t / 8);
    for (let i = 0; i < n; i++) {
      const g = i >> 3, k = i & 7;
      for (let j = 0; j < m; j++) {
        const v = x[i * m + j]!;
        f64[at.xb / 8 + (g * m + j) * 8 + k] = v;
        f64[at.xr / 8 + i * mp + j] = v;
      }
    }
    s.owner = this;
  }

  times(t: Float64Array, offset: number, b: number, z: Float64Array): void {
    const s = this.#s, at = this.#at;
    if (s.owner !== this) this.#claim();
    const f64 = s.f64;
    // Element loops, not set(subarray()): no view objects per call.
    for (let j = 0, q = at.t / 8; j < this.m; j++) f64[q + j] = t[offset + j]!;
    s.times(at.xb, at.t, at.z, this.#groups, this.m, b);
    for (let i = 0, q = at.z / 8; i < this.n; i++) z[i] = f64[q + i]!;
  }

  transposeTimes(w: Float64Array, g: Float64Array, offset: number): void {
    const s = this.#s, at = this.#at;
    if (s.owner !== this) this.#claim();
    const f64 = s.f64;
    for (let i = 0, q = at.w / 8; i < this.n; i++) f64[q + i] = w[i]!;
    s.transpose(at.xr, at.w, at.g, this.n, this.#mp / 8, this.#mp * 8);
    for (let j = 0, q = at.g / 8; j < this.m; j++) g[offset + j] = f64[q + j]!;
  }
}

// ---- The WebAssembly module -------------------------------------------------------------------

const simdModule = onceModule(moduleBytes);

const v128Zero = v128Const(new Uint8Array(16));

/**
 * The kernels' inner step: each f64x2 sum `acc[k]` adds the broadcast scalar (local `scalar`)
 * times the two f64 at `p + 16k`, in order.
 */
function accumulate(acc: readonly number[], scalar: number, p: number): number[] {
  return acc.flatMap((a, k) => [
    ...get(a),
    ...get(scalar),
    ...get(p),
    ...v128Load(16 * k),
    ...f64x2Mul,
    ...f64x2Add,
    ...set(a),
  ]);
}

/**
 * `times(xb, t, z, groups, m, b)`: for each group of 8 rows, four f64x2 sums start at b and add
 * t_j·x for j = 0…m−1 in order; they are stored at z + 64·group.
 */
function timesBody(): number[] {
  // params: 0 xb, 1 t, 2 z, 3 groups, 4 m, 5 b; locals: 6 gi, 7 j, 8 p, 9 tp, 10 zp, 11-14 acc, 15 tv
  const [xb, t, z, groups, m, b, gi, j, p, tp, zp] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
  const acc = [11, 12, 13, 14], tv = 15;
  const inner = [
    ...get(tp),
    ...v128Load64Splat(),
    ...set(tv),
    ...accumulate(acc, tv, p),
    ...bump(p, 64),
    ...bump(tp, 8),
  ];
  const outer = [
    ...get(b),
    ...f64x2Splat,
    ...set(acc[0]!),
    ...acc.slice(1).flatMap((a) => [...get(acc[0]!), ...set(a)]),
    ...get(t),
    ...set(tp),
    ...forLoop(j, m, inner),
    ...acc.flatMap((a, k) => [...get(zp), ...get(a), ...v128Store(16 * k)]),
    ...bump(zp, 64),
  ];
  const locals = [[5, I32], [5, V128]];
  return [
    ...uleb(locals.length),
    ...locals.flatMap(([c, ty]) => [...uleb(c!), ty!]),
    ...get(xb),
    ...set(p),
    ...get(z),
    ...set(zp),
    ...forLoop(gi, groups, outer),
    0x0b,
  ];
}

/**
 * `transposeTimes(xr, w, g, n, quads, stride)`: for each block of 8 columns, four f64x2 sums
 * start at +0 and add w_i·x_i for i = 0…n−1 in order; they are stored at g + 64·block.
 */
function transposeBody(): number[] {
  // params: 0 xr, 1 w, 2 g, 3 n, 4 quads, 5 stride; locals: 6 qi, 7 i, 8 p, 9 wp, 10 gp, 11 col
  // (i32), 12-15 acc, 16 wv (v128)
  const [xr, w, g, n, quads, stride, qi, i, p, wp, gp, col] = [
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
  ];
  const acc = [12, 13, 14, 15], wv = 16;
  const inner = [
    ...get(wp),
    ...v128Load64Splat(),
    ...set(wv),
    ...accumulate(acc, wv, p),
    ...bump(p, get(stride)),
    ...bump(wp, 8),
  ];
  const outer = [
    ...acc.flatMap((a) => [...v128Zero, ...set(a)]),
    ...get(col),
    ...set(p),
    ...get(w),
    ...set(wp),
    ...forLoop(i, n, inner),
    ...acc.flatMap((a, k) => [...get(gp), ...get(a), ...v128Store(16 * k)]),
    ...bump(gp, 64),
    ...bump(col, 64),
  ];
  const locals = [[6, I32], [5, V128]];
  return [
    ...uleb(locals.length),
    ...locals.flatMap(([c, ty]) => [...uleb(c!), ty!]),
    ...get(xr),
    ...set(col),
    ...get(g),
    ...set(gp),
    ...forLoop(qi, quads, outer),
    0x0b,
  ];
}

function moduleBytes(): Uint8Array<ArrayBuffer> {
  const types = [
    2,
    0x60,
    6,
    I32,
    I32,
    I32,
    I32,
    I32,
    F64,
    0, // times
    0x60,
    6,
    I32,
    I32,
    I32,
    I32,
    I32,
    I32,
    0, // transposeTimes
  ];
  const bodies = [timesBody(), transposeBody()];
  return new Uint8Array([
    ...WASM_HEADER,
    ...section(1, types),
    ...section(3, [2, 0, 1]),
    ...section(5, [1, 0, 1]), // one memory of at least one page
    ...section(7, [
      3,
      ...name("memory"),
      2,
      0,
      ...name("times"),
      0,
      0,
      ...name("transposeTimes"),
      0,
      1,
    ]),
    ...section(10, [2, ...bodies.flatMap((b) => [...uleb(b.length), ...b])]),
  ]);
}
