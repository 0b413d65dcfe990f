/**
 * Scratch memory reused across loss evaluations ({@linkcode GpWorkspace}).
 *
 * @module
 */

import type { GpScratch } from "./types.ts";

/**
 * Reusable scratch memory for repeated loss evaluations (a fit evaluates the loss many times
 * on the same data; fresh n² arrays cost more to touch than to fill). It grows to the largest
 * n seen. Not safe to share between concurrent evaluations (there are none: everything here is
 * synchronous).
 *
 * @example
 * ```ts
 * import { fitGp, GpWorkspace } from "./gp.ts";
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * const ws = new GpWorkspace();
 * const data = { kind: "single" as const, d: 1, x: new Float64Array([0, 1]), fidelity: new Float64Array(2), y: new Float64Array([0, 1]) };
 * assertEquals(fitGp(data, { workspace: ws }).loss, fitGp(data).loss);
 * ```
 */
export class GpWorkspace {
  #arrays: Float64Array[] = [];
  #capacity = 0;

  /**
   * Nine arrays of at least n² entries (grown with 25% headroom when too small).
   *
   * @param n Number of training points.
   * @returns The arrays.
   */
  buffers(n: number): GpScratch {
    if (n * n > this.#capacity) {
      this.#capacity = Math.ceil(n * 1.25) ** 2;
      this.#arrays = Array.from({ length: 9 }, () => new Float64Array(this.#capacity));
    }
    const [k, m0, e0, m1, e1, bias, l, inv, li] = this.#arrays as [
      Float64Array,
      Float64Array,
      Float64Array,
      Float64Array,
      Float64Array,
      Float64Array,
      Float64Array,
      Float64Array,
      Float64Array,
    ];
    return { k, m0, e0, m1, e1, bias, l, inv, li };
  }
}
