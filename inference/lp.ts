/**
 * The data-mixture-inference linear program of Hayase, Liu, Choi, Oh, Smith (2024, arXiv
 * 2407.16607, §3.2–3.3; reference `run_solver.py` of `alisawuffles/tokenizer-attack`; methods.md
 * §18 (d)), solved by lazy constraint generation with HiGHS (npm `highs`, WebAssembly).
 *
 * Variables: α ∈ [0, 1]^n with Σα = 1; a slack v^(t) ≥ 0 per merge step; a slack v_p ≥ 0 per
 * competitor pair, created when its first constraint is. For each step t and pair p ≠ m^(t):
 *
 *     Σ_i (α_i / d_i)(c_i^(t)(m^(t)) − c_i^(t)(p)) + v^(t) + v_p ≥ 0,
 *
 * minimising Σ_t v^(t) + Σ_p v_p. A round walks t = 0..T−1 with a max-priority queue over
 * W(p) − v_p (W the α-weighted normalised count under the current solution) and lazy deletion,
 * pops the pairs above W(m^(t)) + v^(t) + tol (at most `competitorBatch` per step), adds their
 * constraints, and stops the walk once `maxAdd` constraints were added; the LP is then re-solved
 * warm (rows and columns are added to the same HiGHS model, which keeps its basis). No new
 * constraint ends the loop.
 *
 * Departures: (1) all coefficients are multiplied by `scale` = 10^6 (counts per million pairs), so
 * that a single occurrence is of order 1 rather than 10^-6 next to HiGHS's 10^-7 feasibility
 * tolerance; the constraints are homogeneous in (coefficients, slacks), so α is unchanged and the
 * reported objective is divided back. (2) HiGHS replaces Gurobi. (3) Constraints that were
 * non-binding after a re-solve are deleted from the LP (`dropAfter`, a standard cutting-plane
 * device; the reference keeps all): the stopping rule still checks every (t, p), so the optimum is
 * the same, and re-solves stay small (T = 3000, 8 categories: HiGHS 55 s → 25 s, same objective).
 * Dropping can make the LP objective fall between rounds, so termination rests on the round limit
 * in theory; no cycling was seen.
 * New rows and pair-slack columns are appended in one batched call per round.
 *
 * The walk (`_merge_walk.ts`) and the HiGHS model, batching, row deletion and result record
 * (`_lp_model.ts`) are shared with `interval_lp.ts` and `cuts.ts`.
 *
 * @module
 */

import {
  appendCols,
  loadHighs,
  type LpResult,
  lpResult,
  readSlacks,
  RowBatch,
  RowPool,
  runOptimal,
  simplexModel,
} from "./_lp_model.ts";
import { MergeWalk } from "./_merge_walk.ts";
import type { PairStats } from "./bpe.ts";

export { loadHighs, type LpResult };

/** Options of {@linkcode solveMixtureLp} (reference defaults). */
export interface LpOptions {
  /** Competitors added per step and round. @default {10} */
  readonly competitorBatch?: number;
  /** New constraints after which a walk stops. @default {100} */
  readonly maxAdd?: number;
  /**
   * Rounds a constraint may stay non-binding (positive surplus) before it is deleted from the LP
   * (it is added again if a later walk finds it violated); 0 keeps every constraint, as the
   * reference does. Deleting changes no optimum (a walk still checks every step against every
   * pair) and keeps each re-solve small. @default {1}
   */
  readonly dropAfter?: number;
  /** Violation tolerance in scaled units. @default {1e-6} */
  readonly tol?: number;
  /** Coefficient scale. @default {1e6} */
  readonly scale?: number;
  /** Round limit (an error beyond it). @default {100000} */
  readonly maxRounds?: number;
  /** Extra HiGHS options (name → value), set after the defaults (output off, presolve off). */
  readonly highsOptions?: Readonly<Record<string, string | number | boolean>>;
  /** Called after each re-solve (progress for long runs). */
  readonly onRound?: (r: LpProgress) => void;
}

/** Progress after one round. */
export interface LpProgress {
  /** Rounds so far. */
  readonly round: number;
  /** Constraints added so far. */
  readonly constraints: number;
  /** Constraints in the LP now (after deletions). */
  readonly rows: number;
  /** The merge step the walk stopped at. */
  readonly step: number;
  /** Milliseconds of this round's walk and solve. */
  readonly walkMs: number;
  readonly solveMs: number;
}

/**
 * Solves the mixture LP by lazy constraint generation.
 *
 * @param stats Pair statistics from `replayMerges`.
 * @param opts Options.
 * @returns The proportions and the LP's bookkeeping.
 * @throws {Error} When HiGHS does not report an optimum or the round limit is passed.
 */
export async function solveMixtureLp(stats: PairStats, opts: LpOptions = {}): Promise<LpResult> {
  const batch = opts.competitorBatch ?? 10, maxAdd = opts.maxAdd ?? 100;
  const tol = opts.tol ?? 1e-6, s = opts.scale ?? 1e6, maxRounds = opts.maxRounds ?? 100000;
  const { T, P } = stats, n = stats.names.length;
  const h = await loadHighs();
  const model = simplexModel(h, n, T, { presolveOff: true, highsOptions: opts.highsOptions ?? {} });
  try {
    const alpha = new Float64Array(n).fill(1 / n);
    const vt = new Float64Array(T), vp = new Float64Array(P);
    const vpCol = new Int32Array(P).fill(-1);
    let cols = n + T;
    const have = new Set<number>();
    const dropAfter = opts.dropAfter ?? 1;
    // the LP's rows after Σα = 1, keyed by their constraint id t·P + p
    const pool = new RowPool();
    const walk = new MergeWalk(stats, s);
    let rounds = 0, constraints = 0, solveMs = 0, walkMs = 0;
    for (;;) {
      const w0 = performance.now();
      walk.start(alpha, vp);
      const rows: { t: number; p: number; coef: Float64Array }[] = [];
      let reached = 0;
      for (let t = 0; t < T && rows.length < maxAdd; t++) {
        reached = t;
        const m = stats.merged[t]!;
        walk.scan(t, walk.W[m]! + vt[t]! + tol, batch, (p) => {
          const id = t * P + p;
          if (p === m || have.has(id)) return false;
          have.add(id);
          rows.push({ t, p, coef: walk.coef(m, p, new Float64Array(n)) });
          return true;
        });
        walk.advance(t);
      }
      const walked = performance.now() - w0;
      walkMs += walked;
      if (rows.length === 0) break;
      if (++rounds > maxRounds) {
        throw new Error(`mixture LP: no convergence in ${maxRounds} rounds`);
      }
      // one batched call each for the new pair-slack columns and the new rows
      let newCols = 0;
      for (const r of rows) if (vpCol[r.p] === -1) vpCol[r.p] = cols + newCols++;
      if (newCols > 0) {
        appendCols(
          model,
          1 + pool.size,
          new Float64Array(newCols).fill(1),
          new Float64Array(newCols),
        );
        cols += newCols;
      }
      const batchRows = new RowBatch();
      for (const r of rows) batchRows.add(r.coef, n + r.t, 1, vpCol[r.p]!, 1);
      batchRows.appendTo(model, cols);
      constraints += rows.length;
      for (const r of rows) pool.push(r.t * P + r.p);
      solveMs += runOptimal(model, "mixture LP", (solved) =>
        opts.onRound?.({
          round: rounds,
          constraints,
          rows: pool.size,
          step: reached,
          walkMs: walked,
          solveMs: solved,
        }));
      readSlacks(model.getSolution().colValue, alpha, { vt, vp, vpCol });
      if (dropAfter > 0) {
        pool.dropIdle(model, model.getSolution().rowValue, { tol, dropAfter, have });
      }
    }
    const book = { rounds, constraints, finalRows: pool.size, solveMs, walkMs };
    return lpResult(alpha, { vt, vp, vpCol, s }, book);
  } finally {
    model.dispose();
  }
}
