import { assert, assertAlmost, assertEquals, assertThrows } from "../_assert.ts";
import { mergeIds, replayMerges, trainBpe } from "../../inference/bpe.ts";
import { MergeWalk } from "../../inference/_merge_walk.ts";
import {
  loadHighs,
  RowBatch,
  RowPool,
  runOptimal,
  simplexModel,
  slackTotals,
} from "../../inference/_lp_model.ts";

function smallStats() {
  const cats = [
    { name: "x", words: new Map([["abab", 3], ["abc", 2], ["cab", 1]]) },
    { name: "y", words: new Map([["cdcd", 2], ["abcd", 4], ["dab", 2]]) },
  ];
  const all = new Map<string, number>();
  for (const c of cats) for (const [w, k] of c.words) all.set(w, (all.get(w) ?? 0) + k);
  const list = trainBpe(all, 6, "gpt2");
  return replayMerges(cats, mergeIds(list));
}

Deno.test("MergeWalk scans the pairs above the cutoff in priority order, each step's W recomputed", () => {
  const stats = smallStats(), { T, P } = stats, n = stats.names.length, s = 10;
  assert(T >= 4, `only ${T} merges`);
  const alpha = [0.3, 0.7];
  const off = Float64Array.from({ length: P }, (_, p) => (p % 3) * 0.05);
  const walk = new MergeWalk(stats, s);
  walk.start(alpha, off);
  // reference counts: the initial counts plus the deltas of the steps before t
  const C = Array.from({ length: n }, (_, i) => {
    const c = new Float64Array(P);
    stats.initial[i]!.idx.forEach((p, j) => (c[p] = stats.initial[i]!.count[j]!));
    return c;
  });
  let busy = 0;
  for (let t = 0; t < T; t++) {
    for (let p = 0; p < P; p++) {
      let w = 0;
      for (let i = 0; i < n; i++) w += alpha[i]! * s * C[i]![p]! / stats.pairs0[i]!;
      assertAlmost(walk.W[p]!, w, 1e-12, `W(${p}) at step ${t}`);
    }
    const coef = walk.coef(stats.merged[t]!, 0, new Float64Array(n));
    for (let i = 0; i < n; i++) {
      const want = (C[i]![stats.merged[t]!]! - C[i]![0]!) * s / stats.pairs0[i]!;
      assertAlmost(coef[i]!, want, 1e-12, `coef ${i} at step ${t}`);
    }
    const cutoff = 0.2;
    const want = [...Array(P).keys()]
      .filter((p) => walk.W[p]! - off[p]! > cutoff)
      .sort((a, b) => walk.W[b]! - off[b]! - (walk.W[a]! - off[a]!));
    const got: number[] = [];
    walk.scan(t, cutoff, P, (p) => (got.push(p), true));
    assertEquals(new Set(got), new Set(want));
    for (let k = 1; k < got.length; k++) {
      assert(walk.W[got[k - 1]!]! - off[got[k - 1]!]! >= walk.W[got[k]!]! - off[got[k]!]!);
    }
    // a batch of 1 counts only the calls that return true (the first is refused here)
    const first: number[] = [];
    walk.scan(t + T, cutoff, 1, (p) => (first.push(p), first.length > 1));
    assertEquals(first, want.slice(0, 2));
    if (want.length >= 2) busy++;
    walk.advance(t);
    for (let i = 0; i < n; i++) {
      const { start, idx, val } = stats.deltas[i]!;
      for (let j = start[t]!; j < start[t + 1]!; j++) C[i]![idx[j]!]! += val[j]!;
    }
  }
  assert(busy >= T / 2, `only ${busy} of ${T} steps have two pairs above the cutoff`);
});

Deno.test("RowBatch appends rows in one call and RowPool deletes the idle ones", async () => {
  const h = await loadHighs();
  // min v0 + v1 s.t. v0 + v1 ≥ α0, v0 + v1 ≥ α1, v0 + v1 ≥ 0 (never binding at the optimum)
  const model = simplexModel(h, 2, 2, { presolveOff: true });
  try {
    const rows = new RowBatch();
    rows.add([-1, 0], 2, 1, 3, 1);
    rows.add([0, -1], 2, 1, 3, 1);
    rows.add([0, 0], 2, 1, 3, 1);
    rows.add([0, 0], 2, 1, 3, 1);
    assertEquals(rows.size, 4);
    rows.appendTo(model, 4);
    new RowBatch().appendTo(model, 4);
    const pool = new RowPool();
    for (const key of [10, 11, 12, -1]) pool.push(key);
    runOptimal(model, "test");
    const sol = model.getSolution();
    assertAlmost(sol.colValue[2]! + sol.colValue[3]!, 0.5, 1e-9, "objective");
    assertEquals(sol.rowValue.length, 5);
    const have = new Set([10, 11, 12]);
    // rows 10, 11 are binding, 12 has surplus 0.5; the key -1 row is never deleted
    assertEquals(pool.dropIdle(model, sol.rowValue, { tol: 1e-9, dropAfter: 1, have }), 1);
    assertEquals([pool.size, [...have]], [3, [10, 11]]);
    runOptimal(model, "test");
    assertEquals(model.getSolution().rowValue.length, 4);
  } finally {
    model.dispose();
  }
});

Deno.test("runOptimal names the solve when HiGHS reports no optimum", async () => {
  const h = await loadHighs();
  // α fixed at (0.3, 0.3) contradicts Σα = 1
  const model = simplexModel(h, 2, 0, { alphaFixed: [0.3, 0.3] });
  try {
    let reported = -1;
    assertThrows(
      () => runOptimal(model, "toy LP", (ms) => (reported = ms)),
      Error,
      "toy LP: HiGHS model status",
    );
    assert(reported >= 0, "the run is reported before the status check");
  } finally {
    model.dispose();
  }
});

Deno.test("slackTotals sums the slacks and counts the positive ones and the pair columns", () => {
  const vt = Float64Array.from([0, 2, 1e-10, 3]), vp = Float64Array.from([1, 0, 5, 0]);
  assertEquals(slackTotals(vt, vp), {
    stepSlack: 5 + 1e-10,
    pairSlack: 6,
    activeSteps: 2,
    activePairs: 2,
    pairVars: 4,
  });
  assertEquals(slackTotals(vt, vp, Int32Array.from([-1, 7, 8, -1])), {
    stepSlack: 5 + 1e-10,
    pairSlack: 5,
    activeSteps: 2,
    activePairs: 1,
    pairVars: 2,
  });
});
