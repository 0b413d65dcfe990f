/**
 * The run table of the `minimix` training environment as tasks see it (`card.json`: its domains,
 * metrics and fidelities), with no finished runs: a `train` task answers every proposal with a
 * fresh run (runners/train.ts). The card agrees with the environment's code; a test checks it.
 *
 * @module
 */

import type { DataCard, RunTable } from "../../core/table.ts";
import { sha256Hex } from "../loader.ts";
import card from "./card.json" with { type: "json" };
import manifest from "./manifest.json" with { type: "json" };

/** The environment's card over all eight domains (metric upper bounds are +∞). */
export const MINIMIX_CARD: DataCard = {
  ...(card as unknown as DataCard),
  metrics: card.metrics.map((m) => ({
    name: m.name,
    direction: "minimize" as const,
    lower: m.lower,
    upper: Infinity,
  })),
};

/**
 * The environment's table over a subset of its domains (the ones a task's mixtures weigh); the
 * prior is uniform, since every domain has the same training budget.
 *
 * @example
 * ```ts
 * import { minimixTable } from "./table.ts";
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * assertEquals(minimixTable(["moby", "udhr"]).card.domains.map((d) => d.prior), [0.5, 0.5]);
 * ```
 * @param domains Domain names, in the card's order.
 * @returns The run table, with no runs.
 * @throws {RangeError} When a name is not a domain of the card or the order differs.
 */
export function minimixTable(domains: readonly string[]): RunTable {
  const all = MINIMIX_CARD.domains;
  const order = all.map((d) => d.name);
  const idx = domains.map((n) => order.indexOf(n));
  if (idx.some((i, k) => i < 0 || (k > 0 && i <= idx[k - 1]!)) || idx.length < 2) {
    throw new RangeError(
      `minimix: training domains "${domains.join(", ")}" must be at least two of ` +
        `"${order.join(", ")}", in that order`,
    );
  }
  return {
    card: {
      ...MINIMIX_CARD,
      domains: idx.map((i) => ({ ...all[i]!, prior: 1 / domains.length })),
    },
    runs: [],
    file: "",
    sha256: "",
  };
}

/**
 * {@linkcode minimixTable} with its identity: the sha256 of the environment's card, the corpus
 * manifest (the sha256 of every domain's clean, training and validation bytes) and the domains,
 * which results lines record as `versions.table` (the code that trains is the commit's).
 *
 * @param domains Domain names, in the card's order.
 * @returns The run table, with no runs and its sha256.
 */
export async function minimixTableWithDigest(domains: readonly string[]): Promise<RunTable> {
  const table = minimixTable(domains);
  const identity = JSON.stringify({ card, manifest, domains });
  return { ...table, sha256: await sha256Hex(new TextEncoder().encode(identity)) };
}
