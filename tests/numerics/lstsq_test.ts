import { assert, assertAlmost, assertEquals, assertThrows } from "../_assert.ts";
import { lstsq } from "../../numerics/linalg/lstsq.ts";
import { spearman } from "../../numerics/stats/correlation.ts";
import { loadTable } from "../../datasets/registry.ts";
import type { Run } from "../../core/types.ts";

/** Integer hash in [−11, 11] divided by 8: exact in binary, so numpy sees the same matrices. */
function h(i: number, j: number, s: number): number {
  return (((i * 31 + j * 17 + i * j * 7 + s * 5) % 23) - 11) / 8;
}
function mat(m: number, n: number, s: number): number[][] {
  return Array.from({ length: m }, (_, i) => Array.from({ length: n }, (_, j) => h(i, j, s)));
}
function vec(m: number, s: number): number[] {
  return Array.from({ length: m }, (_, i) => h(i, 3, s + 1));
}
function matmul(a: number[][], b: number[][]): number[][] {
  return a.map((row) => b[0]!.map((_, j) => row.reduce((t, v, k) => t + v * b[k]![j]!, 0)));
}

// References: numpy 2.4 `np.linalg.lstsq(A, b, rcond=None)` on the same matrices (built in Python
// with the same hash), with rss = ((A @ x - b) ** 2).sum().
const CASES: {
  name: string;
  a: () => number[][];
  b: number[];
  rank: number;
  rss: number;
  x: number[];
}[] = [
  {
    name: "tall 30×8",
    a: () => mat(30, 8, 1),
    b: vec(30, 2),
    rank: 8,
    rss: 13.126104597977207,
    x: [
      -0.025557423323502484,
      -0.0030221775750072233,
      0.27408007536425694,
      -0.6112582026926052,
      -0.14854743226185357,
      0.2860000793324573,
      -0.1697379692052853,
      -0.04929643001927893,
    ],
  },
  {
    name: "wide 6×15",
    a: () => mat(6, 15, 3),
    b: vec(6, 4),
    rank: 6,
    rss: 0,
    x: [
      -0.08095106857414891,
      0.09465587653145596,
      0.013704807957307122,
      -0.1477588755543307,
      0.02784806955127413,
      -0.1532896549996242,
      0.022317290105980596,
      0.017131009946633996,
      -0.16400671460426436,
      0.011600230501340472,
      0.10277979605642294,
      -0.1747237742089045,
      0.0008831708967003311,
      0.17649011600230513,
      -0.08907498809911553,
    ],
  },
  {
    name: "rank 4 of 40×10",
    a: () => matmul(mat(40, 4, 5), mat(4, 10, 6)),
    b: vec(40, 7),
    rank: 4,
    rss: 23.095351166761525,
    x: [
      -0.12180267970380756,
      0.11888440603095984,
      0.16889852787147494,
      0.008914442422242201,
      -0.1839933476195602,
      0.05669373811520726,
      0.13963156454829198,
      -0.053276225493510375,
      -0.13179520726773927,
      -0.048857380834654615,
    ],
  },
  {
    name: "12×5 with a duplicate and a zero column",
    a: () => mat(12, 5, 8).map((r) => [r[0]!, r[1]!, r[2]!, r[1]!, 0]),
    b: vec(12, 9),
    rank: 3,
    rss: 6.906607277893413,
    x: [0.1590347553944985, 0.15792291220556734, -0.06322157499887682, 0.15792291220556745, 0],
  },
  {
    name: "singular 5×5 of rank 3",
    a: () => matmul(mat(5, 3, 10), mat(3, 5, 11)),
    b: vec(5, 12),
    rank: 3,
    rss: 3.30625,
    x: [
      0.5104093000370856,
      -0.2946578395626105,
      -0.3575902446547186,
      0.549730303330726,
      -0.25533683626896936,
    ],
  },
];

Deno.test("lstsq() matches numpy.linalg.lstsq on full-rank and rank-deficient designs", () => {
  for (const c of CASES) {
    const a = c.a();
    for (const input of [a, { data: a.flat(), shape: [a.length, a[0]!.length] as const }]) {
      const r = lstsq(input, c.b);
      assertEquals(r.rank, c.rank, c.name);
      for (let j = 0; j < c.x.length; j++) {
        assertAlmost(r.x[j]!, c.x[j]!, 1e-8, `${c.name} x[${j}]`);
      }
      assertAlmost(r.residual, c.rss, 1e-9, `${c.name} rss`);
      assertEquals(r.singularValues.length, Math.min(a.length, a[0]!.length));
    }
  }
});

Deno.test("lstsq() returns singular values in decreasing order matching a closed form", () => {
  // diag(3, 1e-20, 2) in a 4×3 design: σ = (3, 2, 1e-20); the last is below numpy's cut-off.
  const r = lstsq([[3, 0, 0], [0, 1e-20, 0], [0, 0, 2], [0, 0, 0]], [3, 1, 4, 5]);
  assertEquals([...r.singularValues], [3, 2, 1e-20]);
  assertEquals(r.rank, 2);
  assertEquals([...r.x], [1, 0, 2]);
  assertEquals(r.residual, 26);
  // An explicit rcond of 0 keeps it, as numpy's rcond=0 does.
  assertEquals(lstsq([[3, 0], [0, 1e-20]], [3, 1], { rcond: 0 }).x[1], 1e20);
});

Deno.test("lstsq() handles empty and zero designs and rejects bad shapes", () => {
  const zero = lstsq([[0, 0], [0, 0], [0, 0]], [1, 2, 3]);
  assertEquals([zero.rank, [...zero.x], zero.residual], [0, [0, 0], 14]);
  assertEquals(lstsq({ data: [], shape: [2, 0] }, [1, 1]).residual, 2);
  assertThrows(() => lstsq([[1, 2], [3]], [1, 2]), TypeError, /row 1 has "1" entries/);
  assertThrows(() => lstsq([[1, 2]], [1, 2]), TypeError, /"2" entries for "1" rows/);
  assertThrows(() => lstsq({ data: [1, 2, 3], shape: [2, 2] }, [1, 2]), TypeError, /shape "2×2"/);
  assertThrows(() => lstsq([[1, NaN]], [1]), RangeError, /entry \(0, 1\) is "NaN"/);
});

Deno.test("lstsq() OLS with intercept on the RegMix 1M train swarm ranks the test sets as numpy does", async () => {
  const table = await loadTable("regmix_pile");
  const pick = (fidelity: string, split?: string): Run[] =>
    table.runs.filter((r) => r.fidelity === fidelity && (split === undefined || r.split === split));
  const train = pick("1M", "train");
  assertEquals(train.length, 512);
  // 17 weights that sum to 1 plus an intercept: the design has a null direction.
  const design = train.map((r) => [1, ...r.mixture]);
  const fit = lstsq(design, train.map((r) => r.metrics.pile_cc_loss!));
  assertEquals(fit.rank, 17);
  const predict = (m: readonly number[]) => m.reduce((t, w, j) => t + w * fit.x[j + 1]!, fit.x[0]!);
  const rho = (runs: Run[]) =>
    spearman(runs.map((r) => predict(r.mixture)), runs.map((r) => r.metrics.pile_cc_loss!));
  const sets = [pick("1M", "test"), pick("60M"), pick("1B")];
  assertEquals(sets.map((s) => s.length), [256, 256, 64]);
  const got = sets.map(rho);
  // numpy 2.4 + scipy 1.17 on runs.csv with each mixture row divided by its sum (as the loader
  // does), design [1, w], np.linalg.lstsq(rcond=None) (rank 17), scipy.stats.spearmanr.
  const numpy = [0.901814631494621, 0.8928516250858318, 0.8789377289377288];
  got.forEach((v, k) => assertAlmost(v, numpy[k]!, 1e-6, `Spearman ${k}`));
  // The published figures (methods.md §1, computed on the raw, un-renormalised rows:
  // 0.9021 / 0.8933 / 0.8766) to ±0.002.
  [0.902, 0.893, 0.877].forEach((v, k) => assertAlmost(got[k]!, v, 0.002, `Spearman ${k}`));
  // Intercept plus coefficients form the minimum-norm solution (numpy: first entries below).
  assertAlmost(fit.x[0]!, 5.00973218830066, 1e-8);
  assertAlmost(fit.x[1]!, 1.1239019750110186, 1e-8);
  assertAlmost(fit.residual, 12.167292727264867, 1e-8);
  assert(fit.singularValues[17]! < 1e-12 * fit.singularValues[0]!);
});
