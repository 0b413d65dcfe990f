/**
 * Limited-memory BFGS minimisation with a strong-Wolfe line search (Nocedal and Wright,
 * "Numerical Optimization", 2nd ed., 2006: Algorithm 7.4 for the two-loop recursion,
 * Algorithms 3.5 and 3.6 for the line search), used by the fitted laws (Data Mixing Laws,
 * Olmix log-linear regressors).
 *
 * @module
 */

import { _wolfe } from "./_line_search.ts";

/** Options of {@link lbfgs}. */
export interface LbfgsOptions {
  /** Most iterations (accepted line-search steps). @default 200 */
  maxIterations?: number;
  /** Number of (s, y) pairs kept. @default 10 */
  memory?: number;
  /** Stop when ‖g‖∞ ≤ this. @default 1e-6 */
  gradientTolerance?: number;
  /**
   * Stop when the relative decrease of f over an iteration,
   * (f_k − f_{k+1}) / max(|f_k|, |f_{k+1}|), is ≤ this. @default 1e-10
   */
  functionTolerance?: number;
  /** Sufficient-decrease constant of the strong-Wolfe conditions. @default 1e-4 */
  c1?: number;
  /** Curvature constant of the strong-Wolfe conditions. @default 0.9 */
  c2?: number;
  /** Most evaluations of f per line search. @default 25 */
  maxLineSearch?: number;
}

/** Outcome of {@link lbfgs}. */
export interface LbfgsResult {
  /** The last accepted point. */
  x: Float64Array;
  /** f(x). */
  value: number;
  /** ∇f(x). */
  gradient: Float64Array;
  /** Accepted steps taken. */
  iterations: number;
  /** Calls of `fg`, the one at x0 included. */
  evaluations: number;
  /** Whether the gradient or function tolerance was met. */
  converged: boolean;
  /** Why the iteration stopped. */
  message: string;
}

/**
 * Minimises a smooth function with L-BFGS. The first direction is −g with step 1/‖g‖₂;
 * later steps start at 1 with the initial inverse Hessian γI, γ = sᵀy/yᵀy of the newest pair.
 * A pair is skipped when sᵀy ≤ 1e-10·‖s‖·‖y‖. When a line search finds no step the memory is
 * cleared and steepest descent is tried once before giving up; this is also how the iteration
 * ends when f can no longer resolve decreases (‖g‖ near √(ε·|f|·‖H‖)), so very small
 * `gradientTolerance` values may end with `converged: false`. A non-finite f(x0) or ∇f(x0)
 * returns at once with `converged: false`.
 *
 * @example
 * ```ts
 * import { lbfgs } from "./lbfgs.ts";
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * // f(x) = (x0 − 1)² + 10·(x1 + 2)²
 * const r = lbfgs((x, g) => {
 *   g[0] = 2 * (x[0]! - 1);
 *   g[1] = 20 * (x[1]! + 2);
 *   return (x[0]! - 1) ** 2 + 10 * (x[1]! + 2) ** 2;
 * }, [0, 0]);
 * assertEquals(r.converged, true);
 * assertEquals([Math.round(r.x[0]! * 1e6) / 1e6, Math.round(r.x[1]! * 1e6) / 1e6], [1, -2]);
 * ```
 * @param fg Writes ∇f(x) into `grad` and returns f(x); must not keep `x` or `grad`.
 * @param x0 Starting point.
 * @param options Tolerances, memory and line-search constants.
 * @returns The final point, its value and gradient, and counters.
 */
export function lbfgs(
  fg: (x: Float64Array, grad: Float64Array) => number,
  x0: ArrayLike<number>,
  options: LbfgsOptions = {},
): LbfgsResult {
  return lbfgsSession(fg, x0, options).run(options.maxIterations ?? 200);
}

/** An L-BFGS iteration that can be continued: its point, memory and counters persist. */
export interface LbfgsSession {
  /**
   * Takes at most `maxIterations` more accepted steps from the current point, keeping the
   * (s, y) memory of earlier calls (as PyTorch's `LBFGS.step` does across calls). `iterations`
   * and `evaluations` of the result count from the start of the session.
   */
  run(maxIterations: number): LbfgsResult;
}

/**
 * Starts an L-BFGS iteration that is run in chunks with {@linkcode LbfgsSession.run}, the
 * memory kept between chunks; `lbfgs(fg, x0, o)` is `lbfgsSession(fg, x0, o).run(o.maxIterations)`.
 * f(x0) is evaluated here. Chunks take the same steps as one long run with the same total
 * iterations, except that a chunk ended by the function tolerance (or a failed line search) is
 * followed by another attempt from the same point and memory in the next chunk.
 *
 * @example
 * ```ts
 * import { lbfgs, lbfgsSession } from "./lbfgs.ts";
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * const fg = (x: Float64Array, g: Float64Array) => {
 *   g[0] = 4 * x[0]! ** 3 + 2 * (x[0]! - x[1]!);
 *   g[1] = 2 * (x[1]! - x[0]!) + 6 * x[1]!;
 *   return x[0]! ** 4 + (x[0]! - x[1]!) ** 2 + 3 * x[1]! ** 2;
 * };
 * const s = lbfgsSession(fg, [2, -1], { functionTolerance: 0 });
 * for (let k = 0; k < 3; k++) s.run(2);
 * const whole = lbfgs(fg, [2, -1], { functionTolerance: 0, maxIterations: 6 });
 * assertEquals(s.run(0).x, whole.x);
 * ```
 * @param fg Writes ∇f(x) into `grad` and returns f(x); must not keep `x` or `grad`.
 * @param x0 Starting point.
 * @param options Tolerances, memory and line-search constants (`maxIterations` is ignored).
 * @returns The session.
 */
export function lbfgsSession(
  fg: (x: Float64Array, grad: Float64Array) => number,
  x0: ArrayLike<number>,
  options: LbfgsOptions = {},
): LbfgsSession {
  const m = options.memory ?? 10;
  const gtol = options.gradientTolerance ?? 1e-6;
  const ftol = options.functionTolerance ?? 1e-10;
  if (!Number.isInteger(m) || m < 1) {
    throw new RangeError(`Cannot run L-BFGS with memory "${m}": expected a positive integer`);
  }
  const wolfe = {
    c1: options.c1 ?? 1e-4,
    c2: options.c2 ?? 0.9,
    maxEvaluations: options.maxLineSearch ?? 25,
  };
  if (!(0 < wolfe.c1 && wolfe.c1 < wolfe.c2 && wolfe.c2 < 1)) {
    throw new RangeError(
      `Cannot run L-BFGS with c1 "${wolfe.c1}" and c2 "${wolfe.c2}": expected 0 < c1 < c2 < 1`,
    );
  }

  const n = x0.length;
  let x = Float64Array.from(x0);
  let g = new Float64Array(n);
  let xt = new Float64Array(n);
  let gt = new Float64Array(n);
  const p = new Float64Array(n);
  const S = Array.from({ length: m }, () => new Float64Array(n));
  const Y = Array.from({ length: m }, () => new Float64Array(n));
  const rho = new Float64Array(m);
  const alphas = new Float64Array(m);
  let stored = 0, newest = -1;

  let evaluations = 1;
  let f = fg(x, g);
  let iterations = 0;
  const done = (converged: boolean, message: string): LbfgsResult => ({
    x: x.slice(),
    value: f,
    gradient: g.slice(),
    iterations,
    evaluations,
    converged,
    message,
  });
  const bad = !Number.isFinite(f)
    ? `f(x0) is not finite ("${f}")`
    : !Number.isFinite(normInf(g))
    ? "∇f(x0) is not finite"
    : "";

  return {
    run(maxIterations: number): LbfgsResult {
      if (bad) return done(false, bad);
      const cap = iterations + maxIterations;
      let steepestRetry = false;
      while (true) {
        if (normInf(g) <= gtol) return done(true, "Gradient tolerance reached");
        if (iterations >= cap) return done(false, "Maximum iterations reached");

        // Two-loop recursion: p = −H·g. Each update of p is fused with the next dot product
        // over the updated p (the same operations in the same order as separate passes).
        for (let i = 0; i < n; i++) p[i] = -g[i]!;
        let step = 1;
        if (stored > 0) {
          let j = newest;
          let d = dot(S[j]!, p);
          for (let k = 0; k < stored; k++) {
            const a = rho[j]! * d;
            alphas[j] = a;
            const next = (j - 1 + m) % m;
            d = k + 1 < stored ? axpyDot(-a, Y[j]!, p, S[next]!) : (axpy(-a, Y[j]!, p), 0);
            j = next;
          }
          const sNew = S[newest]!, yNew = Y[newest]!;
          let sy = 0, yy = 0;
          for (let i = 0; i < n; i++) {
            sy += sNew[i]! * yNew[i]!;
            yy += yNew[i]! * yNew[i]!;
          }
          const gamma = sy / yy;
          j = (newest - stored + 1 + m) % m;
          d = 0;
          const yFirst = Y[j]!;
          for (let i = 0; i < n; i++) {
            p[i]! *= gamma;
            d += yFirst[i]! * p[i]!;
          }
          for (let k = 0; k < stored; k++) {
            const b = rho[j]! * d;
            const next = (j + 1) % m;
            d = k + 1 < stored
              ? axpyDot(alphas[j]! - b, S[j]!, p, Y[next]!)
              : (axpy(alphas[j]! - b, S[j]!, p), 0);
            j = next;
          }
        } else {
          step = 1 / Math.sqrt(dot(g, g));
        }
        let slope = dot(g, p);
        if (!(slope < 0)) {
          // Not a descent direction (rounding in H): restart from steepest descent.
          for (let i = 0; i < n; i++) p[i] = -g[i]!;
          slope = dot(g, p);
          step = 1 / Math.sqrt(-slope);
          stored = 0;
        }

        const xc = x, pc = p, xtc = xt, gtc = gt;
        const ls = _wolfe(
          (a) => {
            for (let i = 0; i < n; i++) xtc[i] = xc[i]! + a * pc[i]!;
            const v = fg(xtc, gtc);
            return [v, dot(gtc, pc)];
          },
          { value: f, slope, step },
          wolfe,
        );
        evaluations += ls.evaluations;

        if (ls.step === 0) {
          if (stored === 0 || steepestRetry) {
            return done(
              false,
              "Line search found no step with sufficient decrease (f may be at the limit of its precision)",
            );
          }
          stored = 0;
          steepestRetry = true;
          continue;
        }
        steepestRetry = false;
        if (ls.lastStep !== ls.step) {
          for (let i = 0; i < n; i++) xt[i] = x[i]! + ls.step * p[i]!;
          fg(xt, gt);
          evaluations++;
        }

        // Memory update with s = x⁺ − x, y = g⁺ − g.
        const slot = (newest + 1) % m;
        const s = S[slot]!, y = Y[slot]!;
        let sy = 0, ss = 0, yy = 0;
        for (let i = 0; i < n; i++) {
          const si = xt[i]! - x[i]!, yi = gt[i]! - g[i]!;
          s[i] = si;
          y[i] = yi;
          sy += si * yi;
          ss += si * si;
          yy += yi * yi;
        }
        if (sy > 1e-10 * Math.sqrt(ss * yy)) {
          rho[slot] = 1 / sy;
          newest = slot;
          stored = Math.min(stored + 1, m);
        }

        const fOld = f;
        [x, xt] = [xt, x];
        [g, gt] = [gt, g];
        f = ls.value;
        iterations++;
        const scale = Math.max(Math.abs(fOld), Math.abs(f));
        if (fOld - f <= ftol * scale) {
          if (normInf(g) <= gtol) return done(true, "Gradient tolerance reached");
          return done(true, "Function tolerance reached");
        }
      }
    },
  };
}

function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}

function axpy(a: number, x: Float64Array, y: Float64Array): void {
  for (let i = 0; i < x.length; i++) y[i]! += a * x[i]!;
}

/** y += a·x, returning Σ z_i·y_i over the updated y (one pass for an axpy and a dot). */
function axpyDot(a: number, x: Float64Array, y: Float64Array, z: Float64Array): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) {
    y[i]! += a * x[i]!;
    s += z[i]! * y[i]!;
  }
  return s;
}

function normInf(a: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) {
    const v = Math.abs(a[i]!);
    if (Number.isNaN(v)) return NaN;
    if (v > s) s = v;
  }
  return s;
}
