/**
 * The data-mixture-inference LP of Hayase, Liu, Choi, Oh, Smith (2024, arXiv 2407.16607, §3.2–3.3;
 * methods.md §18 (d)) in an equivalent compact form whose rows cover runs of merge steps at once,
 * solved by lazy row generation with HiGHS (as {@linkcode solveMixtureLp}).
 *
 * **The same LP.** Write u_t(p) = Σ_i α_i c_i^(t)(p) / d_i (times the coefficient scale) and
 * q_t = v^(t) + u_t(m^(t)). The LP of {@linkcode solveMixtureLp} is
 *
 *     min Σ_t v^(t) + Σ_p v_p  s.t.  v_p + q_t ≥ u_t(p) (all t, p ≠ m^(t)),  v ≥ 0,  α ∈ Δ;
 *
 * for p = m^(t) the row would read v_p + v^(t) ≥ 0, true anyway, so it may be included. A pair's
 * counts change only at the steps whose merge rewrites one of its words, so u_t(p) is constant
 * on runs of steps (segments) [s, e]; there the rows say v_p + min_{t∈[s,e]} q_t ≥ u(p). Take a
 * segment tree over the steps with one free variable r_k per internal node k (range R_k) and the
 * tree rows r_k ≤ r_c for both children c, where r at the leaf of step t stands for q_t: by
 * induction r_k ≤ min_{R_k} q_t, and r_k = min_{R_k} q_t for every k satisfies all tree rows. So
 * the row v_p + r_k ≥ u(p), for the node k of the segment's canonical decomposition that holds t,
 * follows from the original rows (take r_k = min) and implies them (for all t ∈ R_k). Projected on
 * (α, v), the two LPs have the same feasible set, hence the same optimum and the same optimal α.
 * One row (p, segment, k) stands for all steps of R_k; the ~2T tree rows are shared by all pairs.
 * (For a node of one step, r_k is q_t itself and the row is the original.)
 *
 * **Lazy generation.** A walk over the steps as in {@linkcode solveMixtureLp} (the shared
 * `_merge_walk.ts`: max-priority queue over u_t(p) − v_p, lazy deletion) finds the original rows
 * violated by the current solution (at most `competitorBatch` per step); for each, it adds the row
 * (p, segment, k) if it is missing and the missing tree rows on the path from k down to step t (one
 * of them must be missing, or the original row would hold). The LP with a subset of the rows is a
 * relaxation of the compact LP; when a walk finds no violated original row, its solution is
 * feasible for the original LP, so it is optimal for it. With `dropAfter` > 0, (pair, node) rows
 * non-binding that many rounds in a row are deleted (tree rows never are; as in `lp.ts`,
 * termination then rests on the round limit in theory); by default none are.
 *
 * **Start and continuation.** With `alphaStart`, rows are first generated with α fixed there (the
 * LP is then a network LP: with π_t = v^(t), π_p = −v_p and π_k = r_k every row reads
 * π_a − π_b ≥ c, the dual of a min-cost flow); when a walk finds nothing, α is freed and
 * generation goes on as above. By default (`fixedPhase` "network") the fixed-α rounds are solved
 * by a primal network simplex (`_network_simplex.ts`, `_interval_network.ts`), warm from round to
 * round, and at the switch HiGHS gets all rows at once with the network's optimal spanning tree as
 * its basis (`setBasis`; a spanning tree of the network is a basis of the LP), which it accepts
 * without a simplex iteration; only the α-free rounds run HiGHS's dual simplex. With `fixedPhase`
 * "highs" the fixed-α rounds are HiGHS re-solves too (its iterations cost ~3× less than with the
 * eight dense α columns free, but ~1 ms each at 10^5 rows). With `prefixes` (by
 * default T/3^k ≥ 1000 for T ≥ 3000) the LPs of the first T_1 < T_2 < … merges are solved first,
 * each started at the previous α, and the full LP at the last: the early steps' rows and a nearly
 * optimal α are found on small LPs. Every solve is run to its own optimum, so neither changes the
 * answer, only the work.
 *
 * Departures from the reference (`alisawuffles/tokenizer-attack`, besides those listed in
 * `lp.ts`): the rows are the compact form's instead of one per (step, pair); the continuation
 * and the fixed-α phase; the optimum is the same (checked against {@linkcode solveMixtureLp} in
 * the tests, objective to 1e-9 relative, α to 1e-6; the 20 tokenizers of the track give the same
 * byte shares to 4e-15). Speed (README, Inference track): 2× less CPU than `lp` at T = 3000,
 * 3.6× less than the bundle solver at T = 10 000; T = 30 000 in 150–180 s of CPU with the fixed-α
 * phase on HiGHS (about one dual simplex iteration per added row, ~1–8 ms each at 10^5 rows), in
 * 43–53 s with it on the network simplex (the issue asks for 60 s); then the network simplex, the
 * α-free HiGHS re-solves and the walks share the time.
 *
 * @module
 */

import type { LpOptions, LpProgress } from "./lp.ts";
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
import { NetworkFixed } from "./_interval_network.ts";
import type { PairStats } from "./bpe.ts";

/** Progress after one round of {@linkcode solveMixtureIntervalLp}. */
export interface IntervalLpProgress extends LpProgress {
  /**
   * What ran: `"network"` (the fixed-α phase's network simplex; `simplexIterations` are its
   * pivots), `"handover"` (HiGHS on the network's optimal tree as its basis, α still fixed) or
   * `"simplex"` (HiGHS's re-solve).
   */
  readonly phase: "network" | "handover" | "simplex";
  /** Rows (pair, node) added this round (original rows at one-step nodes included). */
  readonly pairRows: number;
  /** Tree rows added this round. */
  readonly treeRows: number;
  /** Simplex iterations of this round's re-solve. */
  readonly simplexIterations: number;
}

/** Options of {@linkcode solveMixtureIntervalLp} (those of {@linkcode solveMixtureLp}). */
export interface IntervalLpOptions extends Omit<LpOptions, "onRound"> {
  /**
   * Rounds a (pair, node) row may stay non-binding before it is deleted (0: none is; tree rows
   * never are). @default {0}
   */
  readonly dropAfter?: number;
  /**
   * Starting proportions (pair shares): rows are generated with α fixed there first (the LP is
   * then a network LP, whose simplex iterations are several times cheaper), then α is freed and
   * generation goes on to the optimum of the full LP. @default {uniform, free from the start}
   */
  readonly alphaStart?: readonly number[];
  /**
   * Continuation in T: solve the LPs of these prefixes of the merge list first (ascending, each
   * started at the previous one's α), then the full one started at the last α. Each solve is
   * exact; only the starting point changes, so the optimum is the same. @default {T/3^k for k =
   * K..1, the smallest ≥ 1000; none for T < 3000}
   */
  readonly prefixes?: readonly number[];
  /**
   * Solver of the fixed-α phase: `"highs"` (HiGHS's dual simplex, as the α-free phase) or
   * `"network"` (a network simplex on the rows, `_network_simplex.ts`, whose optimal spanning tree
   * is then handed to HiGHS as its basis for the α-free phase). Same optimum. @default {"network"}
   */
  readonly fixedPhase?: "highs" | "network";
  /** Called after each re-solve. */
  readonly onRound?: (r: IntervalLpProgress) => void;
}

/** For each pair, the sorted steps whose merge changes its counts (in any category). */
function changeSteps(stats: PairStats): { start: Int32Array; steps: Int32Array } {
  const { T, P } = stats;
  const last = new Int32Array(P).fill(-1);
  const count = new Int32Array(P + 1);
  const list: number[] = [];
  for (let t = 0; t < T; t++) {
    for (const d of stats.deltas) {
      for (let j = d.start[t]!; j < d.start[t + 1]!; j++) {
        const p = d.idx[j]!;
        if (last[p] === t) continue;
        last[p] = t;
        count[p + 1]!++;
        list.push(p, t);
      }
    }
  }
  for (let p = 0; p < P; p++) count[p + 1]! += count[p]!;
  const fill = count.slice(0, P), steps = new Int32Array(list.length / 2);
  for (let k = 0; k < list.length; k += 2) steps[fill[list[k]!]!++] = list[k + 1]!;
  return { start: count, steps };
}

/** The statistics of the first T0 merges (a prefix of the same replay; `tokensT` is not updated). */
function prefixStats(stats: PairStats, T0: number): PairStats {
  return {
    ...stats,
    T: T0,
    merged: stats.merged.subarray(0, T0),
    mergedCount: stats.mergedCount.subarray(0, T0 * stats.names.length),
    deltas: stats.deltas.map((d) => ({ ...d, start: d.start.subarray(0, T0 + 1) })),
  };
}

/** The default continuation: T/3^k for k = K..1, the smallest at least 1000 (none below 3000). */
function defaultPrefixes(T: number): number[] {
  const out: number[] = [];
  for (let x = Math.floor(T / 3); x >= 1000; x = Math.floor(x / 3)) out.unshift(x);
  return out;
}

/**
 * Solves the mixture LP in the compact interval form by lazy row generation (module doc). Same LP,
 * same optimum as {@linkcode solveMixtureLp}.
 *
 * @example
 * ```ts
 * import { solveMixtureIntervalLp } from "./interval_lp.ts";
 * import { replayMerges } from "./bpe.ts";
 * import { strictEqual as assertEquals } from "node:assert/strict";
 * // merge 1 joins "a b" (2 of x's 3 pairs) before "c d" (3 of y's 5 pairs): no slack iff
 * // α_x · 2/3 ≥ α_y · 3/5
 * const words = (s: string) => new Map([[s, 1]]);
 * const stats = replayMerges(
 *   [{ name: "x", words: words("abab") }, { name: "y", words: words("cdcdcd") }],
 *   Int32Array.from([97, 98]),
 * );
 * const r = await solveMixtureIntervalLp(stats);
 * assertEquals(r.objective, 0);
 * assertEquals(r.alpha[0]! * 2 / 3 >= r.alpha[1]! * 3 / 5, true);
 * ```
 * @param stats Pair statistics from `replayMerges`.
 * @param opts Options (as {@linkcode solveMixtureLp}, plus the start and the continuation).
 * @returns The proportions and the LP's bookkeeping (`constraints` = rows added, `pairVars` =
 *   pair-slack columns, node columns not counted; `rounds`, `constraints`, `solveMs` and `walkMs`
 *   include the continuation's prefix solves).
 * @throws {Error} When HiGHS does not report an optimum or the round limit is passed.
 */
export async function solveMixtureIntervalLp(
  stats: PairStats,
  opts: IntervalLpOptions = {},
): Promise<LpResult> {
  const prefixes = (opts.prefixes ?? defaultPrefixes(stats.T)).filter((x) => x < stats.T);
  let start = opts.alphaStart, rounds = 0, constraints = 0, solveMs = 0, walkMs = 0;
  for (const T0 of prefixes) {
    const r = await solveOnce(prefixStats(stats, T0), {
      ...opts,
      ...(start ? { alphaStart: start } : {}),
    });
    start = r.alpha;
    rounds += r.rounds;
    constraints += r.constraints;
    solveMs += r.solveMs;
    walkMs += r.walkMs;
  }
  const r = await solveOnce(stats, { ...opts, ...(start ? { alphaStart: start } : {}) });
  return {
    ...r,
    rounds: r.rounds + rounds,
    constraints: r.constraints + constraints,
    solveMs: r.solveMs + solveMs,
    walkMs: r.walkMs + walkMs,
  };
}

/** One solve of the interval form (no continuation). */
async function solveOnce(
  stats: PairStats,
  opts: IntervalLpOptions,
): Promise<LpResult> {
  const batch = opts.competitorBatch ?? 10, maxAdd = opts.maxAdd ?? 100;
  const tol = opts.tol ?? 1e-6, s = opts.scale ?? 1e6, maxRounds = opts.maxRounds ?? 100000;
  const { T, P } = stats, n = stats.names.length;
  let N = 1;
  while (N < T) N *= 2;
  const ch = changeSteps(stats);
  // phase 1 (with alphaStart): α fixed, the rest is a network LP; phase 2: α free
  const a0 = opts.alphaStart;
  if (a0 !== undefined && a0.length !== n) {
    throw new RangeError(`alphaStart has ${a0.length} entries, expected ${n}`);
  }
  const h = await loadHighs();
  const model = simplexModel(h, n, T, {
    presolveOff: true,
    highsOptions: opts.highsOptions ?? {},
    alphaFixed: a0,
  });
  try {
    let fixed = a0 !== undefined;
    const alpha = a0 ? Float64Array.from(a0) : new Float64Array(n).fill(1 / n);
    const vt = new Float64Array(T), vp = new Float64Array(P);
    const vpCol = new Int32Array(P).fill(-1);
    const nodeCol = new Int32Array(2 * N).fill(-1);
    let cols = n + T;
    const dropAfter = opts.dropAfter ?? 0;
    // the LP's rows after Σα = 1: a pair row keyed as in `have`, a tree row -1 (never deleted)
    const pool = new RowPool();
    const have = new Set<number>();
    const zero = new Float64Array(n);
    const ptr = new Int32Array(P);
    const walk = new MergeWalk(stats, s);
    let rounds = 0, constraints = 0, solveMs = 0, walkMs = 0;
    // the network phase: the fixed-α LP's rows as arcs of a network simplex (module doc of
    // `_network_simplex.ts`); HiGHS gets its columns and rows, and the optimal tree as its basis,
    // when the phase ends
    const net = fixed && (opts.fixedPhase ?? "network") === "network"
      ? new NetworkFixed(n, T)
      : undefined;
    for (;;) {
      const w0 = performance.now();
      walk.start(alpha, vp);
      ptr.set(ch.start.subarray(0, P));
      // new rows: kind 0 = (pair, node) row v_p + r_k ≥ u(p) (or the original row at a leaf),
      // kind 1 = tree row to child k: r_k − r_parent ≥ 0, or q_t − r_parent ≥ 0 at a leaf; new
      // node columns
      const rows: { kind: 0 | 1; t: number; p: number; k: number; coef: Float64Array }[] = [];
      const newNodes: number[] = [];
      const node = (k: number) => {
        if (nodeCol[k] === -1) {
          nodeCol[k] = -2;
          newNodes.push(k);
        }
      };
      let reached = 0;
      for (let t = 0; t < T && rows.length < maxAdd; t++) {
        reached = t;
        const m = stats.merged[t]!;
        walk.scan(t, walk.W[m]! + vt[t]! + tol, batch, (p) => {
          if (p === m) return false;
          // p's segment [a, b] around t and the node of its canonical decomposition holding t
          const j = ptr[p]!;
          const a = j > ch.start[p]! ? ch.steps[j - 1]! + 1 : 0;
          const b = j < ch.start[p + 1]! ? ch.steps[j]! : T - 1;
          let k = 1, lo = 0, hi = N - 1;
          while (!(a <= lo && hi <= b)) {
            const mid = (lo + hi) >> 1;
            if (t <= mid) {
              k = 2 * k;
              hi = mid;
            } else {
              k = 2 * k + 1;
              lo = mid + 1;
            }
          }
          const leaf = lo === hi;
          const idPair = p * 2 * N + k;
          let fresh = 0;
          if (!have.has(idPair)) {
            have.add(idPair);
            // leaf: the original row's (c(m) − c(p)); node: −c(p)
            const coef = walk.coef(leaf ? m : -1, p, new Float64Array(n));
            if (!leaf) node(k);
            rows.push({ kind: 0, t, p, k, coef });
            fresh++;
          }
          // the tree rows on the path from k down to step t
          for (let c = k; c < N;) {
            const mid = (lo + hi) >> 1;
            const child = t <= mid ? 2 * c : 2 * c + 1;
            if (t <= mid) hi = mid;
            else lo = mid + 1;
            if (!have.has(-child - 1)) {
              have.add(-child - 1);
              let coef = zero;
              if (child >= N) coef = walk.coef(m, -1, new Float64Array(n));
              else node(child);
              rows.push({ kind: 1, t, p, k: child, coef });
              fresh++;
            }
            c = child;
          }
          return fresh > 0;
        });
        walk.advance(t);
        for (const d of stats.deltas) {
          for (let j = d.start[t]!; j < d.start[t + 1]!; j++) {
            const p = d.idx[j]!;
            if (ptr[p]! < ch.start[p + 1]! && ch.steps[ptr[p]!] === t) ptr[p]!++;
          }
        }
      }
      const walked = performance.now() - w0;
      walkMs += walked;
      if (rows.length === 0 && !fixed) break;
      if (rows.length === 0) {
        fixed = false;
        if (net) {
          const h = net.handOver(model, pool);
          solveMs += h.ms;
          opts.onRound?.({
            round: rounds,
            constraints,
            rows: pool.size,
            step: reached,
            phase: "handover",
            walkMs: 0,
            solveMs: h.ms,
            pairRows: 0,
            treeRows: 0,
            simplexIterations: h.iterations,
          });
        }
        model.changeColsBounds(
          { kind: "range", from: 0, to: n - 1 },
          new Float64Array(n),
          new Float64Array(n).fill(1),
        );
      }
      if (++rounds > maxRounds) {
        throw new Error(`mixture LP (interval form): no convergence in ${maxRounds} rounds`);
      }
      // columns: new pair slacks (cost 1, ≥ 0) and new node variables (cost 0, free)
      const newPairs: number[] = [];
      for (const r of rows) {
        if (r.kind === 0 && vpCol[r.p] === -1) {
          vpCol[r.p] = cols + newPairs.length;
          newPairs.push(r.p);
        }
      }
      for (let j = 0; j < newNodes.length; j++) nodeCol[newNodes[j]!] = cols + newPairs.length + j;
      const nc = newPairs.length + newNodes.length;
      const toNet = net !== undefined && fixed;
      if (nc > 0) {
        const cost = new Float64Array(nc), lower = new Float64Array(nc);
        cost.fill(1, 0, newPairs.length);
        lower.fill(-Infinity, newPairs.length);
        if (toNet) { for (let j = 0; j < nc; j++) net.addCol(j < newPairs.length); }
        else appendCols(model, 1 + pool.size, cost, lower);
        cols += nc;
      }
      const batchRows = new RowBatch();
      for (const r of rows) {
        let c: [number, number, number, number];
        if (r.kind === 0) {
          // leaf: v_p + v^(t) + (coef)·α ≥ 0; node: v_p + r_k − u(p) ≥ 0
          c = [r.k >= N ? n + r.t : nodeCol[r.k]!, 1, vpCol[r.p]!, 1];
        } else if (r.k >= N) {
          // leaf below node j: v^(t) + u_t(m^(t)) − r_j ≥ 0
          c = [n + r.t, 1, nodeCol[r.k >> 1]!, -1];
        } else {
          // r_child − r_parent ≥ 0
          c = [nodeCol[r.k]!, 1, nodeCol[r.k >> 1]!, -1];
        }
        const key = r.kind === 0 ? r.p * 2 * N + r.k : -1;
        if (toNet) net.addRow(r.coef, c, alpha, key);
        else batchRows.add(r.coef, ...c);
      }
      let pairRows = 0;
      for (const r of rows) if (r.kind === 0) pairRows++;
      constraints += rows.length;
      if (toNet) {
        const s0 = performance.now();
        const piv = net.solve(tol, vt, vp, vpCol);
        const ms = performance.now() - s0;
        solveMs += ms;
        opts.onRound?.({
          round: rounds,
          constraints,
          rows: net.rows,
          step: reached,
          phase: "network",
          walkMs: walked,
          solveMs: ms,
          pairRows,
          treeRows: rows.length - pairRows,
          simplexIterations: piv,
        });
        continue;
      }
      batchRows.appendTo(model, cols);
      for (const r of rows) pool.push(r.kind === 0 ? r.p * 2 * N + r.k : -1);
      solveMs += runOptimal(model, "mixture LP (interval form)", (solved) =>
        opts.onRound?.({
          round: rounds,
          constraints,
          rows: pool.size,
          step: reached,
          phase: "simplex",
          walkMs: walked,
          solveMs: solved,
          pairRows,
          treeRows: rows.length - pairRows,
          simplexIterations: Number(model.info.get("simplex_iteration_count")),
        }));
      const sol = model.getSolution();
      if (dropAfter > 0) pool.dropIdle(model, sol.rowValue, { tol, dropAfter, have });
      readSlacks(sol.colValue, alpha, { vt, vp, vpCol });
    }
    const book = { rounds, constraints, finalRows: pool.size, solveMs, walkMs };
    return lpResult(alpha, { vt, vp, vpCol, s }, book);
  } finally {
    model.dispose();
  }
}
