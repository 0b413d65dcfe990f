import { assert, assertEquals } from "../_assert.ts";
import { dirichlet } from "../../core/gamma.ts";
import { fitEnsemble, predictEnsemble } from "../../core/mlp.ts";
import { Rng } from "../../core/rng.ts";
import { ensembleToOnnx } from "../../runners/onnx_writer.ts";
import { openSession } from "../../runners/ort_session.ts";
import {
  type BatchScorer,
  dirichletSampler,
  scoreTopK,
  sessionScorer,
} from "../../runners/score.ts";

const t = [0.5, -1, 2, 0];
const linear: BatchScorer = {
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

Deno.test("scoreTopK() over an onnxruntime session picks the TypeScript model's top-k", async () => {
  const rng = new Rng(3);
  const xs = Array.from({ length: 60 }, () => Array.from(dirichlet(rng, [0.5, 0.5, 0.5, 0.5])));
  const ens = fitEnsemble(xs, xs.map((w) => [w[0]! - w[2]! * w[3]!]), {
    members: 2,
    hidden: [16],
    epochs: 40,
  });
  const session = await openSession(ensembleToOnnx(ens), { inputs: 4, outputs: 1 });
  try {
    const top = await scoreTopK(
      sessionScorer(session),
      dirichletSampler([1, 1, 1, 1], new Rng(4)),
      {
        total: 20_000,
        chunk: 4096,
        k: 10,
      },
    );
    const draws = allDraws(20_000, 4);
    const ts = predictEnsemble(ens, new Float64Array(draws.flat())).mean;
    const order = Array.from(ts.keys()).sort((a, b) => ts[a]! - ts[b]!).slice(0, 10);
    // Float32 inference may swap near-ties: compare values, and the top-3 mixtures.
    order.forEach((i, r) => assert(Math.abs(ts[i]! - top.values[r]!) < 1e-5 * Math.abs(ts[i]!)));
    assertEquals(top.mixtures.slice(0, 3), order.slice(0, 3).map((i) => draws[i]!));
  } finally {
    await session.close();
  }
});
