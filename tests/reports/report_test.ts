import { assert, assertAlmost, assertEquals } from "../_assert.ts";
import { aggregate } from "../../reports/aggregate.ts";
import { analyse } from "../../reports/analysis.ts";
import { iqm } from "../../reports/bootstrap.ts";
import { renderReport } from "../../reports/html.ts";
import { leaderboardMarkdown, leaderboards } from "../../reports/leaderboard.ts";
import { writeReports } from "../../reports/write.ts";
import { lines, META, predictLines, score, writeFixture } from "./_fixture.ts";

const PLOTLY = "/* plotly */ window.Plotly = {};</script>";

Deno.test("aggregate() takes medians and quartiles over seeds and recomputes gap closed", () => {
  const tampered = lines().map((l) =>
    l.method === "good" && l.task.id === "fx/min"
      ? { ...l, checkpoints: l.checkpoints.map((c) => ({ ...c, score: 99 })) }
      : l
  );
  const [s] = aggregate(META, tampered);
  const good = s!.methods[0]!;
  // scores 0.6 + 0.05·i + 0.02·s for s = 0..3: median = 0.63 + 0.05·i, q25 = 0.615 + 0.05·i
  good.curve.forEach((p, i) => {
    assertAlmost(p.median, 0.63 + 0.05 * i, 1e-12, "median from values, not stored scores");
    assertAlmost(p.q25, 0.615 + 0.05 * i, 1e-12);
    assertEquals(p.n, 4);
  });
  const flaky = aggregate(META, lines())[1]!.methods[3]!;
  assertEquals([flaky.ok, flaky.failures.length, flaky.complete], [3, 1, false]);
});

Deno.test("analyse() ranks only complete non-oracle methods and labels the rest", () => {
  const a = analyse(META, lines(), predictLines());
  const opt = a.tracks[0]!.across;
  assertEquals(opt.track, "optimize");
  assertEquals(
    opt.standings.map((s) => [s.id, s.standing, s.cells]),
    [["good", "ranked", 8], ["random-search", "ranked", 8], ["uniform", "ranked", 8], [
      "flaky",
      "partial",
      7,
    ], ["best-of-pool", "oracle", 8]],
  );
  const last = opt.points.at(-1)!;
  assertEquals(last.fraction, 1);
  assertEquals(last.ranks.methods, ["good", "random-search", "uniform"]);
  // IQM of pooled final scores of good: (0.75 + 0.02s) on fx/min, (0.65 + 0.02s) on fx/max
  const pooled = [0, 1, 2, 3].flatMap((s) => [score("good", 3, s, 0), score("good", 3, s, 1)]);
  const good = last.methods.find((m) => m.id === "good")!;
  assertAlmost(good.iqm.point, iqm(pooled), 1e-12);
  assert(good.iqm.lo <= good.iqm.point && good.iqm.point <= good.iqm.hi);
  // good beats random-search on every seed pair of both tasks at the final budget
  assertEquals(opt.winRates.matrix[0]![1], 1);
  assertEquals(opt.winRates.matrix[1]![0], 0);
  // random-search (0.4..0.49) vs uniform (0.2): always better
  assertEquals(opt.winRates.matrix[1]![2], 1);
  // budget grid: shares 1/8 … 1, the smallest share at which every task has a checkpoint
  assertEquals(opt.points.map((p) => p.fraction), [0.125, 0.25, 0.5, 1]);
});

Deno.test("analyse() computes cost-to-target and speed-ups against random search", () => {
  const a = analyse(META, lines(), []);
  const t = a.tracks[0]!.targets;
  const min = t.tasks[0]!;
  const good = min.methods.find((m) => m.id === "good")!;
  // fx/min level p90 = 1.3 → score 0.7: good reaches it at the first checkpoint i with
  // 0.6 + 0.05i + 0.02s ≥ 0.7: seeds 0, 1, 2 at i = 2 (cost 4), seed 3 at i = 1 (cost 2)
  // → ERT = (4 + 4 + 4 + 2) / 4 = 3.5
  const p90 = good.levels.find((l) => l.q === 0.9)!;
  assertEquals([p90.successes, p90.n], [4, 4]);
  assertAlmost(p90.ert, 3.5, 1e-12);
  // random-search peaks at 0.4 + 0.03s < 0.7: never reaches it → ERT ∞, and good's speed-up is a
  // lower bound: random search's total cost (4 seeds × 8) ÷ 3.5
  assertEquals(p90.speedup!.kind, "lower-bound");
  assertAlmost(p90.speedup!.ratio, 32 / 3.5, 1e-12);
  const rs = min.methods.find((m) => m.id === "random-search")!.levels.find((l) => l.q === 0.9)!;
  assertEquals([rs.successes, rs.ert, rs.speedup], [0, Infinity, null]);
  const oracle = min.methods.find((m) => m.id === "best-of-pool")!.levels.at(-1)!;
  assertEquals([oracle.ert, oracle.speedup!.ratio], [0, Infinity]);
});

Deno.test("leaderboards() rank complete methods by the anytime score and list partial ones apart", () => {
  const a = analyse(META, lines(), predictLines());
  const b = leaderboards(a);
  const opt = b.tracks[0]!;
  assertEquals(opt.overall.map((r) => [r.rank, r.method]), [
    [1, "good"],
    [2, "random-search"],
    [3, "uniform"],
    [null, "best-of-pool"],
    [null, "flaky"],
  ]);
  assertEquals(opt.overall.map((r) => r.withLeader), [true, false, false, null, null]);
  assert(opt.verdict.startsWith("good leads (mean anytime score 0.680"), opt.verdict);
  assert(opt.verdict.includes("no difference is significant (Friedman p = 0.14"), opt.verdict);
  const md = leaderboardMarkdown(META, b);
  assert(md.includes("| — | flaky |"), md);
  assert(md.includes("partial: 7/8 cells"));
  assert(
    md.includes("| — | best-of-pool | 1.000 [1.000, 1.000] | 1.000 | 1.000 | 1.000 | 1.000 |"),
  );
  assert(md.includes("| 3 | uniform | 0.200 (deterministic on this task) | 0.200 |  |"), md);
  assert(md.includes(opt.verdict));
  assert(md.includes("## Predict track: fx/predict@1"));
  assert(md.includes("### big (l, transfer)"));
  assertEquals(b.predict[0]!.sets[0]!.rows.map((r) => r.rank), [1, 2]);
  // fx/max runs on a surrogate: the header says what 0 and 1 mean there, and only then.
  assert(md.includes("continuous tasks: 0 = the uniform mixture on the surrogate"));
  const poolOnly = { ...META, tasks: META.tasks.filter((t) => !t.surrogate) };
  assert(!leaderboardMarkdown(poolOnly, b).includes("continuous tasks"));
});

Deno.test("renderReport() inlines plotly and draws every panel with captions from the data", () => {
  const a = analyse(META, lines(), predictLines());
  const html = renderReport(a, PLOTLY, { reportCommand: "deno task report out/x" });
  assert(html.includes("/* plotly */"));
  // Captions give each task's own reference points: the pool's mean, or f(uniform) on the surrogate.
  assert(html.includes("0 = the s target pool&#39;s mean loss (2.0000)"), "fx/min caption");
  assert(html.includes("of the uniform mixture on the surrogate (0.5000)"), "fx/max caption");
  assert(!html.includes("{};</script>\n"), "a </script> inside the bundle is escaped");
  for (
    const s of [
      "deno task bench --quick",
      "deno task report out/x",
      "onnxruntime-web 1.30.0",
      "execution provider wasm",
      "4: 0, 1, 2, 3",
      'id="predict"',
      'id="scale-transfer"',
      'id="headline"',
      "good leads",
      'id="toc"',
      '<details id="provenance">',
      "n/a (zero-shot)",
      'id="runner"',
      "Surrogate card: fx/max@1",
      "mlp 3-16-1",
      "flaky (partial 3/4)",
      "Noise floor (dashed): 1 − σ/|f₀ − f*| = 0.950",
      "Friedman χ²",
      "Pairwise win rates",
      "Run-length ECDF",
      "decision accuracy",
      '<td>flaky</td><td class="n">1</td><td>RangeError: flaky on purpose</td>',
    ]
  ) assert(html.includes(s), `report lacks ${s}`);
  const plots = [...html.matchAll(/<div id="([^"]+)" class="plot" data-traces="(\d+)"/g)];
  const figures = JSON.parse(
    html.match(/<script type="application\/json" id="figures">(.*?)<\/script>/s)![1]!,
  ) as { id: string; traces: { type?: string }[] }[];
  assertEquals(plots.map((p) => p[1]), figures.map((f) => f.id), "one slot per figure, in order");
  plots.forEach((p, i) => {
    const f = figures[i]!;
    assertEquals(Number(p[2]), f.traces.filter((t) => t.type !== "heatmap").length, f.id);
  });
});

Deno.test("renderReport() leaves out the runner and Predict panels when nothing fed them", () => {
  const plain = lines().map((l) => ({
    ...l,
    trajectory: l.trajectory.map(({ fidelity, value, cost, spent }, k) => ({
      fidelity,
      row: k,
      value,
      cost,
      spent,
    })),
  }));
  const html = renderReport(analyse(META, plain, []), PLOTLY);
  assert(!html.includes('id="runner"'));
  assert(!html.includes('id="predict"'));
  assert(html.includes('id="scale-transfer"'), "the transfer track still has its panel");
});

Deno.test("writeReports() writes the report and both leaderboards from a folder", async () => {
  const dir = await Deno.makeTempDir();
  await writeFixture(dir);
  const files = await writeReports(dir);
  const json = JSON.parse(await Deno.readTextFile(files.json));
  assertEquals(json.schema, "mixbench.leaderboard/3");
  assertEquals(json.tracks.map((t: { track: string }) => t.track), ["optimize", "transfer"]);
  assert((await Deno.stat(files.html)).size > 4_000_000, "plotly is inlined");
  assert((await Deno.readTextFile(files.markdown)).startsWith("# mixbench leaderboard"));
  await Deno.remove(dir, { recursive: true });
});
