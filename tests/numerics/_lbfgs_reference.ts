/**
 * `lbfgsSession` as it was before the speed work of issue 11 (separate dot/axpy passes), frozen
 * so that `lbfgs_test.ts` can check that the fused passes of numerics/optim/lbfgs.ts take
 * bit-identical steps, and so that tests/methods/_exp_law_reference.ts stays the reference.
 *
 * @module
 */

import { _wolfe } from "../../numerics/optim/_line_search.ts";
import type { LbfgsOptions, LbfgsResult, LbfgsSession } from "../../numerics/optim/lbfgs.ts";

/** The reference session (same contract as `lbfgsSession`). */
export function referenceLbfgsSession(
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

        // Two-loop recursion: p = −H·g.
        for (let i = 0; i < n; i++) p[i] = -g[i]!;
        for (let k = 0, j = newest; k < stored; k++, j = (j - 1 + m) % m) {
          const a = rho[j]! * dot(S[j]!, p);
          alphas[j] = a;
          axpy(-a, Y[j]!, p);
        }
        let step = 1;
        if (stored > 0) {
          const yNew = Y[newest]!;
          const gamma = dot(S[newest]!, yNew) / dot(yNew, yNew);
          for (let i = 0; i < n; i++) p[i]! *= gamma;
          for (let k = 0, j = (newest - stored + 1 + m) % m; k < stored; k++, j = (j + 1) % m) {
            const b = rho[j]! * dot(Y[j]!, p);
            axpy(alphas[j]! - b, S[j]!, p);
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
        for (let i = 0; i < n; i++) {
          s[i] = xt[i]! - x[i]!;
          y[i] = gt[i]! - g[i]!;
        }
        const sy = dot(s, y);
        if (sy > 1e-10 * Math.sqrt(dot(s, s) * dot(y, y))) {
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

function normInf(a: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) {
    const v = Math.abs(a[i]!);
    if (Number.isNaN(v)) return NaN;
    if (v > s) s = v;
  }
  return s;
}
