import { assert, assertEquals } from "../_assert.ts";
import { dirichlet } from "../../numerics/stats/gamma.ts";
import { fitEnsemble, predictEnsemble } from "../../numerics/mlp.ts";
import { Rng } from "../../numerics/rng.ts";
import { dirichletSampler, scoreTopK } from "../../numerics/topk.ts";
import { ensembleToOnnx } from "../../runners/onnx_writer.ts";
import { openSession } from "../../runners/ort_session.ts";
import { sessionScorer } from "../../runners/score.ts";

function allDraws(n: number, seed: number): number[][] {
  const rng = new Rng(seed);
  return Array.from({ length: n }, () => Array.from(dirichlet(rng, [1, 1, 1, 1])));
}

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
