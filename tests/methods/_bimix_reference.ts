/**
 * The BiMix fit as it was before the speed work of issue 11 (one exponential per run and domain
 * at every evaluation). `bimix_test.ts` checks that `fitBimix` returns bit-identical laws, so the
 * fast path cannot drift from this definition.
 *
 * @module
 */

import { lbfgs } from "../../numerics/optim/lbfgs.ts";
import type { Mixture } from "../../core/types.ts";
import type { BimixLaw } from "../../methods/bimix.ts";

const FLOOR = 1e-12;

/** The reference fit (same arguments and result as `fitBimix`). */
export function referenceFitBimix(xs: readonly Mixture[], ys: readonly number[]): BimixLaw {
  const n = xs.length, m = xs[0]!.length;
  const logr = xs.map((r) => Float64Array.from(r, (x) => Math.log(Math.max(x, FLOOR))));
  const mean = ys.reduce((a, b) => a + b, 0) / n;
  const theta0 = new Float64Array(2 * m);
  theta0.fill(softplusInv(Math.max(mean / m, 1e-8)), 0, m);
  theta0.fill(softplusInv(1), m);
  const F = new Float64Array(m), A = new Float64Array(m);
  const sF = new Float64Array(m), sA = new Float64Array(m), terms = new Float64Array(m);
  const r = lbfgs(
    (th, g) => {
      g.fill(0);
      for (let i = 0; i < m; i++) {
        F[i] = softplus(th[i]!);
        A[i] = softplus(th[m + i]!);
        sF[i] = sigmoid(th[i]!);
        sA[i] = sigmoid(th[m + i]!);
      }
      let loss = 0;
      for (let k = 0; k < n; k++) {
        const lr = logr[k]!;
        let pred = 0;
        for (let i = 0; i < m; i++) {
          terms[i] = Math.exp(-A[i]! * lr[i]!);
          pred += F[i]! * terms[i]!;
        }
        const res = pred - ys[k]!;
        loss += 0.5 * res * res;
        for (let i = 0; i < m; i++) {
          g[i]! += res * terms[i]! * sF[i]!;
          g[m + i]! -= res * F[i]! * terms[i]! * lr[i]! * sA[i]!;
        }
      }
      return loss;
    },
    theta0,
    { maxIterations: 2000, gradientTolerance: 1e-10, functionTolerance: 1e-14 },
  );
  return {
    F: Array.from(r.x.subarray(0, m), softplus),
    alpha: Array.from(r.x.subarray(m), softplus),
  };
}

function softplus(x: number): number {
  return x > 30 ? x : Math.log1p(Math.exp(x));
}

function softplusInv(y: number): number {
  return y > 30 ? y : Math.log(Math.expm1(y));
}

function sigmoid(x: number): number {
  return 1 / (1 + Math.exp(-x));
}
