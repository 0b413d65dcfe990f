/**
 * The template for a new method: copy this file to `methods/<your_method>.ts`, rename the export
 * and the id, and add one import and one entry to `METHODS` in `methods/mod.ts` (README, "Add a
 * method"). It is a complete, working method — a local search over the pool — so that the copy
 * runs before you change anything: `deno task bench --methods template-local-search --quick`
 * after registering it, or, without registering, `deno task bench --quick --methods
 * methods/_template.ts#templateLocalSearch`.
 *
 * What a method receives (`ctx`, read-only; see `core/method.ts`): the domains and their prior,
 * the objective's direction, the queryable fidelities and their costs, the budget, a seeded RNG
 * (`ctx.rng`: use no other randomness, so that the same seed gives the same results), and in
 * pool (replay) mode the pool of mixtures it may query and the target pool its recommendation
 * is mapped into. It never sees the run table: values arrive only through `tell`.
 *
 * Continuous mode (any mixture may be proposed): on the surrogate tasks the runner trusts its
 * model only inside a trust region, and `ctx.feasible[fidelity]` says where (`core/feasible.ts`:
 * per-domain `upper`/`lower` bounds, an L1 `radius` around the table's run mixtures at that
 * fidelity, `contains(w)`, `distance(w)`, `repair(w)`). A query outside it is answered with the
 * table's worst run, and a recommendation outside it is scored so: keep proposals and the
 * recommendation inside (e.g. reject samples with `contains`, or move a point in with
 * `repair`). `ctx.feasible` is absent in pool mode and on tasks that answer any mixture.
 *
 * The method: query `explore` random pool members at the target fidelity (or, on transfer tasks
 * where the target cannot be queried, at the cheapest fidelity), then repeatedly query the
 * unqueried member nearest (L1) to the best mixture observed so far; recommend the best observed.
 * Doc comments of real methods cite the paper and section they implement and list every
 * departure from the reference code.
 *
 * @module
 */

import type { Method, MethodContext, MethodFactory } from "../core/method.ts";
import { l1Distance, nearestIndex } from "../core/mixture.ts";
import type { Observation, Proposal } from "../core/types.ts";

/** Options of {@linkcode templateLocalSearchWith}. */
export interface TemplateOptions {
  /** Random pool draws before the local search starts. @default {8} */
  explore?: number;
}

/**
 * Builds the template method with options (a factory function, as for methods with options).
 *
 * @param options Number of random draws first.
 * @returns The method factory.
 */
export function templateLocalSearchWith(options: TemplateOptions = {}): MethodFactory {
  const explore = options.explore ?? 8;
  return {
    // A stable id: results lines, leaderboards and `--methods` use it.
    id: "template-local-search",
    // Its version, written in every results line: bump it whenever its results may change.
    version: "1",
    // One line for `list`, run.json and the report.
    description: "Template: random draws, then the nearest unqueried neighbour of the best",
    // Ranked on leaderboards (false only for oracle references).
    ranked: true,
    // The task modes it runs (pool: replay tables; continuous: surrogate and training tasks,
    // where any mixture may be proposed). The bench schedules it on those tasks only.
    modes: ["pool"],
    create(ctx) {
      // A method that cannot run a task says so by throwing: its cell fails with this message.
      if (ctx.mode !== "pool" || !ctx.pool || !ctx.targetPool) {
        throw new TypeError(`Method "template-local-search" supports pool mode only`);
      }
      return localSearch(ctx, ctx.pool, ctx.targetPool, explore);
    },
  };
}

/** The template method with its defaults. */
export const templateLocalSearch: MethodFactory = templateLocalSearchWith();

function localSearch(
  ctx: MethodContext,
  pool: readonly Proposal[],
  targetPool: NonNullable<MethodContext["targetPool"]>,
  explore: number,
): Method {
  const fidelity = ctx.fidelities.includes(ctx.targetFidelity)
    ? ctx.targetFidelity
    : ctx.fidelities[0]!;
  // The members at the chosen fidelity, in a seeded random order.
  const open: Proposal[] = ctx.rng.shuffle(pool.filter((p) => p.fidelity === fidelity));
  const better = (a: number, b: number) => ctx.objective.direction === "minimize" ? a < b : a > b;
  let best: Observation | undefined;
  let asked = 0;
  return {
    // Called until it returns []; every proposal is charged its fidelity's cost.
    ask({ remaining }) {
      if (open.length === 0 || ctx.costs[fidelity]! > remaining + 1e-9) return [];
      let i = 0;
      if (best && asked >= explore) {
        const anchor = best.mixture;
        // Ties go to the earlier member of the shuffled order (a seeded, stated rule).
        for (let j = 1; j < open.length; j++) {
          if (l1Distance(open[j]!.mixture, anchor) < l1Distance(open[i]!.mixture, anchor)) i = j;
        }
      }
      asked++;
      return [open.splice(i, 1)[0]!];
    },
    // The runner's answers, in the order of the proposals.
    tell(observations) {
      for (const o of observations) {
        if (!best || better(o.value, best.value)) best = o;
      }
    },
    // Called at every budget checkpoint: the mixture judged at the target fidelity.
    recommend() {
      const w = best ? best.mixture : ctx.prior;
      return { mixture: targetPool[nearestIndex(targetPool, w)]! };
    },
  };
}
