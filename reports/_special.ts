/**
 * Special functions for the rank tests: log-gamma, the regularised incomplete gamma function, the
 * chi-square survival function, the normal CDF, and the studentized range distribution with
 * infinite degrees of freedom (Nemenyi's critical values). Written from the textbook formulas
 * (Lanczos; series and Lentz continued fraction; the range integral by composite Simpson).
 *
 * @module
 */

const LANCZOS = [
  0.99999999999980993,
  676.5203681218851,
  -1259.1392167224028,
  771.32342877765313,
  -176.61502916214059,
  12.507343278686905,
  -0.13857109526572012,
  9.9843695780195716e-6,
  1.5056327351493116e-7,
];

/** ln Γ(x) for x > 0 (Lanczos, g = 7, n = 9; relative error ~1e-15). */
export function logGamma(x: number): number {
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x);
  const z = x - 1;
  let a = LANCZOS[0]!;
  const t = z + 7.5;
  for (let i = 1; i < 9; i++) a += LANCZOS[i]! / (z + i);
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(a);
}

/** Regularised lower incomplete gamma P(a, x). */
export function gammaP(a: number, x: number): number {
  if (x <= 0) return 0;
  return x < a + 1 ? gammaSeries(a, x) : 1 - gammaContinued(a, x);
}

/** Regularised upper incomplete gamma Q(a, x) = 1 − P(a, x), accurate in the tail. */
export function gammaQ(a: number, x: number): number {
  if (x <= 0) return 1;
  return x < a + 1 ? 1 - gammaSeries(a, x) : gammaContinued(a, x);
}

function gammaSeries(a: number, x: number): number {
  let ap = a;
  let sum = 1 / a;
  let del = sum;
  for (let n = 0; n < 1000; n++) {
    ap += 1;
    del *= x / ap;
    sum += del;
    if (Math.abs(del) < Math.abs(sum) * 1e-16) break;
  }
  return sum * Math.exp(-x + a * Math.log(x) - logGamma(a));
}

function gammaContinued(a: number, x: number): number {
  const tiny = 1e-300;
  let b = x + 1 - a;
  let c = 1 / tiny;
  let d = 1 / b;
  let h = d;
  for (let i = 1; i < 1000; i++) {
    const an = -i * (i - a);
    b += 2;
    d = an * d + b;
    if (Math.abs(d) < tiny) d = tiny;
    c = b + an / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const del = d * c;
    h *= del;
    if (Math.abs(del - 1) < 1e-16) break;
  }
  return Math.exp(-x + a * Math.log(x) - logGamma(a)) * h;
}

/** Survival function of the chi-square distribution with `df` degrees of freedom. */
export function chiSquareSf(x: number, df: number): number {
  return gammaQ(df / 2, x / 2);
}

/** Standard normal CDF Φ(z), via erf(x) = P(½, x²). */
export function normalCdf(z: number): number {
  const x = z / Math.SQRT2;
  const e = gammaP(0.5, x * x);
  return x >= 0 ? 0.5 + 0.5 * e : 0.5 - 0.5 * e;
}

const SQRT_2PI = Math.sqrt(2 * Math.PI);

/**
 * CDF of the studentized range of `k` standard normals with infinite degrees of freedom:
 * P(Q ≤ q) = k ∫ φ(z) [Φ(z) − Φ(z − q)]^(k−1) dz, integrated by composite Simpson on [−9, 9 + q].
 */
export function studentizedRangeCdf(q: number, k: number): number {
  if (q <= 0) return 0;
  const lo = -9, hi = 9 + q;
  const steps = 3000;
  const h = (hi - lo) / steps;
  let sum = 0;
  for (let i = 0; i <= steps; i++) {
    const z = lo + i * h;
    const f = Math.exp(-0.5 * z * z) / SQRT_2PI *
      Math.pow(normalCdf(z) - normalCdf(z - q), k - 1);
    sum += (i === 0 || i === steps ? 1 : i % 2 === 1 ? 4 : 2) * f;
  }
  return Math.min(1, k * sum * h / 3);
}

const ppfCache = new Map<string, number>();

/**
 * Quantile of the studentized range with infinite degrees of freedom (Illinois root finding).
 *
 * @param p Probability in (0, 1).
 * @param k Number of means compared (≥ 2).
 * @returns q with P(Q ≤ q) = p.
 */
export function studentizedRangePpf(p: number, k: number): number {
  const key = `${p}|${k}`;
  const cached = ppfCache.get(key);
  if (cached !== undefined) return cached;
  // Illinois (modified regula falsi) on a bracket; the CDF is smooth and monotone in q.
  let a = 0, b = 20;
  let fa = -p, fb = studentizedRangeCdf(b, k) - p;
  let side = 0;
  let q = b;
  for (let i = 0; i < 100 && Math.abs(b - a) > 1e-12; i++) {
    q = (a * fb - b * fa) / (fb - fa);
    const fq = studentizedRangeCdf(q, k) - p;
    if (Math.abs(fq) < 1e-15) break;
    if (fq * fb > 0) {
      [b, fb] = [q, fq];
      if (side === -1) fa /= 2;
      side = -1;
    } else {
      [a, fa] = [q, fq];
      if (side === 1) fb /= 2;
      side = 1;
    }
  }
  ppfCache.set(key, q);
  return q;
}
