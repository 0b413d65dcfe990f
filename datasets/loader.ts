/**
 * Loads and validates a run table in the canonical form: `runs.csv` (columns `fidelity`,
 * optional `split`, `seed`, `source_row`, then `ratio_<domain>…`, `metric_<name>…`, `cost`;
 * `cost` may be left out when the table has one fidelity) with its `card.json`. Every problem is
 * reported as `file:line:column` and what was expected.
 *
 * @module
 */

// @ts-types="@types/papaparse"
import Papa from "papaparse";
import { parseCard } from "./card.ts";
import type { DataCard, RunTable } from "../core/table.ts";
import { inferCard } from "./_infer_card.ts";
import { compileObjective } from "../core/objective.ts";
import type { Run } from "../core/types.ts";
import { createHash } from "node:crypto";

export type { RunTable };

const FIXED = new Set(["fidelity", "model", "split", "seed", "source_row", "cost"]);
/** A decimal number as written in a table (no hex, binary, octal, `Infinity` or `NaN`). */
const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/** Options of {@linkcode parseRunTable}. */
export interface ParseOptions {
  /** File name used in error messages. @default {"runs.csv"} */
  file?: string;
  /** Hex sha256 of the bytes, checked against the card when both are present. @default {""} */
  sha256?: string;
}

/**
 * Parses and validates the text of a runs.csv against its card (inferred from the header when
 * none is given).
 *
 * Ratio, fidelity and cost cells must be filled; a metric cell may be empty (the run then lacks
 * that metric, and a task whose objective reads it refuses the run: see core/task.ts). The
 * `cost` column may be left out when every run has the same fidelity (each run then costs the
 * card's cost of that fidelity, or 1 without a card). Numbers are decimal (`0x10` is refused);
 * every run of one fidelity has the same cost; no cell holds a line break.
 *
 * @example
 * ```ts
 * import { parseRunTable } from "./loader.ts";
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * const csv = "fidelity,ratio_a,ratio_b,metric_loss,cost\nsmall,0.5,0.5,2.0,1\nsmall,1,0,2.5,1\n";
 * const table = parseRunTable(csv, undefined);
 * assertEquals(table.runs.length, 2);
 * ```
 * @param text The CSV text.
 * @param card The data card, or undefined to infer one.
 * @param options File name and sha256 for messages and checks.
 * @returns The validated table (its sha256 is the given one, else that of the text's UTF-8 bytes).
 * @throws {SyntaxError} Unparsable CSV, a cell with a line break, a non-decimal / empty cell.
 * @throws {TypeError} A header that does not match the schema or the card.
 * @throws {RangeError} Negative weights, weights not summing to 1, out-of-bounds metrics,
 * unknown fidelities, a cost that is not positive or differs between runs of one fidelity,
 * duplicate rows, or a sha256 that differs from the card's.
 */
export function parseRunTable(
  text: string,
  card: DataCard | undefined,
  options: ParseOptions = {},
): RunTable {
  const file = options.file ?? "runs.csv";
  const sha256 = options.sha256 ?? createHash("sha256").update(text).digest("hex");
  if (card && card.sha256 && options.sha256 && card.sha256 !== sha256) {
    throw new RangeError(
      `${file}: sha256 is "${sha256}", expected "${card.sha256}" from the data card`,
    );
  }
  const parsed = Papa.parse<string[]>(text.replace(/^\uFEFF/, ""), {
    delimiter: ",",
    skipEmptyLines: false,
  });
  const rows = parsed.data;
  while (
    rows.length > 0 && rows[rows.length - 1]!.length === 1 && rows[rows.length - 1]![0] === ""
  ) {
    rows.pop();
  }
  if (parsed.errors.length > 0) {
    const e = parsed.errors[0]!;
    throw new SyntaxError(`${file}:${(e.row ?? 0) + 1}: ${e.message}`);
  }
  const header = rows[0];
  if (!header || header.length === 0 || (header.length === 1 && header[0] === "")) {
    throw new SyntaxError(`${file}:1: the table is empty, expected a header line`);
  }
  const col = (name: string) => header.indexOf(name);
  const seen = new Set<string>();
  header.forEach((h, j) => {
    if (/[\r\n]/.test(h)) {
      throw new SyntaxError(`${file}:1:${j + 1}: a column name holds a line break`);
    }
    if (seen.has(h)) throw new TypeError(`${file}:1:${j + 1}: column "${h}" appears twice`);
    seen.add(h);
    if (!FIXED.has(h) && !h.startsWith("ratio_") && !h.startsWith("metric_")) {
      throw new TypeError(
        `${file}:1:${j + 1}: unknown column "${h}", expected fidelity, split, seed, source_row, ` +
          `cost, ratio_<domain> or metric_<name>`,
      );
    }
  });
  const fidCol = col("fidelity") >= 0 ? col("fidelity") : col("model");
  if (fidCol < 0) throw new TypeError(`${file}:1: missing column "fidelity"`);
  const costCol = col("cost");
  const ratioCols = header.flatMap((h, j) => h.startsWith("ratio_") ? [j] : []);
  const metricCols = header.flatMap((h, j) => h.startsWith("metric_") ? [j] : []);
  if (ratioCols.length < 2) {
    throw new TypeError(`${file}:1: found ${ratioCols.length} ratio_ columns, expected at least 2`);
  }
  if (metricCols.length < 1) {
    throw new TypeError(`${file}:1: no metric_ column, expected one or more`);
  }
  const domainNames = ratioCols.map((j) => header[j]!.slice(6));
  const metricNames = metricCols.map((j) => header[j]!.slice(7));
  // Cell parsing, shared by both passes; `line` is the 1-based line of record i (exact, since
  // the first pass refuses any cell holding a line break before reading later records).
  const at = (i: number, j: number) => `${file}:${i + 1}:${j + 1}`;
  const number = (i: number, j: number): number => {
    const s = rows[i]![j]!.trim();
    if (s === "") {
      throw new SyntaxError(`${at(i, j)}: cell "${header[j]}" is empty, expected a number`);
    }
    const x = Number(s);
    if (!DECIMAL.test(s) || !Number.isFinite(x)) {
      throw new SyntaxError(
        `${at(i, j)}: cell "${header[j]}" is "${s}", expected a finite decimal number`,
      );
    }
    return x;
  };
  // First pass: the shape of every record, and one positive cost per fidelity.
  const fidelityCosts = new Map<string, { cost: number; line: number }>();
  for (let i = 1; i < rows.length; i++) {
    const r = rows[i]!;
    if (r.length !== header.length) {
      throw new SyntaxError(
        `${file}:${i + 1}: row has ${r.length} cells, expected ${header.length} as in the header`,
      );
    }
    const broken = r.findIndex((cell) => /[\r\n]/.test(cell));
    if (broken >= 0) {
      throw new SyntaxError(
        `${at(i, broken)}: cell "${header[broken]}" holds a line break (a quoted newline), ` +
          `expected one line per run`,
      );
    }
    const fidelity = r[fidCol]!.trim();
    if (fidelity === "") {
      throw new SyntaxError(`${at(i, fidCol)}: cell "${header[fidCol]}" is empty`);
    }
    if (costCol < 0) {
      if (!fidelityCosts.has(fidelity)) fidelityCosts.set(fidelity, { cost: 1, line: i + 1 });
      continue;
    }
    const cost = number(i, costCol);
    if (!(cost > 0)) {
      throw new RangeError(`${at(i, costCol)}: cost is "${cost}", expected a positive number`);
    }
    const first = fidelityCosts.get(fidelity);
    if (first === undefined) fidelityCosts.set(fidelity, { cost, line: i + 1 });
    else if (first.cost !== cost) {
      throw new RangeError(
        `${at(i, costCol)}: cost is "${cost}", but fidelity "${fidelity}" costs "${first.cost}" ` +
          `at line ${first.line}; every run of one fidelity must have the same cost`,
      );
    }
  }
  if (costCol < 0 && fidelityCosts.size > 1) {
    throw new TypeError(
      `${file}:1: missing column "cost", needed when the table has more than one fidelity ` +
        `(found ${fidelityCosts.size}: ${[...fidelityCosts.keys()].join(", ")})`,
    );
  }
  const c = card ?? inferCard(
    header,
    new Map([...fidelityCosts].map(([f, { cost }]) => [f, cost])),
    file,
  );
  checkNames(file, "ratio_", domainNames, c.domains.map((d) => d.name), ratioCols);
  checkNames(file, "metric_", metricNames, c.metrics.map((m) => m.name), metricCols);
  const cardCost = new Map(c.fidelities.map((f) => [f.id, f.cost]));
  const splitCol = col("split");
  const seedCol = col("seed");
  const srcCol = col("source_row");
  const runs: Run[] = [];
  const keys = new Map<string, number>();
  for (let i = 1; i < rows.length; i++) {
    const r = rows[i]!;
    const line = i + 1;
    const fidelity = r[fidCol]!.trim();
    if (!cardCost.has(fidelity)) {
      throw new RangeError(
        `${at(i, fidCol)}: fidelity "${fidelity}" is not in the data card (expected one of ${
          [...cardCost.keys()].map((f) => `"${f}"`).join(", ")
        })`,
      );
    }
    const raw = ratioCols.map((j) => {
      const x = number(i, j);
      if (x < 0) throw new RangeError(`${at(i, j)}: weight "${header[j]}" is negative ("${x}")`);
      return x;
    });
    const sum = raw.reduce((a, b) => a + b, 0);
    if (Math.abs(sum - 1) > c.sumTolerance) {
      throw new RangeError(
        `${at(i, ratioCols[0]!)}: ratio_ weights sum to "${round(sum)}", expected 1 within ` +
          `${c.sumTolerance} (the card's sumTolerance)`,
      );
    }
    const metrics: Record<string, number> = {};
    metricCols.forEach((j, k) => {
      if (r[j]!.trim() === "") return;
      const x = number(i, j);
      const info = c.metrics[k]!;
      if (x < info.lower || x > info.upper) {
        throw new RangeError(
          `${
            at(i, j)
          }: metric "${info.name}" is "${x}", expected within [${info.lower}, ${info.upper}]`,
        );
      }
      metrics[info.name] = x;
    });
    const cost = costCol >= 0 ? number(i, costCol) : cardCost.get(fidelity)!;
    const seed = seedCol >= 0 ? number(i, seedCol) : 0;
    const key = `${fidelity}|${seed}|${raw.join(",")}`;
    const prev = keys.get(key);
    if (prev !== undefined) {
      throw new RangeError(
        `${at(i, ratioCols[0]!)}: duplicate run: same fidelity, seed and mixture as line ${prev}`,
      );
    }
    keys.set(key, line);
    runs.push({
      row: i - 1,
      fidelity,
      mixture: raw.map((x) => x / sum),
      metrics,
      cost,
      split: splitCol >= 0 ? r[splitCol]!.trim() : "",
      seed,
      sourceRow: srcCol >= 0 ? r[srcCol]!.trim() : String(i - 1),
    });
  }
  if (runs.length === 0) throw new RangeError(`${file}: the table has a header but no runs`);
  checkDefinitions(c, runs, file);
  return { card: c, runs, file, sha256, columns: header };
}

/** What a load found, for the CLI to print (library code never prints). */
export interface LoadSummary {
  /** Path of runs.csv. */
  readonly file: string;
  /** Number of runs. */
  readonly runs: number;
  /** Runs and cost per fidelity, cheapest first. */
  readonly fidelities: readonly {
    readonly id: string;
    readonly runs: number;
    readonly cost: number;
  }[];
  /** Number of domains (`ratio_` columns). */
  readonly domains: number;
  /** Number of metrics (`metric_` columns). */
  readonly metrics: number;
  /** Whether the card was inferred (no card.json). */
  readonly inferredCard: boolean;
  /** Empty cells per metric column that has any, by metric name. */
  readonly emptyCells: Readonly<Record<string, number>>;
  /** The summary as lines of text. */
  readonly lines: readonly string[];
}

/**
 * Summarises a loaded table: runs per fidelity, columns, and the metric columns with empty
 * cells (allowed in the columns an objective does not read).
 *
 * @example
 * ```ts
 * import { parseRunTable, summarizeTable } from "./loader.ts";
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * const csv = "fidelity,ratio_a,ratio_b,metric_loss,metric_acc\ns,0.5,0.5,2.0,\ns,1,0,2.5,0.1\n";
 * const s = summarizeTable(parseRunTable(csv, undefined, { file: "t.csv" }), ["loss"]);
 * assertEquals(s.emptyCells, { acc: 1 });
 * assertEquals(s.lines[1], "t.csv: 1 empty cell, allowed because the objective does not read its column: metric_acc ×1");
 * ```
 * @param table The loaded table.
 * @param used Metric names the task's objective reads.
 * @returns The summary.
 */
export function summarizeTable(table: RunTable, used: readonly string[] = []): LoadSummary {
  const fidelities = [...table.card.fidelities].sort((a, b) => a.cost - b.cost).map((f) => ({
    id: f.id,
    runs: table.runs.filter((r) => r.fidelity === f.id).length,
    cost: f.cost,
  }));
  const emptyCells: Record<string, number> = {};
  for (const m of table.card.metrics) {
    const n = table.runs.filter((r) => r.metrics[m.name] === undefined).length;
    if (n > 0) emptyCells[m.name] = n;
  }
  const inferredCard = table.card.inferred === true;
  const n = (k: number, one: string, many: string) => `${k} ${k === 1 ? one : many}`;
  const lines = [
    `${table.file}: ${n(table.runs.length, "run", "runs")} at ${
      n(fidelities.length, "fidelity", "fidelities")
    } (${
      fidelities.map((f) => `${f.id}: ${n(f.runs, "run", "runs")}, cost ${f.cost}`).join("; ")
    }), ${n(table.card.domains.length, "domain", "domains")}, ${
      n(table.card.metrics.length, "metric", "metrics")
    }; ${inferredCard ? "no data card (inferred from the header)" : "data card given"}`,
  ];
  const list = (names: string[]) => names.map((m) => `metric_${m} ×${emptyCells[m]}`).join(", ");
  const unused = Object.keys(emptyCells).filter((m) => !used.includes(m));
  const inUse = Object.keys(emptyCells).filter((m) => used.includes(m));
  if (unused.length > 0) {
    const n = unused.reduce((a, m) => a + emptyCells[m]!, 0);
    lines.push(
      `${table.file}: ${n} empty ${n === 1 ? "cell" : "cells"}, allowed because the objective ` +
        `does not read ${unused.length === 1 ? "its column" : "their columns"}: ${list(unused)}`,
    );
  }
  if (inUse.length > 0) {
    lines.push(
      `${table.file}: empty cells in columns the objective reads, only at runs outside the ` +
        `task's pools: ${list(inUse)}`,
    );
  }
  return {
    file: table.file,
    runs: table.runs.length,
    fidelities,
    domains: table.card.domains.length,
    metrics: table.card.metrics.length,
    inferredCard,
    emptyCells,
    lines,
  };
}

/**
 * Reads `runs.csv` (and `card.json` beside it unless another card path is given) from disk.
 *
 * @param csvPath Path of runs.csv.
 * @param cardPath Path of card.json; by default the one beside runs.csv, or an inferred card
 * when there is none.
 * @returns The validated table.
 */
export async function loadRunTable(csvPath: string, cardPath?: string): Promise<RunTable> {
  const bytes = await Deno.readFile(csvPath);
  const sha256 = await sha256Hex(bytes);
  const beside = csvPath.replace(/[^/\\]*$/, "card.json");
  const path = cardPath ?? (await exists(beside) ? beside : undefined);
  let card: DataCard | undefined;
  if (path !== undefined) {
    let json: unknown;
    try {
      json = JSON.parse(await Deno.readTextFile(path));
    } catch (e) {
      if (e instanceof SyntaxError) {
        throw new SyntaxError(`Cannot read data card "${path}": ${e.message}`, { cause: e });
      }
      throw e;
    }
    card = parseCard(json, path);
  }
  return parseRunTable(new TextDecoder().decode(bytes), card, { file: csvPath, sha256 });
}

/** Hex sha256 of some bytes. */
export async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", bytes as Uint8Array<ArrayBuffer>);
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.stat(path);
    return true;
  } catch {
    return false;
  }
}

/**
 * Checks each metric `definition` of the card: it compiles over the other metrics and equals
 * the stored value on every run (to 1e-9, relative), so methods may decompose objectives by it.
 */
function checkDefinitions(card: DataCard, runs: readonly Run[], file: string): void {
  const names = card.metrics.map((m) => m.name);
  for (const m of card.metrics) {
    if (m.definition === undefined) continue;
    let f;
    try {
      f = compileObjective(m.definition, names);
    } catch (e) {
      throw new TypeError(
        `${file}: the definition of metric "${m.name}" in the data card does not compile: ${
          (e as Error).message
        }`,
        { cause: e },
      );
    }
    if (f.metrics.includes(m.name)) {
      throw new TypeError(`${file}: the definition of metric "${m.name}" reads the metric itself`);
    }
    for (const r of runs) {
      const want = r.metrics[m.name]!;
      const got = f.evaluate(r.metrics);
      if (!(Math.abs(got - want) <= 1e-9 * Math.max(1, Math.abs(want)))) {
        throw new RangeError(
          `${file}:${r.row + 2}: metric "${m.name}" is "${want}" but its definition "${
            m.definition.length > 60 ? m.definition.slice(0, 57) + "..." : m.definition
          }" gives "${got}"`,
        );
      }
    }
  }
}

function checkNames(
  file: string,
  prefix: string,
  got: readonly string[],
  expected: readonly string[],
  cols: readonly number[],
): void {
  for (let k = 0; k < Math.max(got.length, expected.length); k++) {
    if (got[k] !== expected[k]) {
      const where = cols[k] === undefined ? `${file}:1` : `${file}:1:${cols[k]! + 1}`;
      throw new TypeError(
        `${where}: column ${k + 1} of the ${prefix} columns is "${
          got[k] === undefined ? "(none)" : prefix + got[k]
        }", expected "${
          expected[k] === undefined ? "(none)" : prefix + expected[k]
        }" as in the data card`,
      );
    }
  }
}

function round(x: number): string {
  return String(Math.round(x * 1e9) / 1e9);
}
