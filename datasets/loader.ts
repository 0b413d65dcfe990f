/**
 * Loads and validates a run table in the canonical form: `runs.csv` (columns `fidelity`,
 * optional `split`, `seed`, `source_row`, then `ratio_<domain>…`, `metric_<name>…`, `cost`) with
 * its `card.json`. Every problem is reported as `file:line:column` and what was expected.
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

export type { RunTable };

const FIXED = new Set(["fidelity", "model", "split", "seed", "source_row", "cost"]);

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
 * @returns The validated table.
 * @throws {SyntaxError} Unparsable CSV or a non-numeric / empty cell.
 * @throws {TypeError} A header that does not match the schema or the card.
 * @throws {RangeError} Negative weights, weights not summing to 1, out-of-bounds metrics,
 * unknown fidelities, duplicate rows, or a sha256 that differs from the card's.
 */
export function parseRunTable(
  text: string,
  card: DataCard | undefined,
  options: ParseOptions = {},
): RunTable {
  const file = options.file ?? "runs.csv";
  const sha256 = options.sha256 ?? "";
  if (card && card.sha256 && sha256 && card.sha256 !== sha256) {
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
  if (costCol < 0) throw new TypeError(`${file}:1: missing column "cost"`);
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
  const c = card ?? inferCard(header, rows.slice(1), file);
  checkNames(file, "ratio_", domainNames, c.domains.map((d) => d.name), ratioCols);
  checkNames(file, "metric_", metricNames, c.metrics.map((m) => m.name), metricCols);
  const fidelities = new Set(c.fidelities.map((f) => f.id));
  const splitCol = col("split");
  const seedCol = col("seed");
  const srcCol = col("source_row");
  const runs: Run[] = [];
  const keys = new Map<string, number>();
  for (let i = 1; i < rows.length; i++) {
    const r = rows[i]!;
    const line = i + 1;
    if (r.length !== header.length) {
      throw new SyntaxError(
        `${file}:${line}: row has ${r.length} cells, expected ${header.length} as in the header`,
      );
    }
    const at = (j: number) => `${file}:${line}:${j + 1}`;
    const number = (j: number): number => {
      const s = r[j]!.trim();
      if (s === "") {
        throw new SyntaxError(`${at(j)}: cell "${header[j]}" is empty, expected a number`);
      }
      const x = Number(s);
      if (!Number.isFinite(x)) {
        throw new SyntaxError(`${at(j)}: cell "${header[j]}" is "${s}", expected a finite number`);
      }
      return x;
    };
    const fidelity = r[fidCol]!.trim();
    if (!fidelities.has(fidelity)) {
      throw new RangeError(
        `${at(fidCol)}: fidelity "${fidelity}" is not in the data card (expected one of ${
          [...fidelities].map((f) => `"${f}"`).join(", ")
        })`,
      );
    }
    const raw = ratioCols.map((j) => {
      const x = number(j);
      if (x < 0) throw new RangeError(`${at(j)}: weight "${header[j]}" is negative ("${x}")`);
      return x;
    });
    const sum = raw.reduce((a, b) => a + b, 0);
    if (Math.abs(sum - 1) > c.sumTolerance) {
      throw new RangeError(
        `${at(ratioCols[0]!)}: ratio_ weights sum to "${round(sum)}", expected 1 within ` +
          `${c.sumTolerance} (the card's sumTolerance)`,
      );
    }
    const metrics: Record<string, number> = {};
    metricCols.forEach((j, k) => {
      const x = number(j);
      const info = c.metrics[k]!;
      if (x < info.lower || x > info.upper) {
        throw new RangeError(
          `${
            at(j)
          }: metric "${info.name}" is "${x}", expected within [${info.lower}, ${info.upper}]`,
        );
      }
      metrics[info.name] = x;
    });
    const cost = number(costCol);
    if (cost < 0) throw new RangeError(`${at(costCol)}: cost is negative ("${cost}")`);
    const seed = seedCol >= 0 ? number(seedCol) : 0;
    const key = `${fidelity}|${seed}|${raw.join(",")}`;
    const prev = keys.get(key);
    if (prev !== undefined) {
      throw new RangeError(
        `${at(ratioCols[0]!)}: duplicate run: same fidelity, seed and mixture as line ${prev}`,
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
  return { card: c, runs, file, sha256 };
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
