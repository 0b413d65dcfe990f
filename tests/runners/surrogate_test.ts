import { assert, assertAlmost, assertEquals, assertRejects } from "../_assert.ts";
import { runCell } from "../../harness/cell.ts";
import { withVersions } from "../../core/results.ts";
import { fitEnsemble, type MlpEnsemble, predictEnsemble } from "../../numerics/mlp.ts";
import type { MethodContext, MethodFactory } from "../../core/method.ts";
import type { Task } from "../../core/task.ts";
import { randomSearch } from "../../methods/random_search.ts";
import { ensembleToOnnx } from "../../runners/onnx_writer.ts";
import {
  openSurrogateModels,
  type SurrogateModels,
  SurrogateRunner,
  type SurrogateSource,
} from "../../runners/surrogate.ts";
import {
  sha256,
  SURROGATE_SCHEMA,
  type SurrogateCard,
  type TrustRegion,
} from "../../runners/surrogate_card.ts";
import { checkRegionRecords } from "../../bench/validate.ts";
import { type Schema, validate } from "../../reports/json_schema.ts";
import { tinyTask } from "../_tiny.ts";

/** Fits a small ensemble to the tiny table's `small` runs and writes model + card to a temp dir. */
async function tinySurrogate(
  over: {
    bounds?: { lower: number; upper: number };
    pass?: boolean;
    sha?: string;
    region?: TrustRegion;
  } = {},
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
    ...(over.region ? { region: over.region } : {}),
  } as unknown as SurrogateCard;
  await Deno.writeTextFile(`${dir}/tiny.json`, JSON.stringify(card));
  const task = await tinyTask({
    runner: "surrogate",
    surrogate: {
      models: { small: `${dir}/tiny.json` },
      matchDecimals: 4,
      ...(over.region ? { outOfRegion: "table-worst" as const } : {}),
    },
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
    assertEquals(runner.stats, { tableHits: 2, predictions: 0, clips: 0, outOfRegion: 0 });
    assertEquals(await runner.judge([0, 0.5, 0.5]), {
      value: 1.8,
      row: 4,
      source: { kind: "table", row: 4 },
    });
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
    assertEquals(runner.stats, { tableHits: 0, predictions: 2, clips: 0, outOfRegion: 0 });
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
    assertEquals(runner.stats, { tableHits: 1, predictions: 2, clips: 2, outOfRegion: 0 });
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
      version: "1",
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
    // The bench stamps each line with its versions before writing it.
    const stamped = withVersions(line, { method: "1", commit: "test", table: "0".repeat(64) });
    assertEquals(validate(schema, JSON.parse(JSON.stringify(stamped))), []);
  });
});

/** A region on the tiny table: weight b ≤ 0.55, L1 radius 0.5; outside, the worst small run. */
const REGION = {
  upper: [1, 0.55, 1],
  margin: 0,
  radius: 0.5,
  spreadPenalty: 2,
  spread: {
    errorSpearman: 0.5,
    heldOut: 0,
    atTable: 0,
    atHeldOut: 0,
    threshold: 0.3,
    informative: true,
    note: "test",
  },
  error: {
    form: "c*d^p",
    c: 0.1,
    p: 1,
    k: 1.5,
    level: 0.9,
    folds: 5,
    heldOut: 0,
    distanceErrorSpearman: 0,
    spreadErrorSpearman: 0,
    bins: [],
  },
  outside: { policy: "table-worst", value: 3, row: 0 },
} as const satisfies TrustRegion;

Deno.test("SurrogateRunner answers outside the trust region by the table-worst policy, inside pessimistically", async () => {
  await withRunner({ region: REGION }, async (runner, { ens }) => {
    const inside = [0.2, 0.3, 0.5]; // L1 0.34 from [0.34, 0.33, 0.33]
    const overBox = [0.4, 0.6, 0]; // b 0.6 > 0.55, though L1 0.2 from [0.5, 0.5, 0]
    const far = [0.7, 0.15, 0.15]; // L1 0.6 from [1, 0, 0]
    const [a, b, c] = await runner.evaluate(
      [inside, overBox, far].map((mixture) => ({ mixture, fidelity: "small" })),
    );
    const ts = predictEnsemble(ens, Float64Array.from(Float32Array.from(inside)));
    const sa = a!.source as SurrogateSource;
    assertEquals(sa.inRegion, true);
    // Mean + 2 spreads + k·c·d^p at L1 0.34 from the nearest run.
    assertAlmost(sa.ood, 0.34, 1e-6);
    assertAlmost(a!.value, ts.mean[0]! + 2 * ts.spread[0]! + 1.5 * 0.1 * 0.34, 1e-4);
    for (const o of [b!, c!]) {
      assertEquals(o.value, 3);
      assertEquals((o.source as SurrogateSource).inRegion, false);
      assertEquals((o.source as SurrogateSource).clipped, false);
    }
    assertAlmost((c!.source as SurrogateSource).ood, 0.6, 1e-12);
    assertEquals(runner.stats, { tableHits: 0, predictions: 3, clips: 0, outOfRegion: 2 });
    const judged = await runner.judge(far);
    assertEquals([judged.value, judged.row], [3, -1]);
    assertEquals((judged.source as SurrogateSource).inRegion, false);
    const table = await runner.judge([0.5, 0.5, 0]);
    assertEquals(table, { value: 1.5, row: 3, source: { kind: "table", row: 3 } });
  });
});

Deno.test("an out-of-region recommendation is scored as the table's worst run and validate checks it", async () => {
  await withRunner({ region: REGION }, async (runner, { task, models }) => {
    const factory: MethodFactory = {
      id: "far",
      version: "1",
      description: "recommends a mixture far from the table without asking",
      ranked: true,
      create: () => ({
        ask: () => [],
        tell: () => {},
        recommend: () => ({ mixture: [0.7, 0.15, 0.15] }),
      }),
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
    const card = models.byFidelity.get("small")!.card;
    for (const cp of line.checkpoints) {
      assertEquals(cp.value, 3);
      assertEquals(cp.source, {
        kind: "surrogate",
        ood: 0.6,
        spread: cp.source!.kind === "surrogate" ? cp.source!.spread! : 0,
        clipped: 0,
        inRegion: false,
      });
    }
    const schema = JSON.parse(
      await Deno.readTextFile(new URL("../../reports/result.schema.json", import.meta.url)),
    ) as Schema;
    // The bench stamps each line with its versions before writing it.
    const stamped = withVersions(line, { method: "1", commit: "test", table: "0".repeat(64) });
    assertEquals(validate(schema, JSON.parse(JSON.stringify(stamped))), []);
    assertEquals(checkRegionRecords(line, card, task.table), []);
    // A line that scored the same recommendation as a prediction, or lost its source, is rejected.
    const cp = line.checkpoints[0]!;
    const forged = {
      ...line,
      checkpoints: [{
        ...cp,
        value: 1.1,
        source: { kind: "surrogate" as const, ood: 0.6, inRegion: true },
      }],
    };
    const msgs = checkRegionRecords(forged, card, task.table);
    assertEquals(msgs.length, 1);
    assert(
      /outside the trust region \(L1 0\.6000 .*policy "table-worst" scores it 3/.test(msgs[0]!),
      msgs[0],
    );
    const { source: _s, ...bare } = cp;
    assert(
      /no source/.test(checkRegionRecords({ ...line, checkpoints: [bare] }, card, task.table)[0]!),
    );
  });
});

Deno.test("runCell() hands the runner's trust region to the method as ctx.feasible, the runner's own verdict", async () => {
  await withRunner({ region: REGION }, async (runner, { task }) => {
    let seen: MethodContext | undefined;
    const factory: MethodFactory = {
      id: "look",
      version: "1",
      description: "keeps its context",
      ranked: true,
      create: (ctx) => {
        seen = ctx;
        return { ask: () => [], tell: () => {}, recommend: () => ({ mixture: [0.5, 0.5, 0] }) };
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
    const set = seen!.feasible!.small!;
    assertEquals([set.fidelity, set.radius, set.upper], ["small", 0.5, [1, 0.55, 1]]);
    assert(Object.isFrozen(seen!.feasible) && Object.isFrozen(set));
    const points = [[0.2, 0.3, 0.5], [0.4, 0.6, 0], [0.7, 0.15, 0.15], [0.5, 0.5, 0]];
    const answers = await runner.evaluate(
      points.map((mixture) => ({ mixture, fidelity: "small" })),
    );
    points.forEach((w, i) => {
      const s = answers[i]!.source;
      const inRegion = s.kind === "table" || (s as SurrogateSource).inRegion === true;
      assertEquals(set.contains(w), inRegion, `point ${i}`);
    });
    // A repaired mixture is answered inside the region.
    const repaired = set.repair([0.7, 0.15, 0.15]);
    const [o] = await runner.evaluate([{ mixture: repaired, fidelity: "small" }]);
    assertEquals((o!.source as SurrogateSource).inRegion, true);
  });
  // Without a region (and in pool mode) there is none.
  await withRunner({}, (runner) => Promise.resolve(assertEquals(runner.feasible, undefined)));
});
