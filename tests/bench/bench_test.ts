import { assert, assertEquals } from "../_assert.ts";
import { runBench } from "../../bench/bench.ts";
import { sharedBench, testBenchOptions } from "../_bench.ts";
import { lineKey, readResults } from "../../core/results.ts";
import type { ResultLine } from "../../core/results.ts";

const BAD = new URL("../testdata/bad_methods.ts", import.meta.url).pathname;

function canonical(lines: readonly ResultLine[]): string[] {
  return lines.map(({ timings: _, ...rest }) => JSON.stringify(rest)).sort();
}

// Same seeds → identical lines across runs and worker counts: tests/harness/scheduler_test.ts.
Deno.test("runBench() runs every cell and writes the results, run.json and the reports", async () => {
  const { dir: a, summary: s } = await sharedBench({ reports: true });
  assertEquals(s.ran, 2 * 3 * 3);
  assertEquals((await readResults(`${a}/results.jsonl`)).length, 18);
  for (const f of ["report.html", "leaderboard.md", "leaderboard.json", "run.json"]) {
    assert((await Deno.stat(`${a}/${f}`)).size > 0, f);
  }
  await Deno.remove(a, { recursive: true });
});

Deno.test("runBench() without reports writes the results lines and run.json only", async () => {
  const a = await Deno.makeTempDir();
  const s = await runBench(testBenchOptions(a, { tasks: ["regmix-pile/pile-cc"], seeds: 1 }));
  assertEquals(s.files, undefined);
  assertEquals((await readResults(`${a}/results.jsonl`)).length, 3);
  assert((await Deno.stat(`${a}/run.json`)).size > 0);
  for (const f of ["report.html", "leaderboard.md", "leaderboard.json"]) {
    await Deno.stat(`${a}/${f}`).then(() => assert(false, `${f} written`), () => {});
  }
  await Deno.remove(a, { recursive: true });
});

Deno.test("runBench() --resume after an interrupted run finishes the rest without duplicates", async () => {
  // The uninterrupted run: the bench of the first test (its reports do not change the lines).
  const [{ dir: full }, cut] = [await sharedBench({ reports: true }), await Deno.makeTempDir()];
  const text = await Deno.readTextFile(`${full}/results.jsonl`);
  const lines = text.split("\n").filter(Boolean);
  // Keep 7 whole lines and half of the 8th, as a killed process would leave them.
  await Deno.writeTextFile(
    `${cut}/results.jsonl`,
    lines.slice(0, 7).join("\n") + "\n" + lines[7]!.slice(0, 40),
  );
  const s = await runBench(testBenchOptions(cut, { resume: true }));
  assertEquals([s.skipped, s.ran], [7, 11]);
  const got = await readResults(`${cut}/results.jsonl`);
  assertEquals(new Set(got.map(lineKey)).size, got.length);
  assertEquals(canonical(got), canonical(await readResults(`${full}/results.jsonl`)));
  const again = await runBench(testBenchOptions(cut, { resume: true }));
  assertEquals([again.skipped, again.ran], [18, 0]);
  await Promise.all([full, cut].map((d) => Deno.remove(d, { recursive: true })));
});

Deno.test("runBench() keeps every other cell when methods throw, return NaN, over-ask or hang", async () => {
  const out = await Deno.makeTempDir();
  const s = await runBench(testBenchOptions(out, {
    tasks: ["regmix-pile/pile-cc"],
    methods: ["uniform", `${BAD}#throws`, `${BAD}#nan`, `${BAD}#overAsks`, `${BAD}#hangs`],
    seeds: 1,
    // Long enough for uniform's cell at a load average of 15 (2 s was not); `hangs` is killed
    // at 1.5× + 2 s.
    timeLimitMs: 4000,
    reports: true,
  }));
  assertEquals([s.ran, s.failed], [5, 4]);
  const lines = await readResults(`${out}/results.jsonl`);
  const by = new Map(lines.map((l) => [l.method, l]));
  assertEquals(by.get("uniform")!.status, "ok");
  // Methods from outside the suite are namespaced by their module.
  assertEquals(by.get("bad_methods.ts#throws")!.error!.message, "boom");
  assertEquals(by.get("bad_methods.ts#nan")!.error!.name, "InvalidMixtureError");
  assertEquals(by.get("bad_methods.ts#overAsks")!.error!.name, "BudgetExceededError");
  assertEquals(by.get("bad_methods.ts#hangs")!.error!.name, "TimeLimitError");
  const md = await Deno.readTextFile(`${out}/leaderboard.md`);
  assert(/\| 1 \| uniform \|/.test(md), "the finished method is ranked");
  assert(
    /\| — \| bad_methods\.ts#hangs \| .* \| partial: 0 seeds ok \|/.test(md),
    "the failed ones are shown apart",
  );
  await Deno.remove(out, { recursive: true });
});

Deno.test("runBench() runs a bring-your-own table with an inferred card", async () => {
  const out = await Deno.makeTempDir();
  const csv = `${out}/runs.csv`;
  const rows = ["fidelity,ratio_x,ratio_y,ratio_z,metric_score,cost"];
  for (let i = 0; i <= 10; i++) {
    for (let j = 0; j <= 10 - i; j++) {
      const [x, y, z] = [i / 10, j / 10, (10 - i - j) / 10];
      rows.push(`proxy,${x},${y},${z},${(1 - (x - 0.3) ** 2 - (y - 0.5) ** 2).toFixed(6)},1`);
    }
  }
  await Deno.writeTextFile(csv, rows.join("\n") + "\n");
  const s = await runBench(testBenchOptions(`${out}/res`, {
    tasks: undefined,
    dataset: { path: csv, objective: "score", direction: "maximize", budget: 16 },
    methods: ["uniform", "random-search", "best-of-pool"],
  }));
  assertEquals([s.ran, s.failed], [9, 0]);
  const lines = await readResults(`${out}/res/results.jsonl`);
  const oracle = lines.find((l) => l.method === "best-of-pool")!;
  assertEquals(oracle.checkpoints.at(-1)!.mixture, [0.3, 0.5, 0.2]);
  await Deno.remove(out, { recursive: true });
});

Deno.test("runBench() does not schedule pool-only methods on a continuous task, and says so", async () => {
  const out = await Deno.makeTempDir();
  const notes: string[] = [];
  try {
    const s = await runBench(testBenchOptions(out, {
      tasks: ["regmix-pile/pile-cc@1M", "regmix-pile/pile-cc"],
      methods: ["uniform", "bo", "null-rotating"],
      seeds: 1,
      report: (e) => {
        if (e.kind === "note") notes.push(e.text);
      },
    }));
    assertEquals([s.ran, s.failed], [4, 0]);
    const lines = await readResults(`${out}/results.jsonl`);
    assertEquals(
      lines.map((l) => `${l.task.id} ${l.method}`).sort(),
      [
        "regmix-pile/pile-cc bo",
        "regmix-pile/pile-cc null-rotating",
        "regmix-pile/pile-cc uniform",
        "regmix-pile/pile-cc@1M uniform",
      ],
    );
    assertEquals(notes, ["regmix-pile/pile-cc@1M: not run by bo, null-rotating (pool tasks only)"]);
  } finally {
    await Deno.remove(out, { recursive: true });
  }
});
