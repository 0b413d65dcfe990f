/**
 * The exact proposer as it was before the speed work of issue 11 (nested arrays, one Hessian
 * entry at a time). `kl_proposer_test.ts` checks that `klProposer` returns bit-identical
 * solutions, so the fast path cannot drift from this definition.
 *
 * @module
 */

import type { KlProposal, KlProposerOptions } from "../../methods/_kl_proposer.ts";

/** The reference solver (same arguments and result as `klProposer`). */
export function referenceKlProposer(
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
  const f = (x: readonly number[]): number => {
    let s = 0;
    for (let k = 0; k < K; k++) s += v[k]! * Math.exp(dot(t[k]!, x));
    for (let i = 0; i < m; i++) if (x[i]! > 0) s += lambda * x[i]! * Math.log(x[i]! / prior[i]!);
    return s;
  };
  const gradient = (x: readonly number[], e: number[]): number[] => {
    for (let k = 0; k < K; k++) e[k] = v[k]! * Math.exp(dot(t[k]!, x));
    return x.map((xi, i) => {
      let g = lambda * (Math.log(xi / prior[i]!) + 1);
      for (let k = 0; k < K; k++) g += e[k]! * t[k]![i]!;
      return g;
    });
  };
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
    const H = new Float64Array(n * n);
    for (let a = 0; a < n; a++) {
      const i = F[a]!;
      for (let b = 0; b <= a; b++) {
        const j = F[b]!;
        let h = 0;
        for (let k = 0; k < K; k++) h += e[k]! * t[k]![i]! * t[k]![j]!;
        H[a * n + b] = h;
        H[b * n + a] = h;
      }
      H[a * n + a]! += lambda / x[i]!;
    }
    const L = cholesky(H, n);
    const hg = solve(L, n, F.map((i) => g[i]!));
    const h1 = solve(L, n, F.map(() => 1));
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
function klProjectCapped(p: readonly number[], u: readonly number[]): number[] {
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

function dot(a: readonly number[], b: readonly number[]): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
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

function solve(L: Float64Array, n: number, b: readonly number[]): number[] {
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
