import { assertEquals } from "../_assert.ts";
import { checkLine } from "../../reports/line_checks.ts";

const task = {
  id: "t",
  version: 1,
  title: "",
  track: "optimize" as const,
  table: "x",
  tableSha256: "",
  objective: "loss",
  direction: "minimize" as const,
  costUnit: "runs",
  budget: 2,
  checkpoints: [2],
  reference: { zero: 2, best: 1, bestRow: 0 },
  targetFidelity: "s",
};
const line = {
  schema: "mixbench.result/1",
  suite: "0",
  task: { id: "t", version: 1 },
  method: "m",
  seed: 0,
  runner: "replay",
  status: "ok" as const,
  budget: 2,
  spent: 2,
  trajectory: [
    { fidelity: "s", row: 0, value: 1, cost: 1, spent: 1 },
    { fidelity: "s", row: 1, value: 3, cost: 1, spent: 2 },
  ],
  checkpoints: [{ budget: 2, spent: 2, evaluations: 2, mixture: [1], row: 0, value: 1, score: 1 }],
  recommendations: [
    { spent: 1, evaluations: 1, row: 0, value: 1, score: 1 },
    { spent: 2, evaluations: 2, row: 0, value: 1, score: 1 },
  ],
  timings: { totalMs: 0, methodMs: 0 },
};

Deno.test("checkLine() recomputes the per-query recommendations' costs and scores", () => {
  assertEquals(checkLine(line, task), []);
  const bad = {
    ...line,
    recommendations: [
      { spent: 1.5, evaluations: 1, row: 0, value: 1, score: 1 },
      { spent: 2, evaluations: 3, row: 0, value: 1.5, score: 1 },
    ],
  };
  assertEquals(checkLine(bad, task), [
    "recommendation 0: spent 1.5, recomputed 1",
    "recommendation 1: 3 evaluations, inconsistent with the trajectory",
    "recommendation 1: spent 2, recomputed NaN",
    "recommendation 1: score 1, recomputed 0.5",
  ]);
});
