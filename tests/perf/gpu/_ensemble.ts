/**
 * The GPU benchmark's model and inputs, shared by its scripts so that the WGSL kernels, the
 * 16-thread onnxruntime-web WASM baseline and torch score the same ensemble on the same rows:
 * a 19-input surrogate of the default shape (38 features, 64-64 SiLU, 5 members) fitted for 10
 * epochs to a smooth function of 256 Dirichlet mixtures, and Dirichlet(0.5) rows, all from
 * seed 2026. Imports only local modules, so it runs with `--no-config` on a machine without
 * network.
 *
 * @module
 */

import { dirichlet } from "../../../numerics/stats/gamma.ts";
import { fitEnsemble, type MlpEnsemble } from "../../../numerics/mlp.ts";
import { Rng } from "../../../numerics/rng.ts";

/** Mixture width of the benchmark model. */
export const WIDTH = 19;

/** The benchmark model and its rows. */
export interface BenchModel {
  readonly ensemble: MlpEnsemble;
  /** `rows × WIDTH` Dirichlet(0.5) mixtures, row-major. */
  readonly data: Float32Array;
}

/**
 * Fits the benchmark ensemble and draws its rows (deterministic).
 *
 * @param rows Rows to draw.
 * @returns The ensemble and the rows.
 */
export function benchModel(rows: number): BenchModel {
  const m = WIDTH;
  const rng = new Rng(2026);
  const xs = Array.from({ length: 256 }, () => Array.from(dirichlet(rng, new Array(m).fill(0.3))));
  const ys = xs.map((x) => [
    0.5 + 0.1 * x[0]! - 0.05 * Math.log(x[1]! + 1e-3) + 0.2 * x[2]! * x[3]!,
  ]);
  const ensemble = fitEnsemble(xs, ys, { epochs: 10 });
  const data = new Float32Array(rows * m);
  const x = new Float64Array(m);
  const alpha = new Array(m).fill(0.5);
  for (let r = 0; r < rows; r++) data.set(dirichlet(rng, alpha, x), r * m);
  return { ensemble, data };
}

/**
 * Largest relative difference between two predictions, the denominator floored at 1% of the
 * reference's largest magnitude.
 *
 * @param got Predictions to check.
 * @param ref Reference predictions.
 * @returns The largest relative difference.
 */
export function maxRelativeError(got: ArrayLike<number>, ref: ArrayLike<number>): number {
  let scale = 0;
  for (let i = 0; i < ref.length; i++) scale = Math.max(scale, Math.abs(ref[i]!));
  let worst = 0;
  for (let i = 0; i < ref.length; i++) {
    worst = Math.max(
      worst,
      Math.abs(got[i]! - ref[i]!) / Math.max(0.01 * scale, Math.abs(ref[i]!)),
    );
  }
  return worst;
}
