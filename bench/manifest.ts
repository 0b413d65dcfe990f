/**
 * Paper-reproduction manifests (`reports/manifests/<name>.json`): which tasks, methods and seeds to
 * run, which numbers make the table, and the expected numbers with their tolerances. This file
 * parses manifests and renders a filled table as markdown and LaTeX with a diff against the
 * expectations; reproduce.ts runs them.
 *
 * @module
 */

/** Schema id of manifests. */
export const MANIFEST_SCHEMA = "mixbench.manifest/1";

/** A method row of a manifest. */
export interface ManifestMethod {
  /** Registered method id (or `module.ts#export`). */
  readonly id: string;
  /** Row label. */
  readonly label: string;
  /** Tasks this method runs on (default: every task of the manifest). */
  readonly tasks?: readonly string[];
}

import type { OnlineManifest } from "./reproduce_online.ts";

/**
 * A column: one number per method. Predict manifests read a held-out set's score; optimise
 * manifests read `final` (gap closed at the final budget), `ert`, `success` (share of seeds that
 * reach the level) or `speedup` (ERT of `baseline`, default random search, ÷ the method's) at
 * pool quantile `level` (1 = best) under a `reading` (below), `spent` (mean cost a run spent),
 * or `delta` (gap closed minus `baseline`'s); `share-beating` counts the tasks on which the
 * method's mean final gap closed exceeds `baseline`'s.
 *
 * Readings (reports/cost_to_target.ts), over the recommendations recorded after every query
 * when the task records them, else over the checkpoints: `so-far` (default), the first cost at
 * which a recommendation reaches the level — the running maximum of recommended values;
 * `at-cost`, the first cost from which every later recommendation of the run reaches it.
 */
export interface ManifestColumn {
  readonly label: string;
  readonly task?: string;
  readonly set?: string;
  readonly stat?: "final" | "ert" | "speedup" | "success" | "spent" | "delta" | "share-beating";
  readonly level?: number;
  readonly baseline?: string;
  readonly reading?: "so-far" | "at-cost";
}

/** An expected number: `value ± tolerance`, or a bound (`min`, `max`). */
export interface Expectation {
  readonly method: string;
  readonly column: string;
  readonly value?: number;
  readonly tolerance?: number;
  readonly min?: number;
  readonly max?: number;
  /** Where the number comes from. */
  readonly source?: string;
}

/** A reproduction manifest. */
export interface Manifest {
  readonly schema: string;
  readonly name: string;
  readonly title: string;
  /** The paper and table reproduced, and how its numbers are read here. */
  readonly source: string;
  readonly kind: "predict" | "optimize";
  /** Seeds (the first N of the published list; 25 for paper tables). */
  readonly seeds: number;
  readonly tasks: readonly string[];
  /** Optimise manifests: the budget each task must have (checked against its task card). */
  readonly budgets?: Readonly<Record<string, number>>;
  readonly methods: readonly ManifestMethod[];
  /** Predict manifests: which score (spearman, kendall, pearson, mae, top10Recall, decisionAccuracy). */
  readonly metric?: string;
  readonly columns: readonly ManifestColumn[];
  readonly expected: readonly Expectation[];
  /** Definitions printed under the table (what each column means). */
  readonly definitions?: readonly string[];
  /**
   * Closing notes printed last; `{method id|column label}` is replaced by that cell's number
   * (3 decimals, "∞", or "—" when it could not be made).
   */
  readonly notes?: readonly string[];
  /** Online methods on `train` tasks: gap-to-baseline tables (bench/reproduce_online.ts). */
  readonly online?: OnlineManifest;
}

/**
 * Parses a manifest and checks that expectations name its methods and columns.
 *
 * @param value Parsed JSON.
 * @param file File name for messages.
 * @returns The manifest.
 * @throws {TypeError} When a field is missing or an expectation names an unknown row or column.
 */
export function parseManifest(value: unknown, file: string): Manifest {
  const fail = (what: string): never => {
    throw new TypeError(`Cannot read manifest "${file}": ${what}`);
  };
  const m = value as Manifest;
  if (m?.schema !== MANIFEST_SCHEMA) fail(`field "schema" must be "${MANIFEST_SCHEMA}"`);
  if (m.kind !== "predict" && m.kind !== "optimize") {
    fail(`field "kind" must be predict or optimize`);
  }
  if (!Number.isInteger(m.seeds) || m.seeds < 1) fail(`field "seeds" must be a positive integer`);
  for (const k of ["tasks", "methods", "columns", "expected"] as const) {
    if (!Array.isArray(m[k])) fail(`field "${k}" must be an array`);
  }
  for (const c of m.columns) {
    if (c.reading !== undefined && c.reading !== "so-far" && c.reading !== "at-cost") {
      fail(`column "${c.label}": field "reading" must be "so-far" or "at-cost"`);
    }
  }
  for (const k of ["definitions", "notes"] as const) {
    if (m[k] !== undefined && !(Array.isArray(m[k]) && m[k].every((x) => typeof x === "string"))) {
      fail(`field "${k}" must be an array of strings`);
    }
  }
  for (const note of m.notes ?? []) {
    for (const [, method, column] of note.matchAll(/\{([^|{}]+)\|([^{}]+)\}/g)) {
      if (!m.methods.some((x) => x.id === method)) fail(`note names unknown method "${method}"`);
      if (!m.columns.some((c) => c.label === column)) fail(`note names unknown column "${column}"`);
    }
  }
  if (m.online !== undefined) {
    const o = m.online;
    if (!Array.isArray(o.tasks) || !Array.isArray(o.methods) || typeof o.baseline !== "string") {
      fail(`field "online" needs "tasks", "methods" and "baseline"`);
    }
    if (!Number.isInteger(o.seeds) || o.seeds < 1) fail(`field "online.seeds" must be positive`);
    if (!o.methods.some((x) => x.id === o.baseline)) {
      fail(`"online.baseline" "${o.baseline}" is not one of "online.methods"`);
    }
  }
  for (const e of m.expected) {
    if (!m.methods.some((x) => x.id === e.method)) {
      fail(`expectation names unknown method "${e.method}"`);
    }
    if (!m.columns.some((c) => c.label === e.column)) {
      fail(`expectation names unknown column "${e.column}"`);
    }
    if (e.value === undefined && e.min === undefined && e.max === undefined) {
      fail(`expectation for "${e.method}" / "${e.column}" has no value, min or max`);
    }
  }
  return m;
}

/** A filled table: one value per (method, column); null where the number could not be made. */
export interface FilledTable {
  readonly manifest: Manifest;
  /** Per method id: "ran", or why not ("missing: not registered"). */
  readonly status: Readonly<Record<string, string>>;
  readonly values: Readonly<Record<string, Readonly<Record<string, number | null>>>>;
}

/** One line of the diff. */
export interface DiffLine {
  readonly method: string;
  readonly column: string;
  readonly got: number | null;
  readonly expected: string;
  readonly verdict: "ok" | "FAIL" | "missing";
}

/** Compares a filled table with the manifest's expectations. */
export function diffTable(t: FilledTable): DiffLine[] {
  return t.manifest.expected.map((e) => {
    const got = t.values[e.method]?.[e.column] ?? null;
    const expected = e.value !== undefined
      ? `${e.value} ± ${e.tolerance ?? 0}`
      : [e.min !== undefined ? `≥ ${e.min}` : "", e.max !== undefined ? `≤ ${e.max}` : ""]
        .filter(Boolean).join(", ");
    if (got === null || !Number.isFinite(got)) {
      return { method: e.method, column: e.column, got, expected, verdict: "missing" };
    }
    const ok = (e.value === undefined || Math.abs(got - e.value) <= (e.tolerance ?? 0) + 1e-12) &&
      (e.min === undefined || got >= e.min) && (e.max === undefined || got <= e.max);
    return { method: e.method, column: e.column, got, expected, verdict: ok ? "ok" : "FAIL" };
  });
}

/**
 * Fills a note's `{method id|column label}` placeholders from a filled table.
 *
 * @example
 * ```ts
 * import { fillNote, type FilledTable } from "./manifest.ts";
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * const t = { values: { a: { c: 1.23456, d: null } } } as unknown as FilledTable;
 * assertEquals(fillNote("x {a|c} y {a|d}", t), "x 1.235 y —");
 * ```
 */
export function fillNote(note: string, t: FilledTable): string {
  return note.replace(
    /\{([^|{}]+)\|([^{}]+)\}/g,
    (_, method, column) => num(t.values[method]?.[column]),
  );
}

const num = (x: number | null | undefined) =>
  x === null || x === undefined ? "—" : x === Infinity ? "∞" : Number.isNaN(x) ? "—" : x.toFixed(3);

/** The table as markdown (rows: methods; a last column says whether each ran). */
export function tableMarkdown(t: FilledTable): string {
  const m = t.manifest;
  return [
    `| method | ${m.columns.map((c) => c.label).join(" | ")} | status |`,
    `|---|${m.columns.map(() => "---:").join("|")}|---|`,
    ...m.methods.map((r) =>
      `| ${r.label} (\`${r.id}\`) | ${
        m.columns.map((c) => num(t.values[r.id]?.[c.label])).join(" | ")
      } | ${t.status[r.id] ?? ""} |`
    ),
  ].join("\n");
}

const tex = (s: string) => s.replace(/([_%&#$])/g, "\\$1").replace(/±/g, "$\\pm$");

/** The table as LaTeX (booktabs). */
export function tableLatex(t: FilledTable): string {
  const m = t.manifest;
  const cell = (x: number | null | undefined) =>
    x === null || x === undefined || Number.isNaN(x)
      ? "--"
      : x === Infinity
      ? "$\\infty$"
      : x.toFixed(3);
  return [
    `\\begin{tabular}{l${"r".repeat(m.columns.length)}}`,
    "\\toprule",
    `Method & ${m.columns.map((c) => tex(c.label)).join(" & ")} \\\\`,
    "\\midrule",
    ...m.methods.map((r) =>
      `${tex(r.label)} & ${
        !(t.status[r.id] ?? "missing").startsWith("missing")
          ? m.columns.map((c) => cell(t.values[r.id]?.[c.label])).join(" & ")
          : `\\multicolumn{${m.columns.length}}{c}{${tex(t.status[r.id] ?? "missing")}}`
      } \\\\`
    ),
    "\\bottomrule",
    "\\end{tabular}",
  ].join("\n");
}

/** The diff as markdown. */
export function diffMarkdown(diff: readonly DiffLine[]): string {
  if (diff.length === 0) return "No expected numbers in this manifest.";
  return [
    "| method | column | got | expected | verdict |",
    "|---|---|---:|---|---|",
    ...diff.map((d) =>
      `| ${d.method} | ${d.column} | ${
        d.got === null ? "—" : Number.isFinite(d.got) ? d.got.toFixed(4) : String(d.got)
      } | ${d.expected} | ${d.verdict} |`
    ),
  ].join("\n");
}
