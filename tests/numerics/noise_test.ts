import { assertAlmost, assertEquals, assertThrows } from "../_assert.ts";
import { noiseCeiling, objectiveStandardErrors } from "../../numerics/stats/noise.ts";
import { Rng } from "../../numerics/rng.ts";

Deno.test("objectiveStandardErrors() is sqrt(Σ v(1 − v) / n) / k", () => {
  const se = objectiveStandardErrors([
    { name: "a", items: 100, values: [0.5, 0.1] },
    { name: "b", items: 400, values: [0.2, 0.9] },
  ]);
  assertAlmost(se[0]!, Math.sqrt(0.25 / 100 + 0.16 / 400) / 2, 1e-15);
  assertAlmost(se[1]!, Math.sqrt(0.09 / 100 + 0.09 / 400) / 2, 1e-15);
});

Deno.test("objectiveStandardErrors() names the metric and run of a value outside [0, 1]", () => {
  assertThrows(
    () => objectiveStandardErrors([{ name: "gsm8k", items: 10, values: [0.2, 1.5] }]),
    RangeError,
    'metric "gsm8k" has value "1.5" on run 1',
  );
});

// Normal values (variance 1) plus normal noise (variance 0.25): the Spearman ρ of a bivariate
// normal pair is (6/π)·asin(r/2) with Pearson r = 1/sqrt(1.25) (Kendall & Gibbons, 1990).
Deno.test("noiseCeiling() matches the bivariate-normal Spearman ρ of values and noise", () => {
  const rng = new Rng(3);
  const n = 2000;
  const values = Array.from({ length: n }, () => rng.normal());
  // One component at 0.5 with 1 item: standard error sqrt(0.25 / 1) = 0.5.
  const c = noiseCeiling(values, [{ name: "a", items: 1, values: new Array(n).fill(0.5) }], {
    draws: 20,
    sharedCorrelation: [0, 0.75],
  });
  const r = (s: number) => 1 / Math.sqrt(1 + (s * s) / 1);
  const expected = (s: number) => (6 / Math.PI) * Math.asin(r(s) / 2);
  assertAlmost(c.ceiling[0]!.spearman, expected(0.5), 0.01);
  // r = 0.75 leaves sqrt(0.25) of the standard error run-specific.
  assertAlmost(c.ceiling[1]!.spearman, expected(0.25), 0.01);
  assertAlmost(c.noiseShare, 0.25, 0.02);
});

Deno.test("noiseCeiling() keeps the best run with negligible noise and loses it with huge noise", () => {
  const values = Array.from({ length: 50 }, (_, i) => i / 100);
  const tiny = noiseCeiling(values, [{ name: "a", items: 1e12, values }], { draws: 100 });
  assertEquals(tiny.ceiling[0]!.bestStaysBest, 1);
  assertEquals(tiny.ceiling[0]!.recall10, 1);
  const flat = new Array(50).fill(0.5);
  const huge = noiseCeiling(values, [{ name: "a", items: 1e-4, values: flat }], { draws: 2000 });
  // Pure noise: the best run is any of 50 with equal chance.
  assertAlmost(huge.ceiling[0]!.bestStaysBest, 1 / 50, 0.015);
  // A minimised objective's best run is the smallest value.
  const low = noiseCeiling(values, [{ name: "a", items: 1e12, values }], {
    draws: 10,
    direction: "minimize",
  });
  assertEquals(low.ceiling[0]!.bestStaysBest, 1);
});

Deno.test("noiseCeiling() bounds the shared correlation by the exact metrics' variance ratio", () => {
  // Values 0.5 ± 0.01: variance 1e-4; binomial variance ≈ 0.2499 / 100; ratio 0.04.
  const values = Array.from({ length: 40 }, (_, i) => (i % 2 ? 0.51 : 0.49));
  const c = noiseCeiling(values, [
    { name: "acc", items: 100, values, exact: true },
    { name: "f1", items: 100, values: new Array(40).fill(0.5) },
  ], { draws: 10, sharedCorrelation: [0] });
  assertAlmost(c.components[0]!.varianceRatio, 1e-4 / (0.2499 / 100), 1e-4);
  assertEquals(c.components[1]!.varianceRatio, 0);
  assertEquals(c.sharedCorrelationBound, 0.95);
  assertEquals(c.ceiling.map((x) => x.sharedCorrelation), [0, 0.95]);
});
