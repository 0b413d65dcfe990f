import { assert, assertAlmost, assertEquals, assertThrows } from "../_assert.ts";
import { dirichlet } from "../../numerics/stats/gamma.ts";
import { GpPosterior } from "../../numerics/gp/gp.ts";
import type { GpData, GpHyper } from "../../numerics/gp/types.ts";
import { runCell } from "../../harness/cell.ts";
import type { Method, MethodContext, MethodFactory } from "../../core/method.ts";
import { normCdf } from "../../numerics/stats/normal.ts";
import { sobolNormals } from "../../numerics/stats/qmc.ts";
import { Rng } from "../../numerics/rng.ts";
import { resolveTask } from "../../core/task.ts";
import type { Mixture, Observation, Proposal } from "../../core/types.ts";
import { loadTask } from "../../datasets/registry.ts";
import { bo, boWith } from "../../methods/bo.ts";
import { mfbo, mfboWith } from "../../methods/mfbo.ts";
import { randomSearch } from "../../methods/random_search.ts";
import { getMethod } from "../../methods/mod.ts";
import {
  DEFAULT_SCHEDULE,
  GpModel,
  PredictorFits,
  predictorFits,
  refitSchedule,
} from "../../methods/_bo_common.ts";
import { informationGain, sampleMaxValue } from "../../methods/_mf_mes.ts";
import { ReplayRunner } from "../../runners/replay.ts";

/** A synthetic multi-fidelity GP posterior with known hyper-parameters. */
function posterior(noise: number): GpPosterior {
  const rng = new Rng(7);
  const n = 25, d = 3;
  const x = new Float64Array(n * d).map(() => rng.next());
  const fidelity = new Float64Array(n).map((_, i) => (i % 3 === 0 ? 1 : i % 3 === 1 ? 0.5 : 0.1));
  const y = new Float64Array(n).map((_, i) =>
    Math.sin(4 * x[i * d]!) - fidelity[i]! * x[i * d + 1]! + 0.3 * x[i * d + 2]!
  );
  const data: GpData = { kind: "fidelity", d, x, fidelity, y };
  const hyper: GpHyper = {
    mean: 0,
    outputscale: 1,
    lengthscales: new Float64Array([0.4, 0.6, 0.8]),
    biasLengthscales: new Float64Array([1, 1, 1]),
    power: 1,
    noise,
  };
  return new GpPosterior(data, hyper);
}

Deno.test("sampleMaxValue() at u = ½ is the median q₅₀ of Π Φ((y − μᵢ)/σᵢ)² over the inputs", () => {
  const post = posterior(1e-4);
  const fStar = sampleMaxValue(post, 0.5);
  const { mean, variance } = post.predict(post.data.x, 1);
  let f = 1;
  mean.forEach((m, i) => f *= normCdf((fStar - m) / Math.sqrt(Math.max(variance[i]!, 1e-8))) ** 2);
  assertAlmost(f, 0.5, 1e-9);
  assert(fStar > Math.max(...mean), "the median of the max exceeds every mean");
  assert(sampleMaxValue(post, 0.9) > fStar && sampleMaxValue(post, 0.1) < fStar);
});

Deno.test("informationGain() is ≥ 0 on average and ≈ 0 at a point observed with tiny noise", () => {
  const post = posterior(1e-8);
  const fStar = sampleMaxValue(post, 0.7);
  const normals = sobolNormals(128, new Rng(3));
  const rng = new Rng(11);
  const m = 200;
  const x = new Float64Array(m * 3).map(() => rng.next());
  const f = new Float64Array(m).map(() => [0.1, 0.5, 1][rng.int(3)]!);
  const ig = informationGain(post, x, f, fStar, normals);
  const avg = ig.reduce((s, v) => s + v, 0) / m;
  assert(avg > 0.01, `mean IG ${avg}`);
  assert(Math.min(...ig) > -0.05, `min IG ${Math.min(...ig)}`);
  // The observed inputs at their own fidelities: nothing left to learn.
  const seen = informationGain(post, post.data.x, post.data.fidelity, fStar, normals);
  for (const v of seen) assert(Math.abs(v) < 1e-3, `IG at an observed point ${v}`);
});

Deno.test("informationGain() matches a numpy transcription of botorch's MF-MES estimate", () => {
  // The 3-point fidelity-kernel example of tests/numerics/gp_test.ts (joint posterior checked
  // against numpy there); numpy/scipy recomputes steps 2–5 of methods.md §2 with these six
  // normals: y = μ_m + √v_m·e, Z = Φ((f* − μ')/σ')/Φ((f* − μ_M)/σ_M), h₁, h₀, β with the
  // 1/N covariance and (N − 1) variances, IG = H₀ − (mean h₁ − β(mean h₀ − H₀)).
  const data: GpData = {
    kind: "fidelity",
    d: 2,
    x: new Float64Array([0.2, 0.8, 0.5, 0.5, 0.9, 0.1]),
    fidelity: new Float64Array([0.5, 1, 0.25]),
    y: new Float64Array([0.3, -0.1, 0.4]),
  };
  const post = new GpPosterior(data, {
    mean: 0.1,
    outputscale: 1.3,
    lengthscales: new Float64Array([0.7, 1.2]),
    biasLengthscales: new Float64Array([0.4, 2.0]),
    power: 1.5,
    noise: 0.05,
  });
  const normals = new Float64Array([-1.5, -0.5, 0.2, 0.9, 1.7, -0.1]);
  const at = (fStar: number) =>
    informationGain(
      post,
      new Float64Array([0.3, 0.6]),
      new Float64Array([0.6]),
      fStar,
      normals,
    )[0]!;
  assertAlmost(at(0.1), 0.011323364748323406, 1e-12);
  assertAlmost(at(0.3), 0.004898152769077901, 1e-12);
  assertAlmost(at(0.5), 0.000618278130241956, 1e-12);
});

Deno.test("informationGain() at fidelity 1 uses c = σ²_M (joint covariance = variance)", () => {
  const post = posterior(1e-3);
  const x = new Float64Array([0.3, 0.3, 0.3, 0.9, 0.1, 0.5]);
  const j = post.joint(x, new Float64Array([1, 1]));
  for (let i = 0; i < 2; i++) {
    assertAlmost(j.covariance[i]!, j.varianceTarget[i]!, 1e-12);
    assertAlmost(j.mean[i]!, j.meanTarget[i]!, 1e-12);
  }
});

// A synthetic pool over the 4-simplex: one fidelity ("hi", cost 1) or two ("lo" at 0.1 and
// "hi"), objective exp(−‖w − c‖²/0.1) (maximised), with a low-fidelity bias.
const CENTER = [0.55, 0.25, 0.1, 0.1];
const truth = (w: Mixture, fidelity: string) => {
  const d2 = w.reduce((s, v, k) => s + (v - CENTER[k]!) ** 2, 0);
  return Math.exp(-d2 / 0.1) + (fidelity === "lo" ? 0.2 * w[3]! : 0);
};
const POOL: Mixture[] = (() => {
  const rng = new Rng(2024);
  return Array.from({ length: 80 }, () => Array.from(dirichlet(rng, [1, 1, 1, 1])));
})();

function context(seed: number, fidelities: string[]): MethodContext {
  const costs: Record<string, number> = { lo: 0.1, hi: 1 };
  return {
    task: "synthetic",
    objective: { expression: "f", direction: "maximize" },
    domains: ["a", "b", "c", "d"].map((name) => ({ name, prior: 0.25 })),
    prior: [0.25, 0.25, 0.25, 0.25],
    fidelities,
    costs: Object.fromEntries(fidelities.map((f) => [f, costs[f]!])),
    targetFidelity: "hi",
    mode: "pool",
    pool: fidelities.flatMap((fidelity) => POOL.map((mixture) => ({ mixture, fidelity }))),
    targetPool: POOL,
    budget: 100,
    rng: new Rng(seed),
  };
}

function observe(p: Proposal, cost: number): Observation {
  return {
    ...p,
    value: truth(p.mixture, p.fidelity),
    metrics: {},
    cost,
    source: { kind: "table", row: 0 },
  };
}

/** Runs a method until it proposes the best "hi" pool member; returns the runs it took. */
async function runsToOptimum(factory: MethodFactory, seed: number): Promise<number> {
  const ctx = context(seed, ["hi"]);
  const best = POOL.reduce((a, b) => (truth(a, "hi") >= truth(b, "hi") ? a : b));
  const method: Method = factory.create(ctx);
  let spent = 0;
  for (let runs = 1; runs <= POOL.length; runs++) {
    const [p] = await method.ask({ spent, remaining: ctx.budget - spent });
    if (!p) return Infinity;
    if (p.mixture === best) return runs;
    spent += 1;
    await method.tell([observe(p, 1)]);
  }
  return Infinity;
}

Deno.test("bo finds the best of an 80-mixture synthetic pool faster than random search", async () => {
  const seeds = [1, 2, 3, 4, 5, 6];
  let boRuns = 0, rsRuns = 0;
  for (const s of seeds) {
    boRuns += await runsToOptimum(bo, s);
    rsRuns += await runsToOptimum(randomSearch, s);
  }
  assert(boRuns < 0.5 * rsRuns, `bo ${boRuns / seeds.length} vs random ${rsRuns / seeds.length}`);
});

async function trajectory(factory: MethodFactory, seed: number, steps: number) {
  const ctx = context(seed, ["lo", "hi"]);
  const method = factory.create(ctx);
  const picks: string[] = [];
  let spent = 0;
  for (let t = 0; t < steps; t++) {
    const [p] = await method.ask({ spent, remaining: ctx.budget - spent });
    if (!p) break;
    picks.push(`${p.fidelity}:${POOL.indexOf(p.mixture as number[])}`);
    spent += ctx.costs[p.fidelity]!;
    await method.tell([observe(p, ctx.costs[p.fidelity]!)]);
  }
  return { picks, rec: await method.recommend() };
}

Deno.test("mfbo proposals (the acquisition argmax) repeat exactly with the same seed", async () => {
  const a = await trajectory(mfbo, 5, 12);
  const b = await trajectory(mfbo, 5, 12);
  assertEquals(a.picks, b.picks);
  assertEquals(a.rec, b.rec);
  assert(a.picks[0]!.startsWith("lo:"), "the first run is a random low-fidelity pool member");
  assert(POOL.includes(a.rec.mixture as number[]));
  const pm = await trajectory(mfboWith({ recommend: "posterior-mean" }), 5, 12);
  assertEquals(pm.picks, a.picks);
  assert(typeof pm.rec.predicted === "number");
});

Deno.test("boWith({ fidelity }) runs only that fidelity and recommends from the target pool", async () => {
  const { picks, rec } = await trajectory(boWith({ fidelity: "lo" }), 3, 8);
  assert(picks.every((p) => p.startsWith("lo:")), picks.join(" "));
  assert(POOL.includes(rec.mixture as number[]));
  assertThrows(
    () => boWith({ fidelity: "mid" }).create(context(1, ["lo", "hi"])),
    RangeError,
    /cannot run at fidelity "mid"/,
  );
});

Deno.test("bo.fit() predicts held-out pool values (Spearman-like order check)", () => {
  const ctx = { ...context(1, ["hi"]), objective: { expression: "f", direction: "minimize" } };
  const train = POOL.slice(0, 50).map((mixture) => ({ mixture, value: -truth(mixture, "hi") }));
  const test = POOL.slice(50);
  const pred = bo.fit!(train, ctx as MethodContext).predict(test);
  let concordant = 0, pairs = 0;
  for (let i = 0; i < test.length; i++) {
    for (let j = 0; j < i; j++) {
      const t = truth(test[i]!, "hi") - truth(test[j]!, "hi");
      concordant += Math.sign(t) === Math.sign(-(pred[i]! - pred[j]!)) ? 1 : 0;
      pairs++;
    }
  }
  assert(concordant / pairs > 0.85, `concordance ${concordant / pairs}`);
  assert(pred.every((v) => v < 0.2), "predictions stay in the objective's own (negated) direction");
});

Deno.test("bo, mfbo and mfbo-pm share one Predict-track fit per examples: the same predictions for every method and seed", () => {
  const train = POOL.slice(0, 40).map((mixture) => ({ mixture, value: truth(mixture, "hi") }));
  const test = POOL.slice(40);
  const hits = predictorFits.hits, fits = predictorFits.fits;
  const mfboPm = getMethod("mfbo-pm");
  const preds = [bo, mfbo, mfboPm, bo].map((m, i) =>
    Array.from(m.fit!(train, context(i + 1, ["hi"])).predict(test))
  );
  assertEquals(predictorFits.fits - fits, 1, "one fit");
  assertEquals(predictorFits.hits - hits, 3, "three reuses");
  for (const p of preds.slice(1)) assert(p.every((v, i) => Object.is(v, preds[0]![i])));
  // A fresh fit with another random stream finds the same posterior: the kept fit drew nothing.
  const data = {
    kind: "single" as const,
    d: 4,
    x: Float64Array.from(train.flatMap((e) => e.mixture)),
    fidelity: new Float64Array(train.length).fill(1),
    y: Float64Array.from(train, (e) => e.value),
  };
  const own = new PredictorFits().posterior(data, new Rng(99));
  const mean = own.predict(Float64Array.from(test.flat()), 1).mean;
  assert(mean.every((v, i) => Object.is(v, preds[0]![i])));
  // Other examples are another fit.
  bo.fit!(train.slice(1), context(1, ["hi"]));
  assertEquals(predictorFits.fits - fits, 2);
});

Deno.test("bo and mfbo run harness cells on the ADMIRE and RegMix tasks", async () => {
  for (
    const [id, factory, budget] of [
      ["admire-ift/avg-7b", bo, 3],
      ["admire-ift/avg-7b", boWith({ warmStart: false, id: "bo-cold" }), 3],
      ["admire-ift/avg-7b", mfbo, 1.5],
      ["regmix-pile/avg-1b", mfbo, 0.03],
      ["regmix-pile/avg-1b", boWith({ fidelity: "60M" }), 0.25],
    ] as const
  ) {
    const base = await loadTask(id);
    const task = resolveTask({ ...base.card, budget, checkpoints: [budget] }, base.table);
    const line = await runCell({
      task,
      runner: new ReplayRunner(task),
      factory,
      seed: 1,
      suite: "test",
      timeLimitMs: 60_000,
    });
    assertEquals(line.status, "ok", `${factory.id} on ${id}: ${line.error?.message}`);
    assert(line.trajectory.length >= 2, `${factory.id} on ${id}`);
    assertEquals(line.checkpoints.length, 1);
  }
});

Deno.test("scheduled refits with an every-step schedule reproduce exact mode (bo, mfbo)", async () => {
  const everyStep = { everyStepUntil: 0, growth: 1 };
  for (
    const [exact, scheduled] of [
      [mfboWith({ refit: "every-step" }), mfboWith({ refit: everyStep })],
      [boWith({ refit: "every-step" }), boWith({ refit: everyStep })],
    ] as const
  ) {
    const a = await trajectory(exact, 3, 16);
    const b = await trajectory(scheduled, 3, 16);
    assertEquals(b.picks, a.picks);
    assertEquals(b.rec, a.rec);
  }
});

Deno.test("scheduled refits extend the posterior between refits and stay deterministic", async () => {
  const sparse = mfboWith({ refit: { everyStepUntil: 3, growth: 2 } });
  const a = await trajectory(sparse, 4, 20);
  assertEquals((await trajectory(sparse, 4, 20)).picks, a.picks);
  assertEquals(new Set(a.picks).size, a.picks.length, "no pool member is proposed twice");
  // Refits at 1, 2, 3, 6, 12 observations; the other steps border the factor.
  const model = new GpModel(new Rng(1), true, { everyStepUntil: 3, growth: 2 });
  const full = {
    kind: "single" as const,
    d: 4,
    x: new Float64Array(80),
    fidelity: new Float64Array(20).fill(1),
    y: new Float64Array(20),
  };
  POOL.slice(0, 20).forEach((w, i) => {
    full.x.set(w, i * 4);
    full.y[i] = truth(w, "hi");
  });
  const fitsAt: number[] = [];
  for (let n = 1; n <= 20; n++) {
    const before = model.fits;
    const post = model.update({
      ...full,
      x: full.x.slice(0, n * 4),
      fidelity: full.fidelity.slice(0, n),
      y: full.y.slice(0, n),
    });
    assertEquals(post.data.y.length, n);
    if (model.fits > before) fitsAt.push(n);
  }
  assertEquals(fitsAt, [1, 2, 3, 6, 12]);
  assertEquals(refitSchedule("every-step").growth, 1);
  assertEquals(refitSchedule("scheduled"), DEFAULT_SCHEDULE);
  assertThrows(() => refitSchedule({ everyStepUntil: 1, growth: 0.5 }), RangeError, /growth/);
});

Deno.test("bo@<fidelity>+exact and mfbo@exact resolve to exact-mode methods", () => {
  assertEquals(getMethod("mfbo@exact").id, "mfbo@exact");
  assertEquals(getMethod("mfbo-pm@exact").id, "mfbo-pm@exact");
  assertEquals(getMethod("bo@0.5B+exact").id, "bo@0.5B+exact");
  assertEquals(getMethod("bo@exact").id, "bo@exact");
  assertThrows(() => getMethod("mfbo@fast"), RangeError, /@exact/);
});
