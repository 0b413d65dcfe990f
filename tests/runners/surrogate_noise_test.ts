import { assert, assertAlmost, assertEquals, assertThrows } from "../_assert.ts";
import { fitEnsemble, predictEnsemble } from "../../numerics/mlp.ts";
import type { Task } from "../../core/task.ts";
import { ensembleToOnnx } from "../../runners/onnx_writer.ts";
import { openSurrogateModels, SurrogateRunner } from "../../runners/surrogate.ts";
import { evaluationNoise, sha256, SURROGATE_SCHEMA } from "../../runners/surrogate_card.ts";
import { parseTaskCard } from "../../datasets/task_card.ts";
import { tinyTask } from "../_tiny.ts";

const SD = 0.05;

/** A tiny surrogate whose card records evaluation noise SD (or none), in noisy mode. */
async function noisyTask(withNoise: boolean): Promise<{ task: Task; dir: string }> {
  const base = await tinyTask();
  const runs = base.table.runs.filter((r) => r.fidelity === "small");
  const ens = fitEnsemble(runs.map((r) => r.mixture), runs.map((r) => [r.metrics.loss!]), {
    members: 2,
    hidden: [4],
    epochs: 50,
    seed: 1,
  });
  const bytes = ensembleToOnnx(ens);
  const dir = await Deno.makeTempDir();
  await Deno.writeFile(`${dir}/tiny.onnx`, bytes);
  const ceiling = [{ sharedCorrelation: 0.5, meanSe: SD, spearman: 0.7, bestStaysBest: 0.5 }];
  const card = {
    schema: SURROGATE_SCHEMA,
    id: "tiny/small/loss",
    table: "tiny",
    tableSha256: base.table.sha256,
    fidelity: "small",
    metric: "loss",
    direction: "minimize",
    bounds: { lower: -10, upper: 10 },
    model: {
      file: "tiny.onnx",
      sha256: await sha256(bytes),
      bytes: bytes.length,
      opset: 17,
      inputs: 3,
      outputs: 1,
      members: 2,
    },
    validation: withNoise ? { noise: { sharedCorrelationBound: 0.5, ceiling } } : {},
    gates: { checks: [], pass: true },
  };
  await Deno.writeTextFile(`${dir}/tiny.json`, JSON.stringify(card));
  const task = await tinyTask({
    runner: "surrogate",
    surrogate: { models: { small: `${dir}/tiny.json` }, matchDecimals: 4, noise: "evaluation" },
  });
  // Keep the ensemble's noise-free answer at hand for the checks.
  (task as unknown as { ens: unknown }).ens = ens;
  return { task, dir };
}

const mixtures = Array.from({ length: 400 }, (_, i) => {
  const a = ((i * 37) % 100) / 200 + 0.1, b = ((i * 53) % 100) / 300 + 0.05;
  return [a, b, 1 - a - b];
});

Deno.test("SurrogateRunner in noisy mode: seeded by (task, seed, mixture), with the card's error", async () => {
  const { task, dir } = await noisyTask(true);
  const models = await openSurrogateModels(task);
  try {
    const ask = (seed: number, ws: number[][]) =>
      new SurrogateRunner(task, models, { seed })
        .evaluate(ws.map((mixture) => ({ mixture, fidelity: "small" })));
    const a = await ask(1, mixtures), again = await ask(1, [...mixtures].reverse());
    const other = await ask(2, mixtures);
    // The same query gets the same draw, whatever else is asked and in whatever order.
    assertEquals(a.map((o) => o.value), again.reverse().map((o) => o.value));
    assert(a.some((o, i) => o.value !== other[i]!.value));
    const ens = (task as unknown as { ens: Parameters<typeof predictEnsemble>[0] }).ens;
    const mean = predictEnsemble(ens, Float64Array.from(Float32Array.from(mixtures.flat()))).mean;
    const z = a.map((o, i) => (o.value - mean[i]!) / SD);
    const m = z.reduce((s, v) => s + v, 0) / z.length;
    const sd = Math.sqrt(z.reduce((s, v) => s + (v - m) ** 2, 0) / z.length);
    assertAlmost(m, 0, 0.15);
    assertAlmost(sd, 1, 0.1);
    // Recommendations are judged noise-free.
    const judged = await new SurrogateRunner(task, models, { seed: 1 }).judge(mixtures[0]!);
    assertAlmost(judged.value, mean[0]!, 1e-5);
    assertThrows(() => new SurrogateRunner(task, models), RangeError, "needs a seed");
  } finally {
    await models.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("SurrogateRunner refuses noisy mode on a model card without evaluation noise", async () => {
  const { task, dir } = await noisyTask(false);
  const models = await openSurrogateModels(task);
  try {
    assertEquals(evaluationNoise([...models.byFidelity.values()][0]!.card), null);
    assertThrows(
      () => new SurrogateRunner(task, models, { seed: 1 }),
      RangeError,
      'model card "tiny/small/loss" records none',
    );
  } finally {
    await models.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test('parseTaskCard() accepts surrogate.noise "evaluation" only', async () => {
  const task = await tinyTask();
  const card = {
    ...task.card,
    runner: "surrogate",
    surrogate: { models: { small: "x.json" }, matchDecimals: 4, noise: "loud" },
  };
  assertThrows(() => parseTaskCard(card, "t.json"), Error, "surrogate.noise");
});

Deno.test("ADMIRE surrogate cards: ceiling gates are 90% of the held-out ceilings and fail at the r bound", async () => {
  const dir = new URL("../../runners/surrogates/", import.meta.url).pathname;
  for (const f of ["0.5B", "3B", "7B"]) {
    const card = JSON.parse(await Deno.readTextFile(`${dir}admire_ift-${f}-avg_id_ood.json`));
    const noise = card.validation.noise;
    assertEquals(noise.components.length, 17);
    assert(noise.noiseShare > 1, `${f}: independent-item noise exceeds the values' variance`);
    for (const [i, at] of noise.ceiling.entries()) {
      const g = noise.ceilingGates[i];
      assertEquals(g.sharedCorrelation, at.sharedCorrelation);
      assertAlmost(g.checks[0].threshold, 0.9 * g.random.spearman, 1e-4);
      assertAlmost(g.checks[1].threshold, 0.9 * g.extrapolation.spearman, 1e-4);
      assertAlmost(g.checks[2].threshold, 0.9 * g.random.recall10, 1e-4);
      // The held-out sets' ceilings are of the same order as the whole table's.
      assert(Math.abs(g.random.spearman - at.spearman) < 0.2);
      assertEquals(g.checks[0].value, card.validation.random.spearman);
      assertEquals(g.checks[1].value, card.validation.extrapolation.spearman);
      assertEquals(
        g.pass,
        g.checks.every((c: { value: number; threshold: number }) => c.value >= c.threshold),
      );
    }
    const atBound = noise.ceilingGates.find((g: { sharedCorrelation: number }) =>
      g.sharedCorrelation === noise.sharedCorrelationBound
    );
    assertEquals(atBound.pass, false);
    assertEquals(card.gates.pass, false);
  }
});
