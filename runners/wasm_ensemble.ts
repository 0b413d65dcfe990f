/**
 * A fused WebAssembly SIMD forward pass of an MLP ensemble surrogate (numerics/mlp.ts), the
 * default CPU engine of the surrogate sessions: one module, generated for the ensemble's shapes,
 * takes two mixtures at a time through the features, every member's layers and the ensemble
 * mean and spread, with the activations in a few kilobytes of scratch memory that stay in the
 * L1 cache (onnxruntime-web runs one operator at a time over the whole chunk, so its
 * intermediate `[members, rows, 64]` tensors cross memory at every node).
 *
 * The arithmetic is onnxruntime-web 1.30's on the graph `onnx_writer.ts` writes, operation for
 * operation, so the two engines agree bit for bit (tests/runners/wasm_ensemble_test.ts checks it
 * on random mixtures):
 * - MatMul: MLAS's WebAssembly SIMD SGEMM kernel (onnxruntime `mlas/lib/wasm_simd/
 *   SgemmKernelWasmSimd.cpp`): per output, a sum from +0 of the products in input order, each
 *   product rounded before it is added (no fused multiply-add), in one pass over the inputs
 *   (layers of at most {@linkcode MAX_LAYER_INPUTS} inputs; wider layers are left to
 *   onnxruntime-web). This kernel also takes two rows × 16 outputs per step. A chunk of one
 *   row goes through MLAS's GEMV kernel there (`SgemvKernelWasmSimd.cpp`), whose sums add the
 *   products of the columns past the last multiple of 4 in groups of four; the kernel has a
 *   second entry (`runOne`) in that order. Both kernels' sums come out as sums from +0 (a sum of
 *   −0 products is +0); where a nonzero bias is added next, the kernel starts each sum at its
 *   first product instead, which gives the same bits with one addition fewer.
 * - Sigmoid: MLAS's rational approximation (`mlas/lib/logistic.cpp`, the coefficients of
 *   Eigen's): the input clamped to [−18, 18], p(x)/q(x) + ½ clamped to [0, 1].
 * - Log (the log features): the libc `logf` of onnxruntime-web's Emscripten build (musl's,
 *   from Arm's optimized-routines: a 16-entry table of (1/c, log c) and a degree-4 polynomial in
 *   double precision; `_wasm_logf.ts`); its table was read from onnxruntime-web 1.30.0's
 *   `ort-wasm-simd-threaded.wasm`.
 * - ReduceMean over members: the members summed in order, then divided by their count; the
 *   spread is √(mean of squared deviations from that mean), as the graph computes it.
 *
 * Departures: tanh ensembles (MLAS's Tanh approximation is not reproduced) and layers wider
 * than {@linkcode MAX_LAYER_INPUTS} inputs are refused ({@linkcode wasmUnsupported}); the
 * session opener gives those models to onnxruntime-web.
 *
 * @example Score two mixtures
 * ```ts
 * import { WasmEnsemble } from "./wasm_ensemble.ts";
 * import { fitEnsemble } from "../numerics/mlp.ts";
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * const xs = [[1, 0], [0, 1], [0.5, 0.5]];
 * const ens = fitEnsemble(xs, xs.map((w) => [w[0]!]), { members: 2, hidden: [4], epochs: 5 });
 * const kernel = new WasmEnsemble(ens);
 * const { mean, spread } = kernel.predict(new Float32Array([0.2, 0.8, 0.9, 0.1]), 2);
 * assertEquals([mean.length, spread.length], [2, 2]);
 * ```
 *
 * @module
 */

import type { MlpEnsemble } from "../numerics/mlp.ts";
import { LOGF_TABLE, logfBody } from "./_wasm_logf.ts";
import { POOL, POOL_AT, SILU_TEMPS, siluGroup, type SiluItem } from "./_wasm_silu.ts";
import { growTo, name, section, uleb, WASM_HEADER } from "../numerics/_wasm_binary.ts";
import {
  body,
  bump,
  call,
  F32,
  f32Add,
  f32c,
  f32Load,
  f32Mul,
  f32Store,
  f32Sub,
  f32x4Add,
  f32x4c,
  f32x4Div,
  f32x4Mul,
  f32x4Sqrt,
  f32x4Sub,
  forLoop,
  get,
  I32,
  i32Add,
  i32c,
  set,
  V128,
  v128Load,
  v128Load32Splat,
  v128Store,
} from "../numerics/_wasm_ops.ts";

/** The widest layer input the kernel sums as MLAS does (one pass over K). */
export const MAX_LAYER_INPUTS = 128;

/**
 * Why the fused kernel cannot score an ensemble bit for bit as onnxruntime-web does, or
 * undefined when it can.
 *
 * @param e The ensemble.
 * @returns The reason, or undefined.
 */
export function wasmUnsupported(e: MlpEnsemble): string | undefined {
  if (e.activation !== "silu") return `its activation is "${e.activation}", not "silu"`;
  const wide = e.members[0]!.find((l) => l.inputs > MAX_LAYER_INPUTS);
  if (wide) return `a layer has ${wide.inputs} inputs (at most ${MAX_LAYER_INPUTS})`;
  if (typeof WebAssembly !== "object" || !WebAssembly.validate(SIMD_PROBE)) {
    return "this runtime has no WebAssembly SIMD";
  }
  return undefined;
}

/** A module with one function `() -> v128` (validates only where SIMD is supported). */
const SIMD_PROBE = new Uint8Array([
  ...WASM_HEADER,
  ...section(1, [1, 0x60, 0, 1, V128]),
  ...section(3, [1, 0]),
  ...section(10, [1, ...body([], f32x4c(0))]),
]);

const pad4 = (n: number) => Math.ceil(n / 4) * 4;
/** Rows per iteration of `run` (and rows of the scratch buffers). */
const QUAD = 4;
const align16 = (n: number) => Math.ceil(n / 16) * 16;

/** Byte offsets of the module's static memory. */
interface Layout {
  readonly shift: number;
  readonly scale: number;
  readonly offset: number;
  /** Per member, per layer: weight [inputs][outputs padded to 4] and bias. */
  readonly layers: { w: number; b: number }[][];
  readonly feat: number;
  readonly bufA: number;
  readonly bufB: number;
  readonly members: number;
  /** Row strides (bytes) of the feature, hidden and member-output buffers. */
  readonly featStride: number;
  readonly hiddenStride: number;
  readonly outStride: number;
  readonly end: number;
}

function layout(e: MlpEnsemble): Layout {
  const f = e.members[0]![0]!.inputs, kp = pad4(e.outputs);
  let end = POOL_AT + 16 * POOL.length; // logf table, constant pool
  const take = (floats: number) => {
    const at = end;
    end = align16(end + 4 * floats);
    return at;
  };
  const shift = take(f), scale = take(f), offset = take(kp);
  const layers = e.members.map((ls) =>
    ls.map((l) => ({ w: take(l.inputs * pad4(l.outputs)), b: take(pad4(l.outputs)) }))
  );
  const hidden = Math.max(4, ...e.members[0]!.map((l) => pad4(l.outputs)));
  const featStride = pad4(f) * 4, hiddenStride = hidden * 4, outStride = kp * 4;
  const feat = take(QUAD * pad4(f)), bufA = take(QUAD * hidden), bufB = take(QUAD * hidden);
  const members = take(e.members.length * QUAD * kp);
  return {
    shift,
    scale,
    offset,
    layers,
    feat,
    bufA,
    bufB,
    members,
    featStride,
    hiddenStride,
    outStride,
    end,
  };
}

/** Vectors whose SiLU is computed together (interleaved). */
const GROUP = 4;

/** A dense layer's code shape: the function is generated once per distinct shape. */
interface LayerShape {
  readonly inputs: number;
  /** Outputs padded to a multiple of 4. */
  readonly outputs: number;
  readonly srcStride: number;
  readonly dstStride: number;
  readonly silu: boolean;
  /** Rows per call (at src + r·srcStride). */
  readonly rows: number;
  /**
   * The order of MLAS's GEMV kernel (`mlas/lib/wasm_simd/SgemvKernelWasmSimd.cpp`), which
   * onnxruntime takes for a chunk of one row: the columns past the last multiple of 4 (`tail`)
   * add the products in groups of four, c + (((p₁ + p₂) + p₃) + p₄), after the first.
   */
  readonly gemv: boolean;
  /** Whether the last column vector holds columns past the last multiple of 4. */
  readonly tail: boolean;
  /**
   * Whether the sums may start at their first product instead of at +0: the two differ only
   * while every product so far is a zero (+0 + −0 is +0, where the first product alone is −0),
   * so they end equal or as zeros of opposite signs, and adding a nonzero bias gives the bias
   * either way. True when no bias of the layer is ±0 (onnxruntime-web's sums of −0 products are
   * +0 in both of its kernels; tests/runners/wasm_ensemble_test.ts checks the two cases).
   */
  readonly fromFirst: boolean;
}

const shapeKey = (s: LayerShape) =>
  [s.inputs, s.outputs, s.srcStride, s.dstStride, s.silu, s.rows, s.gemv, s.tail, s.fromFirst]
    .join("|");

/**
 * `layer(src, dst, W, B)` for `rows` rows (at src + r·srcStride): dst = act(src·W + B), in
 * column blocks of up to 16 outputs (four f32x4 sums per row).
 *
 * In the SGEMM order, each load of a step reads through its own pointer (row r's activations
 * through `ap(r)`, each weight vector of the block through `pv(v)`) at the step's one offset. The WebAssembly engine checks every memory access against the memory's size (V8 in
 * Deno has no guard-page trap handler), with one limit per distinct offset: sharing offsets
 * shares the limits, and the checks cost about one instruction per load fewer.
 */
function layerBody(s: LayerShape): number[] {
  // params 0 src, 1 dst, 2 W, 3 B; i32 locals 4 kk, 5 a, 6 p, 7 col, 8 blk, then the row
  // pointers 9 … R + 7 (rows 1 … R − 1; row 0's is a), 4 pv; v128 locals from V = R + 12: acc
  // (row r, vector v → V + 4r + v), 4 w, R splats, then four temporaries per vector of a SiLU
  // group.
  const R = s.rows;
  if (s.gemv && R !== 2) throw new RangeError(`The GEMV order takes 2 rows, not ${R}`);
  const [src, dst, W, B, kk, a, p, col, blk] = [0, 1, 2, 3, 4, 5, 6, 7, 8];
  const ap = (r: number) => r === 0 ? a : 8 + r;
  const pv = (v: number) => R + 8 + v;
  const V = R + 12;
  const acc = (r: number, v: number) => V + 4 * r + v;
  const w = (v: number) => V + 4 * R + v;
  const splat = (r: number) => V + 4 * R + 4 + r;
  const temps = V + 5 * R + 4;
  const rowBytes = s.outputs * 4;
  // One input k of the SGEMM order: acc += w·s (or acc = w·s for the first when `start`).
  const rowsOf = Array.from({ length: R }, (_, r) => r);
  const step = (nv: number, aOff: number, pOff: number, start = false) => [
    ...rowsOf.flatMap((r) => [...get(ap(r)), ...v128Load32Splat(aOff), ...set(splat(r))]),
    ...Array.from({ length: nv }, (_, v) => [...get(pv(v)), ...v128Load(pOff), ...set(w(v))])
      .flat(),
    ...rowsOf.flatMap((r) =>
      Array.from({ length: nv }, (_, v) => [
        ...(start ? [] : get(acc(r, v))),
        ...get(w(v)),
        ...get(splat(r)),
        ...f32x4Mul,
        ...(start ? [] : f32x4Add),
        ...set(acc(r, v)),
      ]).flat()
    ),
  ];
  // GEMV order (one row, unrolled over the inputs): the tail vector's products after the first
  // are summed in fours before they are added.
  const product = (r: number, v: number, k: number) => [
    ...get(p),
    ...v128Load(k * rowBytes + 16 * v),
    ...get(a),
    ...v128Load32Splat(4 * k + r * s.srcStride),
    ...f32x4Mul,
  ];
  const gemvSums = (nv: number, tail: boolean) => {
    const code: number[] = [];
    for (let r = 0; r < 2; r++) {
      for (let v = 0; v < nv; v++) {
        const sum = acc(r, v), t = temps + r;
        code.push(...(s.fromFirst ? [] : f32x4c(0)), ...product(r, v, 0));
        code.push(...(s.fromFirst ? [] : f32x4Add), ...set(sum));
        let k = 1;
        if (tail && v === nv - 1) {
          for (; k + 3 < s.inputs; k += 4) {
            code.push(...product(r, v, k));
            for (let j = 1; j < 4; j++) code.push(...product(r, v, k + j), ...f32x4Add);
            code.push(...set(t), ...get(sum), ...get(t), ...f32x4Add, ...set(sum));
          }
        }
        for (; k < s.inputs; k++) {
          code.push(...get(sum), ...product(r, v, k), ...f32x4Add, ...set(sum));
        }
      }
    }
    return code;
  };
  const columnBlock = (nv: number, last: boolean) => {
    const code: number[] = [];
    code.push(...get(src), ...set(a), ...get(W), ...get(col), ...i32Add, ...set(p));
    if (s.gemv) code.push(...gemvSums(nv, last && s.tail));
    else {
      // The first product starts each sum when that gives the same bits as +0 + product.
      const first = s.fromFirst ? 1 : 0;
      if (!first) {
        for (const r of rowsOf) {
          for (let v = 0; v < nv; v++) code.push(...f32x4c(0), ...set(acc(r, v)));
        }
      }
      for (const r of rowsOf.slice(1)) {
        code.push(...get(a), ...i32c(r * s.srcStride), ...i32Add, ...set(ap(r)));
      }
      for (let v = 0; v < nv; v++) code.push(...get(p), ...i32c(16 * v), ...i32Add, ...set(pv(v)));
      if (first) code.push(...step(nv, 0, 0, true));
      const unroll = 8, rounds = Math.floor((s.inputs - first) / unroll);
      const at = (u: number) => [4 * (first + u), (first + u) * rowBytes] as const;
      const loopBody: number[] = [];
      for (let u = 0; u < unroll; u++) loopBody.push(...step(nv, ...at(u)));
      for (const r of rowsOf) loopBody.push(...bump(ap(r), 4 * unroll));
      for (let v = 0; v < nv; v++) loopBody.push(...bump(pv(v), unroll * rowBytes));
      if (rounds > 0) code.push(...forLoop(kk, i32c(rounds), loopBody));
      for (let t = 0; t < s.inputs - first - rounds * unroll; t++) code.push(...step(nv, ...at(t)));
    }
    const items: SiluItem[] = [];
    for (const r of rowsOf) {
      for (let v = 0; v < nv; v++) {
        const z = acc(r, v), store = [...get(dst), ...get(col), ...i32Add];
        code.push(
          ...get(z),
          ...get(B),
          ...get(col),
          ...i32Add,
          ...v128Load(16 * v),
          ...f32x4Add,
          ...set(z),
        );
        const offset = r * s.dstStride + 16 * v;
        if (s.silu) {
          items.push({ z, t: temps + SILU_TEMPS * (items.length % GROUP), store, offset });
        } else code.push(...store, ...get(z), ...v128Store(offset));
      }
    }
    for (let i = 0; i < items.length; i += GROUP) {
      code.push(...siluGroup(items.slice(i, i + GROUP)));
    }
    code.push(...bump(col, 16 * nv));
    return code;
  };
  const full = Math.floor(s.outputs / 16), rest = (s.outputs % 16) / 4;
  const code = [...i32c(0), ...set(col)];
  if (full > 0) code.push(...forLoop(blk, i32c(full), columnBlock(4, rest === 0)));
  if (rest > 0) code.push(...columnBlock(rest, true));
  return body([[R + 8, I32], [5 * R + 4 + 4 * GROUP, V128]], code);
}

/**
 * `run(x, groups, mean, spread)`: rows n·i … n·i + n − 1 of x (m floats each) for i < groups,
 * n = 2·pairs; writes their means and spreads (outputs padded to 4 floats per row). Each member's
 * hidden layers take the group's rows a pair at a time, its output layer all n at once: the
 * output layer's one column vector per row makes each of its sums one long chain of dependent
 * additions, and n rows give n chains to overlap.
 */
function runBody(
  e: MlpEnsemble,
  L: Layout,
  layerFn: (s: LayerShape) => number,
  gemv: boolean,
  pairs: number,
): number[] {
  // params 0 x, 1 groups, 2 mean, 3 spread; i32 locals 4 gi, 5 j, 6 o, 7 xp, 8 op;
  // v128 locals 9 sum, 10 mu, 11 vs, 12 d
  const [x, groups, mean, spread, gi, j, o, xp, op] = [0, 1, 2, 3, 4, 5, 6, 7, 8];
  const [sum, mu, vs, d] = [9, 10, 11, 12];
  const m = e.inputs, E = e.members.length, kp = pad4(e.outputs), n = 2 * pairs;
  const log = e.features === "linear+log";
  const features: number[] = [];
  for (let r = 0; r < n; r++) {
    const feat = L.feat + r * L.featStride;
    const xv = [...get(xp), ...get(o), ...i32Add, ...f32Load(r * m * 4)];
    const loop = [
      ...get(o),
      ...xv,
      ...get(o),
      ...f32Load(L.shift),
      ...f32Sub,
      ...get(o),
      ...f32Load(L.scale),
      ...f32Mul,
      ...f32Store(feat),
      ...(log
        ? [
          ...get(o),
          ...xv,
          ...f32c(e.logEpsilon),
          ...f32Add,
          ...call(1),
          ...get(o),
          ...f32Load(L.shift + 4 * m),
          ...f32Sub,
          ...get(o),
          ...f32Load(L.scale + 4 * m),
          ...f32Mul,
          ...f32Store(feat + 4 * m),
        ]
        : []),
      ...bump(o, 4),
    ];
    features.push(...i32c(0), ...set(o), ...forLoop(j, i32c(m), loop));
  }
  const members: number[] = [];
  e.members.forEach((ls, q) => {
    let src = L.feat, srcStride = L.featStride;
    ls.forEach((l, li) => {
      const last = li === ls.length - 1;
      const dst = last ? L.members + q * n * L.outStride : li % 2 === 0 ? L.bufA : L.bufB;
      const dstStride = last ? L.outStride : L.hiddenStride;
      const rows = last ? n : 2;
      const fn = layerFn({
        inputs: l.inputs,
        outputs: pad4(l.outputs),
        srcStride,
        dstStride,
        silu: !last,
        rows,
        gemv,
        tail: l.outputs % 4 !== 0,
        fromFirst: l.bias.every((b) => b !== 0),
      });
      const at = L.layers[q]![li]!;
      for (let r = 0; r < n; r += rows) {
        const [from, to] = [src + r * srcStride, dst + r * dstStride];
        members.push(...i32c(from), ...i32c(to), ...i32c(at.w), ...i32c(at.b), ...call(fn));
      }
      src = dst;
      srcStride = dstStride;
    });
  });
  const reduce: number[] = [];
  for (let r = 0; r < n; r++) {
    for (let v = 0; v < kp / 4; v++) {
      const member = (q: number) => [
        ...i32c(0),
        ...v128Load(L.members + (q * n + r) * L.outStride + 16 * v),
      ];
      reduce.push(...member(0), ...set(sum));
      for (let q = 1; q < E; q++) reduce.push(...get(sum), ...member(q), ...f32x4Add, ...set(sum));
      reduce.push(...get(sum), ...f32x4c(E), ...f32x4Div, ...set(mu));
      reduce.push(
        ...get(mean),
        ...get(op),
        ...i32Add,
        ...get(mu),
        ...i32c(0),
        ...v128Load(L.offset + 16 * v),
        ...f32x4Add,
        ...v128Store(r * L.outStride + 16 * v),
      );
      for (let q = 0; q < E; q++) {
        reduce.push(...member(q), ...get(mu), ...f32x4Sub, ...set(d));
        reduce.push(...get(d), ...get(d), ...f32x4Mul);
        if (q > 0) reduce.push(...get(vs), ...f32x4Add);
        reduce.push(...set(vs));
      }
      reduce.push(
        ...get(spread),
        ...get(op),
        ...i32Add,
        ...get(vs),
        ...f32x4c(E),
        ...f32x4Div,
        ...f32x4Sqrt,
        ...v128Store(r * L.outStride + 16 * v),
      );
    }
  }
  const perGroup = [
    ...features,
    ...members,
    ...reduce,
    ...bump(xp, n * m * 4),
    ...bump(op, n * L.outStride),
  ];
  return body([[5, I32], [4, V128]], [
    ...get(x),
    ...set(xp),
    ...i32c(0),
    ...set(op),
    ...forLoop(gi, get(groups), perGroup),
  ]);
}

/**
 * The module's bytes: import `env.log` (0), then logf (1), `run` (2), `runOne` (3: `run` in the
 * order onnxruntime takes for a chunk of one row), then one function per layer shape.
 */
function moduleBytes(e: MlpEnsemble, L: Layout): Uint8Array<ArrayBuffer> {
  const shapes = new Map<string, LayerShape>();
  const layerFn = (s: LayerShape) => {
    const key = shapeKey(s);
    if (!shapes.has(key)) shapes.set(key, s);
    return 4 + [...shapes.keys()].indexOf(key);
  };
  const run = runBody(e, L, layerFn, false, QUAD / 2);
  const runOne = runBody(e, L, layerFn, true, 1);
  const layers = [...shapes.values()].map(layerBody);
  const fns = 3 + layers.length;
  const pages = Math.ceil(L.end / 65536) + 1;
  return new Uint8Array([
    ...WASM_HEADER,
    ...section(1, [2, 0x60, 1, F32, 1, F32, 0x60, 4, I32, I32, I32, I32, 0]),
    ...section(2, [1, ...name("env"), ...name("log"), 0x00, 0]),
    ...section(3, [...uleb(fns), 0, 1, 1, ...layers.map(() => 1)]),
    ...section(5, [1, 0, ...uleb(pages)]),
    ...section(7, [3, ...name("memory"), 2, 0, ...name("run"), 0, 2, ...name("runOne"), 0, 3]),
    ...section(10, [...uleb(fns), ...logfBody(), ...run, ...runOne, ...layers.flat()]),
  ]);
}

/** Predictions of a chunk, `[count][outputs]` row-major. */
export interface WasmPrediction {
  /** Ensemble mean (plus the output offset). */
  readonly mean: Float32Array<ArrayBuffer>;
  /** Ensemble spread (population standard deviation over members). */
  readonly spread: Float32Array<ArrayBuffer>;
}

/** Scores mixtures with the fused WebAssembly SIMD kernel of one ensemble. */
export class WasmEnsemble {
  readonly #memory: WebAssembly.Memory;
  readonly #run: (x: number, pairs: number, mean: number, spread: number) => void;
  readonly #runOne: (x: number, pairs: number, mean: number, spread: number) => void;
  readonly #end: number;
  readonly #m: number;
  readonly #k: number;
  #f32: Float32Array;

  /**
   * Compiles the kernel for an ensemble and writes its weights into the module's memory.
   *
   * @param ensemble The surrogate (float32 weights, as `onnxToEnsemble` gives them).
   * @throws {TypeError} When the kernel does not cover the ensemble ({@linkcode wasmUnsupported}).
   */
  constructor(ensemble: MlpEnsemble) {
    const why = wasmUnsupported(ensemble);
    if (why) throw new TypeError(`Cannot build the WebAssembly kernel: ${why}`);
    const L = layout(ensemble);
    const module = new WebAssembly.Module(moduleBytes(ensemble, L));
    const instance = new WebAssembly.Instance(module, {
      env: { log: (v: number) => Math.fround(Math.log(v)) },
    });
    this.#memory = instance.exports.memory as WebAssembly.Memory;
    type Run = (x: number, n: number, a: number, b: number) => void;
    this.#run = instance.exports.run as Run;
    this.#runOne = instance.exports.runOne as Run;
    this.#end = L.end;
    this.#m = ensemble.inputs;
    this.#k = ensemble.outputs;
    this.#f32 = new Float32Array(this.#memory.buffer);
    new Float64Array(this.#memory.buffer, 0, 32).set(LOGF_TABLE);
    POOL.forEach((v, i) => this.#f32.fill(v, POOL_AT / 4 + 4 * i, POOL_AT / 4 + 4 * i + 4));
    const f32 = this.#f32;
    f32.set(ensemble.featureShift, L.shift / 4);
    f32.set(ensemble.featureScale, L.scale / 4);
    f32.set(ensemble.offset, L.offset / 4);
    ensemble.members.forEach((ls, q) =>
      ls.forEach((l, li) => {
        const at = L.layers[q]![li]!, op = pad4(l.outputs);
        for (let i = 0; i < l.inputs; i++) {
          f32.set(l.weight.subarray(i * l.outputs, (i + 1) * l.outputs), at.w / 4 + i * op);
        }
        f32.set(l.bias, at.b / 4);
      })
    );
  }

  /** Mixture length m. */
  get inputs(): number {
    return this.#m;
  }

  /** Outputs per row k. */
  get outputs(): number {
    return this.#k;
  }

  /**
   * Scores `count` rows of `rows` (row-major float32 mixtures).
   *
   * @param rows The mixtures, at least `count · inputs` floats.
   * @param count Rows to score.
   * @returns Means and spreads, `[count][outputs]`.
   */
  predict(rows: Float32Array, count: number): WasmPrediction {
    const m = this.#m, k = this.#k, kp = pad4(k);
    // run takes QUAD rows at a time, runOne one pair: the last row fills the rest.
    const one = count === 1, padded = one ? 2 : Math.ceil(count / QUAD) * QUAD;
    const x = this.#end, mean = align16(x + padded * m * 4), spread = mean + padded * kp * 4;
    const need = spread + padded * kp * 4;
    growTo(this.#memory, need);
    if (this.#f32.buffer !== this.#memory.buffer) this.#f32 = new Float32Array(this.#memory.buffer);
    const f32 = this.#f32;
    f32.set(rows.subarray(0, count * m), x / 4);
    for (let r = count; r < padded; r++) {
      f32.copyWithin(x / 4 + r * m, x / 4 + (count - 1) * m, x / 4 + count * m);
    }
    // onnxruntime sums a one-row chunk in another order (its GEMV kernel): so does runOne.
    if (one) this.#runOne(x, 1, mean, spread);
    else this.#run(x, padded / QUAD, mean, spread);
    const outMean = new Float32Array(count * k), outSpread = new Float32Array(count * k);
    if (k === 1) {
      for (let i = 0, p = mean / 4, s = spread / 4; i < count; i++, p += 4, s += 4) {
        outMean[i] = f32[p]!;
        outSpread[i] = f32[s]!;
      }
    } else {
      for (let i = 0; i < count; i++) {
        for (let j = 0; j < k; j++) {
          outMean[i * k + j] = f32[mean / 4 + i * kp + j]!;
          outSpread[i * k + j] = f32[spread / 4 + i * kp + j]!;
        }
      }
    }
    return { mean: outMean, spread: outSpread };
  }
}
