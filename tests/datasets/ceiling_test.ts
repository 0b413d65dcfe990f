import { assert, assertEquals } from "../_assert.ts";
import { CEILING_TASKS, loadTaskCard, TASKS } from "../../datasets/registry.ts";
import { METHODS } from "../../methods/mod.ts";
import { median } from "../../numerics/stats/summary.ts";

const archive = new URL("../../reports/archive/0.1.0/", import.meta.url);

interface Line {
  task: { id: string };
  method: string;
  status: string;
  checkpoints: { score: number }[];
}

/** Ranked (non-oracle) methods at a median final score of 1.000, per task, in `lines`. */
function atCeiling(lines: readonly Line[]): Map<string, string[]> {
  const ranked = new Set(METHODS.filter((m) => m.ranked && !m.oracle).map((m) => m.id));
  const finals = new Map<string, Map<string, number[]>>();
  for (const l of lines) {
    if (l.status !== "ok" || !ranked.has(l.method)) continue;
    const byMethod = finals.get(l.task.id) ?? new Map<string, number[]>();
    finals.set(l.task.id, byMethod);
    byMethod.set(l.method, [...byMethod.get(l.method) ?? [], l.checkpoints.at(-1)!.score]);
  }
  const out = new Map<string, string[]>();
  for (const [task, byMethod] of finals) {
    out.set(task, [...byMethod].filter(([, xs]) => median(xs) >= 1 - 1e-12).map(([m]) => m));
  }
  return out;
}

Deno.test("every default optimise task discriminates on the archived bench: at most two ranked methods at a median final score of 1.000", async () => {
  const lines: Line[] = (await Deno.readTextFile(new URL("results.jsonl", archive)))
    .split("\n").filter(Boolean).map((l) => JSON.parse(l));
  const ceiling = atCeiling(lines);
  let checked = 0;
  for (const id of TASKS) {
    const card = await loadTaskCard(id);
    if (card.track !== "optimize" || card.runner !== "replay") continue;
    assert(lines.some((l) => l.task.id === id), `${id} is not in the archive`);
    checked++;
    const top = ceiling.get(id) ?? [];
    assert(top.length <= 2, `${id}: ${top.join(", ")} at a median of 1.000`);
  }
  assert(checked >= 3);
});

Deno.test("a ceiling task is loadable by id, kept out of the default tasks, and says why in its card", async () => {
  for (const id of CEILING_TASKS) {
    assertEquals(TASKS.includes(id), false, id);
    const card = await loadTaskCard(id);
    assert(/ceiling task/.test(card.budgetRule ?? ""), `${id}: its budgetRule names the reason`);
  }
});

Deno.test("atCeiling() counts ranked methods whose median final score is 1, not oracles", () => {
  const line = (method: string, score: number): Line => ({
    task: { id: "t" },
    method,
    status: "ok",
    checkpoints: [{ score: 0 }, { score }],
  });
  const got = atCeiling([
    line("bo", 1),
    line("bo", 1),
    line("bo", 0.5),
    line("dml", 1),
    line("dml", 0.9),
    line("dml", 0.8),
    line("best-of-pool", 1),
  ]);
  assertEquals(got.get("t"), ["bo"]);
});
