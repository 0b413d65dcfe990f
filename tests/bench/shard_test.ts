/** Sharding (`--shard i/n`) and `deno task merge`: the merged shards are the single bench. */

import { assert, assertEquals, assertRejects } from "../_assert.ts";
import { runBench } from "../../bench/bench.ts";
import { mergeResults } from "../../bench/merge.ts";
import { parseShard, shardCells } from "../../bench/shard.ts";
import { expectedCellCost } from "../../harness/scheduler.ts";
import { InputError } from "../../core/errors.ts";
import { testBenchOptions } from "../_bench.ts";

Deno.test("parseShard() refuses shards outside 1..n", () => {
  for (const bad of ["0/2", "3/2", "1/0", "a/b", "1"]) {
    let thrown: unknown;
    try {
      parseShard(bad);
    } catch (e) {
      thrown = e;
    }
    assert(thrown instanceof InputError, bad);
  }
});

Deno.test("shardCells() balances by cost, covers every cell once, and is deterministic", () => {
  const cells = Array.from({ length: 60 }, (_, i) => ({
    key: `k${i}`,
    cost: expectedCellCost(
      ["uniform", "regmix", "bo", "cmd:x.py"][i % 4]!,
      i % 5 ? "a/b" : "regmix-pile/avg-1b",
    ),
  }));
  const shards = [1, 2, 3, 4].map((index) => shardCells(cells, { index, count: 4 }));
  const all = shards.flatMap((s) => [...s]).sort();
  assertEquals(all, cells.map((c) => c.key).sort());
  const loads = shards.map((s) =>
    cells.filter((c) => s.has(c.key)).reduce((a, c) => a + c.cost, 0)
  );
  const max = Math.max(...cells.map((c) => c.cost));
  assert(Math.max(...loads) - Math.min(...loads) <= max, `loads ${loads}`);
  assertEquals([...shardCells(cells, { index: 2, count: 4 })], [...shards[1]!]);
});

Deno.test("shardCells() keeps the cells of a group in one shard", () => {
  const cells = Array.from({ length: 40 }, (_, i) => ({
    key: `k${i}`,
    cost: 1 + (i % 7),
    ...(i % 3 === 0 ? { group: `g${i % 4}` } : {}),
  }));
  const shards = [1, 2, 3].map((index) => shardCells(cells, { index, count: 3 }));
  assertEquals(shards.flatMap((s) => [...s]).sort(), cells.map((c) => c.key).sort());
  for (const g of ["g0", "g1", "g2", "g3"]) {
    const keys = cells.filter((c) => c.group === g).map((c) => c.key);
    assertEquals(shards.filter((s) => keys.some((k) => s.has(k))).length, 1, g);
  }
});

/** A results file without its timings (the only bytes that differ between runs). */
async function withoutTimings(path: string): Promise<string> {
  const text = await Deno.readTextFile(path);
  return text.replace(/"timings":\{[^}]*\}/g, '"timings":{}');
}

Deno.test({
  name: "The shards of a bench, merged, are the single bench byte for byte (timings aside)",
  sanitizeResources: false,
  async fn() {
    const root = await Deno.makeTempDir();
    try {
      const over = {
        tasks: ["regmix-pile/pile-cc", "regmix-pile/predict-pile-cc"],
        methods: ["uniform", "random-search", "regmix-linear"],
        seeds: 2,
      };
      await runBench(testBenchOptions(`${root}/single`, over));
      for (const i of [1, 2, 3]) {
        await runBench(
          testBenchOptions(`${root}/s${i}`, { ...over, shard: { index: i, count: 3 } }),
        );
      }
      const s = await mergeResults(`${root}/merged`, [`${root}/s1`, `${root}/s2`, `${root}/s3`], {
        command: "test",
      });
      assertEquals([s.cells, s.predictCells], [6, 2]);
      for (const f of ["results.jsonl", "predict.jsonl"]) {
        assertEquals(
          await withoutTimings(`${root}/merged/${f}`),
          await withoutTimings(`${root}/single/${f}`),
          f,
        );
      }
      assert((await withoutTimings(`${root}/merged/predict.jsonl`)).length > 0);
      // A cell held twice is refused; so is a folder of another suite version.
      await assertRejects(
        () => mergeResults(`${root}/m2`, [`${root}/s1`, `${root}/s1`], { command: "test" }),
        InputError,
        "is in both",
      );
      const meta = JSON.parse(await Deno.readTextFile(`${root}/s2/run.json`));
      await Deno.writeTextFile(`${root}/s2/run.json`, JSON.stringify({ ...meta, suite: "0.0.0" }));
      await assertRejects(
        () => mergeResults(`${root}/m3`, [`${root}/s1`, `${root}/s2`], { command: "test" }),
        InputError,
        "suite 0.0.0",
      );
      const ok = await mergeResults(`${root}/m4`, [`${root}/s1`, `${root}/s2`], {
        command: "test",
        allowMismatch: true,
      });
      assert(ok.cells > 0);
    } finally {
      await Deno.remove(root, { recursive: true });
    }
  },
});
