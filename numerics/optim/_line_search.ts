/**
 * Strong-Wolfe line search (Nocedal and Wright, "Numerical Optimization", 2nd ed., 2006,
 * Algorithms 3.5 and 3.6): bracketing with safeguarded cubic extrapolation, then zoom with
 * cubic or quadratic interpolation and bisection as the fallback. Internal to `lbfgs.ts`.
 *
 * @module
 */

/** Value and slope of the one-dimensional function φ(α) = f(x + α·p) at one step. */
export type Phi = (step: number) => readonly [value: number, slope: number];

/** Where the search starts: φ(0), φ′(0) < 0 and the first trial step. */
export interface WolfeStart {
  /** φ(0). */
  value: number;
  /** φ′(0); must be negative (a descent direction). */
  slope: number;
  /** First trial step, > 0. */
  step: number;
}

/** Constants of the strong-Wolfe conditions and the evaluation budget. */
export interface WolfeOptions {
  /** Sufficient-decrease constant: φ(α) ≤ φ(0) + c1·α·φ′(0). @default 1e-4 */
  c1?: number;
  /** Curvature constant: |φ′(α)| ≤ c2·|φ′(0)|. @default 0.9 */
  c2?: number;
  /** Most evaluations of φ. @default 25 */
  maxEvaluations?: number;
}

/** Outcome of a line search. */
export interface WolfeResult {
  /** Accepted step; 0 when no step with sufficient decrease was found. */
  step: number;
  /** φ(step). */
  value: number;
  /** φ′(step). */
  slope: number;
  /** Whether `step` satisfies both strong-Wolfe conditions. */
  ok: boolean;
  /** Evaluations of φ used. */
  evaluations: number;
  /** The step of the last evaluation (callers that cache φ's point compare it with `step`). */
  lastStep: number;
}

/**
 * Finds a step α > 0 with φ(α) ≤ φ(0) + c1·α·φ′(0) and |φ′(α)| ≤ c2·|φ′(0)|. A non-finite
 * φ(α) or φ′(α) makes the search backtrack toward the last good step. When the budget runs
 * out the best step with sufficient decrease found so far is returned with `ok: false`.
 *
 * @example
 * ```ts
 * import { _wolfe } from "./_line_search.ts";
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * // φ(α) = (α − 2)², φ′(0) = −4: the exact minimiser is found by interpolation.
 * const r = _wolfe((a) => [(a - 2) ** 2, 2 * (a - 2)], { value: 4, slope: -4, step: 1 });
 * assertEquals(r.ok, true);
 * assertEquals(Math.abs(r.slope) <= 0.9 * 4, true);
 * ```
 * @param phi Returns φ(α) and φ′(α).
 * @param start φ(0), φ′(0) and the first trial step.
 * @param options Wolfe constants and budget.
 * @returns The accepted step with its value and slope.
 */
export function _wolfe(phi: Phi, start: WolfeStart, options: WolfeOptions = {}): WolfeResult {
  const c1 = options.c1 ?? 1e-4;
  const c2 = options.c2 ?? 0.9;
  const budget = options.maxEvaluations ?? 25;
  const f0 = start.value, d0 = start.slope;
  let evaluations = 0;
  let lastStep = 0;
  const evaluate = (a: number): readonly [number, number] => {
    evaluations++;
    lastStep = a;
    return phi(a);
  };

  let prev = 0, fPrev = f0, dPrev = d0;
  let alpha = start.step;
  let alphaMax = Infinity;
  while (evaluations < budget) {
    const [f, d] = evaluate(alpha);
    if (!Number.isFinite(f) || !Number.isFinite(d)) {
      alphaMax = alpha;
      alpha = prev + 0.5 * (alpha - prev);
      continue;
    }
    if (f > f0 + c1 * alpha * d0 || (prev > 0 && f > fPrev)) {
      return zoom(prev, fPrev, dPrev, alpha, f, d);
    }
    if (Math.abs(d) <= -c2 * d0) {
      return { step: alpha, value: f, slope: d, ok: true, evaluations, lastStep };
    }
    if (d >= 0) return zoom(alpha, f, d, prev, fPrev, dPrev);
    // Extrapolate: the cubic's minimiser clamped to [2α, 10α] (4α when the cubic has none).
    let next = cubicMinimizer(prev, fPrev, dPrev, alpha, f, d);
    next = Number.isNaN(next) ? 4 * alpha : Math.min(Math.max(next, 2 * alpha), 10 * alpha);
    if (next >= alphaMax) next = alpha + 0.5 * (alphaMax - alpha);
    prev = alpha;
    fPrev = f;
    dPrev = d;
    alpha = next;
  }
  return best(prev, fPrev, dPrev);

  function best(a: number, f: number, d: number): WolfeResult {
    return a > 0
      ? { step: a, value: f, slope: d, ok: false, evaluations, lastStep }
      : { step: 0, value: f0, slope: d0, ok: false, evaluations, lastStep };
  }

  // Invariants: lo satisfies sufficient decrease and has the lower value of the two ends, and
  // dLo·(hi − lo) < 0, so a step satisfying the conditions lies between them. Ties in value
  // (f flat to rounding near a minimiser) count as "not higher", so the slope decides.
  function zoom(
    lo: number,
    fLo: number,
    dLo: number,
    hi: number,
    fHi: number,
    dHi: number,
  ): WolfeResult {
    while (evaluations < budget) {
      const width = hi - lo;
      if (Math.abs(width) <= 1e-16 * Math.max(1, Math.abs(lo))) break;
      const left = Math.min(lo, hi), right = Math.max(lo, hi);
      const margin = 0.1 * Math.abs(width);
      let a = Number.isFinite(fHi) && Number.isFinite(dHi)
        ? cubicMinimizer(lo, fLo, dLo, hi, fHi, dHi)
        : NaN;
      if (!(a >= left + margin && a <= right - margin) && Number.isFinite(fHi)) {
        a = quadraticMinimizer(lo, fLo, dLo, hi, fHi);
      }
      if (!(a >= left + margin && a <= right - margin)) a = lo + 0.5 * width;
      const [f, d] = evaluate(a);
      if (!Number.isFinite(f) || !Number.isFinite(d)) {
        hi = a;
        fHi = Infinity;
        dHi = NaN;
        continue;
      }
      if (f > f0 + c1 * a * d0 || f > fLo) {
        hi = a;
        fHi = f;
        dHi = d;
        continue;
      }
      if (Math.abs(d) <= -c2 * d0) {
        return { step: a, value: f, slope: d, ok: true, evaluations, lastStep };
      }
      if (d * (hi - lo) >= 0) {
        hi = lo;
        fHi = fLo;
        dHi = dLo;
      }
      lo = a;
      fLo = f;
      dLo = d;
    }
    return best(lo, fLo, dLo);
  }
}

/** Minimiser of the cubic interpolating (a, fa, da) and (b, fb, db); NaN when it has none. */
function cubicMinimizer(
  a: number,
  fa: number,
  da: number,
  b: number,
  fb: number,
  db: number,
): number {
  const d1 = da + db - 3 * (fa - fb) / (a - b);
  const disc = d1 * d1 - da * db;
  if (!(disc >= 0)) return NaN;
  const d2 = Math.sign(b - a) * Math.sqrt(disc);
  const denom = db - da + 2 * d2;
  if (denom === 0) return NaN;
  return b - (b - a) * (db + d2 - d1) / denom;
}

/** Minimiser of the quadratic through (a, fa) with slope da and through (b, fb); NaN if concave. */
function quadraticMinimizer(a: number, fa: number, da: number, b: number, fb: number): number {
  const h = b - a;
  const curvature = fb - fa - da * h;
  if (!(curvature > 0)) return NaN;
  return a - da * h * h / (2 * curvature);
}
