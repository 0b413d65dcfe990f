/**
 * `olmix` — Olmix (Chen, Murray, Heineman, Jordan, Hajishirzi, Ré, Soldaini, Lo; 2026;
 * arXiv:2602.12237; `allenai/olmix`, methods.md §15 and the §23 corrections) with its
 * defaults: log-linear regressors `ŷ_k(p) = exp(a_k) + exp(t_kᵀp)`, one per metric, fitted with
 * the DML multi-start L-BFGS + Huber procedure (δ 0.02, a ∈ linspace(−2, 1.5, 10) × 30 random
 * t, 100 outer rounds of 20 iterations, memory kept across rounds), and the exact proposer
 * `argmin Σ_k v_k·exp(t_kᵀx) + λ·KL(x ‖ q)` over the capped simplex (q = the prior floored at
 * 1e-12), solved by methods/_kl_proposer.ts.
 *
 * Per-metric laws (`olmix/fit/core.py`): when the objective is an affine function of table
 * metrics with positive loss-like weights (the tasks' `mean_bpb` and `mean_loss`, expanded
 * through the table cards' `definition`s), one law is fitted per metric and the proposer sums
 * their exponential terms with the objective's weights (v uniform for a mean, as Olmix's
 * default `obj_weights`). A single metric, a non-linear objective expression, or runs without
 * the component values (surrogate answers) get one law fitted to the objective itself
 * (methods/_metric_laws.ts).
 *
 * Where the defaults come from:
 * - λ (`kl_reg`): 0.05 on the `olmix/superswarm-*` tasks, the value of the fit config that
 *   produced that table (`configs/fits/full_recomputation_c3_seed_0.yaml`, `proposer.kl_reg`);
 *   0.1 elsewhere, the value of Olmix's example configs and docs (`configs/examples/fit/
 *   example.yaml`); the `lambda` option overrides both.
 * - Repetition caps `min(token_count · repetition_factor / target_tokens, 1)`: factor 4 and
 *   target 1e12 tokens, the `constraints` block of both configs. They apply when the table's
 *   domains carry token counts; a domain without a count is uncapped, and caps summing below 1
 *   (counts that are not tokens, e.g. ADMIRE's sample counts) are not applied.
 * - The own entry of each t starts at −U(0,1) on the domain the metric is named after (none for
 *   the superswarm's task metrics); the reference starts it at the metric's list index
 *   (`ownStart: "metric-index"`); see the README for the measured effect.
 *
 * Fast mode (the default; issue 11): only a cell's first fit starts from the grid,
 * refining the best 2 screened starts per law (`firstRefine`); every later checkpoint's fit
 * refines the previous fit's law of the same metric on the grown run set (a warm start, with a
 * quarter of the round budget: 25 of 100 rounds, `warmSteps`) plus the best `warmRefine`
 * (default 1) of the first fit's 64 best screened starts screened again. Exact mode
 * (`olmix@exact`, also used by the Predict track) refines the best 8 screened starts
 * at every fit. Final scores of the two over 10 seeds: the README's "Speed" section.
 *
 * Departures: the start grid is screened to the best 8 starts (methods/_exp_law.ts; `refine`);
 * on the superswarm all 110 BPB metrics of the objective are fitted (the fit config drops 7 of
 * them, the task's objective keeps them); maximised objectives bounded above are fitted as
 * `upper − y`; in pool mode the recommendation is the target-pool member nearest (L1) to the
 * proposal. On a task with a feasible set (`ctx.feasible`, the surrogate tasks' trust
 * regions) the method optimises within the task's feasible set — the swarm is drawn inside it,
 * its box joins the repetition caps of the proposer, and a proposal farther than its radius from
 * every table run is replaced by the best-predicted point where a segment from a table run
 * toward it leaves the set (methods/_swarm.ts `feasiblePick`).
 *
 * Versions: 1, exact effort and no feasible set; `olmix@exact` is 2 (the feasible set; pool-task
 * lines equal version 1's); 3, fast mode with the full round budget for the warm start
 * (`olmix({ warmSteps: 100 })`); `olmix` is 4 (the warm start's budget cut to 25 rounds).
 *
 * @module
 */

import { linspace } from "./_exp_law.ts";
import { klProposer } from "./_kl_proposer.ts";
import type { MethodContext, MethodFactory } from "../core/method.ts";
import {
  fitLawSum,
  type LawSum,
  type OwnStart,
  predictLawSum,
  proposerTerms,
  withExactMode,
} from "./_metric_laws.ts";
import { swarmMethod, type SwarmOptions } from "./_swarm.ts";

/** Options of {@linkcode olmix}. */
export interface OlmixOptions extends SwarmOptions {
  /** KL regularisation λ. @default {0.05 on olmix/superswarm tasks, 0.1 elsewhere} */
  lambda?: number;
  /** Repetition factor of the caps. @default {4} */
  repetitionFactor?: number;
  /** Target training tokens of the caps. @default {1e12} */
  targetTokens?: number;
  /** Exact mode (and the Predict track): starts optimised after screening the grid. @default {8} */
  refine?: number;
  /** One law per component metric when the objective decomposes. @default {true} */
  perMetric?: boolean;
  /** Where each law's own t entry starts. @default {"domain"} */
  ownStart?: OwnStart;
  /** Clear the L-BFGS memory every round (the earlier mixbench path). @default {false} */
  restartEachStep?: boolean;
  /** Fast mode: screened starts refined per law at a cell's first fit. @default {2} */
  firstRefine?: number;
  /**
   * Fast mode: screened starts refined per law at later fits, besides the previous fit's law of
   * the same metric (the warm start), chosen by re-screening the first fit's `shortlist`.
   * @default {1}
   */
  warmRefine?: number;
  /**
   * Fast mode: the best screened starts of a cell's first fit kept per law, re-screened on the
   * grown run set at every later fit. @default {64}
   */
  shortlist?: number;
  /**
   * Fast mode: outer rounds of the warm start at later fits (a quarter of the 100-round budget;
   * 100 gives version 3). @default {25}
   */
  warmSteps?: number;
  /**
   * The reference effort at every checkpoint (id `<method>@exact`, version 2): `refine` fresh
   * starts per law, no warm start. @default {false}
   */
  exact?: boolean;
}

/** `kl_reg` of the Olmix fit config that produced a task's table, by task id prefix. */
const TABLE_KL_REG: readonly (readonly [string, number])[] = [["olmix/superswarm", 0.05]];

/**
 * The default λ for a task: the table's own fit config when known, else Olmix's example value.
 *
 * @param task Task key (`id@version`).
 * @returns λ.
 */
export function defaultKlReg(task: string): number {
  return TABLE_KL_REG.find(([prefix]) => task.startsWith(prefix))?.[1] ?? 0.1;
}

/** Repetition caps from token counts, or undefined when they do not apply. */
export function repetitionCaps(
  ctx: MethodContext,
  factor: number,
  target: number,
): number[] | undefined {
  if (!ctx.domains.some((d) => d.count !== undefined)) return undefined;
  const caps = ctx.domains.map((d) =>
    d.count === undefined ? 1 : Math.min((d.count * factor) / target, 1)
  );
  return caps.reduce((a, b) => a + b, 0) >= 1 ? caps : undefined;
}

/** The caps tightened by the target fidelity's feasible box, when the context has one. */
function withBox(caps: number[] | undefined, ctx: MethodContext): number[] | undefined {
  const upper = ctx.feasible?.[ctx.targetFidelity]?.upper;
  if (!upper) return caps;
  const both = upper.map((u, j) => Math.min(u, caps?.[j] ?? 1));
  // Caps and box that leave no mixture: the box alone (the task's region comes first).
  return both.reduce((a, b) => a + b, 0) >= 1 ? both : [...upper];
}

/**
 * Creates the Olmix method.
 *
 * @example
 * ```ts
 * import { defaultKlReg, olmix } from "./olmix.ts";
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * assertEquals(olmix().id, "olmix");
 * assertEquals(defaultKlReg("olmix/superswarm-bpb@1"), 0.05);
 * assertEquals(defaultKlReg("regmix-pile/avg-1b@1"), 0.1);
 * ```
 * @param options λ, caps and fitting effort.
 * @returns The method factory.
 */
export function olmix(options: OlmixOptions = {}): MethodFactory {
  const factor = options.repetitionFactor ?? 4;
  const target = options.targetTokens ?? 1e12;
  const refine = options.refine ?? 8;
  const exact = options.exact === true;
  const firstRefine = options.firstRefine ?? 2;
  const warmRefine = options.warmRefine ?? 1;
  const shortlist = options.shortlist ?? 64;
  const warmSteps = options.warmSteps ?? 25;
  // Fast mode: each cell's previous fit (keyed by the cell's context), the next fit's warm starts.
  const previous = new WeakMap<MethodContext, LawSum>();
  const factory = swarmMethod(
    exact ? "olmix@exact" : "olmix",
    exact ? "2" : warmSteps === 100 ? "3" : "4",
    "Olmix: per-metric log-linear regressors + exact KL-regularised proposer on the capped simplex",
    {
      fit(xs, ys, ctx, rows) {
        const sum = fitLawSum(xs, ys, rows, ctx, ctx.rng.fork("olmix"), {
          withB: false,
          delta: 0.02,
          aGrid: linspace(-2, 1.5, 10),
          tStarts: 30,
          steps: 100,
          refine: exact ? refine : firstRefine,
          ...(exact ? {} : { warmRefine, shortlist }),
          ...(exact ? {} : { warmSteps }),
          ...(exact || !previous.has(ctx) ? {} : { warm: previous.get(ctx)! }),
          ...(options.perMetric === undefined ? {} : { perMetric: options.perMetric }),
          ...(options.ownStart ? { ownStart: options.ownStart } : {}),
          ...(options.restartEachStep ? { restartEachStep: true } : {}),
        });
        if (!exact) previous.set(ctx, sum);
        // Continuous tasks with a trust region: its box joins the caps (the proposer is exact
        // on the capped simplex); the swarm's feasible pick keeps the proposal within its radius.
        const caps = withBox(repetitionCaps(ctx, factor, target), ctx);
        const lambda = options.lambda ?? defaultKlReg(ctx.task);
        return {
          predict: (ms) => Float64Array.from(ms, (r) => predictLawSum(sum, r)),
          propose: () => {
            const { t, weights } = proposerTerms(sum);
            return klProposer(t, ctx.prior, { lambda, weights, ...(caps ? { caps } : {}) }).x;
          },
        };
      },
    },
    options,
  );
  return withExactMode(factory, exact, () => olmix({ ...options, exact: true }));
}
