/**
 * The registry of online methods (core/online.ts): each steers one training run of a `train`
 * task through the environment's charged signals. They run only on `train` tasks; the bench adds
 * them to the default method list there.
 *
 * @example
 * ```ts
 * import { getOnlineMethod, isOnlineMethod } from "./mod.ts";
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * assertEquals(getOnlineMethod("stratified").id, "stratified");
 * assertEquals(isOnlineMethod("uniform"), false);
 * ```
 *
 * @module
 */

import type { OnlineMethodFactory } from "../../core/online.ts";
import { aioli } from "./aioli.ts";
import { dga } from "./dga.ts";
import { doge } from "./doge.ts";
import { doremi, doremiIter2 } from "./doremi.ts";
import { odm, odmSmoothed } from "./odm.ts";
import { skillIt } from "./skill_it.ts";
import { stratified } from "./stratified.ts";
import { tikmix } from "./tikmix.ts";

/** Every registered online method, in listing order. */
export const ONLINE_METHODS: readonly OnlineMethodFactory[] = [
  stratified,
  odm,
  odmSmoothed,
  doremi,
  doremiIter2,
  aioli,
  skillIt,
  doge,
  dga,
  tikmix,
];

/** Whether an id names a registered online method. */
export function isOnlineMethod(id: string): boolean {
  return ONLINE_METHODS.some((m) => m.id === id);
}

/**
 * The online method with this id.
 *
 * @throws {RangeError} For an unknown id.
 */
export function getOnlineMethod(id: string): OnlineMethodFactory {
  const m = ONLINE_METHODS.find((x) => x.id === id);
  if (!m) {
    throw new RangeError(
      `Unknown online method "${id}" (known: ${ONLINE_METHODS.map((x) => x.id).join(", ")})`,
    );
  }
  return m;
}
