import { assert, assertAlmost, assertEquals, assertRejects } from "../_assert.ts";
import { runCell } from "../../harness/cell.ts";
import { fitEnsemble, type MlpEnsemble, predictEnsemble } from "../../numerics/mlp.ts";
import type { MethodFactory } from "../../core/method.ts";
import type { Task } from "../../core/task.ts";
import { randomSearch } from "../../methods/random_search.ts";
import { ensembleToOnnx } from "../../runners/onnx_writer.ts";
import {
  openSurrogateModels,
  type SurrogateModels,
  SurrogateRunner,
  type SurrogateSource,
} from "../../runners/surrogate.ts";
import { sha256, SURROGATE_SCHEMA, type SurrogateCard } from "../../runners/surrogate_card.ts";
import { type Schema, validate } from "../../reports/json_schema.ts";
import { tinyTask } from "../_tiny.ts";

/** Fits a small ensemble to the tiny table's `small` runs and writes model + card to a temp dir. */
async function tinySurrogate(
  over: { bounds?: { lower: number; upper: number }; pass?: boolean; sha?: string } = {},
): Promise<{ task: Task; ens: MlpEnsemble; dir: string }> {
  const base = await tinyTask();
  const runs = base.table.runs.filter((r) => r.fidelity === "small");
  const ens = fitEnsemble(runs.map((r) => r.mixture), runs.map((r) => [r.metrics.loss!]), {
    members: 3,
    hidden: [8],
    epochs: 200,
    seed: 1,
  });
  const bytes = ensembleToOnnx(ens);
  const dir = await Deno.makeTempDir();
  await Deno.writeFile(`${dir}/tiny.onnx`, bytes);
  const card = {
    schema: SURROGATE_SCHEMA,
    id: "tiny/small/loss",
    table: "tiny",
    tableSha256: base.table.sha256,
    fidelity: "small",
    metric: "loss",
    direction: "minimize",
    bounds: over.bounds ?? { lower: 0, upper: 10 },
    model: {
      file: "tiny.onnx",
      sha256: over.sha ?? await sha256(bytes),
      bytes: bytes.length,
      opset: 17,
      inputs: 3,
      outputs: 1,
      members: 3,
    },
    gates: { checks: [], pass: over.pass ?? true },
  } as unknown as SurrogateCard;
  await Deno.writeTextFile(`${dir}/tiny.json`, JSON.stringify(card));
  const task = await tinyTask({
    runner: "surrogate",
    surrogate: { models: { small: `${dir}/tiny.json` }, matchDecimals: 4 },
  });
  return { task, ens, dir };
}

async function withRunner(
  over: Parameters<typeof tinySurrogate>[0],
  fn: (
    runner: SurrogateRunner,
    ctx: { task: Task; ens: MlpEnsemble; models: SurrogateModels },
  ) => Promise<void>,
): Promise<void> {
  const { task, ens, dir } = await tinySurrogate(over);
  const models = await openSurrogateModels(task);
  try {
    await fn(new SurrogateRunner(task, models), { task, ens, models });
  } finally {
    await models.close();
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("SurrogateRunner answers table mixtures from the table, within the card's rounding", async () => {
  await withRunner({}, async (runner) => {
    const [a, b] = await runner.evaluate([
      { mixture: [0.5, 0.5, 0], fidelity: "small" },
      { mixture: [0.5 - 2e-5, 0.5 + 2e-5, 0], fidelity: "small" },
    ]);
    for (const o of [a!, b!]) {
      assertEquals(o.source, { kind: "table", row: 3 });
      assertEquals([o.value, o.cost], [1.5, 1]);
    }
    assertEquals(runner.stats, { tableHits: 2, predictions: 0, clips: 0 });
    assertEquals(await runner.judge([0, 0.5, 0.5]), { value: 1.8, row: 4 });
  });
});

Deno.test("SurrogateRunner answers other mixtures with the model, its spread and OOD distance", async () => {
  await withRunner({}, async (runner, { ens }) => {
    const w = [0.2, 0.3, 0.5];
    const [o] = await runner.evaluate([{ mixture: w, fidelity: "small" }]);
    const ts = predictEnsemble(ens, Float64Array.from(Float32Array.from(w)));
    const src = o!.source as SurrogateSource;
    assertEquals(src.kind, "surrogate");
    assertAlmost(o!.value, ts.mean[0]!, 1e-5 * Math.abs(ts.mean[0]!));
    assertAlmost(src.spread, ts.spread[0]!, 1e-5);
    // Nearest small run: [0.34, 0.33, 0.33] (L1 0.14 + 0.03 + 0.17 = 0.34).
    assertAlmost(src.ood, 0.34, 1e-12);
    assertEquals(o!.metrics, { loss: o!.value });
    const judged = await runner.judge(w);
    assertEquals(judged.row, -1);
    assertAlmost(judged.value, o!.value, 1e-12);
    assertEquals(runner.stats, { tableHits: 0, predictions: 2, clips: 0 });
  });
});

Deno.test("SurrogateRunner clips predictions to the metric's bounds and counts the clips", async () => {
  await withRunner({ bounds: { lower: 0, upper: 1 } }, async (runner) => {
    const obs = await runner.evaluate([
      { mixture: [0.2, 0.3, 0.5], fidelity: "small" },
      { mixture: [0.9, 0.05, 0.05], fidelity: "small" },
      { mixture: [1, 0, 0], fidelity: "small" },
    ]);
    assertEquals(obs.map((o) => o.value).slice(0, 2), [1, 1]);
    assert(obs.slice(0, 2).every((o) => (o.source as SurrogateSource).clipped));
    assertEquals(obs[2]!.value, 3); // a table run is never clipped
    assertEquals(runner.stats, { tableHits: 1, predictions: 2, clips: 2 });
  });
});

Deno.test("openSurrogateModels() refuses failed gates, a changed file and another metric", async () => {
  for (
    const [over, re] of [
      [{ pass: false }, /failed its validation gates/],
      [{ sha: "0".repeat(64) }, /has sha256/],
    ] as const
  ) {
    const { task, dir } = await tinySurrogate(over);
    await assertRejects(() => openSurrogateModels(task), TypeError, re);
    await Deno.remove(dir, { recursive: true });
  }
  const { task, dir } = await tinySurrogate();
  await assertRejects(
    () => openSurrogateModels({ ...task, objective: { ...task.objective, metrics: ["acc"] } }),
    TypeError,
    /predicts "loss"/,
  );
  await Deno.remove(dir, { recursive: true });
});

Deno.test("runCell() runs random-search in continuous mode on a surrogate task, reproducibly", async () => {
  await withRunner({}, async (_runner, { task, models }) => {
    const run = () =>
      runCell({
        task,
        runner: new SurrogateRunner(task, models),
        factory: randomSearch,
        seed: 2,
        suite: "test",
        timeLimitMs: 60_000,
      });
    const a = await run(), b = await run();
    assertEquals(a.status, "ok");
    assertEquals(a.runner, "surrogate");
    assertEquals(a.trajectory.length, 4);
    assert(a.trajectory.every((s) => s.row === -1), "Dirichlet draws are not table runs");
    assertEquals({ ...a, timings: null }, { ...b, timings: null });
    const last = a.checkpoints.at(-1)!;
    const best = Math.min(...a.trajectory.map((s) => s.value));
    assertAlmost(last.value, best, 1e-6);
  });
});

Deno.test("runCell() records each answer's source, OOD, spread and clipping in a schema-valid line", async () => {
  await withRunner({ bounds: { lower: 0, upper: 1 } }, async (runner, { task }) => {
    const small = task.table.runs.find((r) => r.fidelity === "small")!;
    const fresh = [0.9, 0.05, 0.05];
    const factory: MethodFactory = {
      id: "two-points",
      description: "one table mixture, then one fresh mixture",
      ranked: true,
      create: (ctx) => {
        let k = 0;
        return {
          ask: () =>
            k < 2 ? [{ mixture: k++ === 0 ? small.mixture : fresh, fidelity: "small" }] : [],
          tell: () => {},
          recommend: () => ({ mixture: ctx.prior }),
        };
      },
    };
    const line = await runCell({
      task,
      runner,
      factory,
      seed: 0,
      suite: "test",
      timeLimitMs: 60_000,
    });
    assertEquals(line.status, "ok");
    const [hit, miss] = line.trajectory;
    assertEquals(hit!.source, { kind: "table", row: small.row });
    const src = miss!.source!;
    assert(src.kind === "surrogate");
    assertEquals(miss!.row, -1);
    assertEquals(miss!.value, 1);
    assertEquals(src.clipped, 1);
    assert(src.ood > 0 && src.spread! >= 0, JSON.stringify(src));
    const schema = JSON.parse(
      await Deno.readTextFile(new URL("../../reports/result.schema.json", import.meta.url)),
    ) as Schema;
    assertEquals(validate(schema, JSON.parse(JSON.stringify(line))), []);
  });
});
