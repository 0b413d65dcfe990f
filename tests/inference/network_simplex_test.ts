import { assert, assertEquals } from "../_assert.ts";
import { NetworkSimplex } from "../../inference/_network_simplex.ts";
import { maxWeightMatching } from "../../inference/cuts.ts";
import { loadHighs, runOptimal } from "../../inference/_lp_model.ts";
import { Rng } from "../../numerics/rng.ts";

/**
 * A random fixed-α slack problem as difference constraints: steps t (π_t = v_t ≥ 0, supply 1),
 * pairs p (π_p = −v_p ≤ 0, demand 1), edges (t, p) with weights w (v_t + v_p ≥ w ⇔ π_t − π_p ≥ w).
 */
function randomCover(seed: number, S: number, Q: number, E: number) {
  const rng = new Rng(seed), u = () => rng.next();
  const edges: [number, number, number][] = [];
  const seen = new Set<number>();
  while (edges.length < E) {
    const t = Math.floor(u() * S), p = Math.floor(u() * Q);
    if (seen.has(t * Q + p)) continue;
    seen.add(t * Q + p);
    // integer weights (ties, as pair counts give) shifted below zero for some edges
    edges.push([t, p, Math.floor(u() * 12) - 3]);
  }
  return edges;
}

function networkOf(S: number, Q: number) {
  const ns = new NetworkSimplex();
  const step = Array.from({ length: S }, () => ns.addNode(1, true, 0));
  const pair = Array.from({ length: Q }, () => ns.addNode(-1, false, 0));
  return { ns, step, pair };
}

/** Σ v_t + Σ v_p of the network's potentials, and the largest violation of an edge or a bound. */
function coverOf(
  ns: NetworkSimplex,
  step: number[],
  pair: number[],
  edges: [number, number, number][],
) {
  let obj = 0, viol = 0;
  for (const v of step) {
    obj += ns.pi[v]!;
    viol = Math.max(viol, -ns.pi[v]!);
  }
  for (const v of pair) {
    obj -= ns.pi[v]!;
    viol = Math.max(viol, ns.pi[v]!);
  }
  for (const [t, p, w] of edges) viol = Math.max(viol, w - (ns.pi[step[t]!]! + -ns.pi[pair[p]!]!));
  return { obj, viol };
}

Deno.test("NetworkSimplex solves a cover LP to the optimum of HiGHS and of a maximum-weight matching", async () => {
  const h = await loadHighs();
  for (const [seed, S, Q, E] of [[1, 6, 5, 14], [2, 40, 30, 200], [3, 120, 60, 900]] as const) {
    const edges = randomCover(seed, S, Q, E);
    const { ns, step, pair } = networkOf(S, Q);
    for (const [t, p, w] of edges) ns.addArc(step[t]!, pair[p]!, w);
    ns.solve(1e-9);
    const { obj, viol } = coverOf(ns, step, pair, edges);
    assert(viol <= 1e-9, `violation ${viol}`);
    // reference 1: HiGHS on min Σ v s.t. v_t + v_p ≥ w, v ≥ 0
    const model = h.createModel();
    try {
      model.options.set("output_flag", false);
      const none = { indices: [] as number[], values: [] as number[] };
      for (let j = 0; j < S + Q; j++) model.addCol(1, 0, Infinity, none);
      for (const [t, p, w] of edges) {
        model.addRow(w, Infinity, { indices: [t, S + p], values: [1, 1] });
      }
      runOptimal(model, "reference");
      const ref = model.getSolution().colValue.reduce((a, b) => a + b, 0);
      assert(Math.abs(obj - ref) <= 1e-9 * Math.max(1, ref), `${obj} vs HiGHS ${ref}`);
    } finally {
      model.dispose();
    }
    // reference 2: the matching's weight (LP duality), and the network's flow is that matching
    const m = maxWeightMatching(S, Q, edges);
    assert(Math.abs(obj - m.value) <= 1e-9 * Math.max(1, m.value), `${obj} vs matching ${m.value}`);
    let flowValue = 0;
    for (let e = 0; e < ns.arcs; e++) {
      assert(ns.flow[e]! >= 0, `negative flow on arc ${e}`);
      if (ns.tail[e] !== 0 && ns.head[e] !== 0) flowValue += ns.flow[e]! * ns.cost[e]!;
      // complementary slackness: tree arcs are tight
      if (ns.inTree(e)) {
        const slack = ns.pi[ns.tail[e]!]! - ns.pi[ns.head[e]!]! - ns.cost[e]!;
        assert(Math.abs(slack) <= 1e-9, `tree arc ${e} has slack ${slack}`);
      }
    }
    assert(Math.abs(flowValue - obj) <= 1e-9 * Math.max(1, obj), `flow ${flowValue} vs ${obj}`);
  }
});

Deno.test("NetworkSimplex re-solves warm after arcs are added, to the cold optimum", () => {
  const S = 80, Q = 50, edges = randomCover(7, S, Q, 600);
  const warm = networkOf(S, Q);
  for (let k = 0; k < edges.length; k += 150) {
    for (const [t, p, w] of edges.slice(k, k + 150)) {
      warm.ns.addArc(warm.step[t]!, warm.pair[p]!, w);
    }
    warm.ns.solve(1e-9);
  }
  const cold = networkOf(S, Q);
  for (const [t, p, w] of edges) cold.ns.addArc(cold.step[t]!, cold.pair[p]!, w);
  cold.ns.solve(1e-9);
  const a = coverOf(warm.ns, warm.step, warm.pair, edges);
  const b = coverOf(cold.ns, cold.step, cold.pair, edges);
  assert(a.viol <= 1e-9 && b.viol <= 1e-9, `violations ${a.viol}, ${b.viol}`);
  assert(Math.abs(a.obj - b.obj) <= 1e-9, `${a.obj} vs ${b.obj}`);
  // a free node (artificial arc of cost −M) takes the value its arcs force: π_r ≥ π_t0 + 2
  const r = warm.ns.addNode(0, true, -1e8);
  warm.ns.addArc(r, warm.step[0]!, 2);
  warm.ns.addArc(warm.pair[0]!, r, -1e6);
  warm.ns.solve(1e-9);
  assertEquals(warm.ns.pi[r], warm.ns.pi[warm.step[0]!]! + 2);
});
