/**
 * A primal network simplex for LPs of difference constraints, for the fixed-α phase of the
 * interval-form mixture LP (`interval_lp.ts`):
 *
 *     min Σ_j b_j π_j  s.t.  π_a − π_b ≥ c_ab for every arc (a, b),  π_root = 0,
 *
 * whose dual is the uncapacitated transshipment max Σ c_ab f_ab s.t. out(j) − in(j) = b_j, f ≥ 0
 * (node 0 is the root and absorbs the balance). The method keeps a spanning tree of arcs carrying
 * the flow, node potentials π with every tree arc tight, and pivots on an arc with
 * π_a − π_b < c_ab (block pricing) until none is left: then π is optimal for the LP and f for its
 * dual, and the tree is an optimal basis. Leaving arcs follow the strongly-feasible-tree rule
 * (Cunningham 1976; Ahuja, Magnanti, Orlin 1993, "Network Flows", §11.5), which prevents cycling
 * under degeneracy. Arcs and nodes can be added between solves; a new node hangs from the root by
 * an arc given by the caller (a bound, or an artificial arc of cost −M for a free variable), and the
 * next solve starts from the previous tree.
 *
 * @module
 */

/** Network simplex state (module doc). */
export class NetworkSimplex {
  // arcs
  tail: Int32Array = new Int32Array(1024);
  head: Int32Array = new Int32Array(1024);
  cost: Float64Array = new Float64Array(1024);
  flow: Float64Array = new Float64Array(1024);
  arcs = 0;
  // nodes: tree by parent pointers and child lists
  pi: Float64Array = new Float64Array(1024);
  parent: Int32Array = new Int32Array(1024);
  pArc: Int32Array = new Int32Array(1024);
  depth: Int32Array = new Int32Array(1024);
  first: Int32Array = new Int32Array(1024);
  next: Int32Array = new Int32Array(1024);
  prev: Int32Array = new Int32Array(1024);
  nodes = 1;
  /** Pivots over all solves. */
  pivots = 0;
  #inTree: Uint8Array = new Uint8Array(1024);
  #scan = 0;
  #cand: Int32Array = new Int32Array(0);
  #stack: Int32Array = new Int32Array(1024);

  constructor() {
    this.parent[0] = -1;
    this.pArc[0] = -1;
    this.first[0] = -1;
  }

  #growArcs(): void {
    const c = this.tail.length * 2;
    const gi = (x: Int32Array) => {
      const y = new Int32Array(c);
      y.set(x);
      return y;
    };
    const gf = (x: Float64Array) => {
      const y = new Float64Array(c);
      y.set(x);
      return y;
    };
    this.tail = gi(this.tail);
    this.head = gi(this.head);
    this.cost = gf(this.cost);
    this.flow = gf(this.flow);
    const t = new Uint8Array(c);
    t.set(this.#inTree);
    this.#inTree = t;
  }

  #growNodes(): void {
    const c = this.pi.length * 2;
    const gi = (x: Int32Array) => {
      const y = new Int32Array(c);
      y.set(x);
      return y;
    };
    const pi = new Float64Array(c);
    pi.set(this.pi);
    this.pi = pi;
    this.parent = gi(this.parent);
    this.pArc = gi(this.pArc);
    this.depth = gi(this.depth);
    this.first = gi(this.first);
    this.next = gi(this.next);
    this.prev = gi(this.prev);
    this.#stack = new Int32Array(c);
  }

  /** Appends a non-tree arc π_a − π_b ≥ c with zero flow. @returns Its index. */
  addArc(a: number, b: number, c: number): number {
    if (this.arcs === this.tail.length) this.#growArcs();
    const e = this.arcs++;
    this.tail[e] = a;
    this.head[e] = b;
    this.cost[e] = c;
    this.flow[e] = 0;
    return e;
  }

  /** Whether arc e is in the tree. */
  inTree(e: number): boolean {
    return this.#inTree[e] === 1;
  }

  #link(v: number, p: number): void {
    this.parent[v] = p;
    const f = this.first[p]!;
    this.next[v] = f;
    this.prev[v] = -1;
    if (f >= 0) this.prev[f] = v;
    this.first[p] = v;
  }

  #unlink(v: number): void {
    const p = this.parent[v]!, a = this.prev[v]!, b = this.next[v]!;
    if (a >= 0) this.next[a] = b;
    else this.first[p] = b;
    if (b >= 0) this.prev[b] = a;
  }

  /**
   * Adds a node hung from the root by a new tree arc: `up` (node → root, cost c: π ≥ c) carrying
   * the node's supply `supply` ≥ 0, or down (root → node, cost c: −π ≥ c) carrying −supply ≥ 0.
   * @returns The node's index.
   */
  addNode(supply: number, up: boolean, c: number): number {
    if (this.nodes === this.pi.length) this.#growNodes();
    const v = this.nodes++;
    const e = up ? this.addArc(v, 0, c) : this.addArc(0, v, c);
    this.flow[e] = up ? supply : -supply;
    this.#inTree[e] = 1;
    this.pi[v] = up ? c : -c;
    this.pArc[v] = e;
    this.depth[v] = 1;
    this.first[v] = -1;
    this.#link(v, 0);
    return v;
  }

  /**
   * Pivots until no arc is violated by more than `tol`. Pricing by a candidate list (Bradley,
   * Brown, Graves 1977): a major iteration collects up to √m/4 violated arcs from where the last
   * scan stopped, minor iterations pivot on the most violated arc of the list until it is empty
   * or as many minor iterations were made.
   *
   * @returns The pivots of this solve.
   * @throws {Error} When the dual is unbounded (the difference constraints are infeasible).
   */
  solve(tol: number): number {
    const { tail, head, cost, flow } = this;
    const L = Math.max(16, Math.ceil(Math.sqrt(this.arcs) / 4));
    if (this.#cand.length < L) this.#cand = new Int32Array(L);
    const cand = this.#cand, inTree = this.#inTree;
    let pivots = 0, nc = 0, minor = 0;
    for (;;) {
      const pi = this.pi;
      // minor iteration: the most violated arc of the candidate list (dropping satisfied ones)
      let best = -1, bestV = tol, j = 0;
      for (let i = 0; i < nc; i++) {
        const e = cand[i]!;
        if (inTree[e]) continue;
        const v = cost[e]! - (pi[tail[e]!]! - pi[head[e]!]!);
        if (v <= tol) continue;
        cand[j++] = e;
        if (v > bestV) {
          bestV = v;
          best = e;
        }
      }
      nc = j;
      if (best < 0 || minor >= L) {
        // major iteration: refill the list from the next arcs (cyclically)
        nc = 0;
        minor = 0;
        best = -1;
        bestV = tol;
        const m = this.arcs;
        for (let seen = 0; seen < m && nc < L; seen++) {
          const e = this.#scan;
          this.#scan = e + 1 === m ? 0 : e + 1;
          if (inTree[e]) continue;
          const v = cost[e]! - (pi[tail[e]!]! - pi[head[e]!]!);
          if (v <= tol) continue;
          cand[nc++] = e;
          if (v > bestV) {
            bestV = v;
            best = e;
          }
        }
        if (best < 0) break;
      }
      this.#pivot(best, bestV, tail, head, flow);
      pivots++;
      minor++;
    }
    this.pivots += pivots;
    this.#potentials();
    return pivots;
  }

  /** Recomputes every potential from the tree (removes the rounding of the pivots' updates). */
  #potentials(): void {
    const { tail, cost, pi, pArc, first, next } = this, stack = this.#stack;
    let sp = 0;
    for (let c = first[0]!; c >= 0; c = next[c]!) stack[sp++] = c;
    while (sp > 0) {
      const v = stack[--sp]!, e = pArc[v]!, p = this.parent[v]!;
      pi[v] = tail[e] === v ? pi[p]! + cost[e]! : pi[p]! - cost[e]!;
      for (let c = first[v]!; c >= 0; c = next[c]!) stack[sp++] = c;
    }
  }

  #pivot(e: number, viol: number, tail: Int32Array, head: Int32Array, flow: Float64Array): void {
    const { parent, depth, pArc } = this;
    const a = tail[e]!, b = head[e]!;
    // apex
    let x = a, y = b;
    while (x !== y) {
      if (depth[x]! >= depth[y]!) x = parent[x]!;
      else y = parent[y]!;
    }
    const w = x;
    // blocking arcs: a side scanned from a up (strict), b side from b up (non-strict)
    let theta = Infinity, leave = -1, leaveSideA = false;
    for (let u = a; u !== w; u = parent[u]!) {
      const f = pArc[u]!;
      if (tail[f] === u && flow[f]! < theta) {
        theta = flow[f]!;
        leave = u;
        leaveSideA = true;
      }
    }
    for (let u = b; u !== w; u = parent[u]!) {
      const f = pArc[u]!;
      if (tail[f] !== u && flow[f]! <= theta) {
        theta = flow[f]!;
        leave = u;
        leaveSideA = false;
      }
    }
    if (leave < 0) {
      throw new Error("network simplex: unbounded (infeasible difference constraints)");
    }
    // flows
    if (theta > 0) {
      for (let u = a; u !== w; u = parent[u]!) {
        const f = pArc[u]!;
        flow[f] = flow[f]! + (tail[f] === u ? -theta : theta);
      }
      for (let u = b; u !== w; u = parent[u]!) {
        const f = pArc[u]!;
        flow[f] = flow[f]! + (tail[f] === u ? theta : -theta);
      }
    }
    flow[e] = theta;
    // re-hang: the subtree of `leave` holds x0 (a or b); reverse the path x0 → leave
    const x0 = leaveSideA ? a : b, y0 = leaveSideA ? b : a;
    const delta = leaveSideA ? viol : -viol;
    this.#inTree[pArc[leave]!] = 0;
    this.#inTree[e] = 1;
    let u = x0, newPar = y0, newArc = e;
    for (;;) {
      const oldPar = parent[u]!, oldArc = pArc[u]!;
      this.#unlink(u);
      this.#link(u, newPar);
      pArc[u] = newArc;
      if (u === leave) break;
      newPar = u;
      newArc = oldArc;
      u = oldPar;
    }
    // potentials and depths of the moved subtree (now under y0)
    const stack = this.#stack;
    let sp = 0;
    stack[sp++] = x0;
    while (sp > 0) {
      const v = stack[--sp]!;
      this.pi[v] = this.pi[v]! + delta;
      depth[v] = depth[parent[v]!]! + 1;
      for (let c = this.first[v]!; c >= 0; c = this.next[c]!) stack[sp++] = c;
    }
  }
}
