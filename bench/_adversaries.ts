/**
 * Adversarial methods for the surrogate gate of `deno task surrogates` (bench/surrogates.ts) and
 * its tests: methods that try to win a continuous task by exploiting where the surrogate model is
 * wrong rather than by optimising the mixture. They are never ranked and never offered by the
 * method registry; the gate runs them against every continuous task and offers a task only when
 * none of them beats the table's best real run by more than a stated tolerance.
 *
 * - `adv-corners`: every one-hot mixture, then 2- and 3-domain corners (equal weights), in a
 *   seeded random order; recommends the best observed.
 * - `adv-sparse`: random supports of 2–4 domains with flat Dirichlet weights on them.
 * - `adv-big-step`: RegMix-style draws (Dirichlet around the √-tempered prior, strength 0.1 … 5)
 *   for a quarter of the budget, then greedy local search from the best with large steps (move
 *   30–90% of one domain's weight, or of the whole mixture, to another domain).
 * - `adv-direct`: maximises the runner's answer directly, outside the budget (a model-access
 *   oracle: 20 000 candidates of every kind above, then 30 rounds of multiplicative refinement
 *   around the best 8), and spends one query on the winner.
 *
 * All randomness comes from the context's rng. None of them is a published method.
 *
 * @module
 */

import type { Method, MethodContext, MethodFactory } from "../core/method.ts";
import type { Mixture, Observation } from "../core/types.ts";
import type { Rng } from "../numerics/rng.ts";
import { dirichlet } from "../numerics/stats/gamma.ts";

/** Scores mixtures at the target fidelity the way the runner answers them. */
export type ModelAccess = (mixtures: readonly Mixture[]) => Promise<readonly number[]>;

function better(ctx: MethodContext): (a: number, b: number) => boolean {
  return ctx.objective.direction === "minimize" ? (a, b) => a < b : (a, b) => a > b;
}

/** A method that proposes from a generator, one per ask, and recommends the best observed. */
function fromGenerator(
  ctx: MethodContext,
  next: (best: Observation | undefined, rng: Rng) => Mixture,
): Method {
  const f = ctx.targetFidelity;
  const cost = ctx.costs[f];
  if (ctx.mode !== "continuous" || cost === undefined) {
    throw new TypeError("Adversaries run in continuous mode at a queryable target fidelity");
  }
  const b = better(ctx);
  let best: Observation | undefined;
  return {
    ask({ remaining }) {
      if (cost > remaining + 1e-9) return [];
      return [{ mixture: next(best, ctx.rng), fidelity: f }];
    },
    tell(obs) {
      for (const o of obs) if (!best || b(o.value, best.value)) best = o;
    },
    recommend() {
      return { mixture: best ? best.mixture : ctx.prior };
    },
  };
}

function corners(m: number, rng: Rng): Mixture[] {
  const one: Mixture[] = Array.from({ length: m }, (_, j) => onHot(m, [j]));
  const more: Mixture[] = [];
  for (let a = 0; a < m; a++) {
    for (let b = a + 1; b < m; b++) {
      more.push(onHot(m, [a, b]));
      for (let c = b + 1; c < m && m <= 24; c++) more.push(onHot(m, [a, b, c]));
    }
  }
  return [...rng.shuffle(one), ...rng.shuffle(more)];
}

function onHot(m: number, support: readonly number[]): Mixture {
  const w = new Array<number>(m).fill(0);
  for (const j of support) w[j] = 1 / support.length;
  return w;
}

function sparse(m: number, rng: Rng): Mixture {
  const k = 2 + rng.int(3);
  const support = rng.shuffle(Array.from({ length: m }, (_, j) => j)).slice(0, k);
  const x = dirichlet(rng, new Array(k).fill(1));
  const w = new Array<number>(m).fill(0);
  support.forEach((j, i) => (w[j] = x[i]!));
  return w;
}

function regmixStyle(prior: Mixture, rng: Rng): Mixture {
  const tp = prior.map((p) => Math.sqrt(p));
  const s = tp.reduce((a, b) => a + b, 0);
  const strength = 0.1 * 50 ** rng.next();
  return Array.from(dirichlet(rng, tp.map((t) => Math.max(1e-3, (t / s) * strength))));
}

function bigStep(w: Mixture, rng: Rng): Mixture {
  const m = w.length;
  const out = [...w];
  const to = rng.int(m);
  const share = 0.3 + 0.6 * rng.next();
  if (rng.next() < 0.3) {
    for (let j = 0; j < m; j++) out[j] = out[j]! * (1 - share);
    out[to] = out[to]! + share;
  } else {
    const from = rng.int(m);
    const moved = out[from]! * share;
    out[from] = out[from]! - moved;
    out[to] = out[to]! + moved;
  }
  const sum = out.reduce((a, b) => a + b, 0);
  return out.map((x) => x / sum);
}

/** One-hot mixtures, then 2- and 3-domain corners. */
export const advCorners: MethodFactory = {
  id: "adv-corners",
  version: "1",
  description: "Adversary: one-hot and 2–3-domain corner mixtures",
  ranked: false,
  create(ctx) {
    let list: Mixture[] | undefined;
    let i = 0;
    return fromGenerator(ctx, (_best, rng) => {
      list ??= corners(ctx.prior.length, rng);
      return list[i++ % list.length]!;
    });
  },
};

/** Random 2–4-domain supports with flat Dirichlet weights. */
export const advSparse: MethodFactory = {
  id: "adv-sparse",
  version: "1",
  description: "Adversary: sparse mixtures on 2–4 random domains",
  ranked: false,
  create: (ctx) => fromGenerator(ctx, (_best, rng) => sparse(ctx.prior.length, rng)),
};

/** RegMix-style draws, then greedy large-step local search from the best. */
export const advBigStep: MethodFactory = {
  id: "adv-big-step",
  version: "1",
  description: "Adversary: RegMix-style draws, then greedy large steps from the best",
  ranked: false,
  create(ctx) {
    const warm = Math.max(2, Math.floor(ctx.budget / ctx.costs[ctx.targetFidelity]! / 4));
    let asked = 0;
    return fromGenerator(
      ctx,
      (best, rng) =>
        asked++ < warm || !best ? regmixStyle(ctx.prior, rng) : bigStep(best.mixture, rng),
    );
  },
};

/**
 * The direct model maximiser: searches the runner's answers outside the budget.
 *
 * @param access Scores mixtures the way the task's runner answers them at the target fidelity.
 * @param candidates Candidates of the first stage. @default {20000}
 * @returns The adversary.
 */
export function advDirect(access: ModelAccess, candidates = 20_000): MethodFactory {
  return {
    id: "adv-direct",
    version: "1",
    description: "Adversary: maximises the runner's answers directly (model access)",
    ranked: false,
    create(ctx) {
      const f = ctx.targetFidelity;
      const b = better(ctx);
      const m = ctx.prior.length;
      let found: Mixture | undefined;
      let best: Observation | undefined;
      const search = async (): Promise<Mixture> => {
        const rng = ctx.rng;
        const pool: Mixture[] = [...corners(m, rng).slice(0, candidates / 4)];
        while (pool.length < candidates) {
          const k = pool.length % 3;
          pool.push(
            k === 0
              ? sparse(m, rng)
              : k === 1
              ? regmixStyle(ctx.prior, rng)
              : Array.from(dirichlet(rng, new Array(m).fill(1))),
          );
        }
        const values = [...await access(pool)];
        const order = values.map((_, i) => i).sort((x, y) =>
          b(values[x]!, values[y]!) ? -1 : b(values[y]!, values[x]!) ? 1 : x - y
        );
        const starts = order.slice(0, 8).map((i) => ({ w: pool[i]!, v: values[i]! }));
        for (let r = 0; r < 30; r++) {
          const sigma = 1 * (0.02 / 1) ** (r / 29);
          const batch: Mixture[] = [];
          for (const s of starts) {
            for (let t = 0; t < 32; t++) {
              const w = s.w.map((x) => (x + 1e-4) * Math.exp(sigma * rng.normal()));
              const sum = w.reduce((a, c) => a + c, 0);
              batch.push(w.map((x) => x / sum));
            }
          }
          const vs = await access(batch);
          starts.forEach((s, i) => {
            for (let t = 0; t < 32; t++) {
              const v = vs[i * 32 + t]!;
              if (b(v, s.v)) {
                s.v = v;
                s.w = batch[i * 32 + t]!;
              }
            }
          });
        }
        let top = starts[0]!;
        for (const s of starts) if (b(s.v, top.v)) top = s;
        return top.w;
      };
      return {
        async ask({ remaining }) {
          if (found || ctx.costs[f]! > remaining + 1e-9) return [];
          found = await search();
          return [{ mixture: found, fidelity: f }];
        },
        tell(obs) {
          for (const o of obs) if (!best || b(o.value, best.value)) best = o;
        },
        recommend() {
          return { mixture: best ? best.mixture : ctx.prior };
        },
      };
    },
  };
}

/**
 * The gate's adversaries.
 *
 * @param access Model access for {@linkcode advDirect}.
 * @returns Corners, sparse, big-step and direct.
 */
export function adversaries(access: ModelAccess): MethodFactory[] {
  return [advCorners, advSparse, advBigStep, advDirect(access)];
}
