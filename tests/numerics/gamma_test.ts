import { assert, assertEquals, assertThrows } from "../_assert.ts";
import { dirichlet, dirichletRows, gamma, logGamma } from "../../numerics/stats/gamma.ts";
import { Rng } from "../../numerics/rng.ts";

/** Asserts |actual − expected| ≤ k·se with a message giving the z-score. */
function assertWithin(actual: number, expected: number, se: number, k: number, what: string) {
  const z = (actual - expected) / se;
  assert(Math.abs(z) <= k, `${what}: ${actual} vs ${expected} (z = ${z.toFixed(2)})`);
}

Deno.test("gamma() has mean α and variance α for α ∈ {0.001, 0.3, 1, 7.5}", () => {
  const n = 200_000;
  for (const a of [0.001, 0.3, 1, 7.5]) {
    const rng = new Rng(11);
    let s = 0, s2 = 0;
    const xs = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const x = gamma(rng, a);
      assert(x >= 0 && Number.isFinite(x));
      xs[i] = x;
      s += x;
    }
    const mean = s / n;
    for (const x of xs) s2 += (x - mean) ** 2;
    const variance = s2 / (n - 1);
    // Closed forms for Gamma(α, 1): mean = var = α, central μ₄ = 3α² + 6α, so
    // se(mean) = √(α/n) and se(sample variance) ≈ √((μ₄ − α²)/n) = √((2α² + 6α)/n). Means within
    // 3 se; variances within 4 se (the sample variance of a heavy-tailed variate is skewed).
    assertWithin(mean, a, Math.sqrt(a / n), 3, `mean of Gamma(${a})`);
    assertWithin(variance, a, Math.sqrt((2 * a * a + 6 * a) / n), 4, `variance of Gamma(${a})`);
  }
});

// Quantiles of log X, X ~ Gamma(α, 1), at q = 0.05, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95: bisection on
// mpmath 1.3 `gammainc(α, 0, exp(t), regularized=True) = q` at 40 digits (for α ≥ 0.3 they agree
// with numpy.log(scipy.stats.gamma.ppf(q, α)) to 1e-15).
const QS = [0.05, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95];
const LOG_QUANTILES: Record<string, number[]> = {
  "0.001": [
    -2996.308667152274,
    -2303.161486592329,
    -1386.8707547181739,
    -693.7235741582286,
    -288.25846605006427,
    -105.93690925610964,
    -51.86968798583395,
  ],
  "0.3": [
    -10.346332243405215,
    -8.03561733621321,
    -4.976262480968656,
    -2.6155010676586543,
    -1.0703179919420975,
    -0.12238147224813525,
    0.316524558079113,
  ],
  "1": [
    -2.9701952490421646,
    -2.2503673273124454,
    -1.2458993237072382,
    -0.36651292058166435,
    0.326634259978281,
    0.834032445247956,
    1.0971887003649483,
  ],
  "7.5": [
    1.2893626574106094,
    1.452404643468152,
    1.7080641932646867,
    1.9698261194372995,
    2.2107485811461864,
    2.4117591589874965,
    2.52556023571747,
  ],
};

Deno.test("logGamma() follows the Gamma distribution in log space, underflowed range included", () => {
  const n = 100_000;
  // Dvoretzky–Kiefer–Wolfowitz: P(sup |F_n − F| > ε) ≤ 2·exp(−2nε²) = 1e-6 at this ε.
  const eps = Math.sqrt(Math.log(2e6) / (2 * n));
  for (const [a, quantiles] of Object.entries(LOG_QUANTILES)) {
    const rng = new Rng(5);
    const ls = Float64Array.from({ length: n }, () => logGamma(rng, Number(a)));
    assert(ls.every(Number.isFinite));
    quantiles.forEach((t, k) => {
      const below = ls.reduce((c, l) => c + (l <= t ? 1 : 0), 0) / n;
      assert(Math.abs(below - QS[k]!) <= eps, `α=${a}: F(${t}) = ${below}, expected ${QS[k]}`);
    });
  }
});

Deno.test("gamma() and dirichlet() repeat with a fixed seed and reject bad input", () => {
  const draw = (seed: number) => {
    const rng = new Rng(seed);
    return [gamma(rng, 0.5), gamma(rng, 3), ...dirichlet(rng, [0.2, 1, 4])];
  };
  assertEquals(draw(9), draw(9));
  assert(draw(9)[0] !== draw(10)[0]);
  const rng = new Rng(1);
  for (const bad of [0, -1, NaN, Infinity]) {
    assertThrows(() => gamma(rng, bad), RangeError, /shape/);
  }
  assertThrows(() => dirichlet(rng, [1, 0]), RangeError, /shape "0"/);
  assertThrows(() => dirichlet(rng, []), TypeError, /no components/);
  assertThrows(() => dirichlet(rng, [1, 1], new Float64Array(3)), TypeError, /length "3"/);
  const out = new Float64Array(2);
  assert(dirichlet(rng, [1, 1], out) === out);
});

// 17 base shares (sum 1) standing in for a tempered Pile prior; the smallest is 0.0017.
const P = [
  0.305,
  0.15,
  0.1,
  0.08,
  0.07,
  0.06,
  0.05,
  0.04,
  0.035,
  0.03,
  0.025,
  0.02,
  0.015,
  0.01,
  0.005,
  0.0033,
  0.0017,
];

Deno.test("dirichlet() matches the Dirichlet means and variances for α = p·s, s ∈ {0.1, 1, 5}", () => {
  const n = 100_000;
  const d = P.length;
  for (const s of [0.1, 1, 5]) {
    const alpha = P.map((p) => p * s);
    const a0 = alpha.reduce((t, a) => t + a, 0);
    const rng = new Rng(2024);
    const draws = Array.from({ length: n }, () => dirichlet(rng, alpha));
    for (const x of draws) {
      let sum = 0;
      for (const v of x) {
        assert(v >= 0 && v <= 1);
        sum += v;
      }
      // The message is built only on failure (a template per draw costs more than the draw).
      if (!(Math.abs(sum - 1) < 1e-12)) assert(false, `sum ${sum}`);
    }
    for (let i = 0; i < d; i++) {
      const ai = alpha[i]!;
      let m = 0;
      for (const x of draws) m += x[i]!;
      m /= n;
      let m2 = 0;
      for (const x of draws) m2 += (x[i]! - m) ** 2;
      m2 /= n - 1;
      // Means within 3 se, variances within 4. Closed forms: the marginal is Beta(a, b) with a = α_i, b = α₀ − α_i, mean a/α₀,
      // variance ab/(α₀²(α₀+1)); se(sample variance) ≈ √((μ₄ − σ⁴)/n) with μ₄ from the Beta
      // excess kurtosis 6[(a−b)²(a+b+1) − ab(a+b+2)]/[ab(a+b+2)(a+b+3)] (checked against
      // scipy.stats.beta(0.3, 2).stats("k") = 3.0526546731022375).
      const a = ai, b = a0 - ai;
      const mean = a / a0;
      const variance = a * b / (a0 * a0 * (a0 + 1));
      const kurt = 6 * ((a - b) ** 2 * (a + b + 1) - a * b * (a + b + 2)) /
        (a * b * (a + b + 2) * (a + b + 3));
      const mu4 = (kurt + 3) * variance * variance;
      const what = `s=${s} i=${i} α=${ai.toExponential(2)}`;
      assertWithin(m, mean, Math.sqrt(variance / n), 3, `${what} mean`);
      assertWithin(m2, variance, Math.sqrt((mu4 - variance * variance) / n), 4, `${what} var`);
    }
  }
});

Deno.test("dirichlet() returns simplex points when every Gamma variate underflows", () => {
  const rng = new Rng(3);
  let allUnderflowed = 0;
  for (let k = 0; k < 2000; k++) {
    const alpha = Array.from({ length: 17 }, () => 1e-3);
    const logs = alpha.map((a) => logGamma(new Rng(k), a));
    if (logs.every((l) => Math.exp(l) === 0)) allUnderflowed++;
    const x = dirichlet(rng, alpha);
    assert(x.every((v) => v >= 0 && v <= 1));
    assert(Math.abs(x.reduce((s, v) => s + v, 0) - 1) < 1e-12);
  }
  assert(allUnderflowed > 0, "expected draws whose Gamma variates all underflow");
  // Concentrations below the smallest normal double: the α → 0 limit (a vertex, chosen with
  // probability α_j/Σα).
  const counts = [0, 0];
  for (let k = 0; k < 4000; k++) {
    const x = dirichlet(rng, [1e-320, 3e-320]);
    assert((x[0] === 1 && x[1] === 0) || (x[0] === 0 && x[1] === 1));
    counts[x[0] === 1 ? 0 : 1]!++;
  }
  // Binomial(4000, 1/4): mean 1000, sd √750 ≈ 27.4.
  assertWithin(counts[0]!, 1000, Math.sqrt(750), 4, "vertex frequency");
});

/**
 * The textbook draw, written here apart from numerics/stats/gamma.ts: Marsaglia and Tsang
 * (2000) with `Rng.normal()`, the boost U^(1/α) for α < 1 in log space, a log-sum-exp
 * normalisation, and the vertex limit when every log is −∞.
 */
function textbookDirichlet(rng: Rng, alpha: readonly number[]): number[] {
  const logMt = (shape: number) => {
    const d = shape - 1 / 3, c = 1 / Math.sqrt(9 * d);
    while (true) {
      let x: number, v: number;
      do {
        x = rng.normal();
        v = 1 + c * x;
      } while (v <= 0);
      v = v * v * v;
      const u = rng.next();
      if (u < 1 - 0.0331 * (x * x) * (x * x)) return Math.log(d * v);
      if (Math.log(u) < 0.5 * x * x + d * (1 - v + Math.log(v))) return Math.log(d * v);
    }
  };
  const logs = alpha.map((a) => a >= 1 ? logMt(a) : logMt(a + 1) + Math.log(1 - rng.next()) / a);
  const max = Math.max(...logs);
  if (max === -Infinity) {
    const top = Math.max(...alpha);
    const total = alpha.reduce((s, a) => s + a / top, 0);
    let cut = rng.next() * total, pick = alpha.length - 1;
    for (let i = 0; i < alpha.length; i++) {
      cut -= alpha[i]! / top;
      if (cut < 0) {
        pick = i;
        break;
      }
    }
    return alpha.map((_, i) => i === pick ? 1 : 0);
  }
  const e = logs.map((l) => Math.exp(l - max));
  const sum = e.reduce((s, v) => s + v, 0);
  return e.map((v) => v / sum);
}

Deno.test("dirichlet() and dirichletRows() give the textbook draws bit for bit, stream included", () => {
  const mixed = Array.from(
    { length: 19 },
    (_, j) => [1e-4, 0.003, 0.1, 0.5, 0.99, 1, 1.5, 4][j % 8]!,
  );
  const cases = [[0.5, 0.5, 0.5], [1, 1], [2.5], [1e-3, 1e-3, 1e-3, 1e-3], [1e-320, 3e-320], mixed];
  for (const alpha of cases) {
    for (const seed of [1, 2, 77]) {
      const m = alpha.length, n = 300;
      const want = new Rng(seed), one = new Rng(seed), batch = new Rng(seed);
      const rows = new Float64Array(n * m + 3).fill(-1);
      dirichletRows(batch, Float64Array.from(alpha), rows, n);
      for (let r = 0; r < n; r++) {
        const w = textbookDirichlet(want, alpha);
        assertEquals(Array.from(dirichlet(one, alpha)), w);
        assertEquals(Array.from(rows.subarray(r * m, r * m + m)), w);
      }
      assertEquals(Array.from(rows.subarray(n * m)), [-1, -1, -1]);
      const next = want.next();
      assertEquals([one.next(), batch.next()], [next, next]);
    }
  }
  const rng = new Rng(1);
  assertThrows(() => dirichletRows(rng, [1, 0], new Float64Array(4), 2), RangeError, /shape "0"/);
  assertThrows(() => dirichletRows(rng, [], new Float64Array(4), 2), TypeError, /no components/);
  assertThrows(() => dirichletRows(rng, [1, 1], new Float64Array(3), 2), RangeError, /length "3"/);
  assertEquals(dirichletRows(rng, [1, 1], new Float64Array(0), 0).length, 0);
});
