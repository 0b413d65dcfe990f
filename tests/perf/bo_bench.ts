/**
 * Benchmarks of ADMIRE-BayesOpt's BO methods (methods/bo.ts, methods/mfbo.ts).
 *
 * - one BO step (GP MAP fit + log-EI over the remaining pool) with 100 observations in 19
 *   dimensions (ADMIRE IFT, 0.5B pool): the target is ≤ 1 s on the 2-core project machine,
 *   cold (the first fit, from botorch's defaults) and warm (the previous step's optimum);
 * - a full MF-BO replay on admire-ift/avg-7b until its 444-run pool is exhausted (budget 170):
 *   the target is ≤ 60 s; random search over the same task is the baseline.
 */

import { runCell } from "../../harness/cell.ts";
import { poolContext } from "../../harness/context.ts";
import type { Method } from "../../core/method.ts";
import { resolveTask, type Task } from "../../core/task.ts";
import { loadTask } from "../../datasets/registry.ts";
import { boWith } from "../../methods/bo.ts";
import { mfbo } from "../../methods/mfbo.ts";
import { randomSearch } from "../../methods/random_search.ts";
import { ReplayRunner } from "../../runners/replay.ts";

const base = await loadTask("admire-ift/avg-7b");
const exhaust: Task = resolveTask({ ...base.card, budget: 170, checkpoints: [170] }, base.table);
// Exact mode: these steps measure a MAP fit (cold or warm) + log-EI, as their names say.
const lowBo = boWith({ fidelity: "0.5B", refit: "every-step" });

/** A bo@0.5B instance that has seen `n` runs (its own picks), ready to ask for the next one. */
async function primed(n: number, warm: boolean): Promise<Method> {
  const runner = new ReplayRunner(base);
  const method = lowBo.create(poolContext(base, 0, false));
  const pool = base.queryPools.get("0.5B")!;
  const told = warm ? n - 1 : n;
  await method.tell(
    runner.evaluate(pool.slice(0, told).map((r) => ({ mixture: r.mixture, fidelity: "0.5B" }))),
  );
  // The method's pending queue is empty: tell() without ask() records the runs as given.
  if (warm) {
    const [p] = await method.ask({ spent: 0, remaining: 100 });
    await method.tell(runner.evaluate([p!]));
  }
  return method;
}

Deno.bench({
  name: "bo step, 100 observations × 19 dims, cold MAP fit + log-EI over 156",
  group: "bo-step",
  baseline: true,
  async fn(b) {
    const method = await primed(100, false);
    b.start();
    await method.ask({ spent: 0, remaining: 100 });
    b.end();
  },
});

Deno.bench({
  name: "bo step, 100 observations × 19 dims, warm-started MAP fit + log-EI over 156",
  group: "bo-step",
  async fn(b) {
    const method = await primed(100, true);
    b.start();
    await method.ask({ spent: 0, remaining: 100 });
    b.end();
  },
});

for (const factory of [randomSearch, mfbo]) {
  Deno.bench({
    name: factory === mfbo
      ? "mfbo: full replay of admire-ift/avg-7b to exhaustion (444 runs, budget 170)"
      : "random-search: same task and budget (it draws only the 60 pooled 7B runs)",
    group: "replay",
    baseline: factory === randomSearch,
    n: 1,
    warmup: 0,
    async fn() {
      await runCell({
        task: exhaust,
        runner: new ReplayRunner(exhaust),
        factory,
        seed: 0,
        suite: "perf",
        timeLimitMs: 600_000,
      });
    },
  });
}
