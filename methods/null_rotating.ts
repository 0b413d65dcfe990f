/**
 * `null-rotating` — a control, not an optimiser: it buys only runs of the cheapest fidelity, in
 * random order, learns nothing from them, and recommends a target-pool member drawn uniformly
 * at random afresh at every call. It exists to show what a cost-to-target metric measures
 * (issue 18): read as "best recommended so far" (the running maximum that ADMIRE-BayesOpt's
 * scripts print, `mfbayesopt_maxvalue.py` L232 and `bayesopt_admire_ift_runs.py` L159), a
 * recommender that keeps changing its pick eventually "reaches" any level, after about as many
 * cheap rounds as the pool has members per hit; read as "the recommendation at cost c" (what a
 * user who stops at c gets), it reaches a level only by luck at the very end.
 *
 * Not in the default bench (`CONTROLS` in `methods/mod.ts`); `deno task reproduce admire` runs
 * it as a control row.
 *
 * @module
 */

import type { MethodFactory } from "../core/method.ts";
import type { Proposal } from "../core/types.ts";

/**
 * The null rotating recommender (see the module doc).
 *
 * @example
 * ```ts
 * import { nullRotating } from "./null_rotating.ts";
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * assertEquals([nullRotating.id, nullRotating.ranked], ["null-rotating", false]);
 * ```
 */
export const nullRotating: MethodFactory = {
  id: "null-rotating",
  version: "1",
  description: "Control: buys cheapest-fidelity runs and recommends a fresh random pool member",
  ranked: false,
  modes: ["pool"],
  create(ctx) {
    if (ctx.mode !== "pool" || !ctx.pool || !ctx.targetPool || ctx.targetPool.length === 0) {
      throw new TypeError(`Method "null-rotating" supports pool mode only`);
    }
    const cheapest = ctx.fidelities[0]!;
    const cost = ctx.costs[cheapest]!;
    const order: Proposal[] = ctx.rng.shuffle(ctx.pool.filter((p) => p.fidelity === cheapest));
    const targets = ctx.targetPool;
    let next = 0;
    return {
      ask({ remaining }) {
        if (next >= order.length || cost > remaining + 1e-9) return [];
        return [order[next++]!];
      },
      tell() {},
      recommend() {
        return { mixture: targets[ctx.rng.int(targets.length)]! };
      },
    };
  },
};
