import { assert, assertEquals } from "../_assert.ts";
import {
  gapLatex,
  gapMarkdown,
  onlineTables,
  onlineText,
  pairedGap,
} from "../../bench/reproduce_online.ts";
import type { ResultLine } from "../../core/results.ts";
import { parseManifest } from "../../bench/manifest.ts";
import { loadManifest } from "../../bench/reproduce.ts";

const spec = {
  tasks: ["t/a"],
  baseline: "stratified",
  seeds: 3,
  methods: [{ id: "stratified", label: "Stratified" }, { id: "m", label: "M" }],
};

function line(
  method: string,
  seed: number,
  inRun: number,
  transfer: number,
  equal?: number,
): ResultLine {
  return {
    schema: "mixbench.result/1",
    suite: "t",
    task: { id: "t/a", version: 1 },
    method,
    seed,
    runner: "train",
    status: "ok",
    budget: 32,
    spent: 2,
    trajectory: [],
    checkpoints: [],
    online: {
      fidelity: "S",
      steps: 64,
      inRun: { value: inRun, metrics: {} },
      schedule: [],
      averaged: [1],
      cost: { train: 100, valid: 100 },
      bytePasses: 200,
      ...(equal === undefined
        ? {}
        : { equalCost: { fidelity: "S@96", steps: 96, bytePasses: 199, value: equal } }),
      transfer: { source: "averaged", fidelity: "L", value: transfer },
    },
    timings: { totalMs: 0, methodMs: 0 },
  };
}

Deno.test("onlineTables pairs each method with the baseline seed by seed", () => {
  const lines = [
    line("stratified", 0, 4, 2.7),
    line("stratified", 1, 4.1, 2.7),
    line("stratified", 2, 4.2, 2.7),
    line("m", 0, 3.9, 2.8),
    line("m", 1, 3.95, 2.8),
    line("m", 2, 4.1, 2.8),
  ];
  const t = onlineTables(spec, lines);
  // in-run differences [−0.1, −0.15, −0.1]: mean −0.11667, sd 0.028868, half-width t(2)·sd/√3
  const g = t.inRun.m!["t/a"]!;
  assertEquals(+g.mean.toFixed(12), -0.116666666667);
  const sd = Math.sqrt((2 * (1 / 60) ** 2 + (1 / 30) ** 2) / 2);
  assertEquals(+((g.high - g.low) / 2).toFixed(9), +(4.303 * sd / Math.sqrt(3)).toFixed(9));
  assert(g.high < 0);
  assertEquals(+t.transfer.m!["t/a"]!.mean.toFixed(12), 0.1);
  assertEquals(t.cost.m, { train: 1, valid: 1 });
  // the whole interval is below 0: m beats stratified on 1 of 1 task in-run, not in transfer
  assert(gapMarkdown(spec, t.inRun).includes("| 1/1 |"));
  assert(gapMarkdown(spec, t.transfer).includes("| 0/1 |"));
  assert(gapLatex(spec, t.inRun).includes("\\pm"));
  assertEquals(pairedGap([1]).n, 1);
});

Deno.test("the aioli manifest's online section names its baseline among its methods", async () => {
  const m = await loadManifest("aioli");
  assertEquals(m.online!.baseline, "stratified");
  assertEquals(m.online!.tasks.length, 4);
  let threw = false;
  try {
    parseManifest({ ...m, online: { ...m.online!, baseline: "nobody" } }, "x");
  } catch {
    threw = true;
  }
  assert(threw);
});

Deno.test("onlineTables: the gap at equal cost is each line's in-run value minus its own equal-cost run", () => {
  const lines = [
    line("stratified", 0, 4, 2.7, 4),
    line("stratified", 1, 4.1, 2.7, 4.1),
    line("m", 0, 3.9, 2.8, 3.7),
    line("m", 1, 3.95, 2.8, 3.85),
    line("m", 2, 4.1, 2.8), // no equal-cost run: left out of that table only
  ];
  const t = onlineTables(spec, lines);
  // stratified at its own cost is its own baseline
  assertEquals(t.equalCost.stratified!["t/a"]!.mean, 0);
  // m: [3.9 − 3.7, 3.95 − 3.85] = [0.2, 0.1]: it loses to stratified given the same cost,
  // while beating the one-run stratified on the same seeds
  const g = t.equalCost.m!["t/a"]!;
  assertEquals([+g.mean.toFixed(12), g.n], [0.15, 2]);
  assert(t.inRun.m!["t/a"]!.mean < 0);
  assertEquals(t.equalSteps, { stratified: 96, m: 96 });
  assert(
    gapMarkdown(spec, t.equalCost, ": gap to stratified at equal cost").includes(
      "| t/a: gap to stratified at equal cost |",
    ),
  );
  assert(gapLatex(spec, t.equalCost, "at equal cost").startsWith("% at equal cost\n"));
  const text = onlineText(spec, t, 3, "out/x");
  assert(text.includes("### In-run at equal total cost"));
  assert(text.includes("| equal-cost stratified steps |"));
  assert(text.includes("% In-run gap to stratified at equal total cost"));
});
