import { assert, assertAlmost, assertEquals, assertThrows } from "../_assert.ts";
import { brent } from "../../numerics/optim/brent.ts";
import {
  logEI,
  logH,
  millsRatio,
  normCdf,
  normLogCdf,
  normPdf,
  normQuantile,
} from "../../numerics/stats/normal.ts";

function assertRel(actual: number, expected: number, tol: number, what = ""): void {
  assert(
    Math.abs(actual - expected) <= tol * Math.abs(expected),
    `${what} expected ${expected} (rel ${tol}), got ${actual}`,
  );
}

// scipy 1.17: special.ndtr(z) and special.log_ndtr(z); Φ(−20) from mpmath (50 digits), where
// scipy's ndtr (2.7536241186061556e-89) is off by 3e-14 relative.
const Z = [-40, -20, -8, -3, -2.5, -1, 0, 0.7, 2.6, 6, 9];
const SCIPY_CDF = [
  0,
  2.7536241186062337e-89,
  6.22096057427174e-16,
  0.0013498980316300933,
  0.006209665325776132,
  0.15865525393145707,
  0.5,
  0.758036347776927,
  0.9953388119762813,
  0.9999999990134123,
  1,
];
const SCIPY_LOG_CDF = [
  -804.6084420137539,
  -203.9171553710973,
  -35.01343715991456,
  -6.60772622151035,
  -5.081648277278691,
  -1.8410216450092634,
  -0.6931471805599453,
  -0.2770239422771313,
  -0.004672085236439401,
  -9.86587645524372e-10,
  -1.1285884059538324e-19,
];

Deno.test("normCdf() matches scipy's ndtr to 1e-14 relative, tails included", () => {
  Z.forEach((z, i) => {
    const ref = SCIPY_CDF[i]!;
    if (ref === 0) assert(normCdf(z) < 1e-300, `Φ(${z})`);
    else assertRel(normCdf(z), ref, 1e-14, `Φ(${z})`);
  });
});

Deno.test("normLogCdf() matches scipy's log_ndtr to 1e-13 relative from −40 to 9", () => {
  Z.forEach((z, i) => assertRel(normLogCdf(z), SCIPY_LOG_CDF[i]!, 1e-13, `ln Φ(${z})`));
  // Far tail: ln Φ(z) ≈ −z²/2 − ln(−z) − ½ln(2π) − 1/z² (Mills' ratio asymptotics).
  const z = -1e5;
  assertRel(normLogCdf(z), -0.5 * z * z - Math.log(-z) - 0.5 * Math.log(2 * Math.PI), 1e-15);
  assertEquals(normLogCdf(-Infinity), -Infinity);
  assertEquals(normLogCdf(Infinity), 0);
});

Deno.test("normPdf() and millsRatio() agree with the closed forms", () => {
  assertRel(normPdf(1.3), Math.exp(-0.845) / Math.sqrt(2 * Math.PI), 1e-15);
  // R(t) = (1 − Φ(t))/φ(t); R(1) from mpmath: 0.65567954241879847.
  assertRel(millsRatio(1), 0.6556795424187985, 1e-15);
  // R(30) from mpmath (50 digits); the asymptotic series 1/t − 1/t³ + 3/t⁵ agrees to 1e-7.
  assertRel(millsRatio(30), 0.03329641907249721, 1e-15);
  assertRel(millsRatio(30), 1 / 30 - 1 / 30 ** 3 + 3 / 30 ** 5, 1e-7);
  assertThrows(() => millsRatio(-1), RangeError, /expected t ≥ 0/);
});

Deno.test("normQuantile() inverts Φ and matches scipy's ndtri", () => {
  const ps = [1e-20, 0.01, 0.3, 0.9, 0.999];
  const ref = [
    -9.262340089798409,
    -2.3263478740408408,
    -0.5244005127080409,
    1.2815515655446004,
    3.090232306167813,
  ];
  ps.forEach((p, i) => assertAlmost(normQuantile(p), ref[i]!, 1e-12, `Φ⁻¹(${p})`));
  assertEquals(normQuantile(0.5), 0);
  assertThrows(() => normQuantile(1.5), RangeError, /expected 0 ≤ p ≤ 1/);
});

Deno.test("logH() matches ln(φ(u) + uΦ(u)) computed with mpmath at 50 digits", () => {
  const us = [-1e4, -300, -40, -10, -3, -2.5, -1, 0, 1.5, 10];
  const mp = [
    -50000019.33961931,
    -45012.32653681455,
    -808.29856835662,
    -55.55312203612235,
    -7.869686059603029,
    -6.212541645443513,
    -2.4851210257126413,
    -0.9189385332046728,
    0.4248145567622593,
    2.302585092994046,
  ];
  us.forEach((u, i) => assertRel(logH(u), mp[i]!, 1e-14, `ln h(${u})`));
});

Deno.test("logEI() equals ln(σ·(uΦ(u) + φ(u))) where the closed form is accurate", () => {
  for (const [mu, s, best] of [[0.5, 0.2, 0.6], [1, 2, -1], [0.3, 1e-3, 0.3], [-2, 3, 1]]) {
    const u = (mu! - best!) / s!;
    const closed = Math.log(s! * (u * normCdf(u) + normPdf(u)));
    assertAlmost(logEI(mu!, s!, best!), closed, 1e-13, `logEI(${mu}, ${s}, ${best})`);
  }
  // u = −30: the closed form cancels to 0 in doubles; mpmath gives −462.3298239465861.
  assertRel(logEI(0, 0.01, 0.3), -462.3298239465861, 1e-14);
  assertEquals(logEI(1, 0, 0.5), Math.log(0.5));
  assertEquals(logEI(0, 0, 0.5), -Infinity);
});

Deno.test("brent() finds roots to tolerance and refuses brackets without a sign change", () => {
  let calls = 0;
  const r = brent((x) => {
    calls++;
    return x * x * x - 2 * x - 5;
  }, [2, 3]);
  assertAlmost(r, 2.0945514815423265, 1e-12); // Newton's classic cubic
  assert(calls < 15, `${calls} evaluations`);
  assertAlmost(brent(Math.cos, [0, 3], { xTolerance: 1e-14 }), Math.PI / 2, 1e-14);
  assertThrows(() => brent((x) => x * x + 1, [-1, 1]), RangeError, /same sign/);
});
