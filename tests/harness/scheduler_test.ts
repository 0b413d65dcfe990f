import { assert, assertEquals } from "../_assert.ts";
import {
  cellGroup,
  type CellRequest,
  defaultConcurrency,
  expectedCellCost,
  runCells,
  type SchedulerProgress,
} from "../../harness/scheduler.ts";
import { runBench } from "../../bench/bench.ts";
import { testBenchOptions } from "../_bench.ts";
import { readResults, type ResultLine } from "../../core/results.ts";

const ECHO = new URL("../testdata/echo_worker.ts", import.meta.url);

Deno.test("runCells() starts the longest cells first (ties in request order) and reports progress", async () => {
  const requests: CellRequest[] = [
    { key: "a", payload: { id: "a" }, cost: 1 },
    { key: "b", payload: { id: "b" }, cost: 5 },
    { key: "c", payload: { id: "c" } },
    { key: "d", payload: { id: "d" }, cost: 5 },
    { key: "e", payload: { id: "e" }, cost: 0.5 },
  ];
  const order: string[] = [];
  const progress: SchedulerProgress[] = [];
  await runCells(requests, {
    workerUrl: ECHO,
    concurrency: 1,
    hardLimitMs: 10_000,
    onResult: (req) => void order.push(req.key),
    onFailure: () => ({}),
    onProgress: (p) => void progress.push(p),
  });
  assertEquals(order, ["b", "d", "a", "c", "e"]);
  assertEquals(progress.map((p) => p.done), [1, 2, 3, 4, 5]);
  assert(
    progress.every((p) => p.total === 5 && p.elapsedMs >= 0 && p.etaMs >= 0),
    JSON.stringify(progress),
  );
  assertEquals(progress.at(-1)!.etaMs, 0);
});

Deno.test("runCells() defaults to one worker per core", async () => {
  assertEquals(defaultConcurrency(), Math.max(1, navigator.hardwareConcurrency));
  // With as many workers as cores (≥ 1), every reply comes from a worker's first message
  // while there are no more cells than workers.
  const n = defaultConcurrency();
  const replies: { handled: number }[] = [];
  await runCells(
    Array.from({ length: n }, (_, i) => ({ key: `${i}`, payload: { delayMs: 50 } })),
    {
      workerUrl: ECHO,
      hardLimitMs: 10_000,
      onResult: (_, reply) => void replies.push(reply as { handled: number }),
      onFailure: () => ({}),
    },
  );
  assertEquals(replies.map((r) => r.handled), Array(n).fill(1));
});

Deno.test("expectedCellCost() ranks BO above the baselines and exact mode above scheduled", () => {
  const avg = "regmix-pile/avg-1b";
  assert(expectedCellCost("mfbo", avg) > expectedCellCost("bo", avg));
  assert(expectedCellCost("bo@1B", avg) === expectedCellCost("bo", avg));
  assert(expectedCellCost("bo@1B+exact", avg) > expectedCellCost("mfbo", avg));
  assert(expectedCellCost("uniform", avg) < expectedCellCost("olmix", avg));
  assert(expectedCellCost("mfbo", avg) > expectedCellCost("mfbo", "admire-ift/avg-7b"));
});

/** results.jsonl's lines, in file order, without the timings field (the only one allowed to differ). */
async function canonical(dir: string): Promise<string[]> {
  const lines = await readResults(`${dir}/results.jsonl`);
  return lines.map(({ timings: _, ...rest }: ResultLine) => JSON.stringify(rest));
}

Deno.test("the same seeds give the same results.jsonl (order included) with 1 and 3 workers", async () => {
  const [a, b] = [await Deno.makeTempDir(), await Deno.makeTempDir()];
  const methods = ["random-search", "regmix-linear", "best-of-pool"];
  await runBench(testBenchOptions(a, { workers: 1, methods }));
  await runBench(testBenchOptions(b, { workers: 3, methods }));
  const la = await canonical(a);
  assertEquals(la.length, 18);
  assertEquals(await canonical(b), la);
  await Promise.all([a, b].map((d) => Deno.remove(d, { recursive: true })));
});

Deno.test("cellGroup() puts mfbo before mfbo-pm per task, seed and variant, and the GP predictors per task", () => {
  assertEquals(cellGroup("optimise", "mfbo", "t@1", 0), { key: "mfbo||t@1|0", order: 0 });
  assertEquals(cellGroup("optimise", "mfbo-pm", "t@1", 0), { key: "mfbo||t@1|0", order: 1 });
  assertEquals(cellGroup("optimise", "mfbo-pm@exact", "t@1", 0)?.key, "mfbo|exact|t@1|0");
  assertEquals(cellGroup("optimise", "mfbo", "t@2", 0)?.key, "mfbo||t@2|0");
  assertEquals(cellGroup("optimise", "bo", "t@1", 0), undefined);
  assertEquals(cellGroup("predict", "bo", "p@1", 0), { key: "gp|p@1", order: 0 });
  assertEquals(cellGroup("predict", "mfbo-pm@exact", "p@1", 2), { key: "gp|p@1", order: 2 });
  assertEquals(cellGroup("predict", "dml", "p@1", 0), undefined);
});

Deno.test("mfbo-pm's lines are the same alone (live) and after mfbo (replayed), with 1 and 3 workers", async () => {
  const dirs = [await Deno.makeTempDir(), await Deno.makeTempDir(), await Deno.makeTempDir()];
  const runs = [
    { workers: 1, methods: ["mfbo-pm"] },
    { workers: 1, methods: ["mfbo-pm", "mfbo"] },
    { workers: 3, methods: ["mfbo", "mfbo-pm"] },
  ];
  const pm = [];
  for (const [i, over] of runs.entries()) {
    await runBench(testBenchOptions(dirs[i]!, over));
    const lines = (await canonical(dirs[i]!)).filter((l) => l.includes(`"method":"mfbo-pm"`));
    pm.push(lines.map((l) => l.replace(/"commit":"[^"]*"/, "")));
  }
  assertEquals(pm[0]!.length, 6);
  assertEquals(pm[1], pm[0]);
  assertEquals(pm[2], pm[0]);
  await Promise.all(dirs.map((d) => Deno.remove(d, { recursive: true })));
});
