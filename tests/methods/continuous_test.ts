import { assert, assertEquals } from "../_assert.ts";
import type { MethodContext } from "../../core/method.ts";
import { Rng } from "../../numerics/rng.ts";
import type { Observation } from "../../core/types.ts";
import { olmix } from "../../methods/olmix.ts";
import { regmixLinear } from "../../methods/regmix.ts";

/** A continuous-mode context over 4 domains; the objective favours domain 2. */
function context(seed: number): MethodContext {
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
    budget: 64,
    rng: new Rng(seed),
  };
}

const loss = (w: readonly number[]) =>
  2 + Math.exp(0.8 * w[0]! + 0.6 * w[1]! - 1.5 * w[2]! + 0.4 * w[3]!);

for (const factory of [regmixLinear(), olmix()]) {
  Deno.test(`${factory.id} in continuous mode samples a swarm and recommends towards the best domain`, async () => {
    const m = factory.create(context(3));
    let spent = 0;
    while (true) {
      const asked = await m.ask({ spent, remaining: 64 - spent });
      if (asked.length === 0) break;
      for (const p of asked) {
        assert(Math.abs(p.mixture.reduce((a, b) => a + b, 0) - 1) < 1e-9, "proposal sums to 1");
      }
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
    assertEquals(spent, 64);
    const rec = await m.recommend();
    assert(Math.abs(rec.mixture.reduce((a, b) => a + b, 0) - 1) < 1e-9);
    assert(rec.mixture[2]! > 0.5, `weight on the best domain ${rec.mixture[2]}`);
    assert(loss(rec.mixture) < loss([0.25, 0.25, 0.25, 0.25]), "better than uniform");
  });
}
