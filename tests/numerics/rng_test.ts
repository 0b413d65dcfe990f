import { assert, assertEquals } from "../_assert.ts";
import { deriveSeed, Rng } from "../../numerics/rng.ts";

Deno.test("Rng gives the same stream for the same seed and another for another seed", () => {
  const a = new Rng(42), b = new Rng(42), c = new Rng(43);
  const xs = Array.from({ length: 5 }, () => a.next());
  assertEquals(xs, Array.from({ length: 5 }, () => b.next()));
  assert(xs[0] !== c.next());
  assertEquals(deriveSeed("t@1", 0), deriveSeed("t@1", 0));
  assert(deriveSeed("t@1", 0) !== deriveSeed("t@1", 1));
});

Deno.test("Rng.next() is uniform on [0, 1): mean and variance within 4 standard errors", () => {
  const r = new Rng(7);
  const n = 200_000;
  let s = 0, s2 = 0;
  for (let i = 0; i < n; i++) {
    const x = r.next();
    assert(x >= 0 && x < 1);
    s += x;
    s2 += x * x;
  }
  const mean = s / n, v = s2 / n - mean * mean;
  assert(Math.abs(mean - 0.5) < 4 * Math.sqrt(1 / 12 / n), `mean ${mean}`);
  assert(Math.abs(v - 1 / 12) < 0.002, `variance ${v}`);
});

Deno.test("Rng.int() covers [0, n) evenly and shuffle() permutes", () => {
  const r = new Rng(1);
  const counts = [0, 0, 0, 0];
  for (let i = 0; i < 40_000; i++) counts[r.int(4)]!++;
  for (const c of counts) assert(Math.abs(c - 10_000) < 400, `count ${c}`);
  const p = r.shuffle([0, 1, 2, 3, 4, 5, 6, 7]);
  assertEquals([...p].sort(), [0, 1, 2, 3, 4, 5, 6, 7]);
});

Deno.test("Rng.normal() has mean 0 and variance 1", () => {
  const r = new Rng(3);
  const n = 100_000;
  let s = 0, s2 = 0;
  for (let i = 0; i < n; i++) {
    const x = r.normal();
    s += x;
    s2 += x * x;
  }
  assert(Math.abs(s / n) < 4 / Math.sqrt(n));
  assert(Math.abs(s2 / n - 1) < 0.02);
});

Deno.test("Rng.fill() writes the draws of as many next() calls and leaves the stream after them", () => {
  for (const seed of [0, 1, 0xffffffff, 123456789]) {
    const a = new Rng(seed), b = new Rng(seed);
    const out = new Float64Array(1003).fill(-1);
    a.fill(out, 2, 1001);
    const want = Array.from({ length: 999 }, () => b.next());
    assertEquals(Array.from(out.subarray(2, 1001)), want);
    assertEquals([out[0], out[1], out[1001], out[1002]], [-1, -1, -1, -1]);
    assertEquals(a.nextUint32(), b.nextUint32());
  }
});

/**
 * xoshiro128** (Blackman and Vigna, 2018, reference `xoshiro128starstar.c`) on unsigned 32-bit
 * words, seeded as `Rng`'s constructor documents (four splitmix32-style outputs), written here
 * independently of numerics/rng.ts.
 */
function referenceStream(seed: number): { uint32: () => number; double: () => number } {
  let x = seed >>> 0;
  const mix = () => {
    x = (x + 0x9e3779b9) >>> 0;
    let z = x;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
  const s = [mix(), mix(), mix(), mix()];
  if ((s[0]! | s[1]! | s[2]! | s[3]!) === 0) s[0] = 1;
  const rotl = (v: number, k: number) => ((v << k) | (v >>> (32 - k))) >>> 0;
  const uint32 = () => {
    const result = Math.imul(rotl(Math.imul(s[1]!, 5) >>> 0, 7), 9) >>> 0;
    const t = (s[1]! << 9) >>> 0;
    s[2] = (s[2]! ^ s[0]!) >>> 0;
    s[3] = (s[3]! ^ s[1]!) >>> 0;
    s[1] = (s[1]! ^ s[2]!) >>> 0;
    s[0] = (s[0]! ^ s[3]!) >>> 0;
    s[2] = (s[2]! ^ t) >>> 0;
    s[3] = rotl(s[3]!, 11);
    return result;
  };
  // 53 bits: the top 27 of one output and the top 26 of the next.
  const double = () => ((uint32() >>> 5) * 2 ** 26 + (uint32() >>> 6)) / 2 ** 53;
  return { uint32, double };
}

Deno.test("Rng gives the xoshiro128** stream of an independent reference, in every method's mix", () => {
  for (const seed of [0, 1, 42, 0x7fffffff, 0x80000000, 0xffffffff, -3]) {
    const r = new Rng(seed), ref = referenceStream(seed);
    const buf = new Float64Array(5);
    for (let i = 0; i < 20_000; i++) {
      switch (i % 5) {
        case 0:
          assertEquals(r.nextUint32(), ref.uint32());
          break;
        case 1: {
          let u = 0;
          while (u === 0) u = ref.double();
          const want = Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * ref.double());
          assertEquals(r.normal(), want);
          break;
        }
        case 2:
          r.fill(buf, 1, 4);
          assertEquals(Array.from(buf.subarray(1, 4)), [ref.double(), ref.double(), ref.double()]);
          break;
        default:
          assertEquals(r.next(), ref.double());
      }
    }
  }
});
