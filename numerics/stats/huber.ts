/**
 * Huber loss, the robust fitting loss of Data Mixing Laws (Ye et al., 2024, arXiv 2403.16952;
 * `law.py`, summed over points) and of Olmix's log-linear regressors (δ = 0.02). The convention
 * is PyTorch's `torch.nn.HuberLoss` (not `SmoothL1Loss`, which divides by δ): quadratic ½r²
 * for |r| ≤ δ, linear δ(|r| − ½δ) beyond.
 *
 * @module
 */

/**
 * Huber loss of a residual: ½r² when |r| ≤ δ, δ·(|r| − ½δ) otherwise. Continuous with a
 * continuous derivative at |r| = δ.
 *
 * @example
 * ```ts
 * import { huber } from "./huber.ts";
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * assertEquals(huber(0.5, 1), 0.125);
 * assertEquals(huber(-3, 1), 2.5);
 * ```
 * @param r Residual (prediction − target).
 * @param delta Threshold δ > 0 between the quadratic and linear parts; 0.05 is the Data Mixing
 *   Laws value for the mixing law and the step law (0.08 for the size law, 0.03 for the implicit
 *   law, 0.02 in Olmix). @default 0.05
 * @returns The loss, ≥ 0.
 */
export function huber(r: number, delta = 0.05): number {
  checkDelta(delta);
  const a = Math.abs(r);
  return a <= delta ? 0.5 * r * r : delta * (a - 0.5 * delta);
}

/**
 * Derivative of {@link huber} with respect to the residual: r when |r| ≤ δ, δ·sign(r)
 * otherwise (the residual clipped to [−δ, δ]).
 *
 * @example
 * ```ts
 * import { huberGrad } from "./huber.ts";
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * assertEquals(huberGrad(0.01), 0.01);
 * assertEquals(huberGrad(-2, 0.5), -0.5);
 * ```
 * @param r Residual (prediction − target).
 * @param delta Threshold δ > 0. @default 0.05
 * @returns dL/dr, in [−δ, δ].
 */
export function huberGrad(r: number, delta = 0.05): number {
  checkDelta(delta);
  return r > delta ? delta : r < -delta ? -delta : r;
}

function checkDelta(delta: number): void {
  if (!(delta > 0 && delta < Infinity)) {
    throw new RangeError(`Cannot evaluate the Huber loss with delta "${delta}": expected > 0`);
  }
}
