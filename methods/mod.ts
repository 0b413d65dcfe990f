/**
 * The method registry: every built-in method behind the common offline interface. Adding a
 * method is one new file (start from `_template.ts`) plus its import and one entry in
 * {@linkcode METHODS} below; the README's method table is checked against this list by
 * `tests/methods/readme_table_test.ts`.
 *
 * @example
 * ```ts
 * import { getMethod, METHODS } from "./mod.ts";
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * assertEquals(getMethod("uniform").id, "uniform");
 * assertEquals(getMethod("bo@1B").id, "bo@1B");
 * assertEquals(METHODS.length >= 5, true);
 * ```
 *
 * @module
 */

import type { MethodFactory } from "../core/method.ts";
import { bestOfPool } from "./best_of_pool.ts";
import { bimix } from "./bimix.ts";
import { bo } from "./bo.ts";
import { climb } from "./climb.ts";
import { dml } from "./dml.ts";
import { mfbo, mfboWith } from "./mfbo.ts";
import { natural } from "./natural.ts";
import { nullRotating } from "./null_rotating.ts";
import { olmix } from "./olmix.ts";
import { randomSearch } from "./random_search.ts";
import { regmix, regmixLinear } from "./regmix.ts";
import { temperature } from "./temperature.ts";
import { uniform } from "./uniform.ts";
import { unimax } from "./unimax.ts";

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
 * Controls: registered (resolvable by id) but not part of a default bench and not methods to
 * rank; `null-rotating` is the reproduction manifests' null control (issue 18).
 */
export const CONTROLS: readonly MethodFactory[] = [nullRotating];

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
 * Looks a method up by id. One rule serves parameterised ids: `<id>@<argument>` resolves to the
 * registered method `<id>`'s {@linkcode MethodFactory.variant} (`bo@1B`: BO run at 1B).
 *
 * @param id Method id.
 * @returns The factory.
 * @throws {RangeError} For an unknown id (listing the known ones), or an argument given to a
 * method that takes none.
 */
export function getMethod(id: string): MethodFactory {
  const exact = METHODS.find((f) => f.id === id) ?? CONTROLS.find((f) => f.id === id);
  if (exact) return exact;
  const at = id.indexOf("@");
  const base = at < 0 ? id : id.slice(0, at);
  const m = METHODS.find((f) => f.id === base);
  if (!m) {
    throw new RangeError(`Unknown method "${id}" (known: ${METHODS.map((f) => f.id).join(", ")})`);
  }
  if (at < 0) return m;
  const argument = id.slice(at + 1);
  if (!m.variant || argument === "") {
    const takes = METHODS.filter((f) => f.variant).map((f) => `${f.id}@<argument>`);
    throw new RangeError(
      `Method "${base}" takes no "@" argument (parameterised: ${takes.join(", ") || "none"})`,
    );
  }
  return m.variant(argument);
}
