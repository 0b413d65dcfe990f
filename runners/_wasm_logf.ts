/**
 * `logf` in WebAssembly, as the libc of onnxruntime-web's Emscripten build computes it (musl's,
 * from Arm's optimized-routines `logf.c`): x = 2^k·z with z near 1; z is placed in one of 16
 * subintervals, each with a tabulated 1/c and log c, and log x = log c + k·ln 2 + log1p(z/c − 1),
 * the last by a degree-4 polynomial, all in double precision, rounded to float once. Used by the
 * fused surrogate kernel (`wasm_ensemble.ts`) for the log features, so that they match
 * onnxruntime-web's Log bit for bit.
 *
 * @module
 */

import {
  body,
  call,
  F32,
  f32c,
  f32DemoteF64,
  f32ReinterpretI32,
  f64Add,
  f64c,
  f64ConvertI32S,
  f64Load,
  f64Mul,
  f64PromoteF32,
  f64Sub,
  get,
  I32,
  i32And,
  i32c,
  i32Eq,
  i32GeU,
  i32ReinterpretF32,
  i32Shl,
  i32ShrS,
  i32ShrU,
  i32Sub,
  ifElse,
  ret,
  set,
  tee,
} from "../numerics/_wasm_ops.ts";

/**
 * (1/c, log c) of the 16 subintervals of musl's `logf` (Arm optimized-routines `logf_data.c`),
 * as stored in onnxruntime-web 1.30.0's `ort-wasm-simd-threaded.wasm`.
 */
export const LOGF_TABLE: readonly number[] = [
  1.398907162146528,
  -0.33569133332882284,
  1.3403141896637998,
  -0.2929040563774074,
  1.286432210124115,
  -0.2518726580937369,
  1.2367150214269895,
  -0.21245868807117255,
  1.1906977166711752,
  -0.17453945183745634,
  1.1479821020556429,
  -0.1380057072319758,
  1.1082251448272158,
  -0.10275976698545139,
  1.0711297413057381,
  -0.06871392447020525,
  1.036437278977283,
  -0.0357891387398228,
  1,
  0,
  0.9492859795739057,
  0.05204517742929496,
  0.8951049428609004,
  0.11081431298787942,
  0.8476821620351103,
  0.1652495223695143,
  0.8050314851692001,
  0.21687389031699977,
  0.7664671008843108,
  0.2659635028121397,
  0.731428603316328,
  0.3127556664073557,
];
/** ln 2 and the polynomial A₀…A₂ of the same `logf`. */
const LN2 = 0.6931471805599453;
const LOGF_A = [-0.25089342214237154, 0.333456765744066, -0.4999997485802103];

/**
 * The body of `logf(x: f32) -> f32`, reading the table (32 doubles) at byte 0 of the memory; it
 * calls function 0 (the module's import, `Math.log` rounded to float) for x ≤ 0, subnormals, inf
 * and NaN, which mixtures plus ε never are.
 */
export function logfBody(): number[] {
  // param 0 x (f32); i32 locals 1 ix, 2 tmp, 3 i16; f64 locals 4 r, 5 y0
  const [x, ix, tmp, i16, r, y0] = [0, 1, 2, 3, 4, 5];
  const code = [
    ...get(x),
    ...i32ReinterpretF32,
    ...tee(ix),
    ...i32c(0x3f800000),
    ...i32Eq,
    ...ifElse(F32, f32c(0), [
      ...get(ix),
      ...i32c(0x00800000),
      ...i32Sub,
      ...i32c(0x7f800000 - 0x00800000),
      ...i32GeU,
      ...ifElse(F32, [...get(x), ...call(0)], [
        ...get(ix),
        ...i32c(0x3f330000),
        ...i32Sub,
        ...set(tmp),
        ...get(tmp),
        ...i32c(19),
        ...i32ShrU,
        ...i32c(15),
        ...i32And,
        ...i32c(4),
        ...i32Shl,
        ...set(i16),
        // r = z·(1/c) − 1, z = asfloat(ix − (tmp & 0x1ff << 23))
        ...get(ix),
        ...get(tmp),
        ...i32c(0x1ff << 23),
        ...i32And,
        ...i32Sub,
        ...f32ReinterpretI32,
        ...f64PromoteF32,
        ...get(i16),
        ...f64Load(0),
        ...f64Mul,
        ...f64c(1),
        ...f64Sub,
        ...set(r),
        // y0 = log c + k·ln2, k = tmp >> 23 (arithmetic)
        ...get(i16),
        ...f64Load(8),
        ...get(tmp),
        ...i32c(23),
        ...i32ShrS,
        ...f64ConvertI32S,
        ...f64c(LN2),
        ...f64Mul,
        ...f64Add,
        ...set(y0),
        // y = (A₀·r² + (A₁·r + A₂))·r² + (y0 + r)
        ...f64c(LOGF_A[0]!),
        ...get(r),
        ...get(r),
        ...f64Mul,
        ...f64Mul,
        ...f64c(LOGF_A[1]!),
        ...get(r),
        ...f64Mul,
        ...f64c(LOGF_A[2]!),
        ...f64Add,
        ...f64Add,
        ...get(r),
        ...get(r),
        ...f64Mul,
        ...f64Mul,
        ...get(y0),
        ...get(r),
        ...f64Add,
        ...f64Add,
        ...f32DemoteF64,
      ]),
    ]),
    ...ret,
  ];
  return body([[3, I32], [2, 0x7c]], code);
}
