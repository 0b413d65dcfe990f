/**
 * The method registry: every method behind the common offline interface.
 *
 * @example
 * ```ts
 * import { getMethod, METHODS } from "./mod.ts";
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * assertEquals(getMethod("uniform").id, "uniform");
 * assertEquals(METHODS.length >= 5, true);
 * ```
 *
 * @module
 */

import type { MethodFactory } from "../core/method.ts";
import { bestOfPool } from "./best_of_pool.ts";
import { bimix } from "./bimix.ts";
import { bo, boWith } from "./bo.ts";
import { mfbo, mfboWith } from "./mfbo.ts";
import { climb } from "./climb.ts";
import { dml } from "./dml.ts";
import { olmix } from "./olmix.ts";
import { regmix, regmixLinear } from "./regmix.ts";
import { natural } from "./natural.ts";
import { randomSearch } from "./random_search.ts";
import { temperature } from "./temperature.ts";
import { uniform } from "./uniform.ts";
import { unimax } from "./unimax.ts";

export {
  bestOfPool,
  bimix,
  bo,
  boWith,
  climb,
  dml,
  mfbo,
  mfboWith,
  natural,
  olmix,
  randomSearch,
  regmix,
  regmixLinear,
  temperature,
  uniform,
  unimax,
};

/** Every registered method, in listing order. */
export const METHODS: readonly MethodFactory[] = [
  uniform,
  natural,
  temperature(),
  unimax(),
  randomSearch,
  regmixLinear(),
  regmix(),
  dml(),
  olmix(),
  bimix(),
  climb(),
  bo,
  mfbo,
  mfboWith({ recommend: "posterior-mean" }),
  bestOfPool,
];

/**
 * Resolves a method spec: a registered id, or `path/to/module.ts#exportName` for a method that
 * is not registered (a contributor's new method, a test double). The export must be a
 * {@linkcode MethodFactory}.
 *
 * @param spec Method id or module spec.
 * @returns The factory.
 * @throws {RangeError} For an unknown id or an export that is not a method factory.
 */
export async function loadMethod(spec: string): Promise<MethodFactory> {
  const hash = spec.lastIndexOf("#");
  if (hash < 0 || !/\.(ts|js|mjs)$/.test(spec.slice(0, hash))) return getMethod(spec);
  const path = spec.slice(0, hash);
  const name = spec.slice(hash + 1);
  const url = /^[a-z]+:\/\//.test(path) ? path : new URL(path, `file://${Deno.cwd()}/`).href;
  const mod = await import(url) as Record<string, unknown>;
  const f = mod[name] as MethodFactory | undefined;
  if (!f || typeof f.create !== "function" || typeof f.id !== "string") {
    throw new RangeError(`Method module "${path}" has no method factory export "${name}"`);
  }
  return f;
}

/**
 * Looks a method up by id; `bo@<fidelity>` is single-fidelity BO run at that fidelity.
 *
 * @param id Method id.
 * @returns The factory.
 * @throws {RangeError} For an unknown id, listing the known ones.
 */
export function getMethod(id: string): MethodFactory {
  const at = /^bo@(.+)$/.exec(id);
  if (at) return boWith({ fidelity: at[1]! });
  const m = METHODS.find((f) => f.id === id);
  if (!m) {
    throw new RangeError(`Unknown method "${id}" (known: ${METHODS.map((f) => f.id).join(", ")})`);
  }
  return m;
}
