/**
 * One-dimensional scrambled Sobol' normal samples, the stand-in for botorch's
 * `SobolQMCNormalSampler` in ADMIRE-BayesOpt's MF-MES (Chen et al., 2025, arXiv:2508.11551;
 * methods.md §2, step 3).
 *
 * The first Sobol' coordinate is the base-2 van der Corput sequence. It is scrambled with a
 * random linear matrix scramble (a lower-triangular binary matrix with unit diagonal) and a
 * random digital shift (Matoušek, 1998, "On the L2-discrepancy for anchored boxes"), as torch's
 * `SobolEngine(scramble=True)` does, then mapped through Φ⁻¹. For n = 2^k points every
 * interval [j/n, (j+1)/n) holds exactly one uniform. The scramble is drawn from a seeded
 * {@link Rng}; torch's scrambling matrices differ, so the samples are not bit-identical to
 * botorch's.
 *
 * @module
 */

import { normQuantile } from "./normal.ts";
import type { Rng } from "../rng.ts";

const BITS = 32;

/**
 * Draws n quasi-random standard normal samples (scrambled 1-D Sobol' points through Φ⁻¹).
 *
 * @example
 * ```ts
 * import { sobolNormals } from "./qmc.ts";
 * import { Rng } from "../rng.ts";
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * const z = sobolNormals(128, new Rng(1));
 * const mean = z.reduce((s, v) => s + v, 0) / z.length;
 * assertEquals(Math.abs(mean) < 0.01, true);
 * ```
 * @param n Number of samples (at most 2^32).
 * @param rng Source of the scramble.
 * @returns The samples, in sequence order.
 */
export function sobolNormals(n: number, rng: Rng): Float64Array {
  if (!Number.isInteger(n) || n < 0 || n > 2 ** BITS) {
    throw new RangeError(`Cannot draw "${n}" Sobol' samples: expected an integer in [0, 2^32]`);
  }
  // Column j of the scramble matrix, as a bit mask over output bits (bit 31 = most significant).
  const columns = new Uint32Array(BITS);
  for (let j = 0; j < BITS; j++) {
    const below = j === BITS - 1 ? 0 : (rng.nextUint32() >>> (j + 1)); // bits after row j
    columns[j] = ((1 << (BITS - 1 - j)) | below) >>> 0;
  }
  const shift = rng.nextUint32();
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    // Van der Corput: digit j of i (least significant first) becomes output bit j from the top.
    let v = 0;
    for (let j = 0, r = i; r !== 0 && j < BITS; j++, r >>>= 1) {
      if (r & 1) v ^= columns[j]!;
    }
    v = (v ^ shift) >>> 0;
    const u = (v + rng.next()) / 2 ** BITS; // uniform inside the finest cell, never 0 or 1
    out[i] = normQuantile(Math.min(Math.max(u, 1e-300), 1 - 2 ** -53));
  }
  return out;
}
