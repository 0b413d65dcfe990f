/**
 * The three bring-your-own table shapes of issue 13, end to end through runBench: an accuracy
 * metric without a card (direction required), a 110-metric mean (`mean(metric_*)`), and a
 * single-fidelity table without a cost column (with empty cells in a column no objective reads).
 * The tables are written by tests/testdata/byo/make_tables.py.
 */

import { assert, assertEquals, assertRejects } from "../_assert.ts";
import { runBench } from "../../bench/bench.ts";
import { testBenchOptions } from "../_bench.ts";
import { readResults } from "../../core/results.ts";
import { readPredictLines } from "../../core/predict.ts";
import { InputError } from "../../core/errors.ts";
import { exactly } from "../_exact.ts";
import { sha256Hex } from "../../datasets/loader.ts";

const BYO = new URL("../testdata/byo/", import.meta.url).pathname;
const METHODS = ["uniform", "random-search", "best-of-pool"];

async function sha8(path: string): Promise<string> {
  return (await sha256Hex(await Deno.readFile(path))).slice(0, 8);
}

Deno.test("runBench() on an accuracy table without a card needs --direction, then maximises", async () => {
  const out = await Deno.makeTempDir();
  const path = `${BYO}accuracy/runs.csv`;
  await assertRejects(
    () =>
      runBench(testBenchOptions(out, { tasks: undefined, dataset: { path }, methods: METHODS })),
    InputError,
    exactly(
      'Objective "hellaswag": the direction of metric "hellaswag" is unknown (the table has no ' +
        "data card): pass --direction minimize or --direction maximize (the name-based guess " +
        'would be "minimize")',
    ),
  );
  const s = await runBench(testBenchOptions(out, {
    tasks: undefined,
    dataset: { path, direction: "maximize" },
    methods: METHODS,
    seeds: 2,
  }));
  assertEquals([s.ran, s.failed], [6, 0]);
  const meta = JSON.parse(await Deno.readTextFile(`${out}/run.json`));
  assertEquals(meta.tasks[0].id, `custom/accuracy-${await sha8(path)}`);
  assertEquals(meta.tasks[0].direction, "maximize");
  const lines = await readResults(`${out}/results.jsonl`);
  const uniform = lines.find((l) => l.method === "uniform")!;
  // Uniform is equidistant from three 150M runs, listed last of them; the tie goes to the
  // smallest mixture, (0.25, 0.25, 0.5),
  // the best 150M run (0.35 + 0.3 (1 - 0.015)), which the maximised task scores 1.
  const last = uniform.checkpoints.at(-1)!;
  assertEquals([last.mixture, last.value, last.score], [[0.25, 0.25, 0.5], 0.6455, 1]);
  await Deno.remove(out, { recursive: true });
});

Deno.test("runBench() optimises the mean of 110 metrics written as mean(metric_*)", async () => {
  const out = await Deno.makeTempDir();
  const path = `${BYO}mean110/runs.csv`;
  const s = await runBench(testBenchOptions(out, {
    tasks: undefined,
    dataset: { path, objective: "mean(metric_*)", direction: "minimize", budget: 8 },
    methods: METHODS,
    seeds: 2,
  }));
  assertEquals([s.ran, s.failed], [6, 0]);
  const meta = JSON.parse(await Deno.readTextFile(`${out}/run.json`));
  assertEquals(meta.tasks[0].id, `custom/mean110-${await sha8(path)}`);
  assertEquals(meta.tasks[0].objective, "mean(metric_*)");
  const oracle = (await readResults(`${out}/results.jsonl`)).find((l) =>
    l.method === "best-of-pool"
  )!;
  assertEquals(oracle.checkpoints.at(-1)!.score, 1);
  assertEquals(oracle.checkpoints.at(-1)!.value, meta.tasks[0].reference.best);
  await Deno.remove(out, { recursive: true });
});

Deno.test("runBench() runs a single-fidelity table without a cost column", async () => {
  const out = await Deno.makeTempDir();
  const path = `${BYO}single/runs.csv`;
  const s = await runBench(testBenchOptions(out, {
    tasks: undefined,
    dataset: { path, objective: "loss", direction: "minimize" },
    methods: METHODS,
    seeds: 2,
  }));
  assertEquals([s.ran, s.failed], [6, 0]);
  const meta = JSON.parse(await Deno.readTextFile(`${out}/run.json`));
  // The budget rule of datasets/budget_rule.ts: below the 10-run pool, never all of it.
  assertEquals([meta.tasks[0].budget, meta.tasks[0].costUnit], [2, "1B runs"]);
  const lines = await readResults(`${out}/results.jsonl`);
  const rs = lines.find((l) => l.method === "random-search")!;
  assertEquals(rs.spent, 2);
  assert(rs.trajectory.every((t) => t.cost === 1 && t.fidelity === "1B"));
  // The unused metric_notes_acc has empty cells; an objective that reads it is refused.
  await assertRejects(
    () =>
      runBench(testBenchOptions(`${out}/acc`, {
        tasks: undefined,
        dataset: { path, objective: "notes_acc", direction: "maximize" },
        methods: METHODS,
      })),
    InputError,
    exactly(
      `${path}:2:7: cell "metric_notes_acc" is empty, but the objective "notes_acc" of task ` +
        `"custom/single-${await sha8(path)}" reads it`,
    ),
  );
  await Deno.remove(out, { recursive: true });
});

Deno.test("bring-your-own table: the Predict track fits on one fidelity and predicts another", async () => {
  const out = await Deno.makeTempDir();
  try {
    const dataset = {
      path: "tests/testdata/byo/accuracy/runs.csv",
      objective: "hellaswag",
      direction: "maximize" as const,
      predict: { train: { fidelity: "20M" }, sets: [{ fidelity: "150M" }] },
    };
    await runBench(
      testBenchOptions(out, { tasks: undefined, methods: ["regmix-linear"], seeds: 1, dataset }),
    );
    const lines = await readPredictLines(`${out}/predict.jsonl`);
    assertEquals(lines.length, 1);
    assertEquals(lines[0]!.status, "ok");
    assertEquals(lines[0]!.train, 15);
    assertEquals(lines[0]!.sets.map((s) => [s.name, s.n]), [["150M", 6]]);
    await assertRejects(
      () =>
        runBench(testBenchOptions(out, {
          tasks: undefined,
          methods: ["regmix-linear"],
          dataset: {
            ...dataset,
            predict: { train: { fidelity: "20M" }, sets: [{ fidelity: "20M" }] },
          },
        })),
      InputError,
      '--predict-sets "20M" overlaps the training runs "20M": hold out another fidelity or ' +
        "another split (FIDELITY:split)",
    );
  } finally {
    await Deno.remove(out, { recursive: true });
  }
});
