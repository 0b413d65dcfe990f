/**
 * `uniform` — the stratified baseline: equal weight on every domain (Aioli's "stratified
 * sampling", Chen et al., 2024, arXiv:2411.05735). Runs nothing.
 *
 * @module
 */

import { fixedMixture } from "./_fixed.ts";
import type { MethodFactory } from "../core/method.ts";

/** Equal weights on all domains (nearest pool member in pool mode). */
export const uniform: MethodFactory = fixedMixture(
  "uniform",
  "1",
  "Equal weight on every domain (stratified); nearest pool member by L1 in pool mode",
  (ctx) => ctx.domains.map(() => 1 / ctx.domains.length),
);
