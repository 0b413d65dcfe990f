/**
 * Built-in run tables and task cards, loaded once per process.
 *
 * @module
 */

import { resolveTask, type Task, type TaskCard } from "../core/task.ts";
import type { RunTable } from "../core/table.ts";
import { loadRunTable } from "./loader.ts";
import { parsePredictTaskCard, parseTaskCard } from "./task_card.ts";
import type { PredictTaskCard } from "../core/predict.ts";
import { minimixTableWithDigest } from "./minimix/table.ts";

/** Ids of the built-in tables (folders beside this file). */
export const TABLES: readonly string[] = [
  "regmix_pile",
  "admire_ift",
  "olmix_superswarm",
  "olmix_reuse",
  "minimix_swarm",
];

/** Ids of the built-in tasks (cards under datasets/tasks/). */
export const TASKS: readonly string[] = [
  "regmix-pile/pile-cc",
  "regmix-pile/pile-cc-1b",
  "admire-ift/avg-7b",
  "admire-ift/avg-7b-transfer",
  "olmix/superswarm-bpb",
  // Continuous tasks (run when named): only those whose surrogate passes its validation and
  // adversarial gates (runners/surrogates/README.md).
  "regmix-pile/pile-cc@1M",
  "regmix-pile/pile-cc@60M",
  "olmix/superswarm-bpb@30M",
  "minimix/avg",
  "minimix/avg-merge",
  "minimix/worst",
  "minimix/target-nodedocs",
  "minimix/target-wordnet",
  "minimix-swarm/avg-l",
];

/**
 * Ids of the reproduction-only tasks (cards under datasets/tasks/): loadable by id (`deno task
 * reproduce`, `--tasks`) but not part of a default bench, because they follow a paper's own
 * protocol (ADMIRE-BayesOpt's: run until the pool is exhausted) rather than the suite's budget
 * rule.
 */
export const REPRODUCTION_TASKS: readonly string[] = ["admire-ift/avg-7b-reference"];

/**
 * Ids of the ceiling tasks (cards under datasets/tasks/): loadable by id (`--tasks`) but not part
 * of a default bench, because they do not discriminate. A built-in optimise task belongs to the
 * default bench only while at most two default methods reach a median final score of 1.000 (the
 * pool's best) on the default bench; a task that fails this at the suite's budget rule, for a
 * reason no budget removes, moves here, with the measurement in its card's `budgetRule` and in
 * the README ("Leaderboard"). `regmix-pile/avg-1b`: regmix, dml, bimix and climb pick the pooled
 * 1B best from the 1M runs at any budget ≥ 0.25, also from a random quarter of them.
 */
export const CEILING_TASKS: readonly string[] = ["regmix-pile/avg-1b"];

/** Ids of the built-in Predict-track tasks (cards under datasets/tasks/). */
export const PREDICT_TASKS: readonly string[] = [
  "regmix-pile/predict-pile-cc",
  "admire-ift/predict-avg",
  "minimix-swarm/predict-avg",
];

const tables = new Map<string, Promise<RunTable>>();

/** Path of a built-in table's runs.csv. */
export function tablePath(id: string): string {
  if (!TABLES.includes(id)) {
    throw new RangeError(`Unknown table "${id}" (built-in: ${TABLES.join(", ")})`);
  }
  return new URL(`./${id}/runs.csv`, import.meta.url).pathname;
}

/**
 * Path of a built-in task card (optimise, transfer or predict track). Continuous tasks
 * `family/name@F` live in `family/name_at_F.json`.
 */
export function taskCardPath(id: string): string {
  if (![TASKS, PREDICT_TASKS, REPRODUCTION_TASKS, CEILING_TASKS].some((l) => l.includes(id))) {
    const all = [...TASKS, ...PREDICT_TASKS, ...REPRODUCTION_TASKS, ...CEILING_TASKS];
    throw new RangeError(`Unknown task "${id}" (built-in: ${all.join(", ")})`);
  }
  return new URL(`./tasks/${id.replace("@", "_at_")}.json`, import.meta.url).pathname;
}

/**
 * Loads a table by built-in id, or from a path to a runs.csv (with card.json beside it, or an
 * explicit card path); cached per process.
 */
export function loadTable(idOrPath: string, cardPath?: string): Promise<RunTable> {
  const key = `${idOrPath}|${cardPath ?? ""}`;
  let t = tables.get(key);
  if (!t) {
    t = TABLES.includes(idOrPath)
      ? loadRunTable(tablePath(idOrPath))
      : loadRunTable(idOrPath, cardPath);
    tables.set(key, t);
    t.catch(() => tables.delete(key));
  }
  return t;
}

/** Reads a built-in task card. */
export async function loadTaskCard(id: string): Promise<TaskCard> {
  const path = taskCardPath(id);
  return parseTaskCard(JSON.parse(await Deno.readTextFile(path)), path);
}

/** Loads a built-in task bound to its table (a training environment's table has no runs). */
export async function loadTask(id: string): Promise<Task> {
  const card = await loadTaskCard(id);
  return resolveTask(card, await taskTable(card));
}

/** The table a task card names: a built-in or given runs.csv, or a training environment's. */
export function taskTable(card: TaskCard): Promise<RunTable> {
  if (card.runner === "train") {
    if (card.train?.env !== "minimix") {
      return Promise.reject(
        new TypeError(`Task "${card.id}": unknown training environment "${card.train?.env}"`),
      );
    }
    return minimixTableWithDigest(card.train.domains);
  }
  return loadTable(card.table);
}

/** Reads a built-in Predict-track task card. */
export async function loadPredictTaskCard(id: string): Promise<PredictTaskCard> {
  const path = taskCardPath(id);
  return parsePredictTaskCard(JSON.parse(await Deno.readTextFile(path)), path);
}
