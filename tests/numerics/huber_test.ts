import { assertAlmost, assertEquals, assertThrows } from "../_assert.ts";
import { huber, huberGrad } from "../../numerics/stats/huber.ts";

Deno.test("huber() equals ½r² inside δ and δ(|r| − δ/2) outside (closed form)", () => {
  for (const delta of [0.02, 0.05, 1, 3]) {
    for (const r of [0, 0.001, -0.01, 0.3 * delta, -delta, delta, 1.5 * delta, -7 * delta, 100]) {
      const expected = Math.abs(r) <= delta ? r * r / 2 : delta * Math.abs(r) - delta * delta / 2;
      assertAlmost(huber(r, delta), expected, 1e-15 * Math.max(1, expected), `r=${r} δ=${delta}`);
    }
  }
  // torch.nn.HuberLoss(delta=1.0, reduction="sum") on residuals (0.5, −3, 1): 0.125 + 2.5 + 0.5.
  assertEquals(huber(0.5, 1) + huber(-3, 1) + huber(1, 1), 3.125);
});

Deno.test("huber() defaults to the Data Mixing Laws δ = 0.05", () => {
  assertEquals(huber(0.05), huber(0.05, 0.05));
  assertAlmost(huber(0.2), 0.05 * 0.2 - 0.05 * 0.05 / 2, 1e-17);
  assertEquals(huberGrad(0.2), 0.05);
});

Deno.test("huberGrad() is the residual clipped to [−δ, δ] and matches central differences", () => {
  for (const delta of [0.02, 0.05, 1]) {
    for (
      const r of [-10 * delta, -delta * 1.01, -0.5 * delta, 0, 0.2 * delta, 0.99 * delta, 3 * delta]
    ) {
      assertEquals(huberGrad(r, delta), Math.min(delta, Math.max(-delta, r)));
      const h = 1e-7 * delta;
      const fd = (huber(r + h, delta) - huber(r - h, delta)) / (2 * h);
      assertAlmost(huberGrad(r, delta), fd, 1e-6 * delta, `r=${r} δ=${delta}`);
    }
  }
  // Continuity of value and slope at the joint |r| = δ.
  const d = 0.05, e = 1e-12;
  assertAlmost(huber(d + e, d), huber(d - e, d), 1e-12);
  assertAlmost(huberGrad(d + e, d), huberGrad(d - e, d), 1e-11);
});

Deno.test("huber() and huberGrad() reject a non-positive delta", () => {
  for (const bad of [0, -1, NaN, Infinity]) {
    assertThrows(() => huber(1, bad), RangeError, /delta/);
    assertThrows(() => huberGrad(1, bad), RangeError, /delta/);
  }
});
