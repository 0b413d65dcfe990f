import { assert, assertEquals } from "../_assert.ts";
import { onlinePanel, scheduleFigure } from "../../reports/online_panel.ts";
import type { TaskSummary } from "../../reports/aggregate.ts";
import { FigureSink } from "../../reports/_html.ts";
import type { ResultLine } from "../../core/results.ts";

const line = {
  online: {
    fidelity: "S",
    steps: 10,
    inRun: { value: 1, metrics: {} },
    schedule: [{ step: 0, weights: [0.5, 0.5] }, { step: 4, weights: [1, 0] }],
    averaged: [0.8, 0.2],
    cost: { train: 1 },
    bytePasses: 1,
  },
} as unknown as ResultLine;

Deno.test("scheduleFigure draws each schedule entry as a step over the steps it was in force", () => {
  const f = scheduleFigure(line, ["a", "b"], "s-0");
  assertEquals(f.traces.length, 2);
  assertEquals(f.traces[0]!.x, [0, 4, 4, 10]);
  assertEquals(f.traces[0]!.y, [0.5, 0.5, 1, 1]);
  assertEquals(f.traces[1]!.y, [0.5, 0.5, 0, 0]);
  assert(f.traces.every((t) => t.stackgroup === "w"));
});

Deno.test("onlinePanel: gap to stratified at equal cost with its interval, and the baseline's steps", () => {
  const at = (method: string, seed: number, value: number, equal: number) =>
    ({
      method,
      seed,
      spent: 1.5,
      online: {
        ...line.online,
        inRun: { value, metrics: {} },
        bytePasses: 3,
        cost: { train: 2, valid: 1 },
        equalCost: { fidelity: "S@96", steps: 96, bytePasses: 3, value: equal },
      },
    }) as unknown as ResultLine;
  const lines = [
    at("stratified", 0, 4, 4),
    at("stratified", 1, 4.1, 4.1),
    at("stratified", 2, 4.2, 4.2),
    at("m", 0, 4, 3.9),
    at("m", 1, 4.1, 3.9),
    at("m", 2, 4.2, 4.2),
  ];
  const summary = {
    task: { id: "t/a", domains: ["a", "b"] },
    methods: ["stratified", "m"].map((m) => ({ lines: lines.filter((l) => l.method === m) })),
  } as unknown as TaskSummary;
  const html = onlinePanel([summary], new FigureSink())!;
  assert(html.includes("gap to stratified at equal cost"));
  // m: differences [0.1, 0.2, 0]: mean 0.1, sd 0.1, half-width 4.303 · 0.1 / √3 = 0.2484
  assert(html.includes("0.1000 [-0.1484, 0.3484]"), html);
  assert(html.includes(`<td class="n">96</td>`), html);
});
