import { assert, assertEquals } from "../_assert.ts";
import { scheduleFigure } from "../../reports/online_panel.ts";
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
