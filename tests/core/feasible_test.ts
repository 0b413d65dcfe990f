import { assert, assertEquals, assertThrows } from "../_assert.ts";
import { FeasibleSet } from "../../core/feasible.ts";
import { checkRegion, loadSurrogate, regionFeasibleSet } from "../../runners/surrogate_card.ts";
import { loadTask } from "../../datasets/registry.ts";
import { dirichlet } from "../../numerics/stats/gamma.ts";
import { Rng } from "../../numerics/rng.ts";

Deno.test("FeasibleSet.contains() agrees with the surrogate runner's checkRegion() on a real trust region", async () => {
  const task = await loadTask("regmix-pile/pile-cc@1M");
  const { card } = await loadSurrogate(task.card.surrogate!.models["1M"]!);
  const rows = new Float64Array(
    task.table.runs.filter((r) => r.fidelity === "1M").flatMap((r) => [...r.mixture]),
  );
  const set = regionFeasibleSet(card.region!, "1M", rows);
  assertEquals(set.size, 768);
  const rng = new Rng(5);
  const m = set.domains;
  let inside = 0, outside = 0;
  for (let i = 0; i < 400; i++) {
    const w = Array.from(
      dirichlet(rng, task.table.card.domains.map((d) => d.prior * (1 + i % 3) * m)),
    );
    const verdict = checkRegion(card.region!, rows, w);
    assertEquals(set.contains(w), verdict.inRegion);
    assertEquals(set.distance(w), verdict.ood);
    if (verdict.inRegion) inside++;
    else {
      outside++;
      // Repaired: feasible, on the segment from the nearest anchor, within the radius of it.
      const r = set.repair(w);
      assert(checkRegion(card.region!, rows, r).inRegion, `repair of point ${i}`);
      assert(Math.abs(r.reduce((a, b) => a + b, 0) - 1) < 1e-12);
    }
  }
  assert(inside > 20 && outside > 20, `${inside} inside, ${outside} outside`);
});

Deno.test("FeasibleSet.repair() keeps a feasible mixture and moves an infeasible one to the set's edge", () => {
  const set = new FeasibleSet({
    fidelity: "f",
    upper: [1, 0.5, 1],
    radius: 0.4,
    anchors: [[0.6, 0.2, 0.2], [0.2, 0.4, 0.4]],
  });
  assertEquals(set.repair([0.5, 0.3, 0.2]), [0.5, 0.3, 0.2]);
  // One-hot on domain 2: nearest anchor [0.2, 0.4, 0.4] (L1 1.2); the radius stops it at t = 1/3.
  const r = set.repair([0, 0, 1]);
  assert(set.contains(r));
  [0.2 - 0.2 / 3, 0.4 - 0.4 / 3, 0.4 + 0.6 / 3].forEach((x, j) =>
    assert(Math.abs(r[j]! - x) < 1e-8)
  );
  // The box binds first: toward [0, 1, 0] from [0.2, 0.4, 0.4], b reaches 0.5 at t = 1/6.
  const b = set.repair([0, 1, 0], 1);
  assert(set.contains(b) && Math.abs(b[1]! - 0.5) < 1e-8 && b[1]! <= 0.5);
  assertEquals(set.nearest([0.7, 0.2, 0.1]), 0);
  assertEquals(set.anchor(1), [0.2, 0.4, 0.4]);
});

Deno.test("FeasibleSet.repair() starts only from anchors inside the box", () => {
  const set = new FeasibleSet({
    fidelity: "f",
    upper: [1, 0.5],
    radius: 0.2,
    anchors: [[0.2, 0.8], [0.6, 0.4]],
  });
  // [0.2, 0.8] counts for the distance but is outside the box: repair moves from [0.6, 0.4].
  assertEquals(set.contains([0.3, 0.7]), false);
  for (const r of [set.repair([0.1, 0.9]), set.repair([0.1, 0.9], 0)]) {
    assert(set.contains(r) && r[1]! <= 0.5, `${r}`);
  }
  const none = new FeasibleSet({
    fidelity: "f",
    upper: [1, 0.5],
    radius: 0.2,
    anchors: [[0.2, 0.8]],
  });
  assertThrows(() => none.repair([0, 1]), RangeError, "no feasible set anchor");
});

Deno.test("FeasibleSet refuses bad lengths, a negative radius and no anchors", () => {
  const spec = { fidelity: "f", upper: [1, 0.5], radius: 0.1, anchors: [[0.5, 0.5]] };
  assertThrows(() => new FeasibleSet({ ...spec, anchors: [[1, 0, 0]] }), RangeError, "weights");
  assertThrows(() => new FeasibleSet({ ...spec, radius: -1 }), RangeError, "radius");
  assertThrows(() => new FeasibleSet({ ...spec, anchors: [] }), RangeError, "anchors");
});
