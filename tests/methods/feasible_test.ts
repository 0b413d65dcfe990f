import { assert, assertEquals } from "../_assert.ts";
import type { MethodContext, MethodFactory } from "../../core/method.ts";
import { FeasibleSet } from "../../core/feasible.ts";
import { Rng } from "../../numerics/rng.ts";
import type { Observation } from "../../core/types.ts";
import { olmix } from "../../methods/olmix.ts";
import { regmix, regmixLinear } from "../../methods/regmix.ts";
import { dml } from "../../methods/dml.ts";
import { bimix } from "../../methods/bimix.ts";
import { climb } from "../../methods/climb.ts";

/**
 * Continuous mode with a feasible set over 4 domains: the loss favours domain 2, which the box
 * caps at 0.4, and the radius keeps mixtures within L1 0.5 of three anchors.
 */
const set = new FeasibleSet({
  fidelity: "f",
  upper: [1, 1, 0.4, 1],
  radius: 0.5,
  anchors: [[0.25, 0.25, 0.25, 0.25], [0.4, 0.3, 0.1, 0.2], [0.1, 0.2, 0.3, 0.4]],
});
/** Outside the set: the table-worst answer, as the surrogate runner gives it. */
const WORST = 10;
const loss = (w: readonly number[]) =>
  set.contains(w) ? 2 + Math.exp(0.8 * w[0]! + 0.6 * w[1]! - 1.5 * w[2]! + 0.4 * w[3]!) : WORST;

function context(seed: number, feasible: boolean): MethodContext {
  return {
    task: "synthetic@1",
    objective: { expression: "loss", direction: "minimize" },
    domains: ["a", "b", "c", "d"].map((name) => ({ name, prior: 0.25 })),
    prior: [0.25, 0.25, 0.25, 0.25],
    fidelities: ["f"],
    costs: { f: 1 },
    targetFidelity: "f",
    mode: "continuous",
    pool: undefined,
    targetPool: undefined,
    budget: 48,
    rng: new Rng(seed),
    ...(feasible ? { feasible: { f: set } } : {}),
  };
}

async function run(factory: MethodFactory, feasible: boolean) {
  const m = factory.create(context(3, feasible));
  let spent = 0, outside = 0;
  while (true) {
    const asked = await m.ask({ spent, remaining: 48 - spent });
    if (asked.length === 0) break;
    outside += asked.filter((p) => !set.contains(p.mixture)).length;
    const obs: Observation[] = asked.map((p) => ({
      ...p,
      value: loss(p.mixture),
      metrics: { loss: loss(p.mixture) },
      cost: 1,
      source: { kind: "surrogate", ood: 0, spread: 0, clipped: false },
    }));
    spent += obs.length;
    await m.tell(obs);
  }
  return { outside, rec: (await m.recommend()).mixture };
}

const search = { searchSamples: 20_000 };
for (
  const factory of [
    regmix(search),
    regmixLinear(search),
    dml({ ...search, refine: 2 }),
    olmix(),
    bimix(),
    climb({ candidates: 2000 }),
  ]
) {
  Deno.test(`${factory.id} in continuous mode queries and recommends inside ctx.feasible`, async () => {
    const { outside, rec } = await run(factory, true);
    assertEquals(outside, 0, "swarm proposals outside the feasible set");
    assert(set.contains(rec), `recommendation ${rec} outside the feasible set`);
    assert(Math.abs(rec.reduce((a, b) => a + b, 0) - 1) < 1e-9);
    assert(loss(rec) < loss([0.25, 0.25, 0.25, 0.25]), `${loss(rec)}: no better than uniform`);
  });
}

Deno.test("without ctx.feasible the law methods recommend outside this set (the test can fail)", async () => {
  for (const factory of [olmix(), bimix()]) {
    const { outside, rec } = await run(factory, false);
    assert(outside > 0 || !set.contains(rec), `${factory.id}: everything inside by chance`);
  }
});
