/** Misbehaving methods for harness and bench tests. */

import type { MethodFactory } from "../../core/method.ts";

const first = (ctx: Parameters<MethodFactory["create"]>[0]) => ctx.targetPool![0]!;

/** Throws from ask(). */
export const throws: MethodFactory = {
  id: "throws",
  version: "1",
  description: "throws in ask",
  ranked: true,
  create: (ctx) => ({
    ask: () => {
      throw new Error("boom");
    },
    tell: () => {},
    recommend: () => ({ mixture: first(ctx) }),
  }),
};

/** Proposes a mixture with a NaN weight. */
export const nan: MethodFactory = {
  id: "nan",
  version: "1",
  description: "NaN weights",
  ranked: true,
  create: (ctx) => ({
    ask: () => [{ mixture: ctx.prior.map(() => NaN), fidelity: ctx.fidelities[0]! }],
    tell: () => {},
    recommend: () => ({ mixture: first(ctx) }),
  }),
};

/** Asks for the whole pool in one batch, past any budget. */
export const overAsks: MethodFactory = {
  id: "over-asks",
  version: "1",
  description: "asks past the budget",
  ranked: true,
  create: (ctx) => ({
    ask: () => ctx.pool!,
    tell: () => {},
    recommend: () => ({ mixture: first(ctx) }),
  }),
};

/** Recommends a mixture that is not in the target pool. */
export const offPool: MethodFactory = {
  id: "off-pool",
  version: "1",
  description: "recommends a non-member",
  ranked: true,
  create: (ctx) => ({
    ask: () => [],
    tell: () => {},
    recommend: () => ({ mixture: ctx.prior.map(() => 1 / ctx.prior.length) }),
  }),
};

/**
 * Never returns from ask(): it blocks its thread synchronously for good (an `Atomics.wait` that
 * nothing wakes), so no timer, promise or cooperative check of the harness runs again in that
 * process and only killing it ends the cell. It blocks rather than spins: a spinning loop fails
 * the same way but burned a core until the kill (about 6 s of CPU per test run).
 */
export const hangs: MethodFactory = {
  id: "hangs",
  version: "1",
  description: "blocks forever",
  ranked: true,
  create: (ctx) => ({
    ask: () => {
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0);
      throw new Error("unreachable: nothing wakes the wait");
    },
    tell: () => {},
    recommend: () => ({ mixture: first(ctx) }),
  }),
};

/** Sleeps 50 ms in every ask() (for the cooperative time limit). */
export const slow: MethodFactory = {
  id: "slow",
  version: "1",
  description: "slow asks",
  ranked: true,
  create: (ctx) => {
    let i = 0;
    return {
      ask: async () => {
        await new Promise((r) => setTimeout(r, 50));
        return [ctx.pool![i++]!];
      },
      tell: () => {},
      recommend: () => ({ mixture: first(ctx) }),
    };
  },
};
