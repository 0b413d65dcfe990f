/**
 * `best-of-pool` — oracle upper reference: recommends the target-pool member with the best true
 * objective value, without running anything. Shown in reports, never ranked.
 *
 * @module
 */

import type { MethodFactory } from "../core/method.ts";

/** The oracle reference. */
export const bestOfPool: MethodFactory = {
  id: "best-of-pool",
  version: "1",
  description: "Oracle: the best target-pool member by its true value (shown, never ranked)",
  ranked: false,
  oracle: true,
  modes: ["pool"],
  create(ctx) {
    const values = ctx.oracle;
    const pool = ctx.targetPool;
    if (!values || !pool) {
      throw new TypeError(`Method "best-of-pool" needs the target pool's values`);
    }
    const sign = ctx.objective.direction === "minimize" ? 1 : -1;
    let best = 0;
    values.forEach((v, i) => {
      if (sign * v < sign * values[best]!) best = i;
    });
    return { ask: () => [], tell: () => {}, recommend: () => ({ mixture: pool[best]! }) };
  },
};
