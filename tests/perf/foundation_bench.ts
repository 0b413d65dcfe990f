/** Micro-benchmarks of the foundation: table loading, replay look-ups, one harness cell. */

import { runCell } from "../../harness/cell.ts";
import { loadRunTable } from "../../datasets/loader.ts";
import { loadTask, tablePath } from "../../datasets/registry.ts";
import { randomSearch } from "../../methods/random_search.ts";
import { ReplayRunner } from "../../runners/replay.ts";

const task = await loadTask("regmix-pile/pile-cc");

Deno.bench("load + validate regmix_pile (1088 runs)", { group: "load" }, async () => {
  await loadRunTable(tablePath("regmix_pile"));
});

Deno.bench("load + validate olmix_superswarm (512 runs × 64 domains × 111 metrics)", {
  group: "load",
}, async () => {
  await loadRunTable(tablePath("olmix_superswarm"));
});

Deno.bench("replay 768 look-ups on regmix-pile/pile-cc", () => {
  const runner = new ReplayRunner(task);
  runner.evaluate(task.targetPool.map((r) => ({ mixture: r.mixture, fidelity: "1M" })));
});

Deno.bench("one random-search cell on regmix-pile/pile-cc (272 runs)", async () => {
  await runCell({
    task,
    runner: new ReplayRunner(task),
    factory: randomSearch,
    seed: 0,
    suite: "perf",
    timeLimitMs: 60_000,
  });
});
