/**
 * The run table of the `minimix` training environment as tasks see it: its domains, metrics and
 * fidelities, with no finished runs (a `train` task answers every proposal with a fresh run).
 *
 * @module
 */

import { CARD_SCHEMA, type DataCard, type RunTable } from "../../core/table.ts";
import { DOMAINS, TRAIN_PIECE, TRAIN_PIECES } from "./corpus.ts";
import { FIDELITIES } from "./fidelities.ts";

/** Metric names: `loss_<domain>` for every corpus domain, then `avg` and `worst`. */
export const METRICS: readonly string[] = [
  ...DOMAINS.map((d) => `loss_${d.name}`),
  "avg",
  "worst",
];

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
 * @param domains Domain names, in the corpus order.
 * @returns The run table, with no runs.
 * @throws {RangeError} When a name is not a corpus domain or the order differs.
 */
export function minimixTable(domains: readonly string[]): RunTable {
  const order = DOMAINS.map((d) => d.name);
  const idx = domains.map((n) => order.indexOf(n));
  if (idx.some((i, k) => i < 0 || (k > 0 && i <= idx[k - 1]!)) || idx.length < 2) {
    throw new RangeError(
      `minimix: training domains "${domains.join(", ")}" must be at least two of ` +
        `"${order.join(", ")}", in that order`,
    );
  }
  const card: DataCard = {
    schema: CARD_SCHEMA,
    id: "minimix",
    title: "minimix: fresh runs of a hashed byte model on eight npm text domains",
    description:
      "Every answer is a fresh training run (runners/train/); see datasets/minimix/README.md.",
    source: {
      repository: "npm (exact-pinned packages, see datasets/minimix/README.md)",
      commit: "",
      files: DOMAINS.map((d) => `${d.pkg}@${d.version}`),
      paper: "",
    },
    license: "see datasets/minimix/README.md",
    sha256: "",
    sumTolerance: 1e-6,
    domains: domains.map((name) => ({
      name,
      prior: 1 / domains.length,
      count: TRAIN_PIECE * TRAIN_PIECES,
    })),
    metrics: METRICS.map((name) => ({
      name,
      direction: "minimize" as const,
      lower: 0,
      upper: Infinity,
    })),
    fidelities: FIDELITIES.map((f) => ({ id: f.id, label: f.label, cost: f.cost })),
    quirks: [],
  };
  return { card, runs: [], file: "", sha256: "" };
}
