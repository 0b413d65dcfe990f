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
 * - **in-run at equal total cost** (methods.md §20.3, "report results at equal total FLOPs, not
 *   only equal final-run steps"): the same final model minus a `stratified` run given the
 *   method's **whole** cost (probes, reference and auxiliary runs, validation and gradient passes)
 *   as more training of the same run — the steered run's model, seed and validation subset,
 *   trained for as many whole steps as the method's byte-passes pay for, with the recipe's
 *   schedule over them (`online.equalCost` of the method's own line). Aioli (§4) charges its
 *   probes as steps of the run for the same reason; this extends the charge to every signal.
 *
 * Each cell is the mean paired difference over seeds with a 95% Student-t interval; negative
 * beats stratified. The last column counts the tasks whose whole interval is below 0.
 *
 * @module
 */

import { readResults, type ResultLine } from "../core/results.ts";
import { tInterval95 } from "../numerics/stats/summary.ts";
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
  /**
   * Per method id, per task: in-run value minus the equal-cost `stratified` run's (the line's
   * `online.equalCost`), paired within each line (null when no line has one).
   */
  readonly equalCost: Readonly<Record<string, Readonly<Record<string, Gap | null>>>>;
  /** Per method id: mean steps of its equal-cost baselines (over its lines that have one). */
  readonly equalSteps: Readonly<Record<string, number>>;
  /** Per method id: failed cells. */
  readonly failed: Readonly<Record<string, number>>;
  /** Mean byte-passes per method (in S-run units) over its cells. */
  readonly cost: Readonly<Record<string, Readonly<Record<string, number>>>>;
}

/**
 * Mean and 95% Student-t interval of paired differences ({@linkcode tInterval95}).
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
  return tInterval95(d);
}

/** Fills the tables from results lines. */
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
  const equalCost = Object.fromEntries(spec.methods.map((m) => [
    m.id,
    Object.fromEntries(spec.tasks.map((t) => {
      const d = [...at(t, m.id).values()].flatMap((l) =>
        l.online!.equalCost ? [l.online!.inRun.value - l.online!.equalCost.value] : []
      );
      return [t, d.length ? pairedGap(d) : null];
    })),
  ]));
  const equalSteps = Object.fromEntries(spec.methods.flatMap((m) => {
    const steps = ok.filter((l) => l.method === m.id && l.online!.equalCost)
      .map((l) => l.online!.equalCost!.steps);
    return steps.length ? [[m.id, steps.reduce((a, b) => a + b, 0) / steps.length]] : [];
  }));
  return {
    inRun: table((l) => l.online!.inRun.value),
    equalCost,
    equalSteps,
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

/**
 * One table as markdown.
 *
 * @param spec The manifest section.
 * @param t The gaps.
 * @param suffix Appended to each task's column heading (e.g. ": gap to stratified at equal cost").
 */
export function gapMarkdown(
  spec: OnlineManifest,
  t: Readonly<Record<string, Readonly<Record<string, Gap | null>>>>,
  suffix = "",
): string {
  return [
    `| method | ${
      spec.tasks.map((k) => k + suffix).join(" | ")
    } | tasks beating ${spec.baseline} |`,
    `|---|${spec.tasks.map(() => "---:").join("|")}|---:|`,
    ...spec.methods.map((m) =>
      `| ${m.label} (\`${m.id}\`) | ${spec.tasks.map((k) => fmt(t[m.id]?.[k])).join(" | ")} | ${
        beats(t[m.id] ?? {})
      }/${spec.tasks.length} |`
    ),
  ].join("\n");
}

const tex = (s: string) => s.replace(/([_%&#$])/g, "\\$1");

/**
 * One table as LaTeX (booktabs): mean with the interval's half-width.
 *
 * @param spec The manifest section.
 * @param t The gaps.
 * @param caption A caption above the table (none when absent).
 */
export function gapLatex(
  spec: OnlineManifest,
  t: Readonly<Record<string, Readonly<Record<string, Gap | null>>>>,
  caption?: string,
): string {
  const cell = (g: Gap | null | undefined) =>
    !g
      ? "--"
      : Number.isNaN(g.low)
      ? g.mean.toFixed(4)
      : `${g.mean.toFixed(4)} $\\pm$ ${((g.high - g.low) / 2).toFixed(4)}`;
  return [
    ...(caption ? [`% ${caption}`] : []),
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
    `| method | ${keys.join(" | ")} | total | equal-cost ${spec.baseline} steps | failed cells |`,
    `|---|${keys.map(() => "---:").join("|")}|---:|---:|---:|`,
    ...spec.methods.map((m) => {
      const c = tables.cost[m.id] ?? {};
      const total = Object.values(c).reduce((s, x) => s + x, 0);
      const steps = tables.equalSteps[m.id];
      return `| \`${m.id}\` | ${keys.map((k) => (c[k] ?? 0).toFixed(2)).join(" | ")} | ${
        total.toFixed(2)
      } | ${steps === undefined ? "—" : steps.toFixed(0)} | ${tables.failed[m.id] ?? 0} |`;
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
  return { tables, text: onlineText(spec, tables, seeds, o.out) };
}

/**
 * The online section's text: the three gap tables (markdown and LaTeX) and the cost table.
 *
 * @param spec The manifest's `online` section.
 * @param tables The filled tables.
 * @param seeds Seeds per cell.
 * @param out The results folder named at the end.
 * @returns Markdown.
 */
export function onlineText(
  spec: OnlineManifest,
  tables: OnlineTables,
  seeds: number,
  out: string,
): string {
  return [
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
    `### In-run at equal total cost: gap to \`${spec.baseline}\` given the method's whole cost`,
    "",
    `The same final models minus a \`${spec.baseline}\` run of the same model and seed trained ` +
    "for as many whole steps as the method's total byte-passes pay for (its probes, reference " +
    "and auxiliary runs, validation and gradient passes spent as more training, the recipe's " +
    "schedule over the longer run); steps in the cost table below.",
    "",
    gapMarkdown(spec, tables.equalCost, `: gap to ${spec.baseline} at equal cost`),
    "",
    "```latex",
    gapLatex(spec, tables.equalCost, `In-run gap to ${spec.baseline} at equal total cost`),
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
    `Runs in ${out}.`,
  ].join("\n");
}
