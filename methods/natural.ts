/**
 * `natural` — the proportional baseline: each domain at its natural share (token or sample
 * count), the task's prior. Runs nothing (methods.md §9, "proportional").
 *
 * @module
 */

import { fixedMixture } from "./_fixed.ts";
import type { MethodFactory } from "../core/method.ts";

/** The prior mixture (nearest pool member in pool mode). */
export const natural: MethodFactory = fixedMixture(
  "natural",
  "1",
  "The natural (prior) mixture; nearest pool member by L1 in pool mode",
  (ctx) => ctx.prior,
);
