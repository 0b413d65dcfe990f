import { assert, assertAlmost, assertEquals } from "../_assert.ts";
import { spearman } from "../../numerics/stats/correlation.ts";
import { gapClosed, type TaskCard } from "../../core/task.ts";
import { loadTable, loadTask, TASKS } from "../../datasets/registry.ts";
import {
  buildSurrogates,
  CV_FOLDS,
  errorModelOf,
  GATES,
  KAPPA,
  PESSIMISM_LEVEL,
  plan,
  REGION_MARGIN,
  SPREAD_INFORMATIVE,
  SURROGATE_MLP,
  SURROGATE_SPECS,
  surrogateName,
  taskFileName,
  trustRadius,
} from "../../bench/surrogates.ts";
import { decodeOnnx } from "../../runners/onnx_writer.ts";
import { openSession } from "../../runners/ort_session.ts";
import { nearestDistance, openSurrogateModels, SurrogateRunner } from "../../runners/surrogate.ts";
import {
  checkRegion,
  loadSurrogate,
  regionPenalty,
  type SurrogateCard,
} from "../../runners/surrogate_card.ts";
import { fitEnsemble, type MlpEnsemble, predictEnsemble } from "../../numerics/mlp.ts";

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
    assertEquals(card.region !== undefined, card.gates.pass);
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

Deno.test("continuous tasks exist exactly for the surrogates that pass their gates and the adversarial gate", async () => {
  for (const [i, spec] of SURROGATE_SPECS.entries()) {
    const card = cards[i]!;
    assertEquals(card.region !== undefined, card.gates.pass, spec.task);
    assertEquals(card.adversarial !== undefined, card.gates.pass, spec.task);
    // Offered (in the bench's task list) only when both gates pass; the card of every passing
    // model exists so that its version keeps counting while it is off.
    const offered = card.gates.pass && card.adversarial!.pass;
    assertEquals(TASKS.includes(spec.task), offered, spec.task);
    const file = new URL(`../../datasets/tasks/${taskFileName(spec.task)}`, import.meta.url);
    const exists = await Deno.stat(file).then(() => true, () => false);
    assertEquals(exists, card.gates.pass, `${spec.task} task card`);
    if (!card.gates.pass) continue;
    // The gate's verdict follows from its numbers: no adversary past table best − tolerance.
    const g = card.adversarial!;
    const sign = card.direction === "minimize" ? 1 : -1;
    assertEquals(g.tolerance, card.validation.extrapolation.mae);
    assertEquals(g.tableBest, card.reference!.tableBest.value);
    assertEquals(
      g.results.map((r) => r.method),
      ["adv-corners", "adv-sparse", "adv-big-step", "adv-direct"],
    );
    const ref = card.reference!;
    for (const r of g.results) {
      assertEquals(r.best, sign > 0 ? Math.min(...r.values) : Math.max(...r.values));
      assertAlmost(r.mean, r.values.reduce((a, b) => a + b, 0) / r.values.length, 1e-12);
      r.values.forEach((v, k) => assertAlmost(r.scores[k]!, gapClosed(v, ref), 1e-4));
      // f* is at least as good as anything an adversary found inside the region.
      r.values.forEach((v, k) => assert(!r.inRegion[k] || sign * (v - ref.best) >= -1e-12));
    }
    assertEquals(g.pass, g.results.every((r) => sign * (g.tableBest - r.mean) <= g.tolerance));
  }
});

Deno.test("trust regions: box = the table's maximum + margin per domain, radius = the 95th-percentile LOO distance", async () => {
  for (const [i, spec] of SURROGATE_SPECS.entries()) {
    const card = cards[i]!;
    if (!card.gates.pass) continue;
    const region = card.region!;
    const runs = (await loadTable(spec.table)).runs.filter((r) => r.fidelity === spec.fidelity);
    const m = card.model.inputs;
    assertEquals(region.margin, REGION_MARGIN);
    for (let j = 0; j < m; j++) {
      const max = Math.max(...runs.map((r) => r.mixture[j]!));
      assert(
        region.upper[j]! >= max && region.upper[j]! <= Math.min(1, max + REGION_MARGIN + 1e-6),
      );
    }
    const rows = new Float64Array(runs.flatMap((r) => [...r.mixture]));
    assertAlmost(region.radius, trustRadius(rows, m), 1e-6);
    assert(runs.every((r) => checkRegion(region, rows, r.mixture).inRegion), "table runs inside");
    assertEquals(region.spreadPenalty, region.spread.informative ? KAPPA : 0);
    assertEquals(region.spread.informative, region.spread.errorSpearman >= SPREAD_INFORMATIVE);
    const values = runs.map((r) => r.metrics[spec.metric]!);
    const sign = card.direction === "minimize" ? 1 : -1;
    assertEquals(region.outside.value, sign > 0 ? Math.max(...values) : Math.min(...values));
  }
});

Deno.test("continuous task references: f₀ = the table's mean, f* = the better of table and the in-region search", async () => {
  for (const [i, spec] of SURROGATE_SPECS.entries()) {
    const card = cards[i]!;
    if (!card.gates.pass) continue;
    const ref = card.reference!;
    const { model } = await loadSurrogate(`${dir}${surrogateName(spec)}.json`);
    const m = card.model.inputs;
    const session = await openSession(model, { inputs: m, outputs: 1 });
    try {
      const runs = (await loadTable(spec.table)).runs.filter((r) => r.fidelity === spec.fidelity);
      const values = runs.map((r) => r.metrics[spec.metric]!);
      assertAlmost(ref.zero, values.reduce((a, b) => a + b, 0) / values.length, 1e-12);
      const at = await session.run(Float32Array.from(ref.searchBest.mixture), 1);
      assertAlmost(ref.searchBest.mean, at.mean[0]!, 1e-9);
      const sign = card.direction === "minimize" ? 1 : -1;
      const rows0 = new Float64Array(runs.flatMap((r) => [...r.mixture]));
      const d = nearestDistance(rows0, ref.searchBest.mixture);
      const answer = at.mean[0]! + sign * regionPenalty(card.region!, d, at.spread[0]!);
      assertAlmost(ref.searchBest.value, answer, 1e-9);
      const tableBest = sign > 0 ? Math.min(...values) : Math.max(...values);
      assertEquals(ref.tableBest.value, tableBest);
      const best = sign * ref.searchBest.value < sign * tableBest
        ? ref.searchBest.value
        : tableBest;
      assertEquals(ref.best, best);
      assertEquals(ref.bestRow, best === tableBest ? ref.tableBest.row : -1);
      const rows = new Float64Array(runs.flatMap((r) => [...r.mixture]));
      const c = checkRegion(card.region!, rows, ref.searchBest.mixture);
      assert(c.inRegion, `${spec.task}: f* inside its region`);
      assertAlmost(ref.searchBest.ood, nearestDistance(rows, ref.searchBest.mixture), 1e-6);
      {
        const path = new URL(`../../datasets/tasks/${taskFileName(spec.task)}`, import.meta.url);
        const task = { card: JSON.parse(await Deno.readTextFile(path)) as TaskCard };
        assertEquals(task.card.reference, { zero: ref.zero, best: ref.best, bestRow: ref.bestRow });
        assertEquals(task.card.surrogate!.outOfRegion, "table-worst");
        assert(task.card.version >= 2, "references changed: the version was bumped");
      }
    } finally {
      await session.close();
    }
  }
});

Deno.test("a continuous task's runner judges the task's own best mixture at f*, inside its region", async () => {
  const id = SURROGATE_SPECS.find((s) => TASKS.includes(s.task) && s.task.includes("@"))!.task;
  const task = await loadTask(id);
  const models = await openSurrogateModels(task);
  try {
    const runner = new SurrogateRunner(task, models);
    const card = cards[SURROGATE_SPECS.findIndex((s) => s.task === id)]!;
    const judged = await runner.judge(card.reference!.searchBest.mixture);
    assertEquals(judged.row, -1);
    assertAlmost(judged.value, card.reference!.searchBest.value, 1e-9);
    assert(judged.source?.kind === "surrogate" && judged.source.inRegion === true);
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

Deno.test("buildSurrogates({ refresh }) rewrites the region, references, gate and task card byte for byte", async () => {
  const out = await Deno.makeTempDir();
  const taskDir = `${out}/tasks`;
  const mlp = { ...SURROGATE_MLP, members: 2, hidden: [16], epochs: 40 };
  const only = ["regmix-pile/pile-cc@60M"];
  const opts = { only, samples: 2000, workers: 2, outDir: out, taskDir, mlp };
  const [built] = await buildSurrogates(opts);
  assert(built!.gates.pass && built!.region && built!.reference && built!.adversarial, "reviewed");
  const taskFile = `${taskDir}/${taskFileName(only[0]!)}`;
  const files = () =>
    [
      ...Array.from(Deno.readDirSync(out), (e) => e.name).filter((f) => f.includes("."))
        .map((f) => `${out}/${f}`),
      taskFile,
    ].sort();
  const before = new Map(files().map((f) => [f, Deno.readFileSync(f)]));
  const json = files().find((f) => f.startsWith(out) && f.endsWith(".json") && f !== taskFile)!;
  const { region: _r, reference: _f, adversarial: _a, ...bare } = built!;
  await Deno.writeTextFile(json, JSON.stringify(bare, null, 2) + "\n");
  await buildSurrogates({ ...opts, refresh: true });
  assertEquals(files(), [...before.keys()]);
  for (const [f, bytes] of before) assertEquals(Deno.readFileSync(f), bytes, f);
  await Deno.remove(out, { recursive: true });
});

Deno.test("errorModelOf(): σ(d) = c·d^p is the likelihood optimum of the CV errors, k their level quantile", async () => {
  const spec = SURROGATE_SPECS.find((s) => s.task === "regmix-pile/pile-cc@60M")!;
  const p = plan(spec, await loadTable(spec.table), 1);
  assertEquals(p.cv.length, CV_FOLDS);
  assertEquals(
    p.cv.flat().sort((a, b) => a - b),
    p.runs.map((_, i) => i),
    "each run held out once",
  );
  const fits = new Map<string, MlpEnsemble>();
  p.cv.forEach((test, f) => {
    const out = new Set(test);
    const train = p.runs.filter((_, i) => !out.has(i));
    fits.set(
      `${spec.task}|cv${f}`,
      fitEnsemble(train.map((r) => r.mixture), train.map((r) => [r.metrics[spec.metric]!]), {
        members: 2,
        hidden: [8],
        epochs: 20,
        seed: f,
      }),
    );
  });
  const em = errorModelOf(p, "minimize", fits);
  assertEquals([em.folds, em.heldOut, em.level], [CV_FOLDS, p.runs.length, PESSIMISM_LEVEL]);
  // The same held-out errors and distances, recomputed here.
  const d: number[] = [], e: number[] = [];
  p.cv.forEach((test, f) => {
    const out = new Set(test);
    const train = new Float64Array(p.runs.flatMap((r, i) => out.has(i) ? [] : [...r.mixture]));
    const pred = predictEnsemble(
      fits.get(`${spec.task}|cv${f}`)!,
      new Float64Array(test.flatMap((i) => [...p.runs[i]!.mixture])),
    );
    test.forEach((i, t) => {
      d.push(nearestDistance(train, p.runs[i]!.mixture));
      e.push(p.runs[i]!.metrics[spec.metric]! - pred.mean[t]!);
    });
  });
  const nll = (c: number, pw: number) =>
    d.reduce((s, x, i) => s + Math.log(c * x ** pw) + e[i]! ** 2 / (2 * (c * x ** pw) ** 2), 0);
  const at = nll(em.c, em.p);
  for (const [c, pw] of [[em.c * 1.05, em.p], [em.c / 1.05, em.p], [em.c, em.p + 0.05]]) {
    assert(at <= nll(c!, Math.max(0, pw!)) + 1e-6, `likelihood optimum (c ${c}, p ${pw})`);
  }
  // k·σ(d) covers the level's share of held-out errors in the worse direction (to one run: the
  // quantile interpolates between order statistics, k is rounded to 4 decimals).
  const covered = e.filter((v, i) => v <= em.k * em.c * d[i]! ** em.p + 1e-9).length / e.length;
  assert(
    Math.abs(covered - PESSIMISM_LEVEL) <= 2 / e.length,
    `k covers ${covered} of the held-out errors`,
  );
  assertEquals(em.bins.reduce((s, b) => s + b.n, 0), p.runs.length);
  for (const b of em.bins) assertAlmost(b.sigma, em.c * b.d ** em.p, 1e-3 * b.sigma + 1e-6);
});

Deno.test("committed trust regions carry the distance-calibrated error model and the runner applies it", () => {
  for (const card of cards) {
    if (!card.gates.pass) continue;
    const em = card.region!.error!;
    assertEquals([em.folds, em.heldOut, em.level], [CV_FOLDS, card.training.runs, PESSIMISM_LEVEL]);
    assert(em.c > 0 && em.p >= 0 && em.p <= 2 && em.k >= 0, card.id);
    assertAlmost(regionPenalty(card.region!, 0.5, 0), em.k * em.c * 0.5 ** em.p, 1e-12);
  }
});
