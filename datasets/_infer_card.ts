import { CARD_SCHEMA, type DataCard } from "../core/table.ts";

/**
 * Infers a data card for a bring-your-own table that comes without one: uniform priors,
 * metrics minimised unless their name says accuracy-like (they can be overridden by a task),
 * no bounds, fidelities ordered by their mean cost.
 */
export function inferCard(
  header: readonly string[],
  rows: readonly (readonly string[])[],
  file: string,
): DataCard {
  const domains = header.filter((h) => h.startsWith("ratio_")).map((h) => h.slice(6));
  const metrics = header.filter((h) => h.startsWith("metric_")).map((h) => h.slice(7));
  const fidCol = header.includes("fidelity") ? header.indexOf("fidelity") : header.indexOf("model");
  const costCol = header.indexOf("cost");
  const costs = new Map<string, number[]>();
  for (const r of rows) {
    const f = (r[fidCol] ?? "").trim();
    const c = Number(r[costCol]);
    if (!costs.has(f)) costs.set(f, []);
    if (Number.isFinite(c)) costs.get(f)!.push(c);
  }
  const fidelities = [...costs].map(([id, cs]) => ({
    id,
    label: id,
    cost: cs.length ? cs.reduce((a, b) => a + b, 0) / cs.length : 1,
  })).sort((a, b) => a.cost - b.cost);
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
      direction: /acc|score|win|exact|f1|pass/i.test(name) ? "maximize" : "minimize",
      lower: -Infinity,
      upper: Infinity,
    })),
    fidelities,
    quirks: ["Card inferred by mixbench: priors are uniform and metric directions are guessed."],
  };
}
