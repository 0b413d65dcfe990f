import { assertEquals } from "../_assert.ts";
import { expectedRunningTime, firstHit, heldHit, recordsOf } from "../../reports/cost_to_target.ts";

const recs = (values: number[]) => values.map((value, i) => ({ spent: i + 1, value }));

Deno.test("firstHit() and heldHit(): the two readings agree on monotone runs and split on churn", () => {
  const monotone = recs([1, 3, 3, 5, 5]);
  for (const level of [1, 3, 5, 6]) {
    assertEquals(firstHit(monotone, 5, level, "maximize"), heldHit(monotone, 5, level, "maximize"));
  }
  const churn = recs([5, 1, 5, 2, 5, 5]);
  assertEquals(firstHit(churn, 6, 5, "maximize").cost, 1);
  assertEquals(heldHit(churn, 6, 5, "maximize").cost, 5);
  assertEquals(heldHit(recs([5, 5, 1]), 3, 5, "maximize").cost, null, "the last pick misses");
  assertEquals(heldHit(recs([3, 1, 1]), 3, 1, "minimize").cost, 2);
  assertEquals(heldHit([], 0, 1, "maximize").cost, null);
  // ERT over the two readings: a seed that never holds the level costs its whole run.
  const so = [firstHit(churn, 6, 5, "maximize"), firstHit(recs([1, 1]), 2, 5, "maximize")];
  const at = [heldHit(churn, 6, 5, "maximize"), heldHit(recs([1, 1]), 2, 5, "maximize")];
  assertEquals([expectedRunningTime(so), expectedRunningTime(at)], [3, 7]);
});

Deno.test("recordsOf() prefers the per-query recommendations over the checkpoints", () => {
  const cp = { budget: 1, spent: 1, evaluations: 1, mixture: [1], row: 0, value: 2, score: 0 };
  const r = { spent: 0.5, evaluations: 1, row: 0, value: 3, score: 0 };
  assertEquals(recordsOf({ checkpoints: [cp] }), [cp]);
  assertEquals(recordsOf({ checkpoints: [cp], recommendations: [r] }), [r]);
});
