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
