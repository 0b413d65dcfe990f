/**
 * The data-mixture-inference LP of Hayase, Liu, Choi, Oh, Smith (2024, arXiv 2407.16607, §3.2–3.3;
 * methods.md §18 (d)) solved exactly over the proportions alone: a level bundle method on the
 * convex piecewise-linear function F(α) below, whose oracle is an exact maximum-weight bipartite
 * matching between merge steps and competitor pairs.
 *
 * **The same LP.** With d_tp(α) = Σ_i (α_i / d_i)(c_i^(t)(p) − c_i^(t)(m^(t))) (times the
 * coefficient scale), the LP of {@linkcode solveMixtureLp} is
 *
 *     min Σ_t v_t + Σ_p v_p  s.t.  v_t + v_p ≥ d_tp(α) (all t, p ≠ m^(t)),  v ≥ 0,  α ∈ Δ.
 *
 * For fixed α the slack problem is the LP of a minimum-weight vertex cover of the bipartite graph
 * steps × pairs with edge weights d_tp(α) (edges with d_tp ≤ 0 are covered by v ≥ 0 and can be
 * left out). Its LP dual is max Σ d_tp y_tp over y ≥ 0 with Σ_p y_tp ≤ 1 and Σ_t y_tp ≤ 1: the
 * bipartite matching polytope, whose constraint matrix (the incidence matrix of a bipartite graph)
 * is totally unimodular, so its vertices are matchings (Egerváry's theorem, the weighted König
 * theorem). Hence, by LP duality,
 *
 *     F(α) := min over slacks = max over matchings S of Σ_{(t,p)∈S} d_tp(α) = max_S g_S · α,
 *
 * with g_S,i = Σ_{(t,p)∈S} (c_i^(t)(p) − c_i^(t)(m^(t)))/d_i: F is the maximum of finitely many
 * linear functions of α, so it is convex and piecewise linear, and the LP's optimal value is
 * min_{α∈Δ} F(α). (α, v) is optimal for the LP iff α minimises F and v is an optimal cover for α,
 * so the two problems have the same optimal α (the same set of them when the LP is degenerate).
 * Every matching S gives a valid lower bound F(α') ≥ g_S · α' for every α' (a cut), tight at α
 * when S is a maximum matching there; every pair-slack vector z ≥ 0 gives a feasible cover with
 * v_t = max(0, max_p (d_tp(α) − z_p)), so Σ_t v_t + Σ_p z_p is an upper bound on F(α).
 *
 * **Algorithm.** Lower bound: Kelley's cutting-plane model min_{α∈Δ} max_k g_k · α (an LP in
 * n + 1 variables, HiGHS). Next trial point: the level method (Lemaréchal, Nemirovskii, Nesterov
 * 1995, "New variants of bundle methods", Math. Programming 69): the point nearest to the best
 * point so far (in the ∞-norm here, so that the projection is an LP) whose model value is at most
 * LB + λ(UB − LB). Oracle at α: (1) a maximum-weight matching on the current candidate edge set E
 * (exact, with an optimal cover z, y on E: successive shortest augmenting paths, one step added at
 * a time — the Hungarian method in its sparse Dijkstra form with dual potentials); (2) one walk
 * over all merge steps with the pairs' priority queue (W(p) − z_p, lazy deletion, as the
 * reference's walk; `_merge_walk.ts`, shared with the HiGHS solvers) that computes the exact cover
 * v_t = max(0, max_p (d_tp − z_p)) for *all* pairs — the upper bound — and adds to E the edges that
 * violate the E-cover (up to `competitorBatch` per step). If none is violated, the matching is a
 * maximum matching over all edges and the cut is tight. E only grows between violations (edges idle
 * for `dropAfter` iterations are removed and found again by a walk if needed), so eventually every
 * oracle call is exact and the level method converges; the loop stops when UB − LB ≤ `rtol` · UB +
 * `tol`/1000 (scaled units), a certificate that the returned α is optimal for the full LP to that
 * gap. The pair p = m^(t) needs no exclusion here: d_{t,m^(t)} = 0, so its edge is never positive.
 *
 * Departures from the reference (besides those of {@linkcode solveMixtureLp}): the LP is solved by
 * this decomposition instead of by lazy constraint generation on the full LP; the result is the
 * same LP optimum (checked in the tests against the HiGHS solver to 1e-9 relative). When the LP
 * has several optimal α (degenerate), the two solvers may return different ones. Speed (README,
 * "Inference track"): comparable to the HiGHS solver up to T = 3000, it finishes T = 10 000 where
 * that one does not in 200 s, but it needs 80–100 iterations, each with a walk over all T steps
 * and a matching whose cost grows with the candidate edges, so T = 30 000 takes minutes.
 *
 * @module
 */

import { loadHighs, type LpResult, OPTIMAL, simplexModel, slackTotals } from "./_lp_model.ts";
import { MergeWalk } from "./_merge_walk.ts";
import { MaxHeap } from "./heap.ts";
import type { PairStats } from "./bpe.ts";

/** Options of {@linkcode solveMixtureCuts}. */
export interface CutOptions {
  /** Violating pairs added to the candidate edges per step and walk. @default {10} */
  readonly competitorBatch?: number;
  /** Violation tolerance in scaled units. @default {1e-6} */
  readonly tol?: number;
  /** Coefficient scale (as {@linkcode solveMixtureLp}). @default {1e6} */
  readonly scale?: number;
  /** Relative optimality gap at which the method stops. @default {1e-10} */
  readonly rtol?: number;
  /** Level parameter λ ∈ (0, 1). @default {0.3} */
  readonly level?: number;
  /** Iterations an edge may stay non-tight in the matching's cover before it is dropped. @default {3} */
  readonly dropAfter?: number;
  /**
   * Relative gap below which the next point is the cutting-plane model's minimiser (Kelley's
   * step) instead of the level step: once the model holds the pieces of F active at the optimum,
   * Kelley's step lands on it. @default {0}
   */
  readonly kelleyBelow?: number;
  /** Iteration limit (an error beyond it). @default {2000} */
  readonly maxIter?: number;
  /** Starting proportions (pair shares). @default {uniform} */
  readonly start?: readonly number[];
  /** Called after each iteration. */
  readonly onRound?: (p: CutProgress) => void;
}

/** Progress after one iteration. */
export interface CutProgress {
  /** Iterations so far. */
  readonly round: number;
  /** Upper bound (best objective found), unscaled. */
  readonly upper: number;
  /** Lower bound (cutting-plane model), unscaled. */
  readonly lower: number;
  /** Candidate edges now. */
  readonly edges: number;
  /** Edges added by this iteration's walk. */
  readonly added: number;
  /** Milliseconds of this iteration's matching, walk and master LPs. */
  readonly matchMs: number;
  readonly walkMs: number;
  readonly masterMs: number;
}

/** The answer of {@linkcode solveMixtureCuts}: the LP's, with the bundle method's bookkeeping. */
export interface CutResult extends LpResult {
  /** The certified lower bound on the LP optimum (unscaled). */
  readonly lowerBound: number;
  /** Milliseconds in the matchings. */
  readonly matchMs: number;
  /** Milliseconds in the master LPs. */
  readonly masterMs: number;
}

/** A growable list of candidate edges (step, pair, coefficient vector). */
class Edges {
  t: Int32Array = new Int32Array(1024);
  p: Int32Array = new Int32Array(1024);
  a: Float64Array;
  idle: Int32Array = new Int32Array(1024);
  size = 0;
  constructor(readonly n: number) {
    this.a = new Float64Array(1024 * n);
  }
  push(t: number, p: number, coef: Float64Array): void {
    if (this.size === this.t.length) {
      const grow = (x: Int32Array) => {
        const y = new Int32Array(x.length * 2);
        y.set(x);
        return y;
      };
      this.t = grow(this.t);
      this.p = grow(this.p);
      this.idle = grow(this.idle);
      const a = new Float64Array(this.a.length * 2);
      a.set(this.a);
      this.a = a;
    }
    const k = this.size++;
    this.t[k] = t;
    this.p[k] = p;
    this.idle[k] = 0;
    this.a.set(coef, k * this.n);
  }
  /** Keeps the edges with keep[k] true (in order). */
  filter(keep: Uint8Array): void {
    let j = 0;
    const n = this.n;
    for (let k = 0; k < this.size; k++) {
      if (!keep[k]) continue;
      if (j !== k) {
        this.t[j] = this.t[k]!;
        this.p[j] = this.p[k]!;
        this.idle[j] = this.idle[k]!;
        this.a.copyWithin(j * n, k * n, k * n + n);
      }
      j++;
    }
    this.size = j;
  }
}

/**
 * Maximum-weight bipartite matching (steps × pairs) with an optimal cover, by successive shortest
 * augmenting paths: steps are added one at a time; each addition runs Dijkstra over reduced costs
 * y_t + z_p − w_tp ≥ 0 from the new step, ending at a free pair (z = 0) or at a step that is left
 * unmatched (its cost y_r), then updates the potentials and augments. Invariants: the cover is
 * feasible on every edge, matched edges are tight, unmatched steps and pairs have zero cover, so the
 * result is optimal (complementary slackness).
 */
class Matcher {
  readonly y: Float64Array;
  readonly z: Float64Array;
  readonly rowEdge: Int32Array;
  readonly colRow: Int32Array;
  readonly #dist: Float64Array;
  readonly #pred: Int32Array;
  readonly #stamp: Int32Array;
  readonly #done: Int32Array;
  #epoch = 0;
  readonly #heap = new MaxHeap();
  constructor(readonly T: number, readonly P: number) {
    this.y = new Float64Array(T);
    this.z = new Float64Array(P);
    this.rowEdge = new Int32Array(T);
    this.colRow = new Int32Array(P);
    this.#dist = new Float64Array(P);
    this.#pred = new Int32Array(P);
    this.#stamp = new Int32Array(P);
    this.#done = new Int32Array(P);
  }

  /**
   * Solves from scratch: rows in CSR form (`start`, pair `col`, weight `w`, step `edgeOf` of each
   * entry), positive weights only. The matching is left in `rowEdge`/`colRow`, the cover in y, z.
   *
   * @returns The matching's weight.
   */
  solve(start: Int32Array, col: Int32Array, w: Float64Array, edgeOf: Int32Array): number {
    const { y, z, rowEdge, colRow, T } = this;
    y.fill(0);
    z.fill(0);
    rowEdge.fill(-1);
    colRow.fill(-1);
    const dist = this.#dist, pred = this.#pred, stamp = this.#stamp, done = this.#done;
    const heap = this.#heap;
    const settled: number[] = [];
    for (let t = 0; t < T; t++) {
      const s0 = start[t]!, s1 = start[t + 1]!;
      if (s0 === s1) continue;
      let yt = 0;
      for (let k = s0; k < s1; k++) yt = Math.max(yt, w[k]! - z[col[k]!]!);
      if (yt <= 0) continue;
      y[t] = yt;
      const epoch = ++this.#epoch;
      heap.clear();
      settled.length = 0;
      // best end so far: t's own "unmatched" option at cost y_t
      let D = yt, endCol = -1, endRow = t;
      const relax = (r: number, dr: number) => {
        const yr = y[r]!;
        if (dr + yr < D) {
          D = dr + yr;
          endCol = -1;
          endRow = r;
        }
        for (let k = start[r]!, e = start[r + 1]!; k < e; k++) {
          const q = col[k]!;
          if (stamp[q] === epoch && done[q] === epoch) continue;
          let nd = dr + yr + z[q]! - w[k]!;
          if (nd < dr) nd = dr;
          if (stamp[q] !== epoch || nd < dist[q]!) {
            stamp[q] = epoch;
            dist[q] = nd;
            pred[q] = k;
            if (colRow[q] === -1) {
              if (nd < D) {
                D = nd;
                endCol = q;
                endRow = -1;
              }
            } else heap.push(-nd, q);
          }
        }
      };
      relax(t, 0);
      while (heap.size > 0) {
        const q = heap.topItem(), d = -heap.topPrio();
        heap.pop();
        if (d >= D) break;
        if (done[q] === epoch || d !== dist[q]) continue;
        done[q] = epoch;
        settled.push(q);
        relax(colRow[q]!, d);
      }
      // potentials: settled pairs up, the steps reached through them (and t) down
      y[t] = yt - D;
      for (const q of settled) {
        const g = D - dist[q]!;
        z[q]! += g;
        const r = colRow[q]!;
        y[r] = Math.max(0, y[r]! - g);
      }
      if (y[t]! < 0) y[t] = 0;
      // augment along the path
      let c: number;
      if (endCol >= 0) c = endCol;
      else if (endRow === t) c = -1;
      else {
        c = col[rowEdge[endRow]!]!;
        rowEdge[endRow] = -1;
      }
      while (c >= 0) {
        const k = pred[c]!, r = edgeOf[k]!;
        const prev = rowEdge[r]!;
        rowEdge[r] = k;
        colRow[c] = r;
        if (r === t) break;
        c = col[prev]!;
      }
    }
    let value = 0;
    for (let t = 0; t < T; t++) if (rowEdge[t]! >= 0) value += w[rowEdge[t]!]!;
    return value;
  }
}

/** A maximum-weight matching with its optimal cover ({@linkcode maxWeightMatching}). */
export interface Matching {
  /** Total weight of the matched edges. */
  readonly value: number;
  /** The column matched to each row (-1: unmatched). */
  readonly rowMatch: Int32Array;
  /** The cover: y (rows) and z (columns), y_r + z_c ≥ w_rc on every edge, Σy + Σz = value. */
  readonly y: Float64Array;
  readonly z: Float64Array;
}

/**
 * Maximum-weight bipartite matching (not necessarily perfect) with an optimal vertex cover, by the
 * successive-shortest-path method the bundle solver's oracle uses (edges of weight ≤ 0 are never
 * needed and are ignored; at most one edge per row and column pair).
 *
 * @example
 * ```ts
 * import { maxWeightMatching } from "./cuts.ts";
 * import { deepStrictEqual, strictEqual as assertEquals } from "node:assert/strict";
 * // rows 0, 1; columns 0, 1: greedy would take (0, 0) = 3 and then (1, 1) = 0 only
 * const m = maxWeightMatching(2, 2, [[0, 0, 3], [0, 1, 2], [1, 0, 2]]);
 * assertEquals(m.value, 4);
 * deepStrictEqual(Array.from(m.rowMatch), [1, 0]);
 * ```
 * @param rows Number of rows.
 * @param cols Number of columns.
 * @param edges Edges as [row, column, weight].
 * @returns The matching and its cover.
 */
export function maxWeightMatching(
  rows: number,
  cols: number,
  edges: readonly (readonly [number, number, number])[],
): Matching {
  const pos = edges.filter((e) => e[2] > 0).sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  const start = new Int32Array(rows + 1);
  for (const [r] of pos) start[r + 1]!++;
  for (let r = 0; r < rows; r++) start[r + 1]! += start[r]!;
  const col = Int32Array.from(pos, (e) => e[1]);
  const w = Float64Array.from(pos, (e) => e[2]);
  const edgeOf = Int32Array.from(pos, (e) => e[0]);
  const m = new Matcher(rows, cols);
  const value = m.solve(start, col, w, edgeOf);
  return {
    value,
    rowMatch: Int32Array.from(m.rowEdge, (k) => (k < 0 ? -1 : col[k]!)),
    y: Float64Array.from(m.y),
    z: Float64Array.from(m.z),
  };
}

/**
 * Solves the mixture LP exactly by the level bundle method over α with a matching oracle (module
 * doc). Same LP, same optimum as {@linkcode solveMixtureLp}.
 *
 * @param stats Pair statistics from `replayMerges`.
 * @param opts Options.
 * @returns The proportions and the bookkeeping (`rounds` = oracle calls, `constraints` = candidate
 *   edges ever added, `finalRows` = candidate edges at the end, `solveMs` = matchings + master LPs).
 * @throws {Error} When the iteration limit is passed or a master LP fails.
 */
export async function solveMixtureCuts(
  stats: PairStats,
  opts: CutOptions = {},
): Promise<CutResult> {
  const batch = opts.competitorBatch ?? 10, tol = opts.tol ?? 1e-6, s = opts.scale ?? 1e6;
  const rtol = opts.rtol ?? 1e-10, lambda = opts.level ?? 0.3, dropAfter = opts.dropAfter ?? 3;
  const maxIter = opts.maxIter ?? 2000, kelleyBelow = opts.kelleyBelow ?? 0;
  const { T, P } = stats, n = stats.names.length;
  const h = await loadHighs();
  const edges = new Edges(n);
  const have = new Set<number>();
  const matcher = new Matcher(T, P);
  const cuts: Float64Array[] = [];
  let alpha: Float64Array = Float64Array.from(opts.start ?? new Array<number>(n).fill(1 / n));
  let best = Float64Array.from(alpha), upper = Infinity, lower = 0;
  let bestVt = new Float64Array(T), bestZ = new Float64Array(P);
  let rounds = 0, added = 0, matchMs = 0, walkMs = 0, masterMs = 0;
  const walk = new MergeWalk(stats, s), W = walk.W, heap = walk.heap;
  const vt = new Float64Array(T);
  for (;;) {
    if (++rounds > maxIter) {
      throw new Error(`mixture LP (cuts): no convergence in ${maxIter} iterations`);
    }
    // (1) matching on E at α
    const m0 = performance.now();
    const E = edges.size;
    const w = new Float64Array(E);
    const count = new Int32Array(T + 1);
    let E1 = 0;
    for (let k = 0; k < E; k++) {
      let x = 0;
      for (let i = 0; i < n; i++) x += alpha[i]! * edges.a[k * n + i]!;
      w[k] = x;
      if (x > 0) {
        count[edges.t[k]! + 1]!++;
        E1++;
      }
    }
    for (let t = 0; t < T; t++) count[t + 1]! += count[t]!;
    const fill = count.slice(0, T);
    const col = new Int32Array(E1), wr = new Float64Array(E1), edgeOf = new Int32Array(E1);
    const orig = new Int32Array(E1);
    for (let k = 0; k < E; k++) {
      if (!(w[k]! > 0)) continue;
      const j = fill[edges.t[k]!]!++;
      col[j] = edges.p[k]!;
      wr[j] = w[k]!;
      edgeOf[j] = edges.t[k]!;
      orig[j] = k;
    }
    matcher.solve(count, col, wr, edgeOf);
    const g = new Float64Array(n);
    for (let t = 0; t < T; t++) {
      const j = matcher.rowEdge[t]!;
      if (j < 0) continue;
      const k = orig[j]!;
      for (let i = 0; i < n; i++) g[i]! += edges.a[k * n + i]!;
    }
    cuts.push(g);
    // idle counters: edges not tight in the E-cover
    const keep = new Uint8Array(E);
    for (let k = 0; k < E; k++) {
      const rc = matcher.y[edges.t[k]!]! + matcher.z[edges.p[k]!]! - w[k]!;
      edges.idle[k] = rc > tol ? edges.idle[k]! + 1 : 0;
      keep[k] = dropAfter > 0 && edges.idle[k]! >= dropAfter ? 0 : 1;
    }
    const matchedAt = performance.now();
    matchMs += matchedAt - m0;
    // (2) walk: exact cover for all pairs given z, and the violated edges
    const z = matcher.z, y = matcher.y;
    walk.start(alpha, z);
    const fresh: { t: number; p: number; a: Float64Array }[] = [];
    for (let t = 0; t < T; t++) {
      const m = stats.merged[t]!;
      const u = W[m]!;
      // clean the top: its priority is max_p (W(p) − z_p)
      while (heap.size > 0) {
        const p = heap.topItem(), pr = heap.topPrio(), cur = W[p]! - z[p]!;
        if (pr === cur) break;
        heap.pop();
        if (W[p]! > 0) heap.push(cur, p);
      }
      vt[t] = heap.size > 0 ? Math.max(0, heap.topPrio() - u) : 0;
      walk.scan(t, u + y[t]! + tol, batch, (p) => {
        const id = t * P + p;
        if (p === m || have.has(id)) return false;
        have.add(id);
        fresh.push({ t, p, a: walk.coef(p, m, new Float64Array(n)) });
        return true;
      });
      walk.advance(t);
    }
    let value = 0;
    for (let t = 0; t < T; t++) value += vt[t]!;
    for (let p = 0; p < P; p++) value += z[p]!;
    // drop idle edges, then add the violated ones
    if (keep.some((x) => x === 0)) {
      for (let k = 0; k < E; k++) if (!keep[k]) have.delete(edges.t[k]! * P + edges.p[k]!);
      edges.filter(keep);
    }
    for (const f of fresh) edges.push(f.t, f.p, f.a);
    added += fresh.length;
    const walkedAt = performance.now();
    walkMs += walkedAt - matchedAt;
    if (value < upper) {
      upper = value;
      best = Float64Array.from(alpha);
      bestVt = Float64Array.from(vt);
      bestZ = Float64Array.from(z);
    }
    // (3) master: lower bound and the next point
    const model = masterLower(h, n, cuts);
    lower = Math.max(lower, model.value);
    const gap = upper - lower;
    if (gap <= rtol * upper + tol * 1e-3) {
      masterMs += performance.now() - walkedAt;
      opts.onRound?.({
        round: rounds,
        upper: upper / s,
        lower: lower / s,
        edges: edges.size,
        added: fresh.length,
        matchMs: matchedAt - m0,
        walkMs: walkedAt - matchedAt,
        masterMs: performance.now() - walkedAt,
      });
      break;
    }
    // the level step; the model's minimiser (Kelley's step) below `kelleyBelow` or should the
    // level LP fail numerically (its level set is never empty: it holds the model's minimiser)
    alpha = gap <= kelleyBelow * upper
      ? model.alpha
      : (masterLevel(h, n, cuts, lower + lambda * gap, best) ?? model.alpha);
    const mastered = performance.now();
    masterMs += mastered - walkedAt;
    opts.onRound?.({
      round: rounds,
      upper: upper / s,
      lower: lower / s,
      edges: edges.size,
      added: fresh.length,
      matchMs: matchedAt - m0,
      walkMs: walkedAt - matchedAt,
      masterMs: mastered - walkedAt,
    });
  }
  const { stepSlack, pairSlack, activeSteps, activePairs } = slackTotals(bestVt, bestZ);
  const pset = new Set<number>();
  for (let k = 0; k < edges.size; k++) pset.add(edges.p[k]!);
  const pairVars = pset.size;
  const sum = best.reduce((a, b) => a + b, 0);
  return {
    alpha: Array.from(best, (a) => Math.max(0, a) / sum),
    objective: upper / s,
    lowerBound: lower / s,
    stepSlack: stepSlack / s,
    pairSlack: pairSlack / s,
    activeSteps,
    activePairs,
    rounds,
    constraints: added,
    finalRows: edges.size,
    pairVars,
    solveMs: matchMs + masterMs,
    walkMs,
    matchMs,
    masterMs,
  };
}

type H = Awaited<ReturnType<typeof loadHighs>>;

/** min_{α∈Δ} max(0, max_k g_k·α): the cutting-plane model's minimum (a lower bound). */
function masterLower(
  h: H,
  n: number,
  cuts: readonly Float64Array[],
): { value: number; alpha: Float64Array } {
  const model = simplexModel(h, n, 1);
  try {
    const all = [...Array(n).keys()];
    for (const g of cuts) {
      model.addRow(0, Infinity, { indices: [...all, n], values: [...Array.from(g, (x) => -x), 1] });
    }
    const res = model.run();
    if (res.modelStatus !== OPTIMAL) {
      throw new Error(`mixture LP (cuts): master status ${res.modelStatus}`);
    }
    const x = model.getSolution().colValue;
    return { value: x[n]!, alpha: Float64Array.from({ length: n }, (_, i) => Math.max(0, x[i]!)) };
  } finally {
    model.dispose();
  }
}

/** The level step: argmin ‖α − center‖_∞ over α ∈ Δ with g_k·α ≤ level for all cuts. */
function masterLevel(
  h: H,
  n: number,
  cuts: readonly Float64Array[],
  level: number,
  center: Float64Array,
): Float64Array | undefined {
  const model = simplexModel(h, n, 1);
  try {
    const all = [...Array(n).keys()];
    for (const g of cuts) model.addRow(-Infinity, level, { indices: all, values: Array.from(g) });
    for (let i = 0; i < n; i++) {
      model.addRow(-center[i]!, Infinity, { indices: [i, n], values: [-1, 1] });
      model.addRow(center[i]!, Infinity, { indices: [i, n], values: [1, 1] });
    }
    const res = model.run();
    if (res.modelStatus !== OPTIMAL) return undefined;
    const x = model.getSolution().colValue;
    return Float64Array.from({ length: n }, (_, i) => Math.max(0, x[i]!));
  } finally {
    model.dispose();
  }
}
