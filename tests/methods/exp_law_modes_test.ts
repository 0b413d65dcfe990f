import { assert, assertEquals, assertThrows } from "../_assert.ts";
import { type ExpLaw, fitExpLaw } from "../../methods/_exp_law.ts";
import { fitLawSum } from "../../methods/_metric_laws.ts";
import { getMethod } from "../../methods/mod.ts";
import { dml } from "../../methods/dml.ts";
import { olmix } from "../../methods/olmix.ts";
import { Rng } from "../../numerics/rng.ts";
import { runCell } from "../../harness/cell.ts";
import { poolContext } from "../../harness/context.ts";
import { loadTask } from "../../datasets/registry.ts";
import { ReplayRunner } from "../../runners/replay.ts";

function simplexRows(rng: Rng, n: number, m: number): number[][] {
  return Array.from({ length: n }, () => {
    const g = Array.from({ length: m }, () => -Math.log(1 - rng.next()));
    const s = g.reduce((a, b) => a + b, 0);
    return g.map((v) => v / s);
  });
}

/** The Huber loss (δ) of a law on runs, summed in run order. */
function huberLoss(law: ExpLaw, xs: number[][], ys: number[], delta: number): number {
  let loss = 0;
  xs.forEach((r, i) => {
    let z = law.b;
    r.forEach((x, j) => (z += law.t[j]! * x));
    const res = Math.exp(law.a) + Math.exp(z) - ys[i]!;
    const abs = Math.abs(res);
    loss += abs <= delta ? 0.5 * res * res : delta * (abs - 0.5 * delta);
  });
  return loss;
}

const data = (n: number, m: number, seed: number) => {
  const rng = new Rng(seed);
  const xs = simplexRows(rng, n, m);
  const t = Array.from({ length: m }, () => rng.next() * 2 - 1);
  const ys = xs.map((r) => 0.8 + Math.exp(0.3 + r.reduce((a, x, j) => a + t[j]! * x, 0)));
  return { xs, ys: ys.map((y) => y + 0.01 * rng.normal()) };
};

Deno.test("fitExpLaw() with a warm start: refine 0 refines only the warm law and draws nothing", () => {
  for (const withB of [true, false]) {
    const { xs, ys } = data(24, 5, 4);
    const first = fitExpLaw(xs.slice(0, 12), ys.slice(0, 12), new Rng(1), { withB, refine: 2 });
    const rng = new Rng(9);
    const law = fitExpLaw(xs, ys, rng, { withB, refine: 0, warm: [first] });
    assertEquals(rng.next(), new Rng(9).next()); // the grid was not drawn
    const before = huberLoss({ ...first, b: withB ? first.b : 0 }, xs, ys, 0.05);
    assert(law.loss <= before, `refined ${law.loss} > warm start's ${before}`);
    assert(law.loss < before, `the warm law was refined: ${law.loss} vs ${before}`);
    if (!withB) assertEquals(law.b, 0);
    // Without a warm start nothing is refined.
    assertThrows(() => fitExpLaw(xs, ys, new Rng(9), { withB, refine: 0 }), RangeError, "start");
  }
});

Deno.test("fitExpLaw() warmSteps caps the warm start's rounds and leaves screened starts alone", () => {
  const { xs, ys } = data(24, 5, 6);
  const first = fitExpLaw(xs.slice(0, 12), ys.slice(0, 12), new Rng(1), { refine: 2 });
  // 0 rounds: the warm law comes back unrefined, with its loss on all runs.
  const kept = fitExpLaw(xs, ys, new Rng(3), { refine: 0, warm: [first], warmSteps: 0 });
  assertEquals([kept.a, kept.b, kept.t], [first.a, first.b, first.t]);
  assertEquals(kept.loss, huberLoss(first, xs, ys, 0.05));
  // 1 round against 50: the longer refinement ends no worse, and differs.
  const one = fitExpLaw(xs, ys, new Rng(3), { refine: 0, warm: [first], warmSteps: 1 });
  const full = fitExpLaw(xs, ys, new Rng(3), { refine: 0, warm: [first] });
  assert(
    full.loss <= one.loss && one.loss < kept.loss,
    `${full.loss} ≤ ${one.loss} < ${kept.loss}`,
  );
  assert(full.loss < one.loss, "a 50-round refinement improves on a 1-round one");
  // Without warm starts the option changes nothing.
  assertEquals(
    fitExpLaw(xs, ys, new Rng(3), { refine: 2, warmSteps: 0 }),
    fitExpLaw(xs, ys, new Rng(3), { refine: 2 }),
  );
});

Deno.test("fitExpLaw() with a warm start and screened starts keeps the better fit (warm first on ties)", () => {
  for (const [n, m, withB] of [[20, 4, true], [33, 6, false], [16, 3, true]] as const) {
    const { xs, ys } = data(n, m, n);
    const first = fitExpLaw(xs.slice(0, 10), ys.slice(0, 10), new Rng(2), { withB, refine: 1 });
    const both = fitExpLaw(xs, ys, new Rng(5), { withB, refine: 2, warm: [first] });
    const warmOnly = fitExpLaw(xs, ys, new Rng(5), { withB, refine: 0, warm: [first] });
    const gridOnly = fitExpLaw(xs, ys, new Rng(5), { withB, refine: 2 });
    assertEquals(both, warmOnly.loss <= gridOnly.loss ? warmOnly : gridOnly);
  }
  // A warm start with a non-finite loss (exp overflows) is dropped.
  const d = data(20, 4, 20);
  const overflow = { a: 0, b: 0, t: [800, 800, 800, 800] };
  assertEquals(
    fitExpLaw(d.xs, d.ys, new Rng(5), { refine: 2, warm: [overflow] }),
    fitExpLaw(d.xs, d.ys, new Rng(5), { refine: 2 }),
  );
  assertThrows(
    () => fitExpLaw(d.xs, d.ys, new Rng(5), { refine: 0, warm: [overflow] }),
    RangeError,
    "non-finite",
  );
  const { xs, ys } = data(12, 3, 1);
  const bad = { a: 0, b: 0, t: [0, 0] };
  assertThrows(() => fitExpLaw(xs, ys, new Rng(1), { warm: [bad] }), RangeError, "2 exponents");
});

Deno.test("fitExpLaw() shortlist: the best screened starts, best first; screening them again selects the same", () => {
  for (const [n, m, withB] of [[20, 4, true], [33, 6, false]] as const) {
    const { xs, ys } = data(n, m, n + 1);
    const plain = fitExpLaw(xs, ys, new Rng(3), { withB, refine: 2 });
    const listed = fitExpLaw(xs, ys, new Rng(3), { withB, refine: 2, shortlist: 7 });
    const { shortlist, ...law } = listed;
    assertEquals(law, plain); // the refined starts do not depend on the shortlist's length
    assertEquals(shortlist!.length, 7 * (m + 2));
    // Refining the shortlist's best 2 (screened again, rng unused) gives the same law.
    const rng = new Rng(99);
    const again = fitExpLaw(xs, ys, rng, { withB, refine: 2, grid: shortlist!, shortlist: 7 });
    assertEquals(rng.next(), new Rng(99).next());
    assertEquals({ ...again, shortlist: undefined }, { ...plain, shortlist: undefined });
    assertEquals(Array.from(again.shortlist!), Array.from(shortlist!)); // same data, same order
  }
  const { xs, ys } = data(12, 3, 1);
  assertThrows(
    () => fitExpLaw(xs, ys, new Rng(1), { grid: new Float64Array(7) }),
    RangeError,
    "rows of 5",
  );
});

Deno.test("fitLawSum() warm-starts each metric's law from the earlier fit's law of that metric", async () => {
  const task = await loadTask("regmix-pile/avg-1b");
  const ctx = poolContext(task, 0, false);
  const runs = task.table.runs.filter((r) => r.fidelity === ctx.fidelities[0]).slice(0, 40);
  const rows = runs.map((r) => r.metrics);
  const xs = runs.map((r) => r.mixture);
  const ys = rows.map((r) => task.objective.evaluate(r));
  const early = fitLawSum(xs.slice(0, 20), ys.slice(0, 20), rows.slice(0, 20), ctx, new Rng(1), {
    refine: 1,
  });
  assertEquals(early.laws.length, 13);
  const later = fitLawSum(xs, ys, rows, ctx, new Rng(2), { refine: 8, warmRefine: 0, warm: early });
  const rng = new Rng(2);
  early.metrics.forEach((metric, k) => {
    const target = rows.map((r) => r[metric]!);
    const want = fitExpLaw(xs, target, rng.fork(metric), {
      refine: 0,
      warm: [early.laws[k]!],
      own: ctx.domains.findIndex((d) => `${d.name}_loss` === metric),
    });
    assertEquals(later.laws[k], want, metric);
  });
});

Deno.test("dml and olmix: fast by default (version 4), the reference effort as <id>@exact (version 2), the full warm budget as version 3", () => {
  for (const id of ["dml", "olmix"]) {
    const fast = getMethod(id), exact = getMethod(`${id}@exact`);
    assertEquals([fast.id, fast.version], [id, "4"]);
    assertEquals([exact.id, exact.version], [`${id}@exact`, "2"]);
    assertThrows(() => getMethod(`${id}@fast`), RangeError, `Method "${id}@fast"`);
  }
  assertEquals(dml({ warmSteps: 50 }).version, "3");
  assertEquals(olmix({ warmSteps: 100 }).version, "3");
});

Deno.test("dml: fast-mode cells are deterministic when one method instance runs cell after cell", async () => {
  const task = await loadTask("regmix-pile/pile-cc");
  const factory = getMethod("dml");
  const cell = async (seed: number) => {
    const line = await runCell({
      task,
      runner: new ReplayRunner(task),
      factory,
      seed,
      suite: "test",
      timeLimitMs: 600_000,
    });
    assertEquals(line.status, "ok");
    return JSON.stringify(line.checkpoints);
  };
  const a = await cell(0);
  await cell(1);
  assertEquals(await cell(0), a);
});

Deno.test("dml and olmix: the Predict track fits with the reference effort", async () => {
  const task = await loadTask("regmix-pile/pile-cc");
  const ctx = poolContext(task, 0, false);
  const runs = task.table.runs.filter((r) => r.fidelity === ctx.fidelities[0]);
  const examples = runs.slice(0, 24).map((r) => ({
    mixture: r.mixture,
    value: task.objective.evaluate(r.metrics),
    metrics: r.metrics,
  }));
  const probe = runs.slice(24, 40).map((r) => r.mixture);
  for (const id of ["dml", "olmix"]) {
    // Each fit forks the context's stream: one context per fit.
    const fast = getMethod(id).fit!(examples, poolContext(task, 0, false)).predict(probe);
    const exact = getMethod(`${id}@exact`).fit!(examples, poolContext(task, 0, false))
      .predict(probe);
    assertEquals(Array.from(fast), Array.from(exact));
  }
});
