import { assert, assertEquals } from "../_assert.ts";
import { INFER_SCHEMA, type InferLine } from "../../core/infer.ts";
import { summariseInference } from "../../reports/infer_section.ts";
import { writeReports } from "../../reports/write.ts";

const line = (id: string, truth: number[], lp: number[], kind: "known" | "real" = "known") =>
  ({
    schema: INFER_SCHEMA,
    id,
    kind,
    tokenizer: kind === "known" ? "trained" : "js-tiktoken@1.0.21 cl100k_base",
    pattern: "gpt2",
    categories: ["a", "b"],
    ...(kind === "known" ? { truth, trainBytes: 1000 } : {
      published: { source: "paper", values: { code: 0.6 } },
    }),
    merges: 10,
    mergesUsed: 10,
    sampleBytes: [100, 100],
    estimates: { lp, "lp-pairs": lp, efficiency: [0.5, 0.5], "merge-votes": [0.6, 0.4] },
    lp: {
      objective: 0,
      stepSlack: 0,
      pairSlack: 0,
      rounds: 2,
      constraints: 5,
      solveMs: 3,
      walkMs: 1,
    },
    trainMs: 1,
    replayMs: 1,
  }) as InferLine;

Deno.test("inference section: MAE/MSE per estimator, real lines apart", () => {
  const s = summariseInference([
    line("k0", [0.2, 0.8], [0.2, 0.8]),
    line("k1", [0.4, 0.6], [0.5, 0.5]),
    line("r", [], [0.3, 0.7], "real"),
  ]);
  assertEquals(s.map((x) => x.estimator), ["lp", "efficiency", "merge-votes"]);
  assertEquals(s[0]!.n, 2);
  assert(Math.abs(s[0]!.mae - 0.05) < 1e-12 && Math.abs(s[0]!.mse - 0.005) < 1e-12);
  assert(Math.abs(s[0]!.maxAbs - 0.1) < 1e-12);
  assert(Math.abs(s[1]!.mae - 0.2) < 1e-12);
});

Deno.test("inference section: report.html and leaderboard.md of a folder with infer.jsonl", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(
      `${dir}/run.json`,
      JSON.stringify({
        schema: "mixbench.run/1",
        suite: "0.1.0",
        commit: "test",
        runtime: { deno: "x", v8: "x", os: "x" },
        machine: { cpu: "x", cores: 1, device: "cpu (inference track)" },
        command: "deno task infer-bench",
        seeds: [],
        tasks: [],
        methods: [],
      }),
    );
    await Deno.writeTextFile(`${dir}/results.jsonl`, "");
    await Deno.writeTextFile(
      `${dir}/infer.jsonl`,
      [line("k0", [0.2, 0.8], [0.25, 0.75]), line("r", [], [0.3, 0.7], "real")]
        .map((l) => JSON.stringify(l) + "\n").join(""),
    );
    const files = await writeReports(dir);
    const html = await Deno.readTextFile(files.html);
    assert(html.includes('<h2 id="inference">Inference track</h2>'));
    assert(html.includes("partial reproduction"));
    const md = await Deno.readTextFile(files.markdown);
    assert(md.includes("## Inference track"));
    assert(md.includes("| LP (Hayase et al. 2024) | 1 | 5.00e-2 | 2.50e-3 |"), md);
    assert(md.includes("| js-tiktoken@1.0.21 cl100k_base | 10 | — | code 60.0% | 0.00e+0 |"), md);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
