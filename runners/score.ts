/**
 * Batched scoring through an onnxruntime surrogate session: {@linkcode sessionScorer} adapts a
 * session (CPU or GPU) to the streaming top-k scan of `numerics/topk.ts`, so that the same scan
 * code runs on either device.
 *
 * @example Score 1000 Dirichlet draws with a session and keep the best 3
 * ```ts
 * import { sessionScorer } from "./score.ts";
 * import { dirichletSampler, scoreTopK } from "../numerics/topk.ts";
 * import { openSession } from "./ort_session.ts";
 * import { ensembleToOnnx } from "./onnx_writer.ts";
 * import { fitEnsemble } from "../numerics/mlp.ts";
 * import { Rng } from "../numerics/rng.ts";
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * const xs = [[1, 0], [0, 1], [0.5, 0.5]];
 * const ens = fitEnsemble(xs, xs.map((w) => [w[0]!]), { members: 2, hidden: [4], epochs: 5 });
 * const session = await openSession(ensembleToOnnx(ens), { inputs: 2, outputs: 1 });
 * const top = await scoreTopK(sessionScorer(session), dirichletSampler([1, 1], new Rng(1)), {
 *   total: 1000,
 *   k: 3,
 * });
 * assertEquals(top.scored, 1000);
 * await session.close();
 * ```
 *
 * @module
 */

import type { BatchScorer } from "../numerics/topk.ts";
import type { SurrogateSession } from "./session.ts";

/** Options of {@linkcode sessionScorer}. */
export interface SessionScorerOptions {
  /** Output column scored (of the session's k outputs). @default {0} */
  output?: number;
  /** Add this many ensemble spreads to the mean (an optimistic or pessimistic bound). @default {0} */
  spread?: number;
}

/**
 * A batched scorer over a surrogate session (CPU or GPU): the ensemble mean of one output,
 * optionally plus a multiple of the spread. On a session that selects on the device (WGSL), the
 * scorer also offers `scoreBelow`, so that a scan reads back only the rows that may enter its
 * top-k; their scores are computed here in the same way as `score`'s. On a multi-threaded SIMD
 * session `score` runs on the worker threads alone (`runOffThread`: the same predictions), so that
 * the scan's sampling of the next chunk overlaps the scoring of this one.
 *
 * @param session An open session.
 * @param options Which output, and the spread multiple.
 * @returns The scorer.
 */
export function sessionScorer(
  session: SurrogateSession,
  options: SessionScorerOptions = {},
): BatchScorer {
  const col = options.output ?? 0, kappa = options.spread ?? 0;
  const k = session.outputs;
  let f32 = new Float32Array(0);
  const toF32 = (rows: Float64Array, count: number): Float32Array => {
    if (f32.length < count * session.inputs) f32 = new Float32Array(count * session.inputs);
    for (let i = 0; i < count * session.inputs; i++) f32[i] = rows[i]!;
    return f32;
  };
  const value = (mean: number, spread: number) => mean + (kappa === 0 ? 0 : kappa * spread);
  // The scan draws its next chunk while this one is scored: on a session that can score off the
  // calling thread, the draws and the scoring overlap instead of taking turns.
  const run = (session.runOffThread ?? session.run).bind(session);
  const scorer: BatchScorer = {
    inputs: session.inputs,
    async score(rows, count, out) {
      const { mean, spread } = await run(toF32(rows, count), count);
      for (let r = 0; r < count; r++) out[r] = value(mean[r * k + col]!, spread[r * k + col]!);
    },
  };
  const below = session.runBelow?.bind(session);
  if (!below) return scorer;
  return {
    ...scorer,
    async scoreBelow(rows, count, sign, bound) {
      const s = await below(toF32(rows, count), count, { column: col, kappa, sign, bound });
      return { rows: s.rows, scores: Float64Array.from(s.mean, (m, i) => value(m, s.spread[i]!)) };
    },
  };
}
