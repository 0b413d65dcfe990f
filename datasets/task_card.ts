/**
 * Parsing and validation of task card files (`datasets/tasks/<family>/<name>.json`).
 *
 * @module
 */

import { PREDICT_TASK_SCHEMA, type PredictTaskCard } from "../core/predict.ts";
import { TASK_SCHEMA, type TaskCard } from "../core/task.ts";

/**
 * Checks the shape of a parsed task card.
 *
 * @param value Parsed JSON.
 * @param file File name for messages.
 * @returns The typed card.
 * @throws {TypeError} When a field is missing or has the wrong type.
 */
export function parseTaskCard(value: unknown, file: string): TaskCard {
  const fail = (field: string, what: string): never => {
    throw new TypeError(`Cannot read task card "${file}": field "${field}" ${what}`);
  };
  if (typeof value !== "object" || value === null) fail("(root)", "must be an object");
  const c = value as Record<string, unknown>;
  if (c.schema !== TASK_SCHEMA) fail("schema", `must be "${TASK_SCHEMA}"`);
  for (const k of ["id", "title", "description", "table", "objective", "costUnit"]) {
    if (typeof c[k] !== "string") fail(k, "must be a string");
  }
  for (const k of ["version", "budget"]) {
    if (typeof c[k] !== "number" || !(c[k] as number > 0)) fail(k, "must be a positive number");
  }
  if (c.track !== "optimize" && c.track !== "transfer") {
    fail("track", `must be "optimize" or "transfer"`);
  }
  if (c.direction !== "minimize" && c.direction !== "maximize") {
    fail("direction", `must be "minimize" or "maximize"`);
  }
  if (c.runner !== "replay" && c.runner !== "surrogate" && c.runner !== "train") {
    fail("runner", `must be "replay", "surrogate" or "train"`);
  }
  if (c.runner === "train") {
    const t = c.train as Record<string, unknown> | null;
    if (typeof t !== "object" || t === null) fail("train", "must be an object");
    if (typeof t!.env !== "string") fail("train.env", "must be a string");
    if (!Array.isArray(t!.domains) || !t!.domains.every((d) => typeof d === "string")) {
      fail("train.domains", "must be an array of domain names");
    }
    if (typeof t!.seed !== "number" || !Number.isInteger(t!.seed)) {
      fail("train.seed", "must be an integer");
    }
    if (t!.proxy !== undefined) {
      const x = t!.proxy as Record<string, unknown> | null;
      if (typeof x !== "object" || x === null || x.kind !== "merge") {
        fail("train.proxy", `must be an object with kind "merge"`);
      }
      if (typeof x!.build !== "number" || !(x!.build > 0)) {
        fail("train.proxy.build", "must be a positive number (the training charged once)");
      }
      if (!Array.isArray(c.query) || c.query.length !== 1) {
        fail("query", "must name exactly one fidelity when train.proxy is set");
      }
    }
  }
  if (c.runner === "surrogate") {
    const s = c.surrogate as Record<string, unknown> | null;
    if (typeof s !== "object" || s === null) fail("surrogate", "must be an object");
    const models = s!.models as Record<string, unknown> | null;
    if (typeof models !== "object" || models === null || Array.isArray(models)) {
      fail("surrogate.models", "must map fidelity ids to card paths");
    }
    for (const [f, path] of Object.entries(models!)) {
      if (typeof path !== "string") fail(`surrogate.models.${f}`, "must be a string");
    }
    const d = s!.matchDecimals;
    if (typeof d !== "number" || !Number.isInteger(d) || d < 0 || d > 12) {
      fail("surrogate.matchDecimals", "must be an integer in [0, 12]");
    }
    if (s!.outOfRegion !== undefined && s!.outOfRegion !== "table-worst") {
      fail("surrogate.outOfRegion", `must be "table-worst" when present`);
    }
    if (s!.noise !== undefined && s!.noise !== "evaluation") {
      fail("surrogate.noise", `must be "evaluation" when present`);
    }
  }
  const pool = (v: unknown, field: string) => {
    const o = v as Record<string, unknown> | null;
    if (typeof o !== "object" || o === null || typeof o.fidelity !== "string") {
      fail(field, "must be an object with a fidelity");
    }
    if (o!.splits !== undefined && !Array.isArray(o!.splits)) {
      fail(`${field}.splits`, "must be an array");
    }
  };
  if (!Array.isArray(c.query) || c.query.length === 0) fail("query", "must be a non-empty array");
  (c.query as unknown[]).forEach((q, i) => {
    pool(q, `query[${i}]`);
    const cost = (q as Record<string, unknown>).cost;
    if (typeof cost !== "number" || !(cost > 0)) {
      fail(`query[${i}].cost`, "must be a positive number");
    }
  });
  pool(c.target, "target");
  if (!Array.isArray(c.checkpoints) || !c.checkpoints.every((x) => typeof x === "number")) {
    fail("checkpoints", "must be an array of numbers");
  }
  if (c.recordEvery !== undefined && c.recordEvery !== "query") {
    fail("recordEvery", `must be "query" when present`);
  }
  const r = c.reference as Record<string, unknown> | null;
  if (typeof r !== "object" || r === null) fail("reference", "must be an object");
  for (const k of ["zero", "best", "bestRow"]) {
    if (typeof r![k] !== "number") fail(`reference.${k}`, "must be a number");
  }
  return value as TaskCard;
}

/**
 * Checks the shape of a parsed Predict-track task card.
 *
 * @param value Parsed JSON.
 * @param file File name for messages.
 * @returns The typed card.
 * @throws {TypeError} When a field is missing or has the wrong type.
 */
export function parsePredictTaskCard(value: unknown, file: string): PredictTaskCard {
  const fail = (field: string, what: string): never => {
    throw new TypeError(`Cannot read predict task card "${file}": field "${field}" ${what}`);
  };
  if (typeof value !== "object" || value === null) fail("(root)", "must be an object");
  const c = value as Record<string, unknown>;
  if (c.schema !== PREDICT_TASK_SCHEMA) fail("schema", `must be "${PREDICT_TASK_SCHEMA}"`);
  for (const k of ["id", "title", "description", "table", "objective"]) {
    if (typeof c[k] !== "string") fail(k, "must be a string");
  }
  if (typeof c.version !== "number") fail("version", "must be a number");
  if (c.direction !== "minimize" && c.direction !== "maximize") {
    fail("direction", `must be "minimize" or "maximize"`);
  }
  const t = c.train as Record<string, unknown> | null;
  if (typeof t !== "object" || t === null || typeof t.fidelity !== "string") {
    fail("train", "must be an object with a fidelity");
  }
  if (!Array.isArray(c.sets) || c.sets.length === 0) fail("sets", "must be a non-empty array");
  (c.sets as Record<string, unknown>[]).forEach((s, i) => {
    if (typeof s?.name !== "string" || typeof s?.fidelity !== "string") {
      fail(`sets[${i}]`, "must have a name and a fidelity");
    }
  });
  return value as PredictTaskCard;
}
