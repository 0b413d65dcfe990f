/**
 * Brent's root finder (R. P. Brent, "Algorithms for Minimization without Derivatives", 1973,
 * chapter 4): inverse quadratic interpolation and secant steps, safeguarded by bisection, on a
 * bracket where the function changes sign. Used by the max-value sampler of ADMIRE-BayesOpt's
 * MF-MES (methods.md §2, step 1) and by {@link normQuantile}.
 *
 * @module
 */

/** Options of {@linkcode brent}. */
export interface BrentOptions {
  /** Absolute tolerance on the root. @default {1e-12} */
  xTolerance?: number;
  /** Most function evaluations after the two at the ends. @default {200} */
  maxIterations?: number;
}

/**
 * Finds x in [a, b] with f(x) = 0, given f(a) and f(b) of opposite signs (or one of them 0).
 * Converges superlinearly on smooth functions and never worse than bisection; stops when the
 * bracket is narrower than `2·(2ε|x| + xTolerance/2)`.
 *
 * @example
 * ```ts
 * import { brent } from "./brent.ts";
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * const r = brent((x) => x * x - 2, [0, 2]);
 * assertEquals(Math.abs(r - Math.SQRT2) < 1e-12, true);
 * ```
 * @param f The function.
 * @param bracket The ends [a, b].
 * @param options Tolerance and evaluation budget.
 * @returns The root estimate.
 * @throws {RangeError} When f(a) and f(b) have the same sign, or a value is not finite.
 */
export function brent(
  f: (x: number) => number,
  bracket: readonly [number, number],
  options: BrentOptions = {},
): number {
  const xtol = options.xTolerance ?? 1e-12;
  const maxIterations = options.maxIterations ?? 200;
  let [a, b] = bracket;
  let fa = f(a), fb = f(b);
  if (Number.isNaN(fa) || Number.isNaN(fb)) {
    throw new RangeError(`Cannot find a root on ["${a}", "${b}"]: f is NaN at an end`);
  }
  if (fa === 0) return a;
  if (fb === 0) return b;
  if ((fa > 0) === (fb > 0)) {
    throw new RangeError(
      `Cannot find a root on ["${a}", "${b}"]: f has the same sign at both ends ("${fa}", "${fb}")`,
    );
  }
  // b is the best estimate, a the previous one, c the end that keeps the sign change.
  let c = a, fc = fa;
  let step = b - a, prevStep = step;
  for (let it = 0; it < maxIterations; it++) {
    if ((fb > 0) === (fc > 0)) {
      c = a;
      fc = fa;
      step = prevStep = b - a;
    }
    if (Math.abs(fc) < Math.abs(fb)) {
      a = b;
      b = c;
      c = a;
      fa = fb;
      fb = fc;
      fc = fa;
    }
    const tol = 2 * Number.EPSILON * Math.abs(b) + 0.5 * xtol;
    const half = 0.5 * (c - b);
    if (Math.abs(half) <= tol || fb === 0) return b;
    if (Math.abs(prevStep) >= tol && Math.abs(fa) > Math.abs(fb)) {
      // Interpolate: secant when only two distinct points, inverse quadratic otherwise.
      const s = fb / fa;
      let p: number, q: number;
      if (a === c) {
        p = 2 * half * s;
        q = 1 - s;
      } else {
        const qa = fa / fc, r = fb / fc;
        p = s * (2 * half * qa * (qa - r) - (b - a) * (r - 1));
        q = (qa - 1) * (r - 1) * (s - 1);
      }
      if (p > 0) q = -q;
      else p = -p;
      if (2 * p < Math.min(3 * half * q - Math.abs(tol * q), Math.abs(prevStep * q))) {
        prevStep = step;
        step = p / q;
      } else {
        step = prevStep = half;
      }
    } else {
      step = prevStep = half;
    }
    a = b;
    fa = fb;
    b += Math.abs(step) > tol ? step : (half > 0 ? tol : -tol);
    fb = f(b);
    if (Number.isNaN(fb)) throw new RangeError(`Cannot find a root: f("${b}") is NaN`);
  }
  return b;
}
