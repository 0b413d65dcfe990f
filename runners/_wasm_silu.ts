/**
 * The SiLU of the fused surrogate kernel (`wasm_ensemble.ts`), h = z·σ(z), with σ as MLAS
 * computes the Sigmoid node (`mlas/lib/logistic.cpp`, Eigen's rational approximation): the input
 * clamped to [−18, 18], p(x)/q(x) + ½ clamped to [0, 1], in float32 operation for operation so
 * that the kernel matches onnxruntime-web bit for bit. The constants live in a pool in the
 * kernel's memory; a group of vectors is emitted stage by stage across the group, so that their
 * independent dependency chains interleave (V8 schedules instructions in program order).
 *
 * @module
 */

import {
  f32x4Add,
  f32x4Div,
  f32x4Mul,
  f32x4Pmax,
  f32x4Pmin,
  get,
  i32c,
  set,
  v128Load,
  v128Store,
} from "../numerics/_wasm_ops.ts";

/** MLAS's logistic constants (`mlas/lib/logistic.cpp`), rounded to float32 as there. */
const LOGISTIC = {
  lower: -18,
  upper: 18,
  alpha: [4.37031012579801e-11, 1.15627324459942e-07, 6.08574864600143e-05, 8.51377133304701e-03],
  alpha1: 2.48287947061529e-01,
  beta: [
    6.10247389755681e-13,
    5.76102136993427e-09,
    6.29106785017040e-06,
    1.70198817374094e-03,
    1.16817656904453e-01,
    9.93151921023180e-01,
  ],
};

/**
 * The vector constants of the sigmoid, four equal lanes each, at byte {@linkcode POOL_AT} of the
 * kernel's memory (the kernel writes them there).
 */
export const POOL: readonly number[] = [
  LOGISTIC.lower,
  LOGISTIC.upper,
  ...LOGISTIC.alpha,
  LOGISTIC.alpha1,
  ...LOGISTIC.beta,
  0.5,
  0,
  1,
];
/** Byte offset of {@linkcode POOL} in the kernel's memory (after the `logf` table). */
export const POOL_AT = 256;

/**
 * Pushes a pooled constant (one load; `v128.const` costs several instructions in V8).
 *
 * @param v One of {@linkcode POOL}.
 * @returns The code that pushes it as a vector.
 */
export function pooled(v: number): number[] {
  const i = POOL.indexOf(v);
  if (i < 0) throw new RangeError(`No pooled constant ${v}`);
  return [...i32c(0), ...v128Load(POOL_AT + 16 * i)];
}

/** Temporaries (v128 locals) one vector of a SiLU group needs, from its `t`. */
export const SILU_TEMPS = 4;

/** One vector of a SiLU group. */
export interface SiluItem {
  /** The v128 local holding z (kept). */
  readonly z: number;
  /** The first of its {@linkcode SILU_TEMPS} temporary v128 locals. */
  readonly t: number;
  /** Code that pushes the store's base address. */
  readonly store: readonly number[];
  /** The store's offset from that address. */
  readonly offset: number;
}

const [c, x2, pp, qq] = [0, 1, 2, 3];
const horner = (acc: number, times: number, k: number) => (it: SiluItem) => [
  ...get(it.t + acc),
  ...get(it.t + times),
  ...f32x4Mul,
  ...pooled(k),
  ...f32x4Add,
  ...set(it.t + acc),
];
const stages: ((it: SiluItem) => number[])[] = [
  (it) => [
    ...get(it.z),
    ...pooled(LOGISTIC.lower),
    ...f32x4Pmax,
    ...pooled(LOGISTIC.upper),
    ...f32x4Pmin,
    ...set(it.t + c),
  ],
  (it) => [...get(it.t + c), ...get(it.t + c), ...f32x4Mul, ...set(it.t + x2)],
  // p = (((x²·α₉ + α₇)·x² + α₅)·x² + α₃)·x² + α₁, times x
  (it) => [
    ...get(it.t + x2),
    ...pooled(LOGISTIC.alpha[0]!),
    ...f32x4Mul,
    ...pooled(LOGISTIC.alpha[1]!),
    ...f32x4Add,
    ...set(it.t + pp),
  ],
  // q = ((((x²·β₁₀ + β₈)·x² + β₆)·x² + β₄)·x² + β₂)·x² + β₀
  (it) => [
    ...get(it.t + x2),
    ...pooled(LOGISTIC.beta[0]!),
    ...f32x4Mul,
    ...pooled(LOGISTIC.beta[1]!),
    ...f32x4Add,
    ...set(it.t + qq),
  ],
  horner(pp, x2, LOGISTIC.alpha[2]!),
  horner(qq, x2, LOGISTIC.beta[2]!),
  horner(pp, x2, LOGISTIC.alpha[3]!),
  horner(qq, x2, LOGISTIC.beta[3]!),
  horner(pp, x2, LOGISTIC.alpha1),
  horner(qq, x2, LOGISTIC.beta[4]!),
  horner(qq, x2, LOGISTIC.beta[5]!),
  (it) => [...get(it.t + pp), ...get(it.t + c), ...f32x4Mul, ...set(it.t + pp)],
  // σ = clamp(p/q + ½, 0, 1); h = z·σ
  (it) => [
    ...it.store,
    ...get(it.z),
    ...get(it.t + pp),
    ...get(it.t + qq),
    ...f32x4Div,
    ...pooled(0.5),
    ...f32x4Add,
    ...pooled(0),
    ...f32x4Pmax,
    ...pooled(1),
    ...f32x4Pmin,
    ...f32x4Mul,
    ...v128Store(it.offset),
  ],
];
/**
 * The code of the SiLU of a group of vectors, each stored as it is done.
 *
 * @param items The group's vectors.
 * @returns The code.
 */
export function siluGroup(items: readonly SiluItem[]): number[] {
  return stages.flatMap((stage) => items.flatMap(stage));
}
