/**
 * The exponential-law fit as it was before the speed work of issue 11 (a straight transcription:
 * one objective-and-gradient closure over all runs, every start evaluated with it, the generic
 * `lbfgsSession`). `exp_law_test.ts` checks that `fitExpLaw` returns bit-identical laws, so the
 * fast path cannot drift from this definition.
 *
 * @module
 */

import { huber } from "../../numerics/stats/huber.ts";
import { referenceLbfgsSession as lbfgsSession } from "../numerics/_lbfgs_reference.ts";
import type { Rng } from "../../numerics/rng.ts";
import type { Mixture } from "../../core/types.ts";
import { type ExpLaw, type ExpLawOptions, linspace } from "../../methods/_exp_law.ts";

/** The reference fit (same options and result as `fitExpLaw`). */
export function referenceFitExpLaw(
  xs: readonly Mixture[],
  ys: readonly number[],
  rng: Rng,
  options: ExpLawOptions = {},
): ExpLaw {
  const withB = options.withB ?? true;
  const delta = options.delta ?? 0.05;
  const aGrid = options.aGrid ?? linspace(-2, 1.5, 10);
  const bGrid = withB ? options.bGrid ?? linspace(-10, 1, 20) : [0];
  const tStarts = options.tStarts ?? 30;
  const own = options.own ?? -1;
  const steps = options.steps ?? 50;
  const perStep = options.iterationsPerStep ?? 20;
  const refine = options.refine ?? 8;
  const n = xs.length;
  const m = xs[0]!.length;
  const p = m + 2;
  const x = new Float64Array(n * m);
  xs.forEach((r, i) => x.set(r, i * m));
  const y = Float64Array.from(ys);
  if (!(delta > 0 && delta < Infinity)) huber(0, delta);
  const fg = (theta: Float64Array, grad: Float64Array): number => {
    grad.fill(0);
    const a = theta[0]!, b = withB ? theta[1]! : 0;
    const ea = Math.exp(a);
    let loss = 0, g0 = 0, g1 = 0;
    for (let i = 0, row = 0; i < n; i++, row += m) {
      let z = b;
      for (let j = 0; j < m; j++) z += theta[2 + j]! * x[row + j]!;
      const ez = Math.exp(z);
      const res = ea + ez - y[i]!;
      const abs = Math.abs(res);
      loss += abs <= delta ? 0.5 * res * res : delta * (abs - 0.5 * delta);
      const g = res > delta ? delta : res < -delta ? -delta : res;
      g0 += g * ea;
      g1 += g * ez;
      const gez = g * ez;
      for (let j = 0; j < m; j++) grad[2 + j]! += gez * x[row + j]!;
    }
    grad[0] = g0;
    if (withB) grad[1] = g1;
    return loss;
  };
  const starts: Float64Array[] = [];
  for (const a of aGrid) {
    for (const b of bGrid) {
      for (let s = 0; s < tStarts; s++) {
        const theta = new Float64Array(p);
        theta[0] = a;
        theta[1] = b;
        for (let j = 0; j < m; j++) theta[2 + j] = j === own ? -rng.next() : 0.1 * rng.next();
        starts.push(theta);
      }
    }
  }
  const scratch = new Float64Array(p);
  const screened = starts.map((theta) => ({ theta, loss: fg(theta, scratch) }))
    .filter((s) => Number.isFinite(s.loss))
    .sort((u, v) => u.loss - v.loss)
    .slice(0, refine);
  const restart = options.restartEachStep ?? false;
  let best: ExpLaw | undefined;
  for (const { theta } of screened) {
    let cur = theta;
    let curLoss = fg(cur, scratch);
    let converged = false;
    let session = lbfgsSession(fg, cur);
    for (let s = 0; s < steps; s++) {
      if (restart && s > 0) session = lbfgsSession(fg, cur);
      const r = session.run(perStep);
      if (!(r.value < curLoss) || !Number.isFinite(r.value)) break;
      converged = r.converged && r.message.startsWith("Gradient");
      cur = r.x;
      curLoss = r.value;
      if (converged) break;
    }
    if (!best || curLoss < best.loss) {
      best = {
        a: cur[0]!,
        b: withB ? cur[1]! : 0,
        t: Array.from(cur.subarray(2)),
        loss: curLoss,
        converged,
      };
    }
  }
  if (!best) {
    throw new RangeError("Cannot fit the exponential law: every start gave a non-finite loss");
  }
  return best;
}
