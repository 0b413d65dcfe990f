import { assertEquals, assertRejects } from "../_assert.ts";
import { dirichlet } from "../../numerics/stats/gamma.ts";
import { Rng } from "../../numerics/rng.ts";
import {
  type BatchScorer,
  dirichletSampler,
  scoreTopK,
  scoreTopKSync,
  type SyncBatchScorer,
} from "../../numerics/topk.ts";

const t = [0.5, -1, 2, 0];
const linear: SyncBatchScorer = {
  inputs: 4,
  score(rows, count, out) {
    for (let r = 0; r < count; r++) {
      let s = 0;
      for (let j = 0; j < 4; j++) s += t[j]! * rows[r * 4 + j]!;
      out[r] = s;
    }
  },
};

function allDraws(n: number, seed: number): number[][] {
  const rng = new Rng(seed);
  return Array.from({ length: n }, () => Array.from(dirichlet(rng, [1, 1, 1, 1])));
}

Deno.test("scoreTopK() equals a full sort of the same draws, for any chunk size and direction", async () => {
  const all = allDraws(3000, 9).map((x) => ({ x, v: x.reduce((s, w, j) => s + t[j]! * w, 0) }));
  for (const direction of ["minimize", "maximize"] as const) {
    const sorted = [...all].sort((a, b) => direction === "minimize" ? a.v - b.v : b.v - a.v)
      .slice(0, 25);
    for (const chunk of [1, 7, 512, 3000, 10_000]) {
      const top = await scoreTopK(linear, dirichletSampler([1, 1, 1, 1], new Rng(9)), {
        total: 3000,
        chunk,
        k: 25,
        direction,
      });
      assertEquals(top.scored, 3000);
      assertEquals(top.values, sorted.map((e) => e.v));
      assertEquals(top.mixtures, sorted.map((e) => e.x));
    }
  }
});

Deno.test("scoreTopK() keeps the earlier draw on ties and handles k > total and total 0", async () => {
  const flat: BatchScorer = { inputs: 2, score: (_r, c, out) => void out.fill(1, 0, c) };
  let n = 0;
  const counter = (rows: Float64Array, count: number) => {
    for (let r = 0; r < count; r++, n++) rows.set([n, 0], 2 * r);
  };
  const top = await scoreTopK(flat, counter, { total: 10, chunk: 3, k: 4 });
  assertEquals(top.mixtures.map((x) => x[0]), [0, 1, 2, 3]);
  const few = await scoreTopK(linear, dirichletSampler([1, 1, 1, 1], new Rng(1)), {
    total: 5,
    k: 50,
  });
  assertEquals(few.values.length, 5);
  assertEquals((await scoreTopK(linear, () => {}, { total: 0 })).values, []);
});

Deno.test("scoreTopKSync() and scoreTopK() give the same result, the async scorer overlapping draws", async () => {
  const calls: string[] = [];
  const sampler = (seed: number, log: boolean) => {
    const inner = dirichletSampler([1, 1, 1, 1], new Rng(seed));
    return (rows: Float64Array, count: number) => {
      if (log) calls.push(`draw ${count}`);
      inner(rows, count);
    };
  };
  const slow: BatchScorer = {
    inputs: 4,
    async score(rows, count, out) {
      calls.push(`score ${count}`);
      await new Promise((r) => setTimeout(r, 1));
      linear.score(rows, count, out);
    },
  };
  const options = { total: 1000, chunk: 300, k: 7, direction: "maximize" as const };
  const a = await scoreTopK(slow, sampler(5, true), options);
  const b = scoreTopKSync(linear, sampler(5, false), options);
  assertEquals(a, b);
  // The next chunk is drawn while the previous one is being scored.
  assertEquals(calls.slice(0, 4), ["draw 300", "score 300", "draw 300", "score 300"]);
  assertEquals(calls.filter((c) => c.startsWith("draw")).length, 4);
});

Deno.test("scoreTopK() with a scorer that returns only rows below the bound gives the same result", async () => {
  const returned: number[] = [];
  const below: BatchScorer = {
    inputs: 4,
    score: linear.score,
    scoreBelow(rows, count, sign, bound) {
      const out = new Float64Array(count);
      linear.score(rows, count, out);
      const picked = Array.from(out.keys()).filter((r) => sign * out[r]! < bound);
      returned.push(picked.length);
      return Promise.resolve({
        rows: Uint32Array.from(picked),
        scores: Float64Array.from(picked, (r) => out[r]!),
      });
    },
  };
  for (const direction of ["minimize", "maximize"] as const) {
    returned.length = 0;
    const options = { total: 5000, chunk: 500, k: 20, direction };
    const a = await scoreTopK(below, dirichletSampler([1, 1, 1, 1], new Rng(8)), options);
    const b = scoreTopKSync(linear, dirichletSampler([1, 1, 1, 1], new Rng(8)), options);
    assertEquals(a, b);
    // The first chunk fills the heap with full scores; the 9 others send back candidates only.
    assertEquals(returned.length, 9);
    assertEquals(returned.reduce((x, y) => x + y, 0) < 500, true);
  }
  const bad: BatchScorer = {
    ...below,
    scoreBelow: () => Promise.resolve({ rows: Uint32Array.of(600), scores: Float64Array.of(0) }),
  };
  await assertRejects(
    () =>
      scoreTopK(bad, dirichletSampler([1, 1, 1, 1], new Rng(8)), { total: 1000, chunk: 500, k: 3 }),
    RangeError,
    /picked row 600 of a chunk of 500/,
  );
});
