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
 * @module
 */

import highsLoader from "highs";
import type { Highs, InitOptions } from "highs";
import { MaxHeap } from "./heap.ts";
import type { PairStats } from "./bpe.ts";

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

/** The LP's answer. */
export interface LpResult {
  /** Estimated proportions, in category order. */
  readonly alpha: readonly number[];
  /** Optimal objective Σ v^(t) + Σ v_p (unscaled: normalised-count units). */
  readonly objective: number;
  /** Σ_t v^(t) (unscaled). */
  readonly stepSlack: number;
  /** Σ_p v_p (unscaled). */
  readonly pairSlack: number;
  /** Steps with a positive slack. */
  readonly activeSteps: number;
  /** Pairs with a positive slack. */
  readonly activePairs: number;
  /** LP solves (rounds of constraint generation). */
  readonly rounds: number;
  /** Constraints added over all rounds (Σα = 1 excluded). */
  readonly constraints: number;
  /** Constraints in the final LP (fewer than `constraints` when `dropAfter` deleted some). */
  readonly finalRows: number;
  /** Pair-slack variables created. */
  readonly pairVars: number;
  /** Milliseconds spent in HiGHS. */
  readonly solveMs: number;
  /** Milliseconds spent walking the merge steps. */
  readonly walkMs: number;
}

let highs: Promise<Highs> | undefined;

/** Loads HiGHS once per process. */
export function loadHighs(): Promise<Highs> {
  // The package is CommonJS with ESM typings: its default export is the loader at run time.
  const load = highsLoader as unknown as (o: InitOptions) => Promise<Highs>;
  return highs ??= load({});
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
  const model = h.createModel();
  try {
    model.options.set("output_flag", false);
    model.options.set("presolve", "off");
    for (const [k, v] of Object.entries(opts.highsOptions ?? {})) {
      (model.options.set as (k: string, v: string | number | boolean) => void)(k, v);
    }
    const none = { indices: [] as number[], values: [] as number[] };
    for (let i = 0; i < n; i++) model.addCol(0, 0, 1, none);
    for (let t = 0; t < T; t++) model.addCol(1, 0, Infinity, none);
    model.addRow(1, 1, { indices: [...Array(n).keys()], values: new Array(n).fill(1) });
    const alpha = new Float64Array(n).fill(1 / n);
    const vt = new Float64Array(T), vp = new Float64Array(P);
    const vpCol = new Int32Array(P).fill(-1);
    let cols = n + T;
    const have = new Set<number>();
    const dropAfter = opts.dropAfter ?? 1;
    // per LP row after Σα = 1: its constraint id t·P + p and the rounds it has been non-binding
    let rowId: number[] = [], rowIdle: number[] = [];
    const C = Array.from({ length: n }, () => new Float64Array(P));
    const W = new Float64Array(P);
    const seen = new Int32Array(P).fill(-1);
    const heap = new MaxHeap();
    let rounds = 0, constraints = 0, solveMs = 0, walkMs = 0;
    for (;;) {
      const w0 = performance.now();
      const weight = Array.from({ length: n }, (_, i) => alpha[i]! * s / stats.pairs0[i]!);
      W.fill(0);
      for (let i = 0; i < n; i++) {
        C[i]!.fill(0);
        const { idx, count } = stats.initial[i]!;
        for (let j = 0; j < idx.length; j++) {
          C[i]![idx[j]!] = count[j]!;
          W[idx[j]!]! += weight[i]! * count[j]!;
        }
      }
      heap.clear();
      seen.fill(-1);
      for (let p = 0; p < P; p++) if (W[p]! > 0) heap.push(W[p]! - vp[p]!, p);
      const rows: { t: number; p: number; coef: number[] }[] = [];
      const held: number[] = [];
      let reached = 0;
      for (let t = 0; t < T && rows.length < maxAdd; t++) {
        reached = t;
        const m = stats.merged[t]!;
        const cutoff = W[m]! + vt[t]! + tol;
        let added = 0;
        held.length = 0;
        while (added < batch && heap.size > 0 && heap.topPrio() > cutoff) {
          const p = heap.topItem(), pr = heap.topPrio();
          heap.pop();
          if (seen[p] === t) continue;
          const cur = W[p]! - vp[p]!;
          if (pr !== cur) {
            if (W[p]! > 0) heap.push(cur, p);
            continue;
          }
          seen[p] = t;
          held.push(p);
          const id = t * P + p;
          if (p === m || have.has(id)) continue;
          have.add(id);
          const coef = new Array<number>(n);
          for (let i = 0; i < n; i++) coef[i] = (C[i]![m]! - C[i]![p]!) * s / stats.pairs0[i]!;
          rows.push({ t, p, coef });
          added++;
        }
        for (const p of held) heap.push(W[p]! - vp[p]!, p);
        for (let i = 0; i < n; i++) {
          const { start, idx, val } = stats.deltas[i]!;
          const Ci = C[i]!, wi = weight[i]!;
          for (let j = start[t]!; j < start[t + 1]!; j++) {
            const p = idx[j]!, v = val[j]!;
            Ci[p]! += v;
            W[p]! += wi * v;
            if (v > 0 && wi > 0) heap.push(W[p]! - vp[p]!, p);
          }
        }
      }
      const walked = performance.now() - w0;
      walkMs += walked;
      if (rows.length === 0) break;
      if (++rounds > maxRounds) {
        throw new Error(`mixture LP: no convergence in ${maxRounds} rounds`);
      }
      // One batched call each for the new pair-slack columns and the new rows: HiGHS updates its
      // internal state per call, so row-by-row appends cost more than the solve itself.
      let newCols = 0;
      for (const r of rows) if (vpCol[r.p] === -1) vpCol[r.p] = cols + newCols++;
      if (newCols > 0) {
        model.addCols({
          cost: new Float64Array(newCols).fill(1),
          lower: new Float64Array(newCols),
          upper: new Float64Array(newCols).fill(Infinity),
          matrix: {
            format: "csc",
            numRows: 1 + rowId.length,
            numCols: newCols,
            starts: new Int32Array(newCols + 1),
            indices: new Int32Array(0),
            values: new Float64Array(0),
          },
        });
        cols += newCols;
      }
      const starts = new Int32Array(rows.length + 1);
      const indices: number[] = [], values: number[] = [];
      rows.forEach((r, k) => {
        for (let i = 0; i < n; i++) {
          if (r.coef[i] !== 0) {
            indices.push(i);
            values.push(r.coef[i]!);
          }
        }
        indices.push(n + r.t, vpCol[r.p]!);
        values.push(1, 1);
        starts[k + 1] = indices.length;
      });
      model.addRows({
        lower: new Float64Array(rows.length),
        upper: new Float64Array(rows.length).fill(Infinity),
        matrix: {
          format: "csr",
          numRows: rows.length,
          numCols: cols,
          starts,
          indices: Int32Array.from(indices),
          values: Float64Array.from(values),
        },
      });
      constraints += rows.length;
      for (const r of rows) {
        rowId.push(r.t * P + r.p);
        rowIdle.push(0);
      }
      const s0 = performance.now();
      const res = model.run();
      const solved = performance.now() - s0;
      solveMs += solved;
      opts.onRound?.({
        round: rounds,
        constraints,
        rows: rowId.length,
        step: reached,
        walkMs: walked,
        solveMs: solved,
      });
      if (res.modelStatus !== 7) {
        throw new Error(`mixture LP: HiGHS model status ${res.modelStatus} (not optimal)`);
      }
      const x = model.getSolution().colValue;
      for (let i = 0; i < n; i++) alpha[i] = Math.max(0, x[i]!);
      for (let t = 0; t < T; t++) vt[t] = x[n + t]!;
      for (let p = 0; p < P; p++) if (vpCol[p]! >= 0) vp[p] = x[vpCol[p]!]!;
      if (dropAfter > 0) {
        const act = model.getSolution().rowValue;
        const drop: number[] = [];
        const keepId: number[] = [], keepIdle: number[] = [];
        for (let k = 0; k < rowId.length; k++) {
          const idle = act[k + 1]! > tol ? rowIdle[k]! + 1 : 0;
          if (idle >= dropAfter) {
            drop.push(k + 1);
            have.delete(rowId[k]!);
          } else {
            keepId.push(rowId[k]!);
            keepIdle.push(idle);
          }
        }
        if (drop.length > 0) model.deleteRows({ kind: "set", indices: drop });
        rowId = keepId;
        rowIdle = keepIdle;
      }
    }
    let stepSlack = 0, pairSlack = 0, activeSteps = 0, activePairs = 0, pairVars = 0;
    for (let t = 0; t < T; t++) {
      stepSlack += vt[t]!;
      if (vt[t]! > 1e-9) activeSteps++;
    }
    for (let p = 0; p < P; p++) {
      if (vpCol[p]! < 0) continue;
      pairVars++;
      pairSlack += vp[p]!;
      if (vp[p]! > 1e-9) activePairs++;
    }
    const sum = alpha.reduce((a, b) => a + b, 0);
    return {
      alpha: Array.from(alpha, (a) => a / sum),
      objective: (stepSlack + pairSlack) / s,
      stepSlack: stepSlack / s,
      pairSlack: pairSlack / s,
      activeSteps,
      activePairs,
      rounds,
      constraints,
      finalRows: rowId.length,
      pairVars,
      solveMs,
      walkMs,
    };
  } finally {
    model.dispose();
  }
}
