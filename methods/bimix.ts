/**
 * `bimix` — the BiMix mixing law at a fixed training step (Ge, Ma, Chen, Li, Ding; 2024;
 * arXiv:2405.14908, methods.md §10) in the form Olmix ports it (`BimixRegressor`, methods.md
 * §15): `ŷ(r) = Σ_i F_i · r_i^(−α_i)` with F, α ≥ 0, r clipped to ≥ 1e-12, initial F = mean(y)/m
 * and α = 1, fitted by least squares. The proposer is mixbench's own: the exact minimiser of the
 * fitted law on the simplex. The law is separable and convex, so the minimiser is exact:
 * r_i = (α_i F_i / λ)^(1/(1+α_i)) with λ found by bisection so that Σ r = 1 (domains with
 * α_i F_i = 0 get 0).
 *
 * Proposer provenance (methods.md §23): Olmix's own route to a BiMix proposal is its
 * `simulation` proposer (`olmix/fit/utils.py`: 10 rounds of 100 000 Dirichlet samples around a
 * moving prior, averaging the samples within 1e-3 of the best prediction), not an exact
 * minimiser, and the BiMix paper states only the Lagrange condition. The exact minimiser is a
 * different proposer, no worse than the simulation route on the cases the audit measured. The
 * simulation route is not offered: 10⁶ Dirichlet draws and law evaluations per proposal (per
 * checkpoint, per seed) cost seconds each here, for a proposal that approximates this one.
 *
 * The step-dependent form `(A_i / r_i^α_i)·(B_i / s^β_i + C_i)` needs runs at several steps; no
 * shipped table has them, so it is not offered.
 *
 * Departures: Olmix fits with scipy's bounded trust-region least squares (max_nfev 50 000);
 * here F and α are softplus-parameterised and fitted with L-BFGS (≤ 2000 iterations) on the same
 * squared error. Maximised objectives bounded above are fitted as `upper − y`. In pool mode the
 * recommendation is the target-pool member nearest (L1) to the proposal. Version 2: on a task
 * with a feasible set (`ctx.feasible`, the surrogate tasks' trust regions) the method optimises
 * within the task's feasible set — the swarm is drawn inside it, the law is minimised exactly
 * under its box, and a minimiser farther than its radius from every table run is replaced by the
 * best-predicted point where a segment from a table run toward it leaves the set
 * (methods/_swarm.ts `feasiblePick`; the law is convex, so that is the best of each segment).
 *
 * @module
 */

import { lbfgs } from "../numerics/optim/lbfgs.ts";
import type { MethodFactory } from "../core/method.ts";
import type { Mixture } from "../core/types.ts";
import { swarmMethod, type SwarmOptions } from "./_swarm.ts";

const FLOOR = 1e-12;

/** Fitted BiMix parameters. */
export interface BimixLaw {
  readonly F: readonly number[];
  readonly alpha: readonly number[];
}

/** Predicts Σ F_i max(r_i, 1e-12)^(−α_i). */
export function predictBimix(law: BimixLaw, r: Mixture): number {
  let s = 0;
  for (let i = 0; i < r.length; i++) {
    s += law.F[i]! * Math.exp(-law.alpha[i]! * Math.log(Math.max(r[i]!, FLOOR)));
  }
  return s;
}

/**
 * Fits the law by least squares.
 *
 * @example
 * ```ts
 * import { fitBimix, predictBimix } from "./bimix.ts";
 * import { ok } from "node:assert/strict";
 * const xs = [[0.5, 0.5], [0.2, 0.8], [0.8, 0.2], [0.35, 0.65], [0.65, 0.35]];
 * const ys = xs.map(([a, b]) => 1 * a! ** -0.5 + 2 * b! ** -0.3);
 * const law = fitBimix(xs, ys);
 * ok(Math.abs(predictBimix(law, [0.4, 0.6]) - (0.4 ** -0.5 + 2 * 0.6 ** -0.3)) < 1e-3);
 * ```
 * @param xs Mixtures.
 * @param ys Loss-like values.
 * @returns The fitted law.
 */
export function fitBimix(xs: readonly Mixture[], ys: readonly number[]): BimixLaw {
  const n = xs.length, m = xs[0]!.length;
  const cols = distinctLogs(xs, m);
  const mean = ys.reduce((a, b) => a + b, 0) / n;
  const theta0 = new Float64Array(2 * m);
  theta0.fill(softplusInv(Math.max(mean / m, 1e-8)), 0, m);
  theta0.fill(softplusInv(1), m);
  const F = new Float64Array(m), A = new Float64Array(m);
  const sF = new Float64Array(m), sA = new Float64Array(m);
  // r_i^(−α_i) = exp(−α_i·log r_i) once per distinct (domain, value): swarm mixtures repeat
  // values (zeros, floored at 1e-12, above all), and equal arguments give equal exponentials.
  const powers = new Float64Array(cols.values.length);
  const r = lbfgs(
    (th, g) => {
      g.fill(0);
      for (let i = 0; i < m; i++) {
        F[i] = softplus(th[i]!);
        A[i] = softplus(th[m + i]!);
        sF[i] = sigmoid(th[i]!);
        sA[i] = sigmoid(th[m + i]!);
      }
      for (let i = 0; i < m; i++) {
        const ai = A[i]!;
        for (let u = cols.start[i]!; u < cols.start[i + 1]!; u++) {
          powers[u] = Math.exp(-ai * cols.values[u]!);
        }
      }
      let loss = 0;
      for (let k = 0, row = 0; k < n; k++, row += m) {
        let pred = 0;
        for (let i = 0; i < m; i++) pred += F[i]! * powers[cols.index[row + i]!]!;
        const res = pred - ys[k]!;
        loss += 0.5 * res * res;
        for (let i = 0; i < m; i++) {
          const u = cols.index[row + i]!, term = powers[u]!;
          g[i]! += res * term * sF[i]!;
          g[m + i]! -= res * F[i]! * term * cols.values[u]! * sA[i]!;
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

/**
 * The distinct values of log(max(r_i, 1e-12)) per domain: domain i's are
 * `values[start[i]..start[i + 1])`, and run k's entry i is `values[index[k·m + i]]`.
 */
function distinctLogs(
  xs: readonly Mixture[],
  m: number,
): { values: Float64Array; start: Uint32Array; index: Uint32Array } {
  const n = xs.length;
  const values: number[] = [];
  const start = new Uint32Array(m + 1);
  const index = new Uint32Array(n * m);
  for (let i = 0; i < m; i++) {
    start[i] = values.length;
    const seen = new Map<number, number>();
    for (let k = 0; k < n; k++) {
      const v = Math.log(Math.max(xs[k]![i]!, FLOOR));
      let u = seen.get(v);
      if (u === undefined) {
        u = values.length;
        seen.set(v, u);
        values.push(v);
      }
      index[k * m + i] = u;
    }
  }
  start[m] = values.length;
  return { values: Float64Array.from(values), start, index };
}

/**
 * Minimises a fitted BiMix law on the simplex (exact, by bisection on the Lagrange multiplier),
 * optionally under per-domain upper bounds: the law is separable and convex, so the KKT point is
 * r_i = min(u_i, (α_i F_i / λ)^(1/(1+α_i))) with λ set so that Σ r = 1.
 *
 * @example
 * ```ts
 * import { minimizeBimix } from "./bimix.ts";
 * import { ok } from "node:assert/strict";
 * const law = { F: [1, 1, 1], alpha: [1, 1, 1] };
 * ok(minimizeBimix(law, [1 / 3, 1 / 3, 1 / 3]).every((x) => Math.abs(x - 1 / 3) < 1e-9));
 * const r = minimizeBimix({ F: [4, 1, 1], alpha: [1, 1, 1] }, [1 / 3, 1 / 3, 1 / 3], [0.4, 1, 1]);
 * ok(Math.abs(r[0]! - 0.4) < 1e-9 && Math.abs(r[1]! - 0.3) < 1e-9);
 * ```
 * @param law The fitted law.
 * @param prior Returned when no domain has α_i F_i > 0.
 * @param upper Per-domain upper bounds (summing to at least 1). @default {none}
 * @returns The minimising mixture.
 */
export function minimizeBimix(
  law: BimixLaw,
  prior: Mixture,
  upper?: readonly number[],
): number[] {
  const c = law.F.map((F, i) => F * law.alpha[i]!);
  if (!c.some((x) => x > 0)) return [...prior];
  const free = (logLambda: number) =>
    c.map((ci, i) => ci > 0 ? Math.exp((Math.log(ci) - logLambda) / (1 + law.alpha[i]!)) : 0);
  const at = upper
    ? (logLambda: number) => free(logLambda).map((x, i) => Math.min(x, upper[i]!))
    : free;
  const sum = (l: number) => at(l).reduce((a, b) => a + b, 0);
  let lo = -700, hi = 700;
  for (let it = 0; it < 200; it++) {
    const mid = (lo + hi) / 2;
    if (sum(mid) > 1) lo = mid;
    else hi = mid;
  }
  const r = at((lo + hi) / 2);
  const s = r.reduce((a, b) => a + b, 0);
  return r.map((x) => x / s);
}

/**
 * Creates the BiMix method.
 *
 * @param options Swarm fidelity and batch size.
 * @returns The method factory.
 */
export function bimix(options: SwarmOptions = {}): MethodFactory {
  return swarmMethod(
    "bimix",
    "2",
    "BiMix (fixed step): Σ F_i r_i^-α_i fitted by least squares; mixbench's exact simplex minimiser as proposer",
    {
      fit(xs, ys, ctx) {
        const law = fitBimix(xs, ys);
        return {
          predict: (ms) => Float64Array.from(ms, (r) => predictBimix(law, r)),
          // Continuous tasks with a trust region: minimised under its box (then kept within its
          // radius by the swarm's feasible pick).
          propose: () => minimizeBimix(law, ctx.prior, ctx.feasible?.[ctx.targetFidelity]?.upper),
        };
      },
    },
    options,
  );
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
