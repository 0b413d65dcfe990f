/**
 * `dml` — Data Mixing Laws (Ye, Liu, Sun, Zhan, Zhou, Qiu; 2024; arXiv:2403.16952, ICLR 2025),
 * the mixing law of §3 of the paper as specified in methods.md §3 and corrected in §23: per
 * validation domain i, `L_i(r) = exp(a_i) + exp(b_i + t_iᵀr)`, fitted with Huber loss (δ 0.05,
 * summed) and multi-start L-BFGS from the reference's init grid (log c ∈ linspace(−2, 1.5, 10) ×
 * log k ∈ linspace(−10, 1, 20) × 30 random t; 50 outer rounds of ≤ 20 L-BFGS iterations, the
 * memory kept across rounds), and the objective predicted by combining the per-domain
 * predictions as the objective combines the domains (`mix_5_domains.ipynb`: `Σ_i s_i L_i(r)`).
 *
 * Per-domain laws apply when the objective is an affine function of table metrics with
 * positive loss-like weights (`mean_loss` = the mean of RegMix's 13 losses, `mean_bpb` = the
 * mean of Olmix's 110 BPB metrics, through the table cards' `definition`s). A single metric
 * (Pile-CC loss), a non-linear objective expression, an average the table does not define
 * (ADMIRE's `avg_id+ood`, an upstream value that is not the mean of the 17 stored tasks), or
 * runs without the component values (surrogate answers) get one law fitted to the objective
 * itself (methods/_metric_laws.ts).
 *
 * Departures from the reference code (`yegcjs/mixinglaws`):
 * - The 6000 starts are screened by their initial loss and the best 8 optimised
 *   (methods/_exp_law.ts) in exact mode (`dml@exact`, and the Predict track).
 * - Fast mode (the default; issue 11): a cell refits its laws at every checkpoint,
 *   and only its first fit starts from the grid, refining the best 2 screened starts per law
 *   (`firstRefine`); every later fit refines the previous checkpoint's law of the same metric
 *   on the grown run set (a warm start, with a quarter of the round budget: 13 of 50 rounds,
 *   `warmSteps`) plus the best `warmRefine` (default 1) of the first fit's 64 best screened
 *   starts screened again, so the grid is neither drawn nor screened again. About a fifth of
 *   exact mode's CPU time; final scores over 10 seeds in the README's "Speed" section.
 * - Own-domain start: t's entry of the domain a metric is named after starts at −U(0,1) (the
 *   6000-start grid of methods.md §3); the notebook's generator uses none (`ownStart: "none"`);
 *   the README reports the measured effect.
 * - Maximised objectives bounded above (accuracies) are fitted as `upper − y` (error rates).
 * - The nested step and size laws need learning curves and are not used: no shipped table has
 *   them.
 * - Pool mode: the target-pool member with the lowest predicted objective is recommended;
 *   continuous mode: RegMix's search over the prediction (the reference enumerates a capped
 *   grid, `find_opt.py`), within the task's feasible set where it has one (`ctx.feasible`;
 *   the swarm and the search samples are drawn inside it, methods/_swarm.ts).
 * - Versions: 1, exact effort and no feasible set; `dml@exact` is 2 (the feasible set; pool-task
 *   lines equal version 1's); 3, fast mode with the full round budget for the warm start
 *   (`dml({ warmSteps: 50 })`); `dml` is 4 (the warm start's budget cut to 13 rounds).
 *
 * @module
 */

import type { MethodFactory } from "../core/method.ts";
import {
  fitLawSum,
  type LawSum,
  type OwnStart,
  predictLawSum,
  withExactMode,
} from "./_metric_laws.ts";
import type { MethodContext } from "../core/method.ts";
import { swarmMethod, type SwarmOptions } from "./_swarm.ts";

/** Options of {@linkcode dml}. */
export interface DmlOptions extends SwarmOptions {
  /** Exact mode (and the Predict track): starts optimised after screening the 6000-start grid. @default {8} */
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
   * Fast mode: outer rounds of the warm start at later fits (a quarter of the 50-round budget;
   * 50 gives version 3). @default {13}
   */
  warmSteps?: number;
  /**
   * The reference effort at every checkpoint (id `<method>@exact`, version 2): `refine` fresh
   * starts per law, no warm start. @default {false}
   */
  exact?: boolean;
}

/**
 * Creates the Data Mixing Laws method.
 *
 * @example
 * ```ts
 * import { dml } from "./dml.ts";
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * assertEquals(dml().id, "dml");
 * ```
 * @param options Swarm fidelity, batch size and fitting effort.
 * @returns The method factory.
 */
export function dml(options: DmlOptions = {}): MethodFactory {
  const refine = options.refine ?? 8;
  const exact = options.exact === true;
  const firstRefine = options.firstRefine ?? 2;
  const warmRefine = options.warmRefine ?? 1;
  const shortlist = options.shortlist ?? 64;
  const warmSteps = options.warmSteps ?? 13;
  // Fast mode: each cell's previous fit (keyed by the cell's context), the next fit's warm starts.
  const previous = new WeakMap<MethodContext, LawSum>();
  const factory = swarmMethod(
    exact ? "dml@exact" : "dml",
    exact ? "2" : warmSteps === 50 ? "3" : "4",
    "Data Mixing Laws: per-domain exponential laws fitted with Huber + multi-start L-BFGS, best predicted pool member",
    {
      fit(xs, ys, ctx, rows) {
        const sum = fitLawSum(xs, ys, rows, ctx, ctx.rng.fork("dml"), {
          delta: 0.05,
          refine: exact ? refine : firstRefine,
          ...(exact ? {} : { warmRefine, shortlist }),
          ...(exact ? {} : { warmSteps }),
          ...(exact || !previous.has(ctx) ? {} : { warm: previous.get(ctx)! }),
          ...(options.perMetric === undefined ? {} : { perMetric: options.perMetric }),
          ...(options.ownStart ? { ownStart: options.ownStart } : {}),
          ...(options.restartEachStep ? { restartEachStep: true } : {}),
        });
        if (!exact) previous.set(ctx, sum);
        return { predict: (ms) => Float64Array.from(ms, (r) => predictLawSum(sum, r)) };
      },
    },
    options,
  );
  return withExactMode(factory, exact, () => dml({ ...options, exact: true }));
}
