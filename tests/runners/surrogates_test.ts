import { assert, assertAlmost, assertEquals } from "../_assert.ts";
import { spearman } from "../../numerics/stats/correlation.ts";
import { loadTable, loadTask, TASKS } from "../../datasets/registry.ts";
import {
  buildSurrogates,
  GATES,
  SURROGATE_MLP,
  SURROGATE_SPECS,
  surrogateName,
  taskFileName,
  trustRadius,
} from "../../bench/surrogates.ts";
import { decodeOnnx } from "../../runners/onnx_writer.ts";
import { openSession } from "../../runners/ort_session.ts";
import { nearestDistance, openSurrogateModels, SurrogateRunner } from "../../runners/surrogate.ts";
import { loadSurrogate, type SurrogateCard } from "../../runners/surrogate_card.ts";

const dir = new URL("../../runners/surrogates/", import.meta.url).pathname;
const cards: SurrogateCard[] = [];
for (const spec of SURROGATE_SPECS) {
  cards.push((await loadSurrogate(`${dir}${surrogateName(spec)}.json`)).card);
}

Deno.test("committed surrogates match their .onnx hash, their table, and their gates' verdict", async () => {
  for (const [i, card] of cards.entries()) {
    const spec = SURROGATE_SPECS[i]!;
    const { model } = await loadSurrogate(`${dir}${surrogateName(spec)}.json`); // checks sha256
    const table = await loadTable(card.table);
    assertEquals(card.tableSha256, table.sha256, card.id);
    assertEquals(card.training.runs, table.runs.filter((r) => r.fidelity === spec.fidelity).length);
    assertEquals(card.training.options.members, SURROGATE_MLP.members);
    const decoded = decodeOnnx(model);
    assertEquals(decoded.initializers.get("W0")!.dims[0], card.model.members);
    assertEquals(decoded.metadata.metric, spec.metric);
    assert(card.onnxCheck.maxRelativeError <= 1e-5, `${card.id} ONNX vs TypeScript`);
    const byName = new Map(card.gates.checks.map((g) => [g.name, g]));
    assertEquals(byName.get("random ρ")!.threshold, GATES.randomSpearman);
    assertEquals(byName.get("extrapolation ρ")!.threshold, GATES.extrapolationSpearman);
    assertEquals(byName.get("random top-10% recall")!.threshold, GATES.recall10);
    for (const g of card.gates.checks) assertEquals(g.pass, g.value >= g.threshold, g.name);
    assertEquals(card.gates.pass, card.gates.checks.every((g) => g.pass));
    assertEquals(card.reference !== undefined, card.gates.pass);
  }
});

Deno.test("the RegMix 1M surrogate's 60M gate uses the table's own 1M-vs-60M ρ (0.994)", async () => {
  const card = cards[SURROGATE_SPECS.findIndex((s) => s.task === "regmix-pile/pile-cc@1M")]!;
  const t = await loadTable("regmix_pile");
  const test1m = t.runs.filter((r) => r.fidelity === "1M" && r.split === "test");
  const m60 = t.runs.filter((r) => r.fidelity === "60M");
  const rho = spearman(
    test1m.map((r) => r.metrics.pile_cc_loss!),
    m60.map((r) => r.metrics.pile_cc_loss!),
  );
  assertAlmost(rho, 0.994, 5e-4);
  assertAlmost(card.validation.transfer!.tableSpearman, rho, 1e-6);
  const g = card.gates.checks.find((c) => c.name === "60M ρ")!;
  assertAlmost(g.threshold, rho - 0.05, 1e-6);
  assertEquals([card.validation.transfer!.train, card.validation.transfer!.heldOut], [512, 256]);
});

Deno.test("continuous tasks exist exactly for the surrogates that pass their gates", async () => {
  for (const [i, spec] of SURROGATE_SPECS.entries()) {
    const pass = cards[i]!.gates.pass;
    assertEquals(TASKS.includes(spec.task), pass, spec.task);
    const file = new URL(`../../datasets/tasks/${taskFileName(spec.task)}`, import.meta.url);
    const exists = await Deno.stat(file).then(() => true, () => false);
    assertEquals(exists, pass, `${spec.task} task card`);
  }
});

Deno.test("continuous task references: f₀ = the model at uniform, f* = the better of table and search", async () => {
  for (const [i, spec] of SURROGATE_SPECS.entries()) {
    const card = cards[i]!;
    if (!card.gates.pass) continue;
    const task = await loadTask(spec.task);
    assertEquals(task.card.runner, "surrogate");
    const ref = card.reference!;
    const { model } = await loadSurrogate(`${dir}${surrogateName(spec)}.json`);
    const m = card.model.inputs;
    const session = await openSession(model, { inputs: m, outputs: 1 });
    try {
      const uniform = await session.run(new Float32Array(m).fill(1 / m), 1);
      assertAlmost(task.card.reference.zero, uniform.mean[0]!, 1e-9);
      const at = await session.run(Float32Array.from(ref.searchBest.mixture), 1);
      assertAlmost(ref.searchBest.value, at.mean[0]!, 1e-9);
      const runs = task.table.runs.filter((r) => r.fidelity === spec.fidelity);
      const sign = card.direction === "minimize" ? 1 : -1;
      const values = runs.map((r) => r.metrics[spec.metric]!);
      const tableBest = sign > 0 ? Math.min(...values) : Math.max(...values);
      assertEquals(ref.tableBest.value, tableBest);
      const best = sign * ref.searchBest.value < sign * tableBest
        ? ref.searchBest.value
        : tableBest;
      assertEquals(task.card.reference.best, best);
      assertEquals(task.card.reference.bestRow, best === tableBest ? ref.tableBest.row : -1);
      const rows = new Float64Array(runs.flatMap((r) => [...r.mixture]));
      assertAlmost(ref.searchBest.trustRadius, trustRadius(rows, m), 1e-6);
      assertAlmost(ref.searchBest.ood, nearestDistance(rows, ref.searchBest.mixture), 1e-6);
      assert(ref.searchBest.ood <= ref.searchBest.trustRadius + 1e-6);
    } finally {
      await session.close();
    }
  }
});

Deno.test("a continuous task's runner judges the task's own best mixture at f*", async () => {
  const task = await loadTask("regmix-pile/pile-cc@1M");
  const models = await openSurrogateModels(task);
  try {
    const runner = new SurrogateRunner(task, models);
    const card = cards[0]!;
    const judged = await runner.judge(card.reference!.searchBest.mixture);
    assertEquals(judged.row, -1);
    assertAlmost(judged.value, card.reference!.searchBest.value, 1e-9);
    const run = task.targetPool[0]!;
    assertEquals((await runner.judge(run.mixture)).row, run.row);
  } finally {
    await models.close();
  }
});

Deno.test("buildSurrogates() writes byte-identical models and cards from the same seed", async () => {
  const outs: string[] = [];
  for (let k = 0; k < 2; k++) {
    const out = await Deno.makeTempDir();
    await buildSurrogates({
      only: ["regmix-pile/pile-cc@60M"],
      samples: 2000,
      workers: 2,
      outDir: out,
      taskDir: out,
      mlp: { ...SURROGATE_MLP, members: 2, hidden: [8], epochs: 3 },
    });
    outs.push(out);
  }
  const files = (d: string) => Array.from(Deno.readDirSync(d), (e) => e.name).sort();
  assertEquals(files(outs[0]!), files(outs[1]!));
  assert(files(outs[0]!).some((f) => f.endsWith(".onnx")));
  for (const f of files(outs[0]!)) {
    if (!f.includes(".")) continue;
    assertEquals(Deno.readFileSync(`${outs[0]}/${f}`), Deno.readFileSync(`${outs[1]}/${f}`), f);
  }
  for (const o of outs) await Deno.remove(o, { recursive: true });
});
