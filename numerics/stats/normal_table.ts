/**
 * Fast standard normal CDF and log-CDF for inner loops (MF-MES evaluates Φ about 10⁵ times per
 * BO step): a table of Taylor expansions of Φ at the nodes z₀ = −12 + i/64, i = 0…768,
 *
 * ```
 * Φ(z₀ + δ) = Φ(z₀) + φ(z₀)·Σ_{k=1..9} (−1)^(k−1)·He_{k−1}(z₀)·δᵏ/k!      (|δ| ≤ 1/128)
 * ```
 * (He the probabilists' Hermite polynomials, since φ^(k) = (−1)ᵏHe_k·φ), evaluated by Horner's
 * rule; the upper half uses Φ(z) = 1 − Φ(−z), so both tails keep their relative accuracy. The
 * node values come from the exact {@linkcode normCdf} of `normal.ts`; the truncation error is
 * below 1e-16 relative to φ(z₀), and the tests check a relative error ≤ 1e-13 against
 * {@linkcode normCdf} over [−12, 12]. Below −12 both functions defer to the exact ones; above
 * 12, Φ(z) = 1 in double precision (1 − Φ(12) ≈ 1.8e-33) and ln Φ(z) = −Q(z) with
 * Q(z) = φ(z)/z·(1 − 1/z² + 3/z⁴ − 15/z⁶) (the asymptotic Mills series: absolute error below
 * 1e-39).
 *
 * @module
 */

import { normCdf, normLogCdf, normPdf } from "./normal.ts";

const LO = -12;
const STEPS = 64;
const NODES = 12 * STEPS + 1;
const TERMS = 9;
/** Per node: Φ(z₀) then the TERMS Taylor coefficients (φ folded in). */
const TABLE = buildTable();

/**
 * The table and its layout, for `_normal_simd.ts` (which evaluates {@link normCdfFast} with the
 * same operations): node i = round((z − lo)·steps) at `table[i·(terms + 1)]`.
 */
export const CDF_TABLE: {
  readonly table: Float64Array;
  readonly lo: number;
  readonly steps: number;
  readonly terms: number;
} = { table: TABLE, lo: LO, steps: STEPS, terms: TERMS };

function buildTable(): Float64Array {
  const t = new Float64Array(NODES * (TERMS + 1));
  for (let i = 0; i < NODES; i++) {
    const z0 = LO + i / STEPS, phi = normPdf(z0), o = i * (TERMS + 1);
    t[o] = normCdf(z0);
    // He_0 = 1, He_1 = z, He_{k+1} = z·He_k − k·He_{k−1}.
    let hPrev = 0, h = 1, fact = 1;
    for (let k = 1; k <= TERMS; k++) {
      fact *= k;
      t[o + k] = (k % 2 === 1 ? 1 : -1) * h * phi / fact;
      const next = z0 * h - (k - 1) * hPrev;
      hPrev = h;
      h = next;
    }
  }
  return t;
}

/** Φ(z) for z ∈ [−12, 0] from the table. */
function lower(z: number): number {
  const u = (z - LO) * STEPS;
  const i = Math.round(u);
  const delta = (u - i) / STEPS, o = i * (TERMS + 1);
  let s = TABLE[o + TERMS]!;
  for (let k = TERMS - 1; k >= 1; k--) s = s * delta + TABLE[o + k]!;
  return TABLE[o]! + s * delta;
}

/**
 * Φ(z), to ≤ 1e-13 relative error (exact {@linkcode normCdf} below −12, 1 above 12).
 *
 * @example
 * ```ts
 * import { normCdfFast } from "./normal_table.ts";
 * import { normCdf } from "./normal.ts";
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * assertEquals(Math.abs(normCdfFast(-1.234) / normCdf(-1.234) - 1) < 1e-14, true);
 * ```
 * @param z The point.
 * @returns Φ(z).
 */
export function normCdfFast(z: number): number {
  if (z <= 0) return z >= LO ? lower(z) : normCdf(z);
  return z <= -LO ? 1 - lower(-z) : z === z ? 1 : NaN;
}

/**
 * ln Φ(z), to ≤ 1e-13 relative error in Φ (exact {@linkcode normLogCdf} below −12, the
 * asymptotic Mills series above 12); the upper half is ln(1 − Φ(−z)) by `log1p`, so tiny values
 * keep their digits.
 *
 * @example
 * ```ts
 * import { normLogCdfFast } from "./normal_table.ts";
 * import { normLogCdf } from "./normal.ts";
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * assertEquals(Math.abs(normLogCdfFast(4) / normLogCdf(4) - 1) < 1e-13, true);
 * ```
 * @param z The point.
 * @returns ln Φ(z).
 */
export function normLogCdfFast(z: number): number {
  if (z <= 0) return z >= LO ? Math.log(lower(z)) : normLogCdf(z);
  if (z <= -LO) return Math.log1p(-lower(-z));
  if (!(z < Infinity)) return z === Infinity ? 0 : NaN;
  const r = 1 / (z * z);
  return -normPdf(z) / z * (1 - r * (1 - r * (3 - 15 * r)));
}
