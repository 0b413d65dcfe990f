import { assert, assertAlmost, assertEquals } from "../_assert.ts";
import type { ResultLine } from "../../core/harness.ts";
import { aggregate } from "../../reports/aggregate.ts";
import { anytimeFigure, renderReport } from "../../reports/html.ts";
import { leaderboardMarkdown, leaderboards } from "../../reports/leaderboard.ts";
import type { RunMeta } from "../../reports/meta.ts";

const META: RunMeta = {
  schema: "mixbench.run/1",
  suite: "0.0.0",
  commit: "abc",
  runtime: { deno: "2", v8: "1", os: "linux" },
  machine: { cpu: "cpu", cores: 2, device: "cpu" },
  command: "deno task bench --quick",
  seeds: [0, 1],
  tasks: [{
    id: "t/a",
    version: 1,
    title: "A",
    track: "optimize",
    table: "tiny",
    tableSha256: "ff",
    objective: "loss",
    direction: "minimize",
    costUnit: "runs",
    budget: 4,
    checkpoints: [2, 4],
    reference: { zero: 2, best: 1, bestRow: 0 },
    targetFidelity: "small",
  }],
  methods: [
    { id: "good", description: "", ranked: true },
    { id: "half", description: "", ranked: true },
    { id: "oracle", description: "", ranked: false },
  ],
};

function line(method: string, seed: number, scores: number[], ok = true): ResultLine {
  return {
    schema: "mixbench.result/1",
    suite: "0.0.0",
    task: { id: "t/a", version: 1 },
    method,
    seed,
    runner: "replay",
    status: ok ? "ok" : "failed",
    ...(ok ? {} : { error: { name: "Error", message: "boom" } }),
    budget: 4,
    spent: 4,
    trajectory: [],
    checkpoints: ok
      ? scores.map((s, i) => ({
        budget: [2, 4][i]!,
        spent: 0,
        evaluations: 0,
        mixture: [1],
        row: 0,
        value: 2 - s,
        score: s,
      }))
      : [],
    timings: { totalMs: 0, methodMs: 0 },
  };
}

const LINES = [
  line("good", 0, [0.2, 0.6]),
  line("good", 1, [0.4, 0.8]),
  line("half", 0, [0.9, 0.9]),
  line("half", 1, [], false),
  line("oracle", 0, [1, 1]),
  line("oracle", 1, [1, 1]),
];

Deno.test("aggregate() takes medians and quartiles over seeds and counts failures", () => {
  const [s] = aggregate(META, LINES);
  const good = s!.methods[0]!;
  const expected = [[0.3, 0.25, 0.35, 2], [0.7, 0.65, 0.75, 2]];
  good.curve.forEach((p, i) => {
    [p.median, p.q25, p.q75, p.n].forEach((x, j) => assertAlmost(x, expected[i]![j]!, 1e-12));
  });
  assertEquals(good.complete, true);
  const half = s!.methods[1]!;
  assertEquals([half.ok, half.failures.length, half.complete], [1, 1, false]);
});

Deno.test("leaderboards() rank only complete, ranked methods; the rest are shown apart", () => {
  const [b] = leaderboards(aggregate(META, LINES));
  assertEquals(b!.tasks[0]!.rows.map((r) => [r.rank, r.method]), [[1, "good"], [null, "half"], [
    null,
    "oracle",
  ]]);
  const md = leaderboardMarkdown(META, [b!]);
  assert(md.includes("| — | oracle | 1.000 [1.000, 1.000] | oracle, not ranked |"));
  assert(md.includes("| — | half | 0.900 [0.900, 0.900] | partial: 1 seeds ok |"));
});

Deno.test("renderReport() inlines plotly, draws one figure per task with 3 traces per method", () => {
  const summaries = aggregate(META, LINES);
  const fig = anytimeFigure(summaries[0]!, 0);
  assertEquals(fig.traces.length, 9);
  const html = renderReport(META, summaries, "/* plotly */ window.Plotly = {};</script>");
  assert(html.includes("/* plotly */"));
  assert(!html.includes("{};</script>\n"), "a </script> inside the bundle is escaped");
  assertEquals(html.match(/class="plot"/g)!.length, 1);
  assert(html.includes('data-traces="9"'));
  assert(html.includes("deno task bench --quick"));
  assert(html.includes('<td>half</td><td class="n">1</td><td>Error: boom</td>'));
});
