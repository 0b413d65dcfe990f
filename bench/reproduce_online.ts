/**
 * The online part of a reproduction manifest (`online` in bench/manifests/aioli.json): every
 * online method's **gap to stratified** on the `minimix` training tasks, in the shape of Aioli's
 * Table 1 (Chen et al., 2025, arXiv:2411.05735), where most methods fail to beat stratified
 * sampling. Two tables, never mixed (methods.md §20.4):
 *
 * - **in-run**: the final model of the steered run (at the cheapest query fidelity, as
 *   `--quick` runs it) minus stratified's, seed by seed (the same seed gives the same data
 *   order), in validation bits/byte of the task's objective;
 * - **weights-transfer**: a fresh run at the task's target fidelity on the extracted static
 *   mixture (the method's own or its time-averaged schedule) minus stratified's (uniform).
 *
 * Each cell is the mean paired difference over seeds with a 95% Student-t interval; negative
 * beats stratified. The last column counts the tasks whose whole interval is below 0.
 *
 * @module
 */

import { readResults, type ResultLine } from "../core/results.ts";
import { defaultConcurrency } from "../harness/scheduler.ts";
import { commandLine } from "../core/shell.ts";
import { formatBenchEvent, runBench } from "./bench.ts";

/** The `online` section of a manifest. */
export interface OnlineManifest {
  /** `train` tasks. */
  readonly tasks: readonly string[];
  /** Online method ids with labels; the first row is usually the baseline. */
  readonly methods: readonly { readonly id: string; readonly label: string }[];
  /** The baseline every gap is taken to. */
  readonly baseline: string;
  /** Seeds (at least 3). */
  readonly seeds: number;
}

/** One table cell: mean paired gap, its 95% interval and the number of seeds. */
export interface Gap {
  readonly mean: number;
  readonly low: number;
  readonly high: number;
  readonly n: number;
}

/** Both filled tables. */
export interface OnlineTables {
  /** Per method id, per task: the gap (null when no pair of lines). */
  readonly inRun: Readonly<Record<string, Readonly<Record<string, Gap | null>>>>;
  readonly transfer: Readonly<Record<string, Readonly<Record<string, Gap | null>>>>;
  /** Per method id: failed cells. */
  readonly failed: Readonly<Record<string, number>>;
  /** Mean byte-passes per method (in S-run units) over its cells. */
  readonly cost: Readonly<Record<string, Readonly<Record<string, number>>>>;
}

/** Two-sided 95% Student-t quantiles for 1…30 degrees of freedom. */
const T95 = [
  12.706,
  4.303,
  3.182,
  2.776,
  2.571,
  2.447,
  2.365,
  2.306,
  2.262,
  2.228,
  2.201,
  2.179,
  2.16,
  2.145,
  2.131,
  2.12,
  2.11,
  2.101,
  2.093,
  2.086,
  2.08,
  2.074,
  2.069,
  2.064,
  2.06,
  2.056,
  2.052,
  2.048,
  2.045,
  2.042,
];

/**
 * Mean and 95% Student-t interval of paired differences.
 *
 * @example
 * ```ts
 * import { pairedGap } from "./reproduce_online.ts";
 * import { deepStrictEqual as assertEquals } from "node:assert/strict";
 * // differences [1, 2, 3]: mean 2, sd 1, se 1/√3, t(2) = 4.303
 * const g = pairedGap([1, 2, 3]);
 * assertEquals([g.mean, +(g.high - g.mean).toFixed(3)], [2, +(4.303 / Math.sqrt(3)).toFixed(3)]);
 * ```
 */
export function pairedGap(d: readonly number[]): Gap {
  const n = d.length;
  const mean = d.reduce((s, x) => s + x, 0) / n;
  if (n < 2) return { mean, low: NaN, high: NaN, n };
  const sd = Math.sqrt(d.reduce((s, x) => s + (x - mean) ** 2, 0) / (n - 1));
  const h = (T95[n - 2] ?? 1.96) * sd / Math.sqrt(n);
  return { mean, low: mean - h, high: mean + h, n };
}

/** Fills both tables from results lines. */
export function onlineTables(spec: OnlineManifest, lines: readonly ResultLine[]): OnlineTables {
  const ok = lines.filter((l) => l.status === "ok" && l.online);
  const at = (task: string, method: string) =>
    new Map(ok.filter((l) => l.task.id === task && l.method === method).map((l) => [l.seed, l]));
  const table = (value: (l: ResultLine) => number | undefined) =>
    Object.fromEntries(spec.methods.map((m) => [
      m.id,
      Object.fromEntries(spec.tasks.map((t) => {
        const base = at(t, spec.baseline);
        const d: number[] = [];
        for (const [seed, l] of at(t, m.id)) {
          const b = base.get(seed);
          const x = value(l), y = b && value(b);
          if (x !== undefined && y !== undefined) d.push(x - y);
        }
        return [t, d.length ? pairedGap(d) : null];
      })),
    ]));
  const failed = Object.fromEntries(spec.methods.map((m) => [
    m.id,
    lines.filter((l) => l.method === m.id && l.status === "failed").length,
  ]));
  const cost = Object.fromEntries(spec.methods.map((m) => {
    const mine = ok.filter((l) => l.method === m.id);
    const sum: Record<string, number> = {};
    for (const l of mine) {
      const unit = l.online!.bytePasses / l.spent;
      for (const [k, v] of Object.entries(l.online!.cost)) {
        sum[k] = (sum[k] ?? 0) + v / unit / mine.length;
      }
    }
    return [m.id, sum];
  }));
  return {
    inRun: table((l) => l.online!.inRun.value),
    transfer: table((l) => l.online!.transfer?.value),
    failed,
    cost,
  };
}

const fmt = (g: Gap | null | undefined) =>
  !g
    ? "—"
    : Number.isNaN(g.low)
    ? `${g.mean.toFixed(4)} (n=1)`
    : `${g.mean.toFixed(4)} [${g.low.toFixed(4)}, ${g.high.toFixed(4)}]`;

const beats = (row: Readonly<Record<string, Gap | null>>) =>
  Object.values(row).filter((g) => g && g.high < 0).length;

/** One table as markdown. */
export function gapMarkdown(
  spec: OnlineManifest,
  t: Readonly<Record<string, Readonly<Record<string, Gap | null>>>>,
): string {
  return [
    `| method | ${spec.tasks.join(" | ")} | tasks beating ${spec.baseline} |`,
    `|---|${spec.tasks.map(() => "---:").join("|")}|---:|`,
    ...spec.methods.map((m) =>
      `| ${m.label} (\`${m.id}\`) | ${spec.tasks.map((k) => fmt(t[m.id]?.[k])).join(" | ")} | ${
        beats(t[m.id] ?? {})
      }/${spec.tasks.length} |`
    ),
  ].join("\n");
}

const tex = (s: string) => s.replace(/([_%&#$])/g, "\\$1");

/** One table as LaTeX (booktabs): mean with the interval's half-width. */
export function gapLatex(
  spec: OnlineManifest,
  t: Readonly<Record<string, Readonly<Record<string, Gap | null>>>>,
): string {
  const cell = (g: Gap | null | undefined) =>
    !g
      ? "--"
      : Number.isNaN(g.low)
      ? g.mean.toFixed(4)
      : `${g.mean.toFixed(4)} $\\pm$ ${((g.high - g.low) / 2).toFixed(4)}`;
  return [
    `\\begin{tabular}{l${"r".repeat(spec.tasks.length)}r}`,
    "\\toprule",
    `Method & ${spec.tasks.map(tex).join(" & ")} & beats \\\\`,
    "\\midrule",
    ...spec.methods.map((m) =>
      `${tex(m.label)} & ${spec.tasks.map((k) => cell(t[m.id]?.[k])).join(" & ")} & ${
        beats(t[m.id] ?? {})
      }/${spec.tasks.length} \\\\`
    ),
    "\\bottomrule",
    "\\end{tabular}",
  ].join("\n");
}

/** The per-method cost breakdown as markdown (task cost units, mean over cells). */
export function costMarkdown(spec: OnlineManifest, tables: OnlineTables): string {
  const keys = [...new Set(Object.values(tables.cost).flatMap((c) => Object.keys(c)))].sort();
  return [
    `| method | ${keys.join(" | ")} | total | failed cells |`,
    `|---|${keys.map(() => "---:").join("|")}|---:|---:|`,
    ...spec.methods.map((m) => {
      const c = tables.cost[m.id] ?? {};
      const total = Object.values(c).reduce((s, x) => s + x, 0);
      return `| \`${m.id}\` | ${keys.map((k) => (c[k] ?? 0).toFixed(2)).join(" | ")} | ${
        total.toFixed(2)
      } | ${tables.failed[m.id] ?? 0} |`;
    }),
  ].join("\n");
}

/**
 * Runs the online section: one bench of the online methods on the training tasks (steered runs
 * at the cheapest fidelity, as `--quick`), then both gap tables.
 *
 * @param spec The manifest's `online` section.
 * @param o Seeds (overrides the section's), output folder, workers, time limit, progress.
 * @returns The tables, and the text (markdown and LaTeX) to print.
 */
export async function reproduceOnline(
  spec: OnlineManifest,
  o: {
    seeds?: number;
    out: string;
    workers?: number;
    timeLimitMs?: number;
    log?: (line: string) => void;
    name: string;
  },
): Promise<{ tables: OnlineTables; text: string }> {
  const seeds = o.seeds ?? spec.seeds;
  await runBench({
    quick: true,
    seeds,
    tasks: [...spec.tasks],
    methods: spec.methods.map((m) => m.id),
    out: o.out,
    resume: false,
    force: true,
    workers: o.workers ?? defaultConcurrency(),
    timeLimitMs: o.timeLimitMs ?? 600_000,
    command: commandLine("reproduce", [o.name, "--seeds", String(seeds)]),
    report: (e) => {
      if (e.kind === "cell") o.log?.(formatBenchEvent(e));
    },
  });
  const tables = onlineTables(spec, await readResults(`${o.out}/results.jsonl`));
  const text = [
    `## Online methods on the training environment: gap to \`${spec.baseline}\``,
    "",
    `Validation bits/byte of each task's objective, method minus \`${spec.baseline}\`, paired by ` +
    `seed; mean [95% Student-t interval] over ${seeds} seeds; negative beats ` +
    `\`${spec.baseline}\`. The last column counts tasks whose whole interval is below 0.`,
    "",
    "### In-run (final model of the steered run, cheapest fidelity)",
    "",
    gapMarkdown(spec, tables.inRun),
    "",
    "```latex",
    gapLatex(spec, tables.inRun),
    "```",
    "",
    "### Weights-transfer (fresh run at the target fidelity on the extracted mixture)",
    "",
    gapMarkdown(spec, tables.transfer),
    "",
    "```latex",
    gapLatex(spec, tables.transfer),
    "```",
    "",
    "### Cost per signal (task cost units, mean over cells)",
    "",
    costMarkdown(spec, tables),
    "",
    `Runs in ${o.out}.`,
  ].join("\n");
  return { tables, text };
}
