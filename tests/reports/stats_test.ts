/**
 * Statistics of the reports against independent references computed with Python (numpy 2.4,
 * scipy 1.17); the scripts are quoted in the comments.
 */

import { assert, assertAlmost, assertEquals, assertThrows } from "../_assert.ts";
import { Rng } from "../../numerics/rng.ts";
import {
  iqm,
  iqmInPlace,
  meanOf,
  stratifiedBootstrap,
  stratifiedBootstrapAll,
  trimMean,
} from "../../reports/bootstrap.ts";
import { chiSquareSf, studentizedRangePpf } from "../../reports/_special.ts";
import {
  averageRanks,
  cliques,
  friedmanTest,
  nemenyiCriticalDifference,
} from "../../reports/friedman.ts";
import { probabilityOfImprovement } from "../../reports/across.ts";
import { poolLevel } from "../../reports/cost_to_target.ts";

Deno.test("trimMean() and iqm() match scipy.stats.trim_mean", () => {
  // stats.trim_mean([5,1,9,3,7,2,8,100,-50,4], 0.25) = 4.833333333333333
  // stats.trim_mean([3,1,2], 0.25) = 2.0; stats.trim_mean([1..7], 0.25) = 4.0
  assertAlmost(iqm([5, 1, 9, 3, 7, 2, 8, 100, -50, 4]), 4.833333333333333, 1e-12);
  assertAlmost(trimMean([3, 1, 2], 0.25), 2, 1e-12);
  assertAlmost(iqm([1, 2, 3, 4, 5, 6, 7]), 4, 1e-12);
  assert(Number.isNaN(iqm([])));
});

Deno.test("Rng matches the Python port of xoshiro128** used for the bootstrap reference", () => {
  // Python port (tests' /tmp/ref/boot.py): Rng(7).u32() × 3 = [1004282400, 2200021487, 1928073449]
  const r = new Rng(7);
  assertEquals([r.nextUint32(), r.nextUint32(), r.nextUint32()], [
    1004282400,
    2200021487,
    1928073449,
  ]);
});

Deno.test("stratifiedBootstrap() reproduces a re-derived stratified bootstrap draw for draw", () => {
  // Python re-derivation: the xoshiro128** stream of numerics/rng.ts seeded with 42 (ported), for each
  // of 2000 resamples and each task in order, len(g) draws g[(u32 · len(g)) >> 32]; the statistic
  // on the pooled draws; interval = np.percentile(stats, [2.5, 97.5]) (linear); point = the
  // statistic of all scores pooled:
  //   mean: 0.5416666666666666 [0.39166666666666666, 0.7000000000000001]
  //   iqm (stats.trim_mean(x, 0.25)): 0.5499999999999999 [0.3333333333333333, 0.7333333333333333]
  // An independent numpy bootstrap (default_rng(0), 200 000 resamples) gives the IQM interval
  // [0.3333, 0.7333].
  const groups = [[0.1, 0.5, 0.9, 0.3], [1.2, 0.8, 0.7], [0.0, 0.2, 0.4, 0.6, 0.8]];
  const m = stratifiedBootstrap(groups, meanOf, { seed: 42 });
  assertAlmost(m.point, 0.5416666666666666, 1e-12);
  assertAlmost(m.lo, 0.39166666666666666, 1e-12);
  assertAlmost(m.hi, 0.7000000000000001, 1e-12);
  const [q, m2] = stratifiedBootstrapAll(groups, [iqmInPlace, meanOf], { seed: 42 });
  assertAlmost(q!.point, 0.5499999999999999, 1e-12);
  assertAlmost(q!.lo, 0.3333333333333333, 1e-12);
  assertAlmost(q!.hi, 0.7333333333333333, 1e-12);
  assertEquals(m2, m, "statistics computed together see the same resamples");
  assertAlmost(stratifiedBootstrap(groups, iqm, { seed: 42 }).lo, q!.lo, 1e-15);
});

Deno.test("stratifiedBootstrap() gives a zero-width interval for constant scores", () => {
  const e = stratifiedBootstrap([[0.5, 0.5], [0.5]], iqm, { resamples: 100 });
  assertEquals([e.point, e.lo, e.hi], [0.5, 0.5, 0.5]);
});

Deno.test("friedmanTest() matches scipy.stats.friedmanchisquare, with and without ties", () => {
  // stats.friedmanchisquare(*A.T) with A below: statistic 8.384615384615374, p 0.03869697163142037
  const a = [[0.9, 0.5, 0.5, 0.1], [0.8, 0.6, 0.7, 0.2], [0.3, 0.3, 0.3, 0.3], [
    0.95,
    0.4,
    0.6,
    0.5,
  ], [0.7, 0.65, 0.1, 0.2]];
  const r = friedmanTest(a);
  assertAlmost(r.statistic, 8.384615384615374, 1e-10);
  assertAlmost(r.pValue, 0.03869697163142037, 1e-10);
  // average ranks, 1 = best: np.array([stats.rankdata(-row) for row in A]).mean(0)
  averageRanks(a).forEach((x, i) => assertAlmost(x, [1.3, 2.8, 2.6, 3.3][i]!, 1e-12));
  // Demšar (2006) Table 6 (14 data sets × 4 classifiers, one all-tie row):
  // statistic 10.952380952380956, p 0.011986176325417788; avg ranks (higher AUC better)
  // [3.142857142857143, 2.0, 2.9285714285714284, 1.9285714285714286]
  const d = [
    [0.763, 0.768, 0.771, 0.798],
    [0.599, 0.591, 0.590, 0.569],
    [0.954, 0.971, 0.968, 0.967],
    [0.628, 0.661, 0.654, 0.657],
    [0.882, 0.888, 0.886, 0.898],
    [0.936, 0.931, 0.916, 0.931],
    [0.661, 0.668, 0.609, 0.685],
    [0.583, 0.583, 0.563, 0.625],
    [0.775, 0.838, 0.866, 0.875],
    [1.000, 1.000, 1.000, 1.000],
    [0.940, 0.962, 0.965, 0.962],
    [0.619, 0.666, 0.614, 0.669],
    [0.972, 0.981, 0.975, 0.975],
    [0.957, 0.978, 0.946, 0.970],
  ];
  const rd = friedmanTest(d);
  assertAlmost(rd.statistic, 10.952380952380956, 1e-10);
  assertAlmost(rd.pValue, 0.011986176325417788, 1e-10);
  averageRanks(d).forEach((x, i) =>
    assertAlmost(x, [3.142857142857143, 2.0, 2.9285714285714284, 1.9285714285714286][i]!, 1e-12)
  );
  assertThrows(() => friedmanTest([[1, 2]]), RangeError, /need ≥ 2 × 2/);
});

Deno.test("chiSquareSf() matches scipy.stats.chi2.sf", () => {
  // chi2.sf(3.2, 3) = 0.36180502749753174; chi2.sf(25, 9) = 0.002971180485917624;
  // chi2.sf(0.01, 1) = 0.920344325445942
  assertAlmost(chiSquareSf(3.2, 3), 0.36180502749753174, 1e-12);
  assertAlmost(chiSquareSf(25, 9), 0.002971180485917624, 1e-13);
  assertAlmost(chiSquareSf(0.01, 1), 0.920344325445942, 1e-12);
});

Deno.test("nemenyiCriticalDifference() uses q_0.05/√2 from scipy.stats.studentized_range", () => {
  // studentized_range.ppf(0.95, k, np.inf) / sqrt(2)
  const ref: Record<number, number> = {
    2: 1.9599639845400534,
    3: 2.343700586378409,
    4: 2.569031772546482,
    5: 2.7277743708703763,
    6: 2.8497054196100016,
    7: 2.9483200175296744,
    8: 3.030878449614413,
    9: 3.1017303413033805,
    10: 3.163683577053373,
    12: 3.268003924466142,
    15: 3.391230283765257,
  };
  for (const [k, q] of Object.entries(ref)) {
    assertAlmost(studentizedRangePpf(0.95, Number(k)) / Math.SQRT2, q, 1e-8, `k = ${k}`);
  }
  // Demšar's example: k = 4, N = 14 → CD = 2.569 · √(4·5/(6·14)) ≈ 1.25
  assertAlmost(nemenyiCriticalDifference(4, 14), 2.569031772546482 * Math.sqrt(20 / 84), 1e-8);
});

Deno.test("cliques() joins consecutive methods closer than the CD and drops nested groups", () => {
  assertEquals(cliques([1, 1.5, 3, 3.2], 1), [[0, 1], [2, 3]]);
  assertEquals(cliques([1, 1.8, 2.6, 4], 1), [[0, 1], [1, 2]]);
  assertEquals(cliques([1, 3, 5], 1), []);
  assertEquals(cliques([2, 1, 3], 5), [[1, 0, 2]]);
});

Deno.test("probabilityOfImprovement() equals scipy's Mann–Whitney U / (n·m), ties ½", () => {
  // stats.mannwhitneyu([0.2,0.5,0.5,0.9], [0.5,0.1,0.3]).statistic / 12 = 0.75
  assertAlmost(probabilityOfImprovement([0.2, 0.5, 0.5, 0.9], [0.5, 0.1, 0.3]), 0.75, 1e-12);
  assertEquals(probabilityOfImprovement([1], [1]), 0.5);
});

Deno.test("poolLevel() takes numpy's linear quantile in the better direction", () => {
  // np.quantile(v, 1 - q) for q in (0.5, 0.75, 0.9, 1) = 3.5, 2.25, 1.5, 1.0 (minimise);
  // np.quantile(v, q) for q in (0.5, 0.9) = 3.5, 5.75 (maximise)
  const v = [5, 3, 4, 1, 2, 6.5];
  [0.5, 0.75, 0.9, 1].forEach((q, i) =>
    assertAlmost(poolLevel(v, q, "minimize"), [3.5, 2.25, 1.5, 1][i]!, 1e-12)
  );
  assertAlmost(poolLevel(v, 0.9, "maximize"), 5.75, 1e-12);
});
