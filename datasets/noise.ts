/**
 * The evaluation noise of a table's benchmark-averaged metric, from the item counts its card
 * records (`evaluation` of each metric); the simulation is `numerics/stats/noise.ts`.
 *
 * @module
 */

import type { RunTable } from "../core/table.ts";
import {
  type NoiseCeiling,
  noiseCeiling,
  type NoiseCeilingOptions,
} from "../numerics/stats/noise.ts";

/**
 * {@linkcode noiseCeiling} of a table's metric at one fidelity, its noise taken from the card's
 * metrics that record an `evaluation` (item counts): all of them, or those named.
 *
 * @example
 * ```ts
 * import { tableNoiseCeiling } from "./noise.ts";
 * import { loadTable } from "./registry.ts";
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * const table = await loadTable("admire_ift");
 * const c = tableNoiseCeiling(table, { fidelity: "7B", metric: "avg_id+ood", draws: 20 })!;
 * assertEquals([c.runs, c.components.length], [76, 17]);
 * ```
 * @param table The run table.
 * @param spec Fidelity, objective metric, component names (default: every metric with an
 * `evaluation`), the runs to restrict to, and the simulation options.
 * @returns The ceiling, or null when the card records no item counts.
 * @throws {RangeError} When a named component has no `evaluation` or the fidelity has no runs.
 */
export function tableNoiseCeiling(
  table: RunTable,
  spec: NoiseCeilingOptions & {
    readonly fidelity: string;
    readonly metric: string;
    readonly components?: readonly string[];
    /** Indices into the fidelity's runs (in file order) to restrict to. @default {all} */
    readonly indices?: readonly number[];
  },
): NoiseCeiling | null {
  const counted = table.card.metrics.filter((m) => m.evaluation !== undefined);
  if (counted.length === 0) return null;
  const names = spec.components ?? counted.map((m) => m.name);
  const all = table.runs.filter((r) => r.fidelity === spec.fidelity);
  const runs = spec.indices ? spec.indices.map((i) => all[i]!) : all;
  if (runs.length === 0) {
    throw new RangeError(
      `Cannot compute noise: table "${table.card.id}" has no runs at "${spec.fidelity}"`,
    );
  }
  const components = names.map((name) => {
    const m = counted.find((c) => c.name === name);
    if (!m) {
      throw new RangeError(
        `Cannot compute noise: metric "${name}" of table "${table.card.id}" has no item count`,
      );
    }
    const e = m.evaluation!;
    // Exact binomial: a verified count and a plain accuracy (no per-item partial scores).
    const exact = e.verified && /^(accuracy|exact match|prompt-level)/.test(e.scoring);
    return { name, items: e.items, exact, values: runs.map((r) => r.metrics[name]!) };
  });
  const direction = table.card.metrics.find((m) => m.name === spec.metric)?.direction;
  return noiseCeiling(runs.map((r) => r.metrics[spec.metric]!), components, {
    ...spec,
    ...(direction ? { direction } : {}),
  });
}
