/**
 * results.jsonl: one JSON line per finished cell, appended as cells finish.
 *
 * @module
 */

import { RESULT_SCHEMA, type ResultLine } from "./harness.ts";

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
