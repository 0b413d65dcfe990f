/**
 * The numerics of mixbench, a leaf that imports nothing else of the project: the seeded RNG,
 * linear algebra, optimisers, distributions and statistics, the Gaussian process, the
 * LightGBM-like GBDT, the MLP ensemble and the batched top-k scan.
 *
 * @example
 * ```ts
 * import { Rng, spearman } from "./mod.ts";
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * assertEquals(new Rng(1).int(1), 0);
 * assertEquals(spearman([1, 2, 3], [10, 20, 30]), 1);
 * ```
 *
 * @module
 */

export * from "./rng.ts";
export * from "./linalg/cholesky.ts";
export * from "./linalg/lstsq.ts";
export * from "./optim/brent.ts";
export * from "./optim/lbfgs.ts";
export * from "./optim/simplex.ts";
export * from "./stats/correlation.ts";
export * from "./stats/noise.ts";
export * from "./stats/gamma.ts";
export * from "./stats/huber.ts";
export * from "./stats/normal.ts";
export * from "./stats/qmc.ts";
export * from "./stats/summary.ts";
export * from "./gp/gp.ts";
export * from "./gbdt/gbdt.ts";
export * from "./mlp.ts";
export * from "./topk.ts";
export * from "./lm/hashed_lm.ts";
export * from "./lm/dirichlet_ngram.ts";
