import { assert, assertEquals, assertThrows } from "../_assert.ts";
import { HashedLm, warmupCosine } from "../../numerics/lm/hashed_lm.ts";
import { DirichletNgram } from "../../numerics/lm/dirichlet_ngram.ts";
import { Rng } from "../../numerics/rng.ts";

const text = new TextEncoder().encode(
  "The quick brown fox jumps over the lazy dog. Über naïve café — 123 {x: y}; ".repeat(3),
);

/** A model with random weights on a 2^-8 grid (exact in float32, so ±2^-6 is exact too). */
function randomModel(bits = 8): HashedLm {
  const lm = new HashedLm({ tableBits: bits });
  const rng = new Rng(5);
  for (let j = 0; j < lm.size; j++) lm.setWeight(j, Math.round((rng.next() * 2 - 1) * 256) / 256);
  return lm;
}

Deno.test("HashedLm.loss() is a normalised distribution over the 256 bytes in every context", () => {
  const lm = randomModel();
  for (const prefix of [[], [104], [32, 116, 104], [1, 2, 3, 4, 5, 6]]) {
    let total = 0;
    for (let y = 0; y < 256; y++) {
      const bytes = new Uint8Array([...prefix, y]);
      const before = lm.loss(bytes, 0, prefix.length);
      total += Math.exp(-(lm.loss(bytes, 0, bytes.length) - before));
    }
    assert(Math.abs(total - 1) < 1e-9, `Σ P(y) = ${total} after ${prefix}`);
  }
});

Deno.test("HashedLm.accumulate() gradient matches central finite differences", () => {
  const lm = randomModel();
  const loss0 = lm.accumulate(text, 0, text.length);
  assert(Math.abs(loss0 - lm.loss(text, 0, text.length)) < 1e-9);
  const touched = lm.touched();
  assert(touched.length > 100, `${touched.length} touched weights`);
  const rng = new Rng(9);
  const h = 1 / 64;
  let checked = 0;
  for (let k = 0; k < 40; k++) {
    const j = touched[rng.int(touched.length)]!;
    const w = lm.weight(j);
    lm.setWeight(j, w + h);
    const up = lm.loss(text, 0, text.length);
    lm.setWeight(j, w - h);
    const down = lm.loss(text, 0, text.length);
    lm.setWeight(j, w);
    const fd = (up - down) / (2 * h);
    const g = lm.gradient(j);
    assert(Math.abs(fd - g) < 2e-3 * Math.max(1, Math.abs(g)), `weight ${j}: fd ${fd}, grad ${g}`);
    checked++;
  }
  assertEquals(checked, 40);
  // An untouched weight has no gradient and does not change the loss.
  const untouched = [...Array(lm.size).keys()].find((j) => (j & 15) !== 0 && !touched.includes(j))!;
  assertEquals(lm.gradient(untouched), 0);
});

Deno.test("HashedLm.adamStep() moves a touched weight by lr · g / (|g| + ε) on the first step", () => {
  const lm = randomModel();
  lm.accumulate(text, 0, 40);
  const touched = lm.touched();
  const before = [...touched].map((j) => [lm.weight(j), lm.gradient(j)] as const);
  lm.adamStep(0.01, 0.5);
  touched.forEach((j, i) => {
    const [w, g] = before[i]!;
    const expected = Math.fround(w - 0.01 * (0.5 * g) / (Math.abs(0.5 * g) + 1e-8));
    assert(Math.abs(lm.weight(j) - expected) < 1e-6, `weight ${j}`);
    assertEquals(lm.gradient(j), 0);
  });
  assertEquals(lm.touched().length, 0);
});

Deno.test("HashedLm training is deterministic: same inputs, bit-identical losses", () => {
  const run = () => {
    const lm = new HashedLm({ tableBits: 10 });
    const out: number[] = [];
    for (let s = 0; s < 30; s++) {
      out.push(lm.accumulate(text, (s * 7) % 64, (s * 7) % 64 + 100));
      lm.adamStep(warmupCosine(s, { peak: 0.05, warmup: 3, total: 30 }), 1 / 100);
    }
    return out;
  };
  assertEquals(run(), run());
});

Deno.test("HashedLm checkpoint() / restore() give back the same losses", () => {
  const lm = new HashedLm({ tableBits: 10 });
  lm.accumulate(text, 0, 100);
  lm.adamStep(0.05, 0.01);
  const state = lm.checkpoint();
  const at = lm.loss(text, 0, text.length);
  lm.accumulate(text, 0, 100);
  lm.adamStep(0.05, 0.01);
  assert(lm.loss(text, 0, text.length) !== at);
  lm.restore(state);
  assertEquals(lm.loss(text, 0, text.length), at);
  assertEquals(lm.steps, 1);
  assertThrows(
    () => lm.restore(new HashedLm({ tableBits: 9 }).checkpoint()),
    RangeError,
    /weights/,
  );
});

Deno.test("HashedLm learns a text below its count-based bigram", () => {
  const lm = new HashedLm({ tableBits: 12 });
  for (let s = 0; s < 200; s++) {
    lm.accumulate(text, 0, text.length);
    lm.adamStep(warmupCosine(s, { peak: 0.05, warmup: 10, total: 200 }), 1 / text.length);
  }
  const bigram = new DirichletNgram(2);
  bigram.count(text);
  const bits = lm.loss(text, 0, text.length) / text.length / Math.LN2;
  assert(bits < bigram.crossEntropy(text), `${bits} bits/byte`);
});

Deno.test("DirichletNgram matches the smoothing formulas of corpus.md §3 by hand", () => {
  const m = new DirichletNgram(2);
  m.count(new TextEncoder().encode("abab"));
  // P1(a) = (2+1)/(4+256); P2(b|a) = (2 + 2·P1(b))/(2 + 2); P1(a) for the first byte.
  const p1 = 3 / 260;
  const p2 = (2 + 2 * p1) / 4;
  const expected = -(Math.log2(p1) + Math.log2(p2)) / 2;
  assert(Math.abs(m.crossEntropy(new TextEncoder().encode("ab")) - expected) < 1e-12);
});

Deno.test("HashedLm rejects bad options", () => {
  assertThrows(() => new HashedLm({ tableBits: 3 }), RangeError, /tableBits/);
  assertThrows(() => new HashedLm({ tableBits: 10, orders: [5] }), RangeError, /orders/);
});
