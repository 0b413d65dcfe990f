import { assertEquals } from "../_assert.ts";
import { name, section, wasmModule } from "../../numerics/_wasm_binary.ts";
import * as W from "../../numerics/_wasm_ops.ts";

/** Instantiates one exported function `f` of type `params → results` with the given body. */
function fn(
  params: readonly number[],
  results: readonly number[],
  locals: readonly (readonly [number, number])[],
  code: readonly number[],
): { f: (...args: number[]) => number; memory: WebAssembly.Memory } {
  const bytes = wasmModule(
    section(1, [1, 0x60, params.length, ...params, results.length, ...results]),
    section(3, [1, 0]),
    section(5, [1, 0, 1]),
    section(7, [2, ...name("f"), 0, 0, ...name("memory"), 2, 0]),
    section(10, [1, ...W.body(locals, [...code])]),
  );
  const e = new WebAssembly.Instance(new WebAssembly.Module(bytes)).exports;
  return { f: e.f as (...args: number[]) => number, memory: e.memory as WebAssembly.Memory };
}

Deno.test("_wasm_ops encodes immediates as the binary format's LEB128 and little-endian bytes", () => {
  assertEquals(W.get(128), [0x20, 0x80, 0x01]);
  assertEquals(W.set(3), [0x21, 3]);
  assertEquals(W.tee(300), [0x22, 0xac, 0x02]);
  assertEquals(W.i32c(-1), [0x41, 0x7f]);
  assertEquals(W.i32c(64), [0x41, 0xc0, 0x00]);
  assertEquals(W.i32c(0x80000000), [0x41, 0x80, 0x80, 0x80, 0x80, 0x78]);
  assertEquals(W.f64c(1), [0x44, 0, 0, 0, 0, 0, 0, 0xf0, 0x3f]);
  assertEquals(W.f32c(-2), [0x43, 0, 0, 0, 0xc0]);
  assertEquals(W.f64Load(200), [0x2b, 3, 0xc8, 0x01]);
  assertEquals(W.v128Load64Lane(8, 1), [0xfd, 0x57, 3, 8, 1]);
  assertEquals(W.f32x4Pmin, [0xfd, 0xea, 0x01]);
  assertEquals(W.call(2), [0x10, 2]);
});

Deno.test("_wasm_ops forLoop, whileLoop, ifThen and bump run as their JavaScript loops", () => {
  const { I32 } = W;
  // f(n): s = Σ_{i<n} i (forLoop); t = Σ of the odd i below n (whileLoop, ifThen); s·1000 + t.
  const [n, i, s, j, t] = [0, 1, 2, 3, 4];
  const { f } = fn([I32], [I32], [[4, I32]], [
    ...W.forLoop(i, n, W.bump(s, W.get(i))),
    ...W.whileLoop([...W.get(j), ...W.get(n), ...W.i32LtU], [
      ...W.ifThen([...W.get(j), ...W.i32c(1), ...W.i32And], W.bump(t, W.get(j))),
      ...W.bump(j, 1),
    ]),
    ...W.get(s),
    ...W.i32c(1000),
    ...W.i32Mul,
    ...W.get(t),
    ...W.i32Add,
  ]);
  for (const count of [0, 1, 2, 7, 100]) {
    let sum = 0, odd = 0;
    for (let k = 0; k < count; k++) {
      sum += k;
      if (k & 1) odd += k;
    }
    assertEquals(f(count), sum * 1000 + odd, `n = ${count}`);
  }
});

Deno.test("_wasm_ops f64x2 and f32x4 arithmetic agree lane by lane with JavaScript's", () => {
  const { I32 } = W;
  const a = [1.5, -2.25], b = [0.1, 3];
  const f64x2: [readonly number[], (x: number, y: number) => number][] = [
    [W.f64x2Add, (x, y) => x + y],
    [W.f64x2Sub, (x, y) => x - y],
    [W.f64x2Mul, (x, y) => x * y],
    [W.f64x2Div, (x, y) => x / y],
    [W.f64x2Max, Math.max],
  ];
  for (const [op, js] of f64x2) {
    // (out, a, b): out ← a op b, 16-byte vectors at byte addresses.
    const { f, memory } = fn([I32, I32, I32], [], [], [
      ...W.get(0),
      ...W.get(1),
      ...W.v128Load(),
      ...W.get(2),
      ...W.v128Load(),
      ...op,
      ...W.v128Store(),
    ]);
    const m = new Float64Array(memory.buffer);
    m.set([...a, ...b], 2);
    f(0, 16, 32);
    assertEquals([m[0], m[1]], [js(a[0]!, b[0]!), js(a[1]!, b[1]!)]);
  }
  const fr = Math.fround;
  const f32x4: [readonly number[], (x: number, y: number) => number][] = [
    [W.f32x4Add, (x, y) => fr(x + y)],
    [W.f32x4Sub, (x, y) => fr(x - y)],
    [W.f32x4Mul, (x, y) => fr(x * y)],
    [W.f32x4Div, (x, y) => fr(x / y)],
    [W.f32x4Pmin, (x, y) => (y < x ? y : x)],
    [W.f32x4Pmax, (x, y) => (x < y ? y : x)],
  ];
  const p = [1.5, -2.25, 0.1, 7], q = [0.3, 3, -0.5, 7];
  for (const [op, js] of f32x4) {
    const { f, memory } = fn([I32, I32, I32], [], [], [
      ...W.get(0),
      ...W.get(1),
      ...W.v128Load(),
      ...W.get(2),
      ...W.v128Load(),
      ...op,
      ...W.v128Store(),
    ]);
    const m = new Float32Array(memory.buffer);
    m.set([...p, ...q], 4);
    f(0, 16, 32);
    const pf = p.map(fr), qf = q.map(fr);
    assertEquals(Array.from(m.subarray(0, 4)), pf.map((x, k) => js(x, qf[k]!)));
  }
});

Deno.test("_wasm_ops f64 constants, splats, lane extraction and conversions round-trip", () => {
  const { F64, I32 } = W;
  const { f } = fn([I32], [F64], [], [
    ...W.f64c(0.1),
    ...W.f64x2Splat,
    ...W.f64x2ExtractLane(1),
    ...W.get(0),
    ...W.f64ConvertI32S,
    ...W.f64Add,
    ...W.f32DemoteF64,
    ...W.f64PromoteF32,
  ]);
  assertEquals(f(-3), Math.fround(0.1 + -3));
});
