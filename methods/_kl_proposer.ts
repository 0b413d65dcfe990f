/**
 * Olmix's exact proposer (Chen et al., 2026, arXiv:2602.12237; methods.md §15): the mixture
 * minimising `Σ_k v_k·exp(t_kᵀx) + λ·KL(x ‖ q)` over the capped simplex
 * `{x ≥ 0, Σx = 1, x ≤ u}`. The problem is strictly convex (λ > 0); the reference solves it with
 * CVXPY/ECOS. Here: an active-set Newton method on the KKT system — on the free coordinates a
 * Newton step with the equality constraint (Hessian `Σ v_k e_k t_k t_kᵀ + λ·diag(1/x)`),
 * backtracking that keeps x > 0 and moves coordinates that reach their cap to the capped set,
 * which is released again when its KKT multiplier has the wrong sign.
 *
 * @module
 */

/** Options of {@linkcode klProposer}. */
export interface KlProposerOptions {
  /** Objective weights v_k. @default {uniform, 1/K} */
  weights?: readonly number[];
  /** Regularisation λ. @default {0.1} (Olmix's example configs) */
  lambda?: number;
  /** Upper bounds u (repetition caps). @default {no caps} */
  caps?: readonly number[];
  /** Stop when the KKT residual is below this. @default {1e-10} */
  tolerance?: number;
  /** Most Newton iterations. @default {200} */
  maxIterations?: number;
}

/** The proposer's solution. */
export interface KlProposal {
  /** The mixture. */
  readonly x: number[];
  /** Objective value. */
  readonly value: number;
  /** Largest KKT violation at x (stationarity on free coordinates, multiplier signs on caps). */
  readonly kkt: number;
  /** Newton iterations used. */
  readonly iterations: number;
}

/**
 * Solves the exact proposer.
 *
 * @example With every t = 0 and the prior inside the caps, the answer is the prior
 * ```ts
 * import { klProposer } from "./_kl_proposer.ts";
 * import { ok } from "node:assert/strict";
 * const r = klProposer([[0, 0, 0]], [0.5, 0.3, 0.2]);
 * ok(Math.abs(r.x[0]! - 0.5) < 1e-9 && Math.abs(r.x[2]! - 0.2) < 1e-9);
 * ```
 * @param t One exponent vector per metric (K × m).
 * @param q Prior (floored at 1e-12 and renormalised, as Olmix does).
 * @param options Weights, λ, caps and stopping rule.
 * @returns The solution with its KKT residual.
 * @throws {RangeError} When the caps sum to less than 1 (infeasible).
 */
export function klProposer(
  t: readonly (readonly number[])[],
  q: readonly number[],
  options: KlProposerOptions = {},
): KlProposal {
  const m = q.length;
  const K = t.length;
  const v = options.weights ?? t.map(() => 1 / K);
  const lambda = options.lambda ?? 0.1;
  const u = options.caps ?? q.map(() => 1);
  const tol = options.tolerance ?? 1e-10;
  const maxIt = options.maxIterations ?? 200;
  if (u.reduce((a, b) => a + b, 0) < 1 - 1e-12) {
    throw new RangeError(
      `The caps sum to "${u.reduce((a, b) => a + b, 0)}": no mixture fits under them`,
    );
  }
  const qs = q.map((x) => Math.max(x, 1e-12));
  const qsum = qs.reduce((a, b) => a + b, 0);
  const prior = qs.map((x) => x / qsum);
  // t row-major (tr[k·m + i]) for the exponents, transposed (tt[i·K + k]) for the gradient and
  // the Hessian; every sum below adds the same products in the same order as over t itself.
  const tr = new Float64Array(K * m), tt = new Float64Array(m * K);
  for (let k = 0; k < K; k++) {
    const tk = t[k]!;
    for (let i = 0; i < m; i++) {
      tr[k * m + i] = tk[i]!;
      tt[i * K + k] = tk[i]!;
    }
  }
  const expDot = (k: number, x: readonly number[]): number => {
    let s = 0;
    for (let i = 0, r = k * m; i < m; i++) s += tr[r + i]! * x[i]!;
    return Math.exp(s);
  };
  const f = (x: readonly number[]): number => {
    let s = 0;
    for (let k = 0; k < K; k++) s += v[k]! * expDot(k, x);
    for (let i = 0; i < m; i++) if (x[i]! > 0) s += lambda * x[i]! * Math.log(x[i]! / prior[i]!);
    return s;
  };
  const gradient = (x: readonly number[], e: number[]): number[] => {
    for (let k = 0; k < K; k++) e[k] = v[k]! * expDot(k, x);
    return x.map((xi, i) => {
      let g = lambda * (Math.log(xi / prior[i]!) + 1);
      for (let k = 0, r = i * K; k < K; k++) g += e[k]! * tt[r + k]!;
      return g;
    });
  };
  // e_k·t_ki for the free coordinates (the first factor of each Hessian term).
  const et = new Float64Array(m * K);
  let x = klProjectCapped(prior, u);
  const capped = x.map((xi, i) => xi >= u[i]! - 1e-15);
  const e = new Array<number>(K).fill(0);
  let iterations = 0;
  let kkt = Infinity;
  for (; iterations < maxIt; iterations++) {
    const g = gradient(x, e);
    const free = x.flatMap((_, i) => capped[i] ? [] : [i]);
    // Release caps whose multiplier has the wrong sign (lowering x_i would decrease f).
    let released = false;
    for (let i = 0; i < m; i++) {
      if (capped[i] && g[i]! > nuFree(free, g) + 1e-12) {
        capped[i] = false;
        released = true;
      }
    }
    const F = x.flatMap((_, i) => capped[i] ? [] : [i]);
    if (F.length === 0) break;
    // Newton step on the free coordinates with Σ d = 0.
    const n = F.length;
    const H = hessian(F, e, tt, et, K, lambda, x);
    const L = cholesky(H, n);
    const hg = solve(L, n, Float64Array.from(F, (i) => g[i]!));
    const h1 = solve(L, n, new Float64Array(n).fill(1));
    const s1 = h1.reduce((a, b) => a + b, 0);
    const nuN = -hg.reduce((a, b) => a + b, 0) / s1;
    const d = hg.map((y, a) => -(y + nuN * h1[a]!));
    kkt = residual(x, g, capped, F, u);
    if (kkt < tol && !released) break;
    // Backtracking: stay positive, stop at caps, decrease f.
    let step = 1;
    for (let a = 0; a < n; a++) {
      const i = F[a]!;
      if (d[a]! < 0) step = Math.min(step, 0.99 * x[i]! / -d[a]!);
    }
    let capIdx = -1;
    for (let a = 0; a < n; a++) {
      const i = F[a]!;
      if (d[a]! > 0 && x[i]! + step * d[a]! > u[i]!) {
        step = (u[i]! - x[i]!) / d[a]!;
        capIdx = i;
      }
    }
    const f0 = f(x);
    let xn = x;
    for (let ls = 0; ls < 60; ls++) {
      xn = x.slice();
      F.forEach((i, a) => (xn[i] = x[i]! + step * d[a]!));
      if (capIdx >= 0 && step === (u[capIdx]! - x[capIdx]!) / d[F.indexOf(capIdx)]!) {
        xn[capIdx] = u[capIdx]!;
      }
      if (f(xn) <= f0 + 1e-16 * Math.abs(f0)) break;
      step /= 2;
      capIdx = -1;
    }
    if (capIdx >= 0 && xn[capIdx] === u[capIdx]) capped[capIdx] = true;
    const s = xn.reduce((a, b) => a + b, 0);
    x = xn.map((xi) => xi / s);
  }
  const g = gradient(x, e);
  const F = x.flatMap((_, i) => capped[i] ? [] : [i]);
  kkt = residual(x, g, capped, F, u);
  return { x, value: f(x), kkt, iterations };
}

/** Projection in KL geometry onto the capped simplex: x_i = min(u_i, c·p_i) with Σx = 1. */
export function klProjectCapped(p: readonly number[], u: readonly number[]): number[] {
  let lo = 0, hi = 1;
  const total = (c: number) => p.reduce((s, pi, i) => s + Math.min(u[i]!, c * pi), 0);
  while (total(hi) < 1) hi *= 2;
  for (let it = 0; it < 200; it++) {
    const mid = (lo + hi) / 2;
    if (total(mid) < 1) lo = mid;
    else hi = mid;
  }
  const x = p.map((pi, i) => Math.min(u[i]!, hi * pi));
  const s = x.reduce((a, b) => a + b, 0);
  return x.map((xi) => xi / s);
}

function residual(
  x: number[],
  g: number[],
  capped: boolean[],
  F: number[],
  u: readonly number[],
): number {
  const nu = nuFree(F, g);
  let r = 0;
  for (let i = 0; i < x.length; i++) {
    if (capped[i]) r = Math.max(r, Math.max(0, g[i]! - nu), Math.abs(x[i]! - u[i]!));
    else r = Math.max(r, Math.abs(g[i]! - nu));
  }
  return r;
}

function nuFree(F: readonly number[], g: readonly number[]): number {
  return F.length ? F.reduce((s, i) => s + g[i]!, 0) / F.length : -Infinity;
}

/**
 * The Newton step's Hessian on the free coordinates `F`: `Σ_k (e_k·t_ki)·t_kj + λ/x_i` on the
 * diagonal. Its own function (as the other loops of the iteration): inside `klProposer`'s loop,
 * V8's on-stack replacement left its optimised code at every exit of an inner loop, several times
 * slower.
 */
function hessian(
  F: readonly number[],
  e: readonly number[],
  tt: Float64Array,
  et: Float64Array,
  K: number,
  lambda: number,
  x: readonly number[],
): Float64Array {
  const n = F.length;
  const H = new Float64Array(n * n);
  for (let a = 0; a < n; a++) {
    for (let k = 0, r = F[a]! * K, q = a * K; k < K; k++) et[q + k] = e[k]! * tt[r + k]!;
  }
  for (let a = 0; a < n; a++) {
    hessianRow(H, a, F, et, tt, K);
    H[a * n + a]! += lambda / x[F[a]!]!;
  }
  return H;
}

/** Row a of the Hessian's first term, entries b ≤ a, mirrored (see {@linkcode hessian}). */
function hessianRow(
  H: Float64Array,
  a: number,
  F: readonly number[],
  et: Float64Array,
  tt: Float64Array,
  K: number,
): void {
  const n = F.length, q = a * K;
  // h_ab = Σ_k (e_k·t_ki)·t_kj in k order, two columns at a time (independent sums).
  let b = 0;
  for (; b + 1 <= a; b += 2) {
    const r0 = F[b]! * K, r1 = F[b + 1]! * K;
    let h0 = 0, h1 = 0;
    for (let k = 0; k < K; k++) {
      const w = et[q + k]!;
      h0 += w * tt[r0 + k]!;
      h1 += w * tt[r1 + k]!;
    }
    H[a * n + b] = h0;
    H[b * n + a] = h0;
    H[a * n + b + 1] = h1;
    H[(b + 1) * n + a] = h1;
  }
  if (b === a) {
    const r0 = F[b]! * K;
    let h0 = 0;
    for (let k = 0; k < K; k++) h0 += et[q + k]! * tt[r0 + k]!;
    H[a * n + b] = h0;
  }
}

function cholesky(A: Float64Array, n: number): Float64Array {
  const L = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let s = A[i * n + j]!;
      for (let k = 0; k < j; k++) s -= L[i * n + k]! * L[j * n + k]!;
      L[i * n + j] = i === j ? Math.sqrt(Math.max(s, 1e-300)) : s / L[j * n + j]!;
    }
  }
  return L;
}

function solve(L: Float64Array, n: number, b: Float64Array): Float64Array {
  const y = b.slice();
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < i; k++) y[i]! -= L[i * n + k]! * y[k]!;
    y[i]! /= L[i * n + i]!;
  }
  for (let i = n - 1; i >= 0; i--) {
    for (let k = i + 1; k < n; k++) y[i]! -= L[k * n + i]! * y[k]!;
    y[i]! /= L[i * n + i]!;
  }
  return y;
}
