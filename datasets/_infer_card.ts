import { CARD_SCHEMA, type DataCard } from "../core/table.ts";
import { guessDirection } from "./card.ts";

/**
 * Infers a data card for a bring-your-own table that comes without one: uniform priors, metric
 * directions guessed from their names and marked `directionGuessed` (a task over such a metric
 * must state its direction), no bounds, fidelities ordered by their cost (ties: order of first
 * appearance in the table).
 *
 * @param header The header of runs.csv.
 * @param costs The cost of each fidelity, in order of first appearance (checked by the loader).
 * @param file Path of runs.csv.
 * @returns The inferred card, marked `inferred`.
 */
export function inferCard(
  header: readonly string[],
  costs: ReadonlyMap<string, number>,
  file: string,
): DataCard {
  const domains = header.filter((h) => h.startsWith("ratio_")).map((h) => h.slice(6));
  const metrics = header.filter((h) => h.startsWith("metric_")).map((h) => h.slice(7));
  const fidelities = [...costs].map(([id, cost]) => ({ id, label: id, cost }))
    .sort((a, b) => a.cost - b.cost);
  return {
    schema: CARD_SCHEMA,
    id: file.replace(/^.*[/\\]/, "").replace(/\.csv$/, ""),
    title: `Bring-your-own table ${file}`,
    description: "Card inferred from the header: uniform priors, unbounded metrics.",
    source: { repository: "", commit: "", files: [file], paper: "" },
    license: "unknown",
    sha256: "",
    sumTolerance: 1e-3,
    domains: domains.map((name) => ({ name, prior: 1 / domains.length })),
    metrics: metrics.map((name) => ({
      name,
      direction: guessDirection(name),
      directionGuessed: true,
      lower: -Infinity,
      upper: Infinity,
    })),
    fidelities,
    quirks: ["Card inferred by mixbench: priors are uniform and metric directions are guessed."],
    inferred: true,
  };
}
