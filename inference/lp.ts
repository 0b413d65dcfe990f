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
 * reported objective is divided back. (2) HiGHS replaces Gurobi.
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
  /** Violation tolerance in scaled units. @default {1e-6} */
  readonly tol?: number;
  /** Coefficient scale. @default {1e6} */
  readonly scale?: number;
  /** Round limit (an error beyond it). @default {100000} */
  readonly maxRounds?: number;
  /** Called after each re-solve (progress for long runs). */
  readonly onRound?: (r: LpProgress) => void;
}

/** Progress after one round. */
export interface LpProgress {
  /** Rounds so far. */
  readonly round: number;
  /** Constraints in the LP. */
  readonly constraints: number;
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
  /** Constraints in the final LP (Σα = 1 excluded). */
  readonly constraints: number;
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
    const none = { indices: [] as number[], values: [] as number[] };
    for (let i = 0; i < n; i++) model.addCol(0, 0, 1, none);
    for (let t = 0; t < T; t++) model.addCol(1, 0, Infinity, none);
    model.addRow(1, 1, { indices: [...Array(n).keys()], values: new Array(n).fill(1) });
    const alpha = new Float64Array(n).fill(1 / n);
    const vt = new Float64Array(T), vp = new Float64Array(P);
    const vpCol = new Int32Array(P).fill(-1);
    let cols = n + T;
    const have = new Set<number>();
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
      for (const r of rows) {
        if (vpCol[r.p] === -1) {
          vpCol[r.p] = cols++;
          model.addCol(1, 0, Infinity, none);
        }
        const indices: number[] = [], values: number[] = [];
        for (let i = 0; i < n; i++) {
          if (r.coef[i] !== 0) {
            indices.push(i);
            values.push(r.coef[i]!);
          }
        }
        indices.push(n + r.t, vpCol[r.p]!);
        values.push(1, 1);
        model.addRow(0, Infinity, { indices, values });
      }
      constraints += rows.length;
      const s0 = performance.now();
      const res = model.run();
      const solved = performance.now() - s0;
      solveMs += solved;
      opts.onRound?.({
        round: rounds,
        constraints,
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
      pairVars,
      solveMs,
      walkMs,
    };
  } finally {
    model.dispose();
  }
}
