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
 * Parses the text of a results file. A last line without its newline (an interrupted write) is
 * ignored; any other unparsable line is an error naming its line number.
 *
 * @param text File contents.
 * @param file File name for messages.
 * @returns The lines, in file order.
 */
export function parseResults(text: string, file: string): ResultLine[] {
  const lines = text.split("\n");
  const complete = lines.slice(0, -1);
  const out: ResultLine[] = [];
  complete.forEach((l, i) => {
    if (l.trim() === "") return;
    let v: unknown;
    try {
      v = JSON.parse(l);
    } catch (e) {
      throw new SyntaxError(`${file}:${i + 1}: not a JSON line (${(e as Error).message})`);
    }
    const r = v as ResultLine;
    if (r?.schema !== RESULT_SCHEMA) {
      throw new TypeError(
        `${file}:${i + 1}: schema is "${String(r?.schema)}", expected "${RESULT_SCHEMA}"`,
      );
    }
    out.push(r);
  });
  return out;
}

/** Reads a results file; a missing file reads as no lines. */
export async function readResults(path: string): Promise<ResultLine[]> {
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return [];
    throw e;
  }
  return parseResults(text, path);
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
