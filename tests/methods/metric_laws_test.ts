import { assert, assertEquals, assertThrows } from "../_assert.ts";
import { linearForm } from "../../core/objective.ts";
import type { MethodContext } from "../../core/method.ts";
import type { MetricInfo } from "../../core/types.ts";
import { parseRunTable } from "../../datasets/loader.ts";
import { loadTable, loadTask } from "../../datasets/registry.ts";
import { poolContext } from "../../harness/context.ts";
import { fitExpLaw, linspace, predictExpLaw } from "../../methods/_exp_law.ts";
import { klProposer } from "../../methods/_kl_proposer.ts";
import { decompose, fitLawSum, predictLawSum } from "../../methods/_metric_laws.ts";
import { spearman } from "../../numerics/stats/correlation.ts";
import { Rng } from "../../numerics/rng.ts";
import type { Run } from "../../core/types.ts";

const metric = (name: string, extra: Partial<MetricInfo> = {}): MetricInfo => ({
  name,
  direction: "minimize",
  lower: 0,
  upper: 10,
  ...extra,
});

Deno.test("linearForm() expands card definitions and recognises affine expressions", () => {
  const ms = [metric("a"), metric("b::x"), metric("avg", { definition: "mean(a, b__x)" })];
  assertEquals(linearForm("avg", ms), {
    intercept: 0,
    terms: [{ metric: "a", weight: 0.5 }, { metric: "b::x", weight: 0.5 }],
  });
  const f = linearForm("1 + 0.25*a - 2*metric_b__x", ms)!;
  assertEquals(f.intercept, 1);
  assertEquals(f.terms, [{ metric: "a", weight: 0.25 }, { metric: "b::x", weight: -2 }]);
  assertEquals(linearForm("a", ms)?.terms, [{ metric: "a", weight: 1 }]);
  for (const e of ["max(a, b__x)", "a * b__x", "log(avg)", "sqrt(a)"]) {
    assertEquals(linearForm(e, ms), undefined, e);
  }
  const cyc = [metric("p", { definition: "2 * q" }), metric("q", { definition: "p / 2" })];
  assertThrows(() => linearForm("p", cyc), TypeError, /cycle/);
});

Deno.test("the loader rejects a metric definition that the stored values contradict", () => {
  const csv = "fidelity,ratio_a,ratio_b,metric_x,metric_y,metric_avg,cost\n" +
    "s,0.5,0.5,1,3,2,1\ns,1,0,2,4,3.5,1\n";
  const card = {
    schema: "mixbench.card/1",
    id: "t",
    title: "t",
    description: "",
    source: { repository: "", commit: "", files: [], paper: "" },
    license: "",
    sha256: "",
    sumTolerance: 1e-6,
    domains: [{ name: "a", prior: 0.5 }, { name: "b", prior: 0.5 }],
    metrics: [metric("x"), metric("y"), metric("avg", { definition: "mean(x, y)" })],
    fidelities: [{ id: "s", label: "s", cost: 1 }],
    quirks: [],
  };
  assertThrows(() => parseRunTable(csv, card, { file: "t.csv" }), RangeError, /t\.csv:3/);
  const ok = parseRunTable(csv.replace("3.5,1", "3,1"), card, { file: "t.csv" });
  assertEquals(ok.runs.length, 2);
});

Deno.test("built-in tasks: stored averages decompose, ADMIRE's upstream average does not", async () => {
  const avg = poolContext(await loadTask("regmix-pile/avg-1b"), 0, false);
  assertEquals(avg.objective.linear?.terms.length, 13);
  assert(avg.objective.linear!.terms.every((t) => Math.abs(t.weight - 1 / 13) < 1e-15));
  const ss = poolContext(await loadTask("olmix/superswarm-bpb"), 0, false);
  assertEquals(ss.objective.linear?.terms.length, 110);
  assertEquals(
    poolContext(await loadTask("admire-ift/avg-7b"), 0, false).objective.linear,
    undefined,
  );
  assertEquals(
    poolContext(await loadTask("regmix-pile/pile-cc"), 0, false).objective.linear,
    undefined,
  );
});

function ctxWith(objective: MethodContext["objective"]): MethodContext {
  return { objective } as unknown as MethodContext;
}

Deno.test("decompose() orients components loss-like and refuses negative or missing parts", () => {
  const acc = (name: string) => metric(name, { direction: "maximize", upper: 1 });
  const rows = [{ p: 0.2, q: 0.6 }, { p: 0.4, q: 0.8 }];
  const max = ctxWith({
    expression: "mean(p, q)",
    direction: "maximize",
    linear: { intercept: 0, terms: [{ ...acc("p"), weight: 0.5 }, { ...acc("q"), weight: 0.5 }] },
  });
  const d = decompose(max, rows)!;
  // Loss-like objective −mean(p, q) = −1 + 0.5·(1 − p) + 0.5·(1 − q).
  assertEquals(d.coef, [0.5, 0.5]);
  assertEquals(d.offset, -1);
  assertEquals(d.targets, [[0.8, 0.6], [0.4, 0.19999999999999996]]);
  const diff = ctxWith({
    expression: "p - q",
    direction: "minimize",
    linear: {
      intercept: 0,
      terms: [{ ...metric("p"), weight: 1 }, { ...metric("q"), weight: -1 }],
    },
  });
  assertEquals(decompose(diff, rows), undefined);
  assertEquals(decompose(max, [rows[0], undefined]), undefined);
  assertEquals(decompose(max, [{ p: 0.2 }]), undefined);
});

interface FixtureLaw {
  a: number;
  b: number;
  t: number[];
  loss: number;
}
interface Fixture {
  olmix: {
    trainRows: number[];
    metrics: string[];
    laws: FixtureLaw[];
    heldoutSpearman: number;
    proposer: { lambda: number; caps: number[]; prior: number[]; x: number[]; value: number };
  };
  dml: {
    trainRows: number[];
    testRows: number[];
    metrics: string[];
    objective: string;
    laws: FixtureLaw[];
    heldoutSpearman: number;
    singleHeldoutSpearman: number;
  };
}

const fixture: Fixture = JSON.parse(
  await Deno.readTextFile(new URL("../testdata/metric_laws.json", import.meta.url)),
);

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
}

function huberSum(
  law: { a: number; b: number; t: readonly number[] },
  runs: Run[],
  y: string,
  delta: number,
) {
  let s = 0;
  for (const r of runs) {
    const e = Math.abs(predictExpLaw(law, r.mixture) - r.metrics[y]!);
    s += e <= delta ? 0.5 * e * e : delta * (e - 0.5 * delta);
  }
  return s;
}

Deno.test("Olmix proposer on the reference's per-metric laws matches the reference solution", () => {
  const p = fixture.olmix.proposer;
  const t = fixture.olmix.laws.map((l) => l.t);
  const r = klProposer(t, p.prior, { lambda: p.lambda, caps: p.caps });
  const l1 = r.x.reduce((s, x, i) => s + Math.abs(x - p.x[i]!), 0);
  // SLSQP (ftol 1e-16) against the active-set Newton solution: same optimum to 1e-6 in L1.
  assert(l1 < 1e-6, `L1 distance ${l1}`);
  assert(r.value <= p.value + 1e-10, `value ${r.value} vs reference ${p.value}`);
  assert(r.kkt < 1e-8, `KKT residual ${r.kkt}`);
});

Deno.test("Olmix per-metric fits reach the reference's training loss and held-out ranking", async () => {
  const table = await loadTable("olmix_superswarm");
  const f = fixture.olmix;
  const train = f.trainRows.map((i) => table.runs[i]!);
  const test = table.runs.filter((r) => !f.trainRows.includes(r.row));
  const xs = train.map((r) => r.mixture);
  const pred = test.map(() => 0);
  const ratios: number[] = [];
  f.metrics.forEach((name, k) => {
    const law = fitExpLaw(xs, train.map((r) => r.metrics[name]!), new Rng(k), {
      withB: false,
      delta: 0.02,
      aGrid: linspace(-2, 1.5, 10),
      tStarts: 30,
      steps: 100,
      own: k,
    });
    ratios.push(law.loss / f.laws[k]!.loss);
    test.forEach((r, i) => (pred[i]! += predictExpLaw(law, r.mixture) / f.metrics.length));
  });
  const truth = test.map((r) =>
    f.metrics.reduce((s, n) => s + r.metrics[n]!, 0) / f.metrics.length
  );
  const rho = spearman(truth, pred);
  assert(rho >= f.heldoutSpearman - 0.05, `held-out ρ ${rho} vs reference ${f.heldoutSpearman}`);
});

Deno.test("DML per-domain laws match the reference's fit quality and beat one law on the mean", async () => {
  const table = await loadTable("regmix_pile");
  const f = fixture.dml;
  const train = f.trainRows.map((i) => table.runs[i]!);
  const test = f.testRows.map((i) => table.runs[i]!);
  const task = await loadTask("regmix-pile/avg-1b");
  const ctx = poolContext(task, 0, false);
  const xs = train.map((r) => r.mixture);
  const ys = train.map((r) => r.metrics[f.objective]!);
  const sum = fitLawSum(xs, ys, train.map((r) => r.metrics), ctx, new Rng(3), {
    delta: 0.05,
    ownStart: "none",
  });
  assert(sum.perMetric);
  assertEquals(sum.metrics, f.metrics);
  // 8 of 6000 screened starts against 200 starts all optimised (measured: 1.00–1.29 × the
  // reference's training loss, one domain above 1.01): every domain within 1.5×, the median 1.02×.
  const ratios = sum.laws.map((law, k) =>
    huberSum(law, train, f.metrics[k]!, 0.05) / f.laws[k]!.loss
  );
  assert(Math.max(...ratios) <= 1.5, `loss / reference: ${ratios.join(", ")}`);
  assert(median(ratios) <= 1.02, `loss / reference: ${ratios.join(", ")}`);
  const truth = test.map((r) => r.metrics[f.objective]!);
  const rho = spearman(truth, test.map((r) => predictLawSum(sum, r.mixture)));
  assert(rho >= f.heldoutSpearman - 0.03, `held-out ρ ${rho} vs reference ${f.heldoutSpearman}`);
  const single = fitLawSum(xs, ys, train.map((r) => r.metrics), ctx, new Rng(3), {
    delta: 0.05,
    ownStart: "none",
    perMetric: false,
  });
  const rhoSingle = spearman(truth, test.map((r) => predictLawSum(single, r.mixture)));
  assert(rho > rhoSingle + 0.1, `per-domain ρ ${rho} vs single-law ρ ${rhoSingle}`);
  assert(
    Math.abs(rhoSingle - f.singleHeldoutSpearman) < 0.1,
    `single-law ρ ${rhoSingle} vs reference ${f.singleHeldoutSpearman}`,
  );
});
