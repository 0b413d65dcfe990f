import { assert, assertEquals } from "../_assert.ts";
import { poolContext } from "../../harness/context.ts";
import { l1Distance } from "../../core/mixture.ts";
import { natural } from "../../methods/natural.ts";
import { temperature } from "../../methods/temperature.ts";
import { uniform } from "../../methods/uniform.ts";
import { loadTask } from "../../datasets/registry.ts";
import { tinyTask } from "../_tiny.ts";

Deno.test("fixed baselines map their mixture to the nearest target-pool member in L1", async () => {
  const task = await loadTask("regmix-pile/pile-cc");
  const ctx = poolContext(task, 0, false);
  for (
    const [f, w] of [
      [uniform, ctx.prior.map(() => 1 / 17)],
      [natural, ctx.prior],
    ] as const
  ) {
    const rec = await f.create(ctx).recommend();
    const d = l1Distance(rec.mixture, w);
    for (const p of ctx.targetPool!) assert(l1Distance(p, w) >= d - 1e-12);
  }
});

Deno.test("temperature() recommends the member nearest to prior^0.5, renormalised", async () => {
  const task = await tinyTask();
  const ctx = poolContext(task, 0, false);
  const s = 0.5 ** 0.5 + 0.3 ** 0.5 + 0.2 ** 0.5;
  const w = [0.5 ** 0.5 / s, 0.3 ** 0.5 / s, 0.2 ** 0.5 / s];
  const rec = await temperature().create(ctx).recommend();
  const best = ctx.targetPool!.reduce((a, b) => l1Distance(a, w) <= l1Distance(b, w) ? a : b);
  assertEquals(rec.mixture, best);
});

Deno.test("fixed baselines run nothing", async () => {
  const task = await tinyTask();
  const m = uniform.create(poolContext(task, 0, false));
  assertEquals(await m.ask({ spent: 0, remaining: 4 }), []);
});
