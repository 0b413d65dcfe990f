/**
 * The data card of a run table (`card.json`): domains and priors, metrics with direction and
 * bounds, fidelities with costs, provenance, license, the sha256 of `runs.csv`, known quirks.
 *
 * @module
 */

import type { Direction, Domain, MetricInfo } from "../core/types.ts";
import { CARD_SCHEMA, type DataCard } from "../core/table.ts";

export { CARD_SCHEMA };
export type { DataCard };

/**
 * Checks the shape of a parsed `card.json` and returns it typed.
 *
 * @param value Parsed JSON.
 * @param file File name for error messages.
 * @returns The card.
 * @throws {TypeError} When a field is missing or has the wrong type.
 */
export function parseCard(value: unknown, file: string): DataCard {
  const where = (field: string) => `Cannot read data card "${file}": field "${field}"`;
  const obj = (v: unknown, field: string): Record<string, unknown> => {
    if (typeof v !== "object" || v === null || Array.isArray(v)) {
      throw new TypeError(`${where(field)} must be an object`);
    }
    return v as Record<string, unknown>;
  };
  const str = (o: Record<string, unknown>, k: string, path: string): string => {
    if (typeof o[k] !== "string") throw new TypeError(`${where(path + k)} must be a string`);
    return o[k] as string;
  };
  const num = (o: Record<string, unknown>, k: string, path: string): number => {
    if (typeof o[k] !== "number" || !Number.isFinite(o[k])) {
      throw new TypeError(`${where(path + k)} must be a finite number`);
    }
    return o[k] as number;
  };
  const arr = (o: Record<string, unknown>, k: string): unknown[] => {
    if (!Array.isArray(o[k])) throw new TypeError(`${where(k)} must be an array`);
    return o[k] as unknown[];
  };
  const c = obj(value, "(root)");
  if (c.schema !== CARD_SCHEMA) {
    throw new TypeError(`${where("schema")} is "${String(c.schema)}", expected "${CARD_SCHEMA}"`);
  }
  const src = obj(c.source, "source");
  const domains = arr(c, "domains").map((d, i) => {
    const o = obj(d, `domains[${i}]`);
    const out: Domain = {
      name: str(o, "name", `domains[${i}].`),
      prior: num(o, "prior", `domains[${i}].`),
    };
    return o.count === undefined ? out : { ...out, count: num(o, "count", `domains[${i}].`) };
  });
  const metrics = arr(c, "metrics").map((d, i) => {
    const o = obj(d, `metrics[${i}]`);
    const direction = str(o, "direction", `metrics[${i}].`);
    if (direction !== "minimize" && direction !== "maximize") {
      throw new TypeError(`${where(`metrics[${i}].direction`)} must be "minimize" or "maximize"`);
    }
    const out: MetricInfo = {
      name: str(o, "name", `metrics[${i}].`),
      direction: direction as Direction,
      lower: num(o, "lower", `metrics[${i}].`),
      upper: num(o, "upper", `metrics[${i}].`),
    };
    return o.definition === undefined
      ? out
      : { ...out, definition: str(o, "definition", `metrics[${i}].`) };
  });
  const fidelities = arr(c, "fidelities").map((d, i) => {
    const o = obj(d, `fidelities[${i}]`);
    return {
      id: str(o, "id", `fidelities[${i}].`),
      label: str(o, "label", `fidelities[${i}].`),
      cost: num(o, "cost", `fidelities[${i}].`),
    };
  });
  return {
    schema: CARD_SCHEMA,
    id: str(c, "id", ""),
    title: str(c, "title", ""),
    description: str(c, "description", ""),
    source: {
      repository: str(src, "repository", "source."),
      commit: str(src, "commit", "source."),
      files: arr(src, "files").map(String),
      paper: str(src, "paper", "source."),
    },
    license: str(c, "license", ""),
    sha256: str(c, "sha256", ""),
    sumTolerance: num(c, "sumTolerance", ""),
    domains,
    metrics,
    fidelities,
    quirks: arr(c, "quirks").map(String),
  };
}
