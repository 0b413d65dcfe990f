import { assertEquals } from "../_assert.ts";
import { GOLDEN_FILE, goldenDiff, goldenLines } from "../../tools/golden.ts";

Deno.test("golden results: a small bench gives the committed lines (deno task golden --update)", async () => {
  const committed = (await Deno.readTextFile(GOLDEN_FILE)).split("\n").filter(Boolean);
  assertEquals(goldenDiff(committed, await goldenLines()), []);
});

Deno.test("goldenDiff() names changed, added and removed cells with their final scores", () => {
  const line = (method: string, score: number) =>
    JSON.stringify({
      task: { id: "t", version: 1 },
      method,
      seed: 0,
      status: "ok",
      checkpoints: [{ score }],
    });
  assertEquals(goldenDiff([line("a", 0.5), line("b", 1)], [line("a", 0.25), line("c", 1)]), [
    "changed t@1|a|0: final 0.5000 → 0.2500",
    "removed t@1|b|0 (final 1.0000)",
    "added t@1|c|0 (final 1.0000)",
  ]);
});
