/**
 * The WebAssembly instruction encodings (spec §5.4) shared by the project's emitters: the SIMD
 * kernels of `linalg/_simd.ts`, `linalg/ordered_matvec.ts` and `stats/_normal_simd.ts`, and the
 * fused surrogate kernel of `runners/wasm_ensemble.ts` with its `logf` (`runners/_wasm_logf.ts`).
 * Each helper gives the bytes of one instruction (or of one small structured statement), named
 * as in the text format (`i32.add` → `i32Add`, `f64x2.mul` → `f64x2Mul`); instructions without
 * immediates are byte arrays to spread into a function's code. The framing (LEB128, sections,
 * the header) is in `_wasm_binary.ts`.
 *
 * @example
 * ```ts
 * import { f64Add, get } from "./_wasm_ops.ts";
 * import { section, wasmModule } from "./_wasm_binary.ts";
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * // (f64, f64) -> f64: local.get 0, local.get 1, f64.add
 * const code = [0, ...get(0), ...get(1), ...f64Add, 0x0b];
 * const bytes = wasmModule(
 *   section(1, [1, 0x60, 2, 0x7c, 0x7c, 1, 0x7c]),
 *   section(3, [1, 0]),
 *   section(7, [1, 3, 0x61, 0x64, 0x64, 0, 0]),
 *   section(10, [1, code.length, ...code]),
 * );
 * const add = new WebAssembly.Instance(new WebAssembly.Module(bytes)).exports.add as (
 *   a: number,
 *   b: number,
 * ) => number;
 * assertEquals(add(0.5, 2), 2.5);
 * ```
 *
 * @module
 */

import { sleb, uleb } from "./_wasm_binary.ts";

// ---- value types (§5.3.1) ------------------------------------------------------------------------

/** Value type `i32`. */
export const I32 = 0x7f;
/** Value type `f32`. */
export const F32 = 0x7d;
/** Value type `f64`. */
export const F64 = 0x7c;
/** Value type `v128`. */
export const V128 = 0x7b;

// ---- variables and constants (§5.4.4, §5.4.7) ----------------------------------------------------

/** `local.get l`. */
export const get = (l: number): number[] => [0x20, ...uleb(l)];
/** `local.set l`. */
export const set = (l: number): number[] => [0x21, ...uleb(l)];
/** `local.tee l`. */
export const tee = (l: number): number[] => [0x22, ...uleb(l)];
/** `i32.const v` (v taken modulo 2³², signed LEB128). */
export const i32c = (v: number): number[] => [0x41, ...sleb(v | 0)];
/** `f32.const v` (v rounded to float32; little-endian bytes). */
export const f32c = (v: number): number[] => [
  0x43,
  ...new Uint8Array(Float32Array.of(v).buffer),
];
/** `f64.const v` (little-endian bytes). */
export const f64c = (v: number): number[] => [
  0x44,
  ...new Uint8Array(Float64Array.of(v).buffer),
];

// ---- control (§5.4.1) ----------------------------------------------------------------------------

/** `call f`. */
export const call = (f: number): number[] => [0x10, ...uleb(f)];
/** `return`. */
export const ret: readonly number[] = [0x0f];
/** `if (result t) then else otherwise end`, the condition already on the stack. */
export const ifElse = (
  t: number,
  then: readonly number[],
  otherwise: readonly number[],
): number[] => [
  0x04,
  t,
  ...then,
  0x05,
  ...otherwise,
  0x0b,
];
/** `cond; if then end` without a result (cond leaves an i32). */
export const ifThen = (cond: readonly number[], then: readonly number[]): number[] => [
  ...cond,
  0x04,
  0x40,
  ...then,
  0x0b,
];

// ---- numeric instructions without immediates (§5.4.7) --------------------------------------------

/** `i32.eqz`. */
export const i32Eqz: readonly number[] = [0x45];
/** `i32.eq`. */
export const i32Eq: readonly number[] = [0x46];
/** `i32.lt_u`. */
export const i32LtU: readonly number[] = [0x49];
/** `i32.ge_u`. */
export const i32GeU: readonly number[] = [0x4f];
/** `f64.gt`. */
export const f64Gt: readonly number[] = [0x64];
/** `i32.add`. */
export const i32Add: readonly number[] = [0x6a];
/** `i32.sub`. */
export const i32Sub: readonly number[] = [0x6b];
/** `i32.mul`. */
export const i32Mul: readonly number[] = [0x6c];
/** `i32.and`. */
export const i32And: readonly number[] = [0x71];
/** `i32.shl`. */
export const i32Shl: readonly number[] = [0x74];
/** `i32.shr_s`. */
export const i32ShrS: readonly number[] = [0x75];
/** `i32.shr_u`. */
export const i32ShrU: readonly number[] = [0x76];
/** `f32.add`. */
export const f32Add: readonly number[] = [0x92];
/** `f32.sub`. */
export const f32Sub: readonly number[] = [0x93];
/** `f32.mul`. */
export const f32Mul: readonly number[] = [0x94];
/** `f64.sqrt`. */
export const f64Sqrt: readonly number[] = [0x9f];
/** `f64.add`. */
export const f64Add: readonly number[] = [0xa0];
/** `f64.sub`. */
export const f64Sub: readonly number[] = [0xa1];
/** `f64.mul`. */
export const f64Mul: readonly number[] = [0xa2];
/** `f64.div`. */
export const f64Div: readonly number[] = [0xa3];
/** `f32.demote_f64`. */
export const f32DemoteF64: readonly number[] = [0xb6];
/** `f64.convert_i32_s`. */
export const f64ConvertI32S: readonly number[] = [0xb7];
/** `f64.promote_f32`. */
export const f64PromoteF32: readonly number[] = [0xbb];
/** `i32.reinterpret_f32`. */
export const i32ReinterpretF32: readonly number[] = [0xbc];
/** `f32.reinterpret_i32`. */
export const f32ReinterpretI32: readonly number[] = [0xbe];

// ---- memory (§5.4.6): `op align offset`, the address on the stack, natural alignment ------------

/** `f32.load offset=offset`. */
export const f32Load = (offset = 0): number[] => [0x2a, 2, ...uleb(offset)];
/** `f64.load offset=offset`. */
export const f64Load = (offset = 0): number[] => [0x2b, 3, ...uleb(offset)];
/** `f32.store offset=offset`. */
export const f32Store = (offset = 0): number[] => [0x38, 2, ...uleb(offset)];
/** `f64.store offset=offset`. */
export const f64Store = (offset = 0): number[] => [0x39, 3, ...uleb(offset)];

// ---- vector instructions (§5.4.8, prefix 0xfd) ---------------------------------------------------

/** A vector instruction: the prefix 0xfd, its opcode (unsigned LEB128), its immediates. */
export const simd = (op: number, ...imm: number[]): number[] => [0xfd, ...uleb(op), ...imm];
/** `v128.load offset=offset` (16-byte alignment). */
export const v128Load = (offset = 0): number[] => simd(0x00, 4, ...uleb(offset));
/** `v128.load32_splat offset=offset`. */
export const v128Load32Splat = (offset = 0): number[] => simd(0x09, 2, ...uleb(offset));
/** `v128.load64_splat offset=offset`. */
export const v128Load64Splat = (offset = 0): number[] => simd(0x0a, 3, ...uleb(offset));
/** `v128.store offset=offset` (16-byte alignment). */
export const v128Store = (offset = 0): number[] => simd(0x0b, 4, ...uleb(offset));
/** `v128.const` of 16 bytes (little-endian lanes). */
export const v128Const = (bytes: ArrayLike<number>): number[] => simd(0x0c, ...Array.from(bytes));
/** `v128.const f32x4 v v v v` (four equal lanes). */
export const f32x4c = (v: number): number[] =>
  v128Const(new Uint8Array(Float32Array.of(v, v, v, v).buffer));
/** `v128.load64_lane offset=offset lane`. */
export const v128Load64Lane = (offset: number, lane: number): number[] =>
  simd(0x57, 3, ...uleb(offset), lane);
/** `v128.load64_zero offset=offset`. */
export const v128Load64Zero = (offset = 0): number[] => simd(0x5d, 3, ...uleb(offset));
/** `f64x2.splat`. */
export const f64x2Splat: readonly number[] = simd(0x14);
/** `i32x4.extract_lane lane`. */
export const i32x4ExtractLane = (lane: number): number[] => simd(0x1b, lane);
/** `f64x2.extract_lane lane`. */
export const f64x2ExtractLane = (lane: number): number[] => simd(0x21, lane);
/** `f64x2.lt`. */
export const f64x2Lt: readonly number[] = simd(0x49);
/** `f64x2.gt`. */
export const f64x2Gt: readonly number[] = simd(0x4a);
/** `f64x2.ge`. */
export const f64x2Ge: readonly number[] = simd(0x4c);
/** `v128.and`. */
export const v128And: readonly number[] = simd(0x4e);
/** `v128.bitselect`. */
export const v128Bitselect: readonly number[] = simd(0x52);
/** `f64x2.ceil`. */
export const f64x2Ceil: readonly number[] = simd(0x74);
/** `f32x4.sqrt`. */
export const f32x4Sqrt: readonly number[] = simd(0xe3);
/** `f32x4.add`. */
export const f32x4Add: readonly number[] = simd(0xe4);
/** `f32x4.sub`. */
export const f32x4Sub: readonly number[] = simd(0xe5);
/** `f32x4.mul`. */
export const f32x4Mul: readonly number[] = simd(0xe6);
/** `f32x4.div`. */
export const f32x4Div: readonly number[] = simd(0xe7);
/** `f32x4.pmin`: `b < a ? b : a` lane by lane (one instruction on x64, unlike `f32x4.min`). */
export const f32x4Pmin: readonly number[] = simd(0xea);
/** `f32x4.pmax`: `a < b ? b : a` lane by lane. */
export const f32x4Pmax: readonly number[] = simd(0xeb);
/** `f64x2.abs`. */
export const f64x2Abs: readonly number[] = simd(0xec);
/** `f64x2.neg`. */
export const f64x2Neg: readonly number[] = simd(0xed);
/** `f64x2.add`. */
export const f64x2Add: readonly number[] = simd(0xf0);
/** `f64x2.sub`. */
export const f64x2Sub: readonly number[] = simd(0xf1);
/** `f64x2.mul`. */
export const f64x2Mul: readonly number[] = simd(0xf2);
/** `f64x2.div`. */
export const f64x2Div: readonly number[] = simd(0xf3);
/** `f64x2.max`. */
export const f64x2Max: readonly number[] = simd(0xf5);
/** `i32x4.trunc_sat_f64x2_s_zero`. */
export const i32x4TruncSatF64x2SZero: readonly number[] = simd(0xfc);

// ---- statements built of the above ---------------------------------------------------------------

/** `local l += step` (i32): step a constant, or code that leaves an i32. */
export const bump = (l: number, step: number | readonly number[]): number[] => [
  ...get(l),
  ...(typeof step === "number" ? i32c(step) : step),
  ...i32Add,
  ...set(l),
];

/**
 * `while (cond) body` as `block loop cond i32.eqz br_if 1 body br 0 end end` (cond leaves an
 * i32).
 */
export const whileLoop = (cond: readonly number[], body: readonly number[]): number[] => [
  0x02,
  0x40,
  0x03,
  0x40,
  ...cond,
  ...i32Eqz,
  0x0d,
  1,
  ...body,
  0x0c,
  0,
  0x0b,
  0x0b,
];

/**
 * `for (counter = 0; counter < limit; counter++) body` (unsigned compare) as
 * `block loop … br_if 1 … br 0 end end`; `limit` is a local, or code that leaves an i32.
 */
export function forLoop(
  counter: number,
  limit: number | readonly number[],
  body: readonly number[],
): number[] {
  return [
    ...i32c(0),
    ...set(counter),
    0x02,
    0x40,
    0x03,
    0x40,
    ...get(counter),
    ...(typeof limit === "number" ? get(limit) : limit),
    ...i32GeU,
    0x0d,
    1,
    ...body,
    ...bump(counter, 1),
    0x0c,
    0,
    0x0b,
    0x0b,
  ];
}

/**
 * A function body (§5.5.13): its byte size, its extra locals as (count, type) runs, the code and
 * `end`.
 */
export function body(
  locals: readonly (readonly [number, number])[],
  code: readonly number[],
): number[] {
  const b = [
    ...uleb(locals.length),
    ...locals.flatMap(([c, t]) => [...uleb(c), t]),
    ...code,
    0x0b,
  ];
  return [...uleb(b.length), ...b];
}
