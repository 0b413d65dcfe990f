/**
 * The method registry: every method behind the common offline interface.
 *
 * @example
 * ```ts
 * import { getMethod, METHODS } from "./mod.ts";
 * import { assertEquals } from "node:assert/strict";
 * assertEquals(getMethod("uniform").id, "uniform");
 * assertEquals(METHODS.length >= 5, true);
 * ```
 *
 * @module
 */

import type { MethodFactory } from "../core/method.ts";
import { bestOfPool } from "./best_of_pool.ts";
import { natural } from "./natural.ts";
import { randomSearch } from "./random_search.ts";
import { temperature } from "./temperature.ts";
import { uniform } from "./uniform.ts";

export { bestOfPool, natural, randomSearch, temperature, uniform };

/** Every registered method, in listing order. */
export const METHODS: readonly MethodFactory[] = [
  uniform,
  natural,
  temperature(),
  randomSearch,
  bestOfPool,
];

/**
 * Looks a method up by id.
 *
 * @param id Method id.
 * @returns The factory.
 * @throws {RangeError} For an unknown id, listing the known ones.
 */
export function getMethod(id: string): MethodFactory {
  const m = METHODS.find((f) => f.id === id);
  if (!m) {
    throw new RangeError(`Unknown method "${id}" (known: ${METHODS.map((f) => f.id).join(", ")})`);
  }
  return m;
}
