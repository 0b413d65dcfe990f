/**
 * The fixed-α phase of the interval-form mixture LP (`interval_lp.ts`) on a network simplex
 * (`_network_simplex.ts`), and its hand-over to HiGHS.
 *
 * With α fixed, every row of the interval form has two variables with coefficients ±1 and a
 * constant right-hand side. Writing π_t = v^(t), π_p = −v_p (pairs), π_k = r_k (segment-tree
 * nodes) and π_root = 0, each row reads π_a − π_b ≥ c: a leaf pair row v^(t) + v_p ≥ g_tp is the arc
 * (t, p); a node pair row r_k + v_p ≥ u(p) the arc (k, p); a tree row r_c − r_k ≥ 0 the arc (c, k);
 * a leaf tree row v^(t) + u_t(m^(t)) − r_k ≥ 0 the arc (t, k) with c = −u_t(m^(t)); the bounds
 * v ≥ 0 are the arcs (t, root) and (root, p), and a free r_k hangs from the root by an artificial
 * arc (k, root) of cost −M (π_k ≥ −M, never binding at an optimum of the LP). The objective
 * Σ v^(t) + Σ v_p is Σ_j b_j π_j with b = 1 at steps and −1 at pairs.
 *
 * A spanning tree of the network is a basis of the LP (Ahuja, Magnanti, Orlin 1993, §11.11): a
 * tree arc is a row (or bound) held at equality, nonbasic; every other row and column is basic.
 * So when the phase ends, HiGHS gets the columns and rows in the order the walks created them and
 * the network's optimal tree as its basis (`setBasis`); an artificial arc left in the tree
 * becomes its free column nonbasic at zero (a valid basis; HiGHS repairs the values if needed).
 * HiGHS then verifies the basis and goes on with α free.
 *
 * @module
 */

import type { Model } from "highs";
import { NetworkSimplex } from "./_network_simplex.ts";
import { appendCols, OPTIMAL, RowBatch, type RowPool } from "./_lp_model.ts";

/** Cost of the artificial arcs of free node variables (scaled units; |π| stays below ~10^7). */
const BIG = 1e8;

/** The network phase's state (module doc). */
export class NetworkFixed {
  readonly ns: NetworkSimplex = new NetworkSimplex();
  /** Pending HiGHS columns after the α and step columns: cost, lower bound. */
  readonly cols: { cost: number; lower: number }[] = [];
  readonly #n: number;
  readonly #T: number;
  /** Network node of each HiGHS column (−1: α). */
  #colNode: number[] = [];
  /** Root arc (bound or artificial) of each network node. */
  #rootArc: number[] = [-1];
  /** Whether a HiGHS column is a pair slack (π = −v_p). */
  #isPair: boolean[] = [];
  #coefs: Float64Array[] = [];
  #cs: (readonly [number, number, number, number])[] = [];
  #arcs: number[] = [];
  #keys: number[] = [];
  #pivots = 0;

  /**
   * @param n Categories (α columns 0..n−1).
   * @param T Steps (columns n..n+T−1).
   */
  constructor(n: number, T: number) {
    this.#n = n;
    this.#T = T;
    for (let i = 0; i < n; i++) {
      this.#colNode.push(-1);
      this.#isPair.push(false);
    }
    for (let t = 0; t < T; t++) {
      const v = this.ns.addNode(1, true, 0);
      this.#rootArc[v] = this.ns.pArc[v]!;
      this.#colNode.push(v);
      this.#isPair.push(false);
    }
  }

  /** Rows so far. */
  get rows(): number {
    return this.#arcs.length;
  }

  /** Pivots so far. */
  get pivots(): number {
    return this.#pivots;
  }

  /** Adds a pair-slack column (cost 1, ≥ 0) or a node column (cost 0, free). */
  addCol(pair: boolean): void {
    const v = pair ? this.ns.addNode(-1, false, 0) : this.ns.addNode(0, true, -BIG);
    this.#rootArc[v] = this.ns.pArc[v]!;
    this.#colNode.push(v);
    this.#isPair.push(pair);
    this.cols.push(pair ? { cost: 1, lower: 0 } : { cost: 0, lower: -Infinity });
  }

  /**
   * Adds the row coef·α + v1 x_c1 + v2 x_c2 ≥ 0 (α fixed at `alpha`) with its pool key.
   *
   * @throws {Error} When the row is not a difference constraint in π.
   */
  addRow(
    coef: Float64Array,
    c: readonly [number, number, number, number],
    alpha: Float64Array,
    key: number,
  ): void {
    const [c1, v1, c2, v2] = c;
    let g = 0;
    for (let i = 0; i < alpha.length; i++) g -= coef[i]! * alpha[i]!;
    const s1 = v1 * (this.#isPair[c1] ? -1 : 1), s2 = v2 * (this.#isPair[c2] ? -1 : 1);
    if (s1 + s2 !== 0) throw new Error("interval network: a row is not a difference constraint");
    const [a, b] = s1 > 0 ? [c1, c2] : [c2, c1];
    this.#arcs.push(this.ns.addArc(this.#colNode[a]!, this.#colNode[b]!, g));
    this.#coefs.push(coef);
    this.#cs.push(c);
    this.#keys.push(key);
  }

  /**
   * Solves the network and reads the slacks: v^(t) = π_t, v_p = −π_p (pairs with a column).
   *
   * @returns The pivots of this solve.
   */
  solve(tol: number, vt: Float64Array, vp: Float64Array, vpCol: Int32Array): number {
    const piv = this.ns.solve(tol);
    this.#pivots += piv;
    const pi = this.ns.pi, n = this.#n;
    for (let t = 0; t < this.#T; t++) vt[t] = pi[this.#colNode[n + t]!]!;
    for (let p = 0; p < vp.length; p++) {
      if (vpCol[p]! >= 0) vp[p] = -pi[this.#colNode[vpCol[p]!]!]!;
    }
    return piv;
  }

  /**
   * Appends the columns and rows to the HiGHS model (α still fixed), sets the tree as its basis and
   * runs HiGHS on it (no iterations are expected; HiGHS checks the basis).
   *
   * @param model The model: the α and step columns and the row Σα = 1, nothing else yet.
   * @param pool The row pool; the rows' keys are pushed in row order.
   * @returns Milliseconds and simplex iterations of the run.
   * @throws {Error} When HiGHS reports no optimum.
   */
  handOver(model: Model, pool: RowPool): { ms: number; iterations: number } {
    const nc = this.cols.length, n = this.#n, T = this.#T;
    appendCols(
      model,
      1,
      Float64Array.from(this.cols, (c) => c.cost),
      Float64Array.from(this.cols, (c) => c.lower),
    );
    const numCols = n + T + nc;
    const rows = new RowBatch();
    const rowStatus = new Int32Array(1 + this.#arcs.length);
    rowStatus[0] = 1;
    for (let i = 0; i < this.#arcs.length; i++) {
      rows.add(this.#coefs[i]!, ...this.#cs[i]!);
      pool.push(this.#keys[i]!);
      rowStatus[1 + i] = this.ns.inTree(this.#arcs[i]!) ? 0 : 1;
    }
    rows.appendTo(model, numCols);
    // columns: basic unless their bound (or artificial) arc is in the tree; a free node column
    // held by its artificial arc is nonbasic at zero (HiGHS status 3)
    const colStatus = new Int32Array(numCols);
    for (let j = n; j < numCols; j++) {
      const inTree = this.ns.inTree(this.#rootArc[this.#colNode[j]!]!);
      colStatus[j] = !inTree ? 1 : j >= n + T && this.cols[j - n - T]!.lower === -Infinity ? 3 : 0;
    }
    model.setBasis({ colStatus, rowStatus });
    const s0 = performance.now();
    const res = model.run();
    const ms = performance.now() - s0;
    if (res.modelStatus !== OPTIMAL) {
      throw new Error(
        `mixture LP (interval form): HiGHS model status ${res.modelStatus} (not optimal)`,
      );
    }
    return { ms, iterations: Number(model.info.get("simplex_iteration_count")) };
  }
}
