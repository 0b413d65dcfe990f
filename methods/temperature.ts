/**
 * `temperature` — temperature sampling from the prior: p_i ∝ prior_i^τ with τ = 0.5 (the exponent
 * RegMix applies to its prior; mT5-style temperature sampling, methods.md §9). Runs nothing.
 *
 * @module
 */

import { fixedMixture } from "./_fixed.ts";
import type { MethodFactory } from "../core/method.ts";
import { normalize } from "../core/mixture.ts";

/** Options of {@linkcode temperature}. */
export interface TemperatureOptions {
  /** Exponent applied to the prior. @default {0.5} */
  exponent?: number;
}

/**
 * Creates a temperature baseline.
 *
 * @example
 * ```ts
 * import { temperature } from "./temperature.ts";
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * assertEquals(temperature({ exponent: 0.5 }).id, "temperature");
 * ```
 * @param options The exponent.
 * @returns The method factory.
 */
export function temperature(options: TemperatureOptions = {}): MethodFactory {
  const tau = options.exponent ?? 0.5;
  return fixedMixture(
    "temperature",
    "1",
    `prior^${tau}, renormalised; nearest pool member by L1 in pool mode`,
    (ctx) => normalize(ctx.prior.map((p) => p ** tau)),
  );
}
