import { assert, assertEquals } from "../_assert.ts";
import { anytimeScore, logArea } from "../../reports/anytime.ts";
import { sharedRanks } from "../../reports/across.ts";
import { analyse } from "../../reports/analysis.ts";
import { cellRow, leaderboards } from "../../reports/leaderboard.ts";
import { lines, META, predictLines } from "./_fixture.ts";
import type { ResultLine } from "../../core/results.ts";
import { runCell } from "../../harness/cell.ts";
import { ReplayRunner } from "../../runners/replay.ts";
import { regmix } from "../../methods/regmix.ts";
import { bestPredicted } from "../../methods/_swarm.ts";
import { tinyTask } from "../_tiny.ts";
import { loadRunTable } from "../../datasets/loader.ts";
import { customTaskCard } from "../../datasets/custom_task.ts";
import { medianBestOf, ruleBudget } from "../../datasets/budget_rule.ts";

Deno.test("logArea() integrates the step curve over log cost, each score over the interval ending at it", () => {
  // 1 → 2 → 8: intervals ln 2 and ln 4 of ln 8
  assertEquals(logArea([1, 2, 8], [0.9, 0.3, 0.6]), (0.3 * 1 + 0.6 * 2) / 3);
  assertEquals(logArea([4], [0.25]), 0.25);
  assert(Number.isNaN(logArea([], [])));
});

Deno.test("anytimeScore() separates methods that reach the same final score at different costs", () => {
  const t = META.tasks[0]!; // checkpoints 1, 2, 4, 8; zero 2, best 1 (minimised)
  const line = (values: number[]) =>
    ({
      checkpoints: values.map((value, i) => ({ budget: t.checkpoints[i]!, value })),
    }) as unknown as ResultLine;
  const early = anytimeScore(line([1.5, 1, 1, 1]), t);
  const late = anytimeScore(line([2, 2, 2, 1]), t);
  assertEquals(early, 1);
  assert(Math.abs(late - 1 / 3) < 1e-12, String(late));
  // a checkpoint the line did not record carries the last earlier score forward
  const gap = { checkpoints: [{ budget: 2, value: 1 }] } as unknown as ResultLine;
  assertEquals(anytimeScore(gap, t), 1);
});

Deno.test("sharedRanks() gives ties one rank (1, 2, 2, 4)", () => {
  assertEquals(sharedRanks([0.9, 0.8, 0.8, 0.5]), [1, 2, 2, 4]);
  assertEquals(sharedRanks([1, 1, 1]), [1, 1, 1]);
});

Deno.test("tied methods share a rank on the leaderboard and the tie-break is the method id", () => {
  // a copy of `uniform` under another id ties with it exactly
  const meta = {
    ...META,
    methods: [...META.methods, { id: "a-twin", description: "", ranked: true }],
  };
  const ls = lines().flatMap((l) => l.method === "uniform" ? [l, { ...l, method: "a-twin" }] : [l]);
  const b = leaderboards(analyse(meta as typeof META, ls, predictLines()));
  const rows = b.tracks[0]!.overall.filter((r) => r.rank !== null);
  assertEquals(rows.map((r) => [r.rank, r.method]), [
    [1, "good"],
    [2, "random-search"],
    [3, "a-twin"],
    [3, "uniform"],
  ]);
});

Deno.test("cellRow() says 'deterministic' only when every seed has the same curve", () => {
  const a = analyse(META, lines(), predictLines());
  const s = a.summaries[0]!;
  const row = (id: string) => cellRow(s.methods.find((c) => c.method.id === id)!, s.task);
  assertEquals(row("uniform").deterministic, true);
  assertEquals(row("random-search").deterministic, false);
  assertEquals(row("uniform").degenerate, 0);
});

Deno.test("regmix records a constant GBDT fit and picks by the prior-distance tie-break", async () => {
  const task = await tinyTask({ budget: 4, checkpoints: [2, 4] });
  const line = await runCell({
    task,
    runner: new ReplayRunner(task),
    factory: regmix(),
    seed: 0,
    suite: "test",
    timeLimitMs: 20_000,
  });
  assertEquals(line.status, "ok");
  const last = line.checkpoints.at(-1)!;
  assertEquals(last.fit?.degenerate, "constant");
  assert(last.fit!.detail.includes("4 runs"), last.fit!.detail);
  const a = analyse(
    {
      ...META,
      tasks: [{ ...META.tasks[0]!, id: "tiny/loss", checkpoints: [2, 4], budget: 4 }],
      methods: [{ id: "regmix", description: "", ranked: true }],
      seeds: [0],
    } as typeof META,
    [line],
    [],
  );
  const c = a.summaries[0]!.methods[0]!;
  assertEquals(
    cellRow(c, a.summaries[0]!.task).degenerateNote,
    "degenerate fit (constant) on 1/1 seeds",
  );
});

Deno.test("bestPredicted() breaks ties by distance to the prior, not by candidate order", () => {
  const pool = [[1, 0, 0], [0.3, 0.3, 0.4], [0.34, 0.33, 0.33], [0, 0, 1]];
  const prior = [0.3, 0.35, 0.35];
  const flat = new Float64Array(4).fill(2);
  const pick = pool[bestPredicted(flat, pool, prior)];
  const reversed = [...pool].reverse();
  assertEquals(reversed[bestPredicted(flat, reversed, prior)], pick);
  assertEquals(pick, [0.34, 0.33, 0.33]);
  // a strictly better prediction wins regardless of the prior
  assertEquals(bestPredicted(Float64Array.of(2, 2, 2, 1), pool, prior), 3);
});

Deno.test("medianBestOf() is the exact median of the best of b draws without replacement", () => {
  // pool of 4: best of 2 draws has rank ≤ r w.p. 1 − C(4 − r, 2)/C(4, 2): r = 1 → 0.5
  assertEquals(medianBestOf([0.1, 0.9, 0.5, 0.3], 2), 0.9);
  assertEquals(medianBestOf([0.1, 0.9, 0.5, 0.3], 4), 0.9);
  assertEquals(medianBestOf([0.1, 0.9, 0.5, 0.3], 1), 0.5);
});

Deno.test("ruleBudget() stays a fraction of the pool with random search's median ≤ 0.8", () => {
  const values = Array.from({ length: 400 }, (_, i) => Math.sqrt(i)); // minimised
  const zero = values.reduce((a, x) => a + x, 0) / values.length;
  const b = ruleBudget(values, { zero, best: 0, bestRow: 0 });
  assert(b >= 1 && b <= 100, String(b));
  assert((b & (b - 1)) === 0, "a power of two");
});

Deno.test("customTaskCard() defaults to the budget rule and rejects a budget ≥ the target pool", async () => {
  const table = await loadRunTable(new URL("../testdata/tiny/runs.csv", import.meta.url).pathname);
  const card = customTaskCard(table, { objective: "loss" });
  assertEquals([card.budget, card.checkpoints], [1, [1]]); // 4 large runs: ≤ 4/4
  assert(card.budgetRule!.startsWith("largest power of two"));
  assertEquals(customTaskCard(table, { objective: "loss", budget: 3 }).budget, 3);
  let message = "";
  try {
    customTaskCard(table, { objective: "loss", budget: 4 });
  } catch (e) {
    message = (e as Error).message;
  }
  assert(
    message.includes("--budget 4 would let a method enumerate the whole target pool of 4"),
    message,
  );
});
