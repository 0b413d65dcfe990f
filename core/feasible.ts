/**
 * The feasible set of a continuous task at one fidelity: the mixtures the task trusts its runner
 * on (a surrogate model's trust region, runners/surrogate_card.ts `TrustRegion`). A mixture `w`
 * of the simplex is feasible when every weight is within its box (`lower[j] ≤ w[j] ≤ upper[j]`)
 * and its L1 distance to the nearest anchor (the table's run mixtures at that fidelity) is at
 * most `radius`. A method sees it as {@linkcode MethodContext.feasible}; the runner answers a
 * mixture outside with the task's out-of-region policy (on the surrogate tasks, the table's worst
 * run), for a query and for a recommendation alike.
 *
 * @example
 * ```ts
 * import { FeasibleSet } from "./feasible.ts";
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * const set = new FeasibleSet({
 *   fidelity: "1M",
 *   upper: [1, 0.5],
 *   radius: 0.2,
 *   anchors: [[0.8, 0.2], [0.6, 0.4]],
 * });
 * assertEquals(set.contains([0.7, 0.3]), true);
 * assertEquals(set.contains([0.3, 0.7]), false); // 0.7 > 0.5, and L1 0.6 from [0.6, 0.4]
 * const r = set.repair([0.3, 0.7]); // moved from [0.6, 0.4] toward it, to the edge of the set
 * assertEquals(set.contains(r), true);
 * ```
 *
 * @module
 */

import type { Mixture } from "./types.ts";

/** What a feasible set is built from. */
export interface FeasibleSetSpec {
  /** Fidelity id it belongs to. */
  readonly fidelity: string;
  /** Per-domain upper bounds, in mixture order. */
  readonly upper: readonly number[];
  /** Per-domain lower bounds. @default {all 0} */
  readonly lower?: readonly number[];
  /** L1 radius around the anchors. */
  readonly radius: number;
  /** Anchor mixtures (the table's runs at the fidelity). */
  readonly anchors: readonly Mixture[] | Float64Array;
}

/** Default slack on both bounds of {@linkcode FeasibleSet.contains} (the runner's own check). */
export const FEASIBLE_TOLERANCE = 1e-12;

/** Relative step back from the set's edge that {@linkcode FeasibleSet.repair} takes. */
const INSIDE = 1e-9;

/**
 * A read-only feasible set: box bounds, an L1 radius around anchor mixtures, and cheap helpers
 * (`contains`, `distance`, `repair`). Immutable; safe to share between cells.
 */
export class FeasibleSet {
  /** Fidelity id it belongs to. */
  readonly fidelity: string;
  /** Per-domain upper bounds. */
  readonly upper: readonly number[];
  /** Per-domain lower bounds (0 where the set adds no lower bound to the simplex). */
  readonly lower: readonly number[];
  /** L1 radius around the anchors. */
  readonly radius: number;
  /** Number of anchors. */
  readonly size: number;
  /** Number of domains. */
  readonly domains: number;
  readonly #rows: Float64Array;
  /** 1 for anchors inside the box (the starting points of `repair`). */
  readonly #boxed: Uint8Array;

  /**
   * @param spec Bounds, radius and anchors.
   * @throws {RangeError} When the bounds and anchors disagree in length, the radius is not a
   * non-negative number, or there is no anchor.
   */
  constructor(spec: FeasibleSetSpec) {
    const m = spec.upper.length;
    const lower = spec.lower ?? new Array<number>(m).fill(0);
    const rows = spec.anchors instanceof Float64Array
      ? Float64Array.from(spec.anchors)
      : Float64Array.from((spec.anchors as readonly Mixture[]).flatMap((a) => {
        if (a.length !== m) {
          throw new RangeError(`Feasible set anchor has "${a.length}" weights, expected "${m}"`);
        }
        return [...a];
      }));
    if (lower.length !== m) {
      throw new RangeError(`Feasible set has "${lower.length}" lower bounds, expected "${m}"`);
    }
    if (!(spec.radius >= 0)) {
      throw new RangeError(`Feasible set radius is "${spec.radius}", expected a number ≥ 0`);
    }
    if (m === 0 || rows.length === 0 || rows.length % m !== 0) {
      throw new RangeError(`Feasible set needs anchors of "${m}" weights, got "${rows.length}"`);
    }
    const boxed = new Uint8Array(rows.length / m);
    for (let o = 0, i = 0; o < rows.length; o += m, i++) {
      let inside = 1;
      for (let j = 0; j < m; j++) {
        if (rows[o + j]! > spec.upper[j]! || rows[o + j]! < lower[j]!) inside = 0;
      }
      boxed[i] = inside;
    }
    this.fidelity = spec.fidelity;
    this.upper = Object.freeze([...spec.upper]);
    this.lower = Object.freeze([...lower]);
    this.radius = spec.radius;
    this.domains = m;
    this.size = rows.length / m;
    this.#rows = rows;
    this.#boxed = boxed;
    Object.freeze(this);
  }

  /**
   * Anchor `i` (a copy).
   *
   * @param i Index in [0, size).
   * @returns The anchor mixture.
   */
  anchor(i: number): number[] {
    if (!(i >= 0 && i < this.size)) throw new RangeError(`No feasible set anchor "${i}"`);
    return Array.from(this.#rows.subarray(i * this.domains, (i + 1) * this.domains));
  }

  /**
   * The set as plain data (what the bridge protocol sends methods in other languages).
   *
   * @returns Fidelity, bounds, radius and anchors.
   */
  toJSON(): {
    fidelity: string;
    upper: number[];
    lower: number[];
    radius: number;
    anchors: number[][];
  } {
    return {
      fidelity: this.fidelity,
      upper: [...this.upper],
      lower: [...this.lower],
      radius: this.radius,
      anchors: Array.from({ length: this.size }, (_, i) => this.anchor(i)),
    };
  }

  /**
   * L1 distance to the nearest anchor.
   *
   * @param w A mixture.
   * @returns The smallest L1 distance.
   */
  distance(w: ArrayLike<number>): number {
    return nearestDistance(this.#rows, w);
  }

  /**
   * Index of the anchor nearest to `w` in L1 (the first on ties).
   *
   * @param w A mixture.
   * @returns The anchor's index.
   */
  nearest(w: ArrayLike<number>): number {
    return this.#nearest(w, false);
  }

  #nearest(w: ArrayLike<number>, boxedOnly: boolean): number {
    const m = this.domains, rows = this.#rows;
    let best = Infinity, at = -1;
    for (let o = 0, i = 0; o < rows.length; o += m, i++) {
      if (boxedOnly && this.#boxed[i] === 0) continue;
      let d = 0;
      for (let j = 0; j < m && d < best; j++) d += Math.abs(rows[o + j]! - w[j]!);
      if (d < best) [best, at] = [d, i];
    }
    return at;
  }

  /**
   * Whether `w` is in the set: every weight within its box and the nearest anchor within the
   * radius, each with slack `tol` (the runner checks with the default).
   *
   * @param w A mixture.
   * @param tol Slack on both bounds. @default {1e-12}
   * @returns True when feasible.
   */
  contains(w: ArrayLike<number>, tol: number = FEASIBLE_TOLERANCE): boolean {
    for (let j = 0; j < this.domains; j++) {
      if (w[j]! > this.upper[j]! + tol || w[j]! < this.lower[j]! - tol) return false;
    }
    // Some anchor within the radius (the same sums as `distance`, each anchor's cut off once it
    // passes the limit, and the scan stopped at the first anchor within it).
    const m = this.domains, rows = this.#rows, limit = this.radius + tol;
    for (let o = 0; o < rows.length; o += m) {
      let d = 0;
      for (let j = 0; j < m && d <= limit; j++) d += Math.abs(rows[o + j]! - w[j]!);
      if (d <= limit) return true;
    }
    return false;
  }

  /**
   * A feasible mixture on the segment from an anchor to `w`: `w` itself when it is in the set,
   * otherwise `a + t·(w − a)` for the largest t ≤ 1 that keeps it in the box and within the
   * radius of `a` (stepped back by 1e-9 relative, so that it stays inside after rounding). The
   * anchor is `anchor` or, by default, the one nearest to `w`, among the anchors inside the box
   * (an anchor outside it is replaced by the nearest one inside). The box and simplex are convex
   * and contain the anchor, so the result is feasible; it is not the nearest feasible point (the
   * set, a union of L1 balls, has no unique one).
   *
   * @param w A mixture (on the simplex).
   * @param anchor Index of the anchor to move from. @default {the nearest anchor}
   * @returns A feasible mixture.
   * @throws {RangeError} When no anchor lies inside the box.
   */
  repair(w: Mixture, anchor?: number): number[] {
    if (anchor === undefined && this.contains(w)) return [...w];
    const i = anchor !== undefined && this.#boxed[anchor] === 1 ? anchor : this.#nearest(w, true);
    if (i < 0) {
      throw new RangeError("Cannot repair a mixture: no feasible set anchor is in its box");
    }
    const a = this.anchor(i);
    const m = this.domains;
    let l1 = 0;
    for (let j = 0; j < m; j++) l1 += Math.abs(w[j]! - a[j]!);
    let t = l1 > this.radius ? this.radius / l1 : 1;
    for (let j = 0; j < m; j++) {
      const d = w[j]! - a[j]!;
      if (d > 0 && a[j]! + d > this.upper[j]!) t = Math.min(t, (this.upper[j]! - a[j]!) / d);
      if (d < 0 && a[j]! + d < this.lower[j]!) t = Math.min(t, (this.lower[j]! - a[j]!) / d);
    }
    if (t >= 1 && this.contains(w)) return [...w];
    const s = Math.max(0, t) * (1 - INSIDE);
    const out = a.map((x, j) => x + s * (w[j]! - x));
    const sum = out.reduce((p, q) => p + q, 0);
    return out.map((x) => x / sum);
  }
}

/**
 * L1 distance from a mixture to the nearest of row-major mixtures.
 *
 * @example
 * ```ts
 * import { nearestDistance } from "./feasible.ts";
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * assertEquals(nearestDistance(new Float64Array([1, 0, 0, 1]), [0.5, 0.5]), 1);
 * ```
 * @param rows Row-major mixtures of the same length as `w`.
 * @param w The mixture.
 * @returns The smallest L1 distance (Infinity when there are no rows).
 */
export function nearestDistance(rows: Float64Array, w: ArrayLike<number>): number {
  const m = w.length;
  let best = Infinity;
  for (let o = 0; o < rows.length; o += m) {
    let d = 0;
    for (let j = 0; j < m && d < best; j++) d += Math.abs(rows[o + j]! - w[j]!);
    if (d < best) best = d;
  }
  return best;
}
