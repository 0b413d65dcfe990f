/**
 * results.jsonl: one JSON line per finished cell, appended as cells finish.
 *
 * @module
 */

import type { FitWarning } from "./method.ts";
import type { OnlineRecord } from "./online.ts";

/** Schema id of results lines. */
export const RESULT_SCHEMA = "mixbench.result/2";

/**
 * Provenance of a trajectory step, written when the runner is not a plain replay: a table row,
 * or a surrogate answer with its OOD score (L1 distance to the nearest table mixture), the
 * ensemble spread before clipping, the number of metrics clipped to their bounds, and whether the
 * mixture was inside the model's trust region (absent when the runner checks none; outside, the
 * value is the task's out-of-region answer).
 */
export type StepSource =
  | { readonly kind: "table"; readonly row: number }
  | {
    readonly kind: "train";
    readonly key: string;
    /** Passes over each training domain's data (repetition follows from mixture and budget). */
    readonly epochs: readonly number[];
  }
  | {
    readonly kind: "surrogate";
    readonly ood: number;
    readonly spread?: number;
    readonly clipped?: number;
    readonly inRegion?: boolean;
  };

/** One evaluated run of a cell's trajectory. */
export interface TrajectoryStep {
  /** Fidelity queried. */
  readonly fidelity: string;
  /** Table row (replay) or -1 (surrogate). */
  readonly row: number;
  /** Objective value of the answer. */
  readonly value: number;
  /** Cost charged. */
  readonly cost: number;
  /** Cumulative cost after this run. */
  readonly spent: number;
  /** Where the answer came from (runners other than replay). */
  readonly source?: StepSource;
}

/** The recommendation recorded at one budget checkpoint. */
export interface CheckpointRecord {
  /** The checkpoint's budget. */
  readonly budget: number;
  /** Cost spent when the recommendation was taken. */
  readonly spent: number;
  /** Runs evaluated by then. */
  readonly evaluations: number;
  /** Recommended mixture, rounded to 6 decimals. */
  readonly mixture: readonly number[];
  /** Table row of the recommendation at the target fidelity. */
  readonly row: number;
  /** Objective value at the target fidelity. */
  readonly value: number;
  /** Gap closed (0 = reference zero point, 1 = best known). */
  readonly score: number;
  /** The method's own prediction, when it gave one. */
  readonly predicted?: number;
  /** Set when the method's fitted predictor was degenerate at this checkpoint. */
  readonly fit?: FitWarning;
  /**
   * Where the judged value came from (runners other than replay): the table row, or the
   * surrogate's OOD distance, spread, clipping and trust-region verdict for the recommendation.
   */
  readonly source?: StepSource;
}

/**
 * What produced a line, written by the bench on every line of results.jsonl and predict.jsonl:
 * a leaderboard refuses to rank lines of one method id or task id made by different versions.
 */
export interface LineVersions {
  /**
   * The method's declared version ({@linkcode MethodFactory.version}, a bridged program's
   * `hello`), or, for a method from outside the suite that declares none, `sha256:` and the first
   * 16 hex digits of its source file(s).
   */
  readonly method: string;
  /** Commit of the suite's checkout (12 hex digits, `-dirty` when tracked files changed). */
  readonly commit: string;
  /** sha256 of the task's run table. */
  readonly table: string;
  /** sha256 of the surrogate model answering fresh runs (surrogate tasks only). */
  readonly surrogate?: string;
}

/**
 * The recommendation after one ask–evaluate–tell round, recorded on tasks whose card sets
 * `recordEvery: "query"` (the mixture is the target-pool row's, or omitted off the table).
 */
export interface RecommendationRecord {
  /** Cost spent when the recommendation was taken. */
  readonly spent: number;
  /** Runs evaluated by then. */
  readonly evaluations: number;
  /** Table row of the recommendation at the target fidelity (−1 when not a table row). */
  readonly row: number;
  /** Objective value at the target fidelity. */
  readonly value: number;
  /** Gap closed (0 = reference zero point, 1 = best known). */
  readonly score: number;
}

/** One line of results.jsonl. */
export interface ResultLine {
  /** Always {@linkcode RESULT_SCHEMA}. */
  readonly schema: string;
  /** Suite version. */
  readonly suite: string;
  /** Task id and version. */
  readonly task: { readonly id: string; readonly version: number };
  /** Method id. */
  readonly method: string;
  /**
   * Versions of the method, suite, table and surrogate: every line in a results file has them
   * (the bench writes them; a cell's own line does not know them yet).
   */
  readonly versions?: LineVersions;
  /** Seed of the cell. */
  readonly seed: number;
  /** Runner kind. */
  readonly runner: string;
  /** Whether the cell finished. */
  readonly status: "ok" | "failed";
  /** Why the cell failed. */
  readonly error?: { readonly name: string; readonly message: string };
  /** The task's budget. */
  readonly budget: number;
  /** Cost spent. */
  readonly spent: number;
  /** Every evaluated run, in order. */
  readonly trajectory: readonly TrajectoryStep[];
  /** Recommendation at each checkpoint reached. */
  readonly checkpoints: readonly CheckpointRecord[];
  /** Recommendation after every round, on tasks whose card sets `recordEvery: "query"`. */
  readonly recommendations?: readonly RecommendationRecord[];
  /**
   * Online cells (core/online.ts): the in-run judgement of the steered run's final model, the
   * schedule, the cost per signal and the weights-transfer judgement (also in `checkpoints`).
   */
  readonly online?: OnlineRecord;
  /** Wall-clock timings (ms); the only field that may differ between identical runs. */
  readonly timings: { readonly totalMs: number; readonly methodMs: number };
}

/**
 * A line with its versions, placed after `method` (the bench stamps every line it writes).
 *
 * @example
 * ```ts
 * import { withVersions } from "./results.ts";
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * const line = withVersions({ method: "uniform", seed: 0 }, { method: "1", commit: "abc", table: "f00" });
 * assertEquals(Object.keys(line), ["method", "versions", "seed"]);
 * ```
 * @param line A results or predict line.
 * @param versions What produced it.
 * @returns The line with `versions` (replacing any it had).
 */
export function withVersions<T extends { readonly method: string }>(
  line: T,
  versions: LineVersions,
): T & { readonly versions: LineVersions } {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(line)) {
    if (k === "versions") continue;
    out[k] = v;
    if (k === "method") out.versions = versions;
  }
  return out as T & { readonly versions: LineVersions };
}

/** Identity of a cell: `task@version|method|seed`. */
export function cellKey(task: string, version: number, method: string, seed: number): string {
  return `${task}@${version}|${method}|${seed}`;
}

/** Identity of a results line's cell. */
export function lineKey(line: ResultLine): string {
  return cellKey(line.task.id, line.task.version, line.method, line.seed);
}

/**
 * Parses JSON lines that carry a schema id. A last line without its newline (an interrupted
 * write) is ignored; any other unparsable line, or a line of another schema, is an error naming
 * its line number.
 *
 * @example
 * ```ts
 * import { parseJsonLines } from "./results.ts";
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * const text = '{"schema":"s/1","n":1}\n{"schema":"s/1","n":2}\n{"schema":"s/1"';
 * assertEquals(parseJsonLines<{ n: number }>(text, "x.jsonl", "s/1").map((l) => l.n), [1, 2]);
 * ```
 * @param text File contents.
 * @param file File name for messages.
 * @param schema The schema id every line must carry.
 * @returns The lines, in file order.
 */
export function parseJsonLines<T>(text: string, file: string, schema: string): T[] {
  const out: T[] = [];
  text.split("\n").slice(0, -1).forEach((l, i) => {
    if (l.trim() === "") return;
    let v: { schema?: unknown } | null;
    try {
      v = JSON.parse(l);
    } catch (e) {
      throw new SyntaxError(`${file}:${i + 1}: not a JSON line (${(e as Error).message})`);
    }
    if (v?.schema !== schema) {
      throw new TypeError(
        `${file}:${i + 1}: schema is "${String(v?.schema)}", expected "${schema}"`,
      );
    }
    out.push(v as T);
  });
  return out;
}

/**
 * Reads a JSON-lines file with {@linkcode parseJsonLines}; a missing file reads as no lines.
 *
 * @param path The file.
 * @param schema The schema id every line must carry.
 * @returns The lines, in file order.
 */
export async function readJsonLines<T>(path: string, schema: string): Promise<T[]> {
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return [];
    throw e;
  }
  return parseJsonLines<T>(text, path, schema);
}

/**
 * Parses the text of a results file (see {@linkcode parseJsonLines}).
 *
 * @param text File contents.
 * @param file File name for messages.
 * @returns The lines, in file order.
 */
export function parseResults(text: string, file: string): ResultLine[] {
  return parseJsonLines<ResultLine>(text, file, RESULT_SCHEMA);
}

/** Reads a results file; a missing file reads as no lines. */
export function readResults(path: string): Promise<ResultLine[]> {
  return readJsonLines<ResultLine>(path, RESULT_SCHEMA);
}

/**
 * Drops a trailing partial line left by an interrupted write, so appends start on a fresh line.
 *
 * @param path The results file.
 */
export async function repairResults(path: string): Promise<void> {
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return;
    throw e;
  }
  if (text === "" || text.endsWith("\n")) return;
  await Deno.writeTextFile(path, text.slice(0, text.lastIndexOf("\n") + 1));
}

/** Serialises a line with its timings last, newline-terminated. */
export function formatLine(line: ResultLine): string {
  const { timings, ...rest } = line;
  return JSON.stringify({ ...rest, timings }) + "\n";
}
