/**
 * The data card of a run table (`card.json`): domains and priors, metrics with direction and
 * bounds, fidelities with costs, provenance, license, the sha256 of `runs.csv`, known quirks.
 *
 * @module
 */

import type { Direction, Domain, MetricEvaluation, MetricInfo } from "../core/types.ts";
import { CARD_SCHEMA, type DataCard } from "../core/table.ts";

export { CARD_SCHEMA };
export type { DataCard };

/** Smallest tolerance on the sum of the priors, for floating-point rounding. */
const PRIOR_FLOOR = 1e-9;

/**
 * The direction a metric name suggests: maximised when the name reads like accuracy
 * (`acc`, `score`, `win`, `exact`, `f1`, `pass`), else minimised. Only ever a guess: a metric
 * whose direction is guessed is marked `directionGuessed`, and a task over it must state its
 * direction.
 *
 * @example
 * ```ts
 * import { guessDirection } from "./card.ts";
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * assertEquals(guessDirection("hellaswag_acc"), "maximize");
 * assertEquals(guessDirection("pile_cc_loss"), "minimize");
 * ```
 * @param name Metric name.
 * @returns The guessed direction.
 */
export function guessDirection(name: string): Direction {
  return /acc|score|win|exact|f1|pass/i.test(name) ? "maximize" : "minimize";
}

/**
 * Checks the shape of a parsed `card.json` and returns it typed. A metric without `direction` is
 * read with the name-based guess ({@linkcode guessDirection}) and marked `directionGuessed`.
 *
 * @param value Parsed JSON.
 * @param file File name for error messages.
 * @returns The card.
 * @throws {TypeError} When a field is missing or has the wrong type.
 * @throws {RangeError} A fidelity cost ≤ 0, duplicate fidelity ids, a prior outside [0, 1],
 * priors not summing to 1 within `sumTolerance`, or a negative `sumTolerance`.
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
    const name = str(o, "name", `metrics[${i}].`);
    const bounds = {
      lower: num(o, "lower", `metrics[${i}].`),
      upper: num(o, "upper", `metrics[${i}].`),
    };
    if (o.direction === undefined) {
      return { name, direction: guessDirection(name), directionGuessed: true, ...bounds };
    }
    const direction = str(o, "direction", `metrics[${i}].`);
    if (direction !== "minimize" && direction !== "maximize") {
      throw new TypeError(`${where(`metrics[${i}].direction`)} must be "minimize" or "maximize"`);
    }
    let out: MetricInfo = { name, direction: direction as Direction, ...bounds };
    if (o.definition !== undefined) {
      out = { ...out, definition: str(o, "definition", `metrics[${i}].`) };
    }
    if (o.evaluation === undefined) return out;
    const e = obj(o.evaluation, `metrics[${i}].evaluation`);
    const at = `metrics[${i}].evaluation.`;
    const items = num(e, "items", at);
    if (!Number.isInteger(items) || items < 1) {
      throw new RangeError(`${where(at + "items")} is "${items}", expected a positive integer`);
    }
    if (typeof e.verified !== "boolean") {
      throw new TypeError(`${where(at + "verified")} must be a boolean`);
    }
    const evaluation: MetricEvaluation = {
      items,
      scoring: str(e, "scoring", at),
      source: str(e, "source", at),
      verified: e.verified,
      ...(e.note === undefined ? {} : { note: str(e, "note", at) }),
    };
    return { ...out, evaluation };
  });
  const fidelities = arr(c, "fidelities").map((d, i) => {
    const o = obj(d, `fidelities[${i}]`);
    return {
      id: str(o, "id", `fidelities[${i}].`),
      label: str(o, "label", `fidelities[${i}].`),
      cost: num(o, "cost", `fidelities[${i}].`),
    };
  });
  fidelities.forEach((f, i) => {
    if (!(f.cost > 0)) {
      throw new RangeError(
        `${where(`fidelities[${i}].cost`)} is "${f.cost}", expected a positive number`,
      );
    }
    const first = fidelities.findIndex((g) => g.id === f.id);
    if (first < i) {
      throw new RangeError(
        `${where(`fidelities[${i}].id`)} is "${f.id}" like fidelities[${first}], expected ` +
          `unique ids`,
      );
    }
  });
  const sumTolerance = num(c, "sumTolerance", "");
  if (sumTolerance < 0) {
    throw new RangeError(`${where("sumTolerance")} is "${sumTolerance}", expected a number ≥ 0`);
  }
  domains.forEach((d, i) => {
    if (d.prior < 0 || d.prior > 1) {
      throw new RangeError(
        `${where(`domains[${i}].prior`)} is "${d.prior}", expected a number in [0, 1]`,
      );
    }
  });
  const priorSum = domains.reduce((a, d) => a + d.prior, 0);
  if (Math.abs(priorSum - 1) > Math.max(sumTolerance, PRIOR_FLOOR)) {
    throw new RangeError(
      `${where("domains")} has priors summing to "${
        Math.round(priorSum * 1e9) / 1e9
      }", expected 1 within ${sumTolerance} (the card's sumTolerance)`,
    );
  }
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
    sumTolerance,
    domains,
    metrics,
    fidelities,
    quirks: arr(c, "quirks").map(String),
  };
}
