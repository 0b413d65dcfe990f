/**
 * A WebAssembly SIMD kernel of MF-MES's inner loop (internal to `methods/_mf_mes.ts`): the
 * clamped normal CDF max(Φ(a_c − b_c·e_k), 1e-8) of every point c and base sample k, with Φ
 * from the Taylor table of `normal_table.ts` and the clamped tails of `_mf_mes.ts` (1e-8 below
 * −5.7, 1 from 8.5 on).
 *
 * Each f64x2 lane performs, in the same order, the very operations of the JavaScript path
 * (`normCdfFast`: the node by Math.round — ceil, less 1 when ceil − ½ > u, ties up as
 * Math.round —, δ = (u − i)/64, Horner's rule with multiplies rounded before the adds, no
 * fused multiply-add; 1 − Φ(−t) above 0; then the clamps), so the values are bit-identical;
 * `tests/numerics/normal_simd_test.ts` checks that. The logarithms stay in JavaScript.
 *
 * One module instance is shared by every call; its memory holds the table, then the inputs and
 * the outputs, and grows to the largest call. Where WebAssembly SIMD is unavailable the caller
 * keeps its JavaScript loop.
 *
 * @module
 */

import { growTo, name, onceInstance, section, uleb, wasmModule } from "../_wasm_binary.ts";
import {
  bump,
  f64c,
  f64Load,
  f64x2Abs,
  f64x2Add,
  f64x2Ceil,
  f64x2Div,
  f64x2Ge,
  f64x2Gt,
  f64x2Lt,
  f64x2Max,
  f64x2Mul,
  f64x2Neg,
  f64x2Splat,
  f64x2Sub,
  get,
  I32,
  i32Add,
  i32c,
  i32LtU,
  i32Mul,
  i32Shl,
  i32x4ExtractLane,
  i32x4TruncSatF64x2SZero,
  set,
  V128,
  v128And,
  v128Bitselect,
  v128Load,
  v128Load64Lane,
  v128Load64Zero,
  v128Store,
  whileLoop,
} from "../_wasm_ops.ts";
import { CDF_TABLE } from "./normal_table.ts";

type Body = number[];

/** f64x2 splat of a constant. */
const splatC = (v: number): Body => [...f64c(v), ...f64x2Splat];

const { table: TABLE, lo: LO, steps: STEPS, terms: TERMS } = CDF_TABLE;
/** Bytes of the table at the start of memory (a multiple of 16). */
const TABLE_BYTES = Math.ceil(TABLE.length * 8 / 16) * 16;

/**
 * `cdfs(A, B, m, E, ns, O)`: O[c·ns + k] ← the clamped Φ(A[c] − B[c]·E[k]) for c < m and
 * k < ns (ns even; byte addresses, 16-byte aligned).
 */
function cdfsBody(): Body {
  // params 0 A, 1 B, 2 m, 3 E, 4 ns, 5 O; i32 6 c, 7 k, 8 o0, 9 o1, 10 at; v128 11 va, 12 vb,
  // 13 t, 14 u, 15 i, 16 delta, 17 s, 18 p
  const [A, B, m, E, ns, O, c, k, o0, o1, at] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
  const [va, vb, t, u, i, delta, s, p] = [11, 12, 13, 14, 15, 16, 17, 18];
  const coefficient = (q: number): Body => [
    ...get(o1),
    ...get(o0),
    ...v128Load64Zero(q * 8),
    ...v128Load64Lane(q * 8, 1),
  ];
  const horner: Body = [...coefficient(TERMS), ...set(s)];
  for (let q = TERMS - 1; q >= 1; q--) {
    horner.push(...get(s), ...get(delta), ...f64x2Mul, ...coefficient(q), ...f64x2Add, ...set(s));
  }
  const lane = (l: number, to: number): Body => [
    ...get(i),
    ...i32x4TruncSatF64x2SZero,
    ...i32x4ExtractLane(l),
    ...i32c((TERMS + 1) * 8),
    ...i32Mul,
    ...set(to),
  ];
  const sample: Body = [
    // at = O + (c·ns + k)·8
    ...get(O),
    ...get(c),
    ...get(ns),
    ...i32Mul,
    ...get(k),
    ...i32Add,
    ...i32c(3),
    ...i32Shl,
    ...i32Add,
    ...set(at),
    // t = a − b·e
    ...get(va),
    ...get(vb),
    ...get(E),
    ...get(k),
    ...i32c(3),
    ...i32Shl,
    ...i32Add,
    ...v128Load(),
    ...f64x2Mul,
    ...f64x2Sub,
    ...set(t),
    // u = (max(−|t|, lo) − lo)·steps (−|t|: t at or below 0, −t above; the max keeps the
    // tails' unused lanes inside the table)
    ...get(t),
    ...f64x2Abs,
    ...f64x2Neg,
    ...splatC(LO),
    ...f64x2Max,
    ...splatC(LO),
    ...f64x2Sub,
    ...splatC(STEPS),
    ...f64x2Mul,
    ...set(u),
    // i = Math.round(u) = ceil(u), less 1 when ceil(u) − ½ > u
    ...get(u),
    ...f64x2Ceil,
    ...set(i),
    ...get(i),
    ...get(i),
    ...splatC(0.5),
    ...f64x2Sub,
    ...get(u),
    ...f64x2Gt,
    ...splatC(1),
    ...v128And,
    ...f64x2Sub,
    ...set(i),
    // δ = (u − i)/steps
    ...get(u),
    ...get(i),
    ...f64x2Sub,
    ...splatC(STEPS),
    ...f64x2Div,
    ...set(delta),
    ...lane(0, o0),
    ...lane(1, o1),
    ...horner,
    // p = T₀ + s·δ; 1 − p above 0; max(p, 1e-8)
    ...coefficient(0),
    ...get(s),
    ...get(delta),
    ...f64x2Mul,
    ...f64x2Add,
    ...set(p),
    ...splatC(1),
    ...get(p),
    ...f64x2Sub,
    ...get(p),
    ...get(t),
    ...splatC(0),
    ...f64x2Gt,
    ...v128Bitselect,
    ...splatC(1e-8),
    ...f64x2Max,
    ...set(p),
    // the tails: 1e-8 below −5.7, 1 from 8.5 on
    ...splatC(1e-8),
    ...get(p),
    ...get(t),
    ...splatC(-5.7),
    ...f64x2Lt,
    ...v128Bitselect,
    ...set(p),
    ...get(at),
    ...splatC(1),
    ...get(p),
    ...get(t),
    ...splatC(8.5),
    ...f64x2Ge,
    ...v128Bitselect,
    ...v128Store(),
    ...bump(k, 2),
  ];
  const point: Body = [
    ...get(A),
    ...get(c),
    ...i32c(3),
    ...i32Shl,
    ...i32Add,
    ...f64Load(),
    ...f64x2Splat,
    ...set(va),
    ...get(B),
    ...get(c),
    ...i32c(3),
    ...i32Shl,
    ...i32Add,
    ...f64Load(),
    ...f64x2Splat,
    ...set(vb),
    ...i32c(0),
    ...set(k),
    ...whileLoop([...get(k), ...get(ns), ...i32LtU], sample),
    ...bump(c, 1),
  ];
  const code = [...i32c(0), ...set(c), ...whileLoop([...get(c), ...get(m), ...i32LtU], point)];
  return [2, 5, I32, 8, V128, ...code, 0x0b];
}

function moduleBytes(): Uint8Array<ArrayBuffer> {
  const body = cdfsBody();
  const pages = Math.ceil(TABLE_BYTES / 65536) + 1;
  return wasmModule(
    section(1, [1, 0x60, 6, I32, I32, I32, I32, I32, I32, 0]),
    section(3, [1, 0]),
    section(5, [1, 0, ...uleb(pages)]),
    section(7, [
      2,
      ...name("memory"),
      2,
      0,
      ...name("cdfs"),
      0,
      0,
    ]),
    section(10, [1, ...uleb(body.length), ...body]),
  );
}

interface Instance {
  memory: WebAssembly.Memory;
  f64: Float64Array;
  cdfs: (a: number, b: number, m: number, e: number, ns: number, o: number) => void;
}

const kernel = onceInstance(moduleBytes, (exports): Instance => {
  const memory = exports.memory as WebAssembly.Memory;
  const f64 = new Float64Array(memory.buffer);
  f64.set(TABLE);
  return { memory, f64, cdfs: exports.cdfs as Instance["cdfs"] };
});

/**
 * max(Φ(a_c − b_c·e_k), 1e-8) for every point c and sample k (1e-8 below −5.7, 1 from 8.5 on),
 * bit-identical to the JavaScript path of `_mf_mes.ts`.
 *
 * @param a One value per point.
 * @param b One value per point.
 * @param e The samples.
 * @returns The values, point by point (m·ns, a view of the module's memory valid until the next
 * call), or undefined without WebAssembly SIMD.
 */
export function clampedCdfs(
  a: Float64Array,
  b: Float64Array,
  e: Float64Array,
): Float64Array | undefined {
  const m = a.length, ns = e.length, nsEven = ns + (ns & 1);
  const pad = (v: number) => Math.ceil(v / 2) * 2;
  const at0 = TABLE_BYTES / 8, atB = at0 + pad(m), atE = atB + pad(m), atO = atE + nsEven;
  const end = atO + m * nsEven;
  const k = kernel();
  if (!k) return undefined;
  if (growTo(k.memory, end * 8)) k.f64 = new Float64Array(k.memory.buffer);
  const f64 = k.f64;
  f64.set(a, at0);
  f64.set(b, atB);
  f64.set(e, atE);
  f64[atE + ns] = 0;
  k.cdfs(8 * at0, 8 * atB, m, 8 * atE, nsEven, 8 * atO);
  if (nsEven === ns) return f64.subarray(atO, end);
  const out = new Float64Array(m * ns);
  for (let c = 0; c < m; c++) {
    out.set(f64.subarray(atO + c * nsEven, atO + c * nsEven + ns), c * ns);
  }
  return out;
}
