/**
 * WebAssembly instruction encodings (spec §5.4) used by the fused CPU kernel of the surrogate
 * ensembles (`wasm_ensemble.ts`): each helper returns the bytes of one instruction, named as in
 * the text format.
 *
 * @module
 */

import { sleb, uleb } from "../numerics/_wasm_binary.ts";
export { name, section, WASM_HEADER } from "../numerics/_wasm_binary.ts";

/** Value types. */
export const I32 = 0x7f, F32 = 0x7d, F64 = 0x7c, V128 = 0x7b;

/** `local.get l`. */
export const get = (l: number): number[] => [0x20, ...uleb(l)];
/** `local.set l`. */
export const set = (l: number): number[] => [0x21, ...uleb(l)];
/** `local.tee l`. */
export const tee = (l: number): number[] => [0x22, ...uleb(l)];
/** `i32.const v`. */
export const i32c = (v: number): number[] => [0x41, ...sleb(v | 0)];
/** `f64.const v`. */
export function f64c(v: number): number[] {
  const b = new Uint8Array(new Float64Array([v]).buffer);
  return [0x44, ...b];
}
/** `f32.const v`. */
export function f32c(v: number): number[] {
  const b = new Uint8Array(new Float32Array([v]).buffer);
  return [0x43, ...b];
}
/** `call f`. */
export const call = (f: number): number[] => [0x10, ...uleb(f)];

/** Scalar opcodes (no immediates). */
export const OP = {
  i32Add: 0x6a,
  i32Sub: 0x6b,
  i32And: 0x71,
  i32Shl: 0x74,
  i32ShrS: 0x75,
  i32ShrU: 0x76,
  i32Eq: 0x46,
  i32GeU: 0x4f,
  i32LtU: 0x49,
  f32Add: 0x92,
  f32Sub: 0x93,
  f32Mul: 0x94,
  f64Add: 0xa0,
  f64Sub: 0xa1,
  f64Mul: 0xa2,
  f32DemoteF64: 0xb6,
  f64ConvertI32S: 0xb7,
  f64PromoteF32: 0xbb,
  i32ReinterpretF32: 0xbc,
  f32ReinterpretI32: 0xbe,
} as const;

/** Memory accesses: `op align offset` with the address on the stack. */
const mem = (op: number, align: number) => (offset: number): number[] => [
  op,
  align,
  ...uleb(offset),
];
/** `f32.load offset`. */
export const f32Load: (offset: number) => number[] = mem(0x2a, 2);
/** `f64.load offset`. */
export const f64Load: (offset: number) => number[] = mem(0x2b, 3);
/** `f32.store offset`. */
export const f32Store: (offset: number) => number[] = mem(0x38, 2);

/** A SIMD instruction (prefix 0xfd). */
export const simd = (op: number, ...imm: number[]): number[] => [0xfd, ...uleb(op), ...imm];
/** `v128.load offset` (16-byte aligned). */
export const v128Load = (offset: number): number[] => simd(0x00, 4, ...uleb(offset));
/** `v128.load32_splat offset`. */
export const load32Splat = (offset: number): number[] => simd(0x09, 2, ...uleb(offset));
/** `v128.store offset`. */
export const v128Store = (offset: number): number[] => simd(0x0b, 4, ...uleb(offset));
/** `v128.const` of four equal f32 lanes. */
export function f32x4c(v: number): number[] {
  return simd(0x0c, ...new Uint8Array(new Float32Array([v, v, v, v]).buffer));
}
/** f32x4 lane-wise arithmetic (each lane rounded as the scalar f32 instruction). */
export const F32X4 = {
  sqrt: simd(0xe3),
  add: simd(0xe4),
  sub: simd(0xe5),
  mul: simd(0xe6),
  div: simd(0xe7),
  min: simd(0xe8),
  max: simd(0xe9),
  /** Pseudo-minimum `b < a ? b : a` (one instruction on x64, unlike `min`). */
  pmin: simd(0xea),
  /** Pseudo-maximum `a < b ? b : a`. */
  pmax: simd(0xeb),
} as const;

/** `if … else … end` with a result of type `t`. */
export const ifElse = (t: number, then: number[], otherwise: number[]): number[] => [
  0x04,
  t,
  ...then,
  0x05,
  ...otherwise,
  0x0b,
];
/** `return`. */
export const ret = [0x0f];

/** `for (counter = 0; counter < limit; counter++) body`, limit a local. */
export function forLoop(counter: number, limit: number[], body: number[]): number[] {
  return [
    ...i32c(0),
    ...set(counter),
    0x02,
    0x40,
    0x03,
    0x40,
    ...get(counter),
    ...limit,
    OP.i32GeU,
    0x0d,
    1,
    ...body,
    ...get(counter),
    ...i32c(1),
    OP.i32Add,
    ...set(counter),
    0x0c,
    0,
    0x0b,
    0x0b,
  ];
}

/** local += step (i32). */
export const bump = (l: number, step: number): number[] => [
  ...get(l),
  ...i32c(step),
  OP.i32Add,
  ...set(l),
];

/** A function body: its extra locals (count, type) runs and code. */
export function body(locals: readonly (readonly [number, number])[], code: number[]): number[] {
  const b = [
    ...uleb(locals.length),
    ...locals.flatMap(([c, t]) => [...uleb(c), t]),
    ...code,
    0x0b,
  ];
  return [...uleb(b.length), ...b];
}

export { uleb };
